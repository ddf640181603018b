"""Where tinygrad_edu's training time goes: cProfile over a number of training steps, the
functions ranked by their own time (numpy's C calls show up under their own names; `@` and
other operators are counted in the function that uses them).

    python -m benchmarks.profiling {mlp,tutorial_conv,small_cnn,xor} [--steps N] [--top K]

cProfile's per-call cost inflates small functions; for shares closer to the truth, sample
instead: `py-spy record -f raw -o stacks.txt -- python -m benchmarks.profiling mlp --plain`.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys

from . import ours
from .datasets import training_set
from .networks import BATCH_SIZE, LEARNING_RATES, SHAPES, initial_weights, xor_data

DEFAULT_STEPS = {"mlp": 938, "tutorial_conv": 300, "small_cnn": 100, "xor": 1000}


def profile_training(network: str, steps: int, plain: bool = False) -> pstats.Stats | None:
    trainer = ours.trainer(network, initial_weights(network), LEARNING_RATES[network])
    if network == "xor":
        batches = [xor_data()]
    else:
        batches = training_set(min(steps, 938) * BATCH_SIZE).batches(BATCH_SIZE, flat=network == "mlp")
    for x, y in batches[:3]:
        trainer.step(x, y)  # warm up outside the profile
    profiler = None if plain else cProfile.Profile()
    if profiler is not None:
        profiler.enable()
    for step in range(steps):
        x, y = batches[step % len(batches)]
        trainer.step(x, y)
    if profiler is None:
        return None
    profiler.disable()
    return pstats.Stats(profiler)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__.split("\n\n")[0])
    parser.add_argument("network", choices=sorted(SHAPES))
    parser.add_argument("--steps", type=int, help="training steps to profile (default: an MLP epoch, 300 / 100 conv steps, 1,000 XOR steps)")
    parser.add_argument("--top", type=int, default=25, help="how many functions to list")
    parser.add_argument("--plain", action="store_true", help="train without cProfile (for an outside sampler such as py-spy)")
    args = parser.parse_args(argv)
    stats = profile_training(args.network, args.steps or DEFAULT_STEPS[args.network], args.plain)
    if stats is None:
        return
    stream = io.StringIO()
    stats.stream = stream
    stats.sort_stats("tottime").print_stats(args.top)
    print(stream.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
