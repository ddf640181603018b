"""The benchmark rows: what each one times, on which implementations, and the check that the
implementations compute the same thing first, so that a fast wrong number cannot win."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any, Callable

import numpy as np

from . import conv_numpy, hand_numpy, ours, tutorial_loop
from .datasets import TRAIN_SAMPLES, TrainingSet
from .harness import Candidate, Comparison, IdleWaiter, interleaved
from .networks import BATCH_SIZE, LEARNING_RATES, initial_weights, xor_data

OURS, NUMPY, TORCH, TUTORIAL = "tinygrad_edu", "hand numpy", "PyTorch", "tutorial loop"
TOLERANCE = 1e-4


@dataclass
class Settings:
    quick: bool
    idle: IdleWaiter | None
    pause: float  # seconds slept before each timed run (see harness.interleaved)
    torch: ModuleType | None  # benchmarks.torch_models, or None without torch
    data: Callable[[], TrainingSet]

    @property
    def epoch_samples(self) -> int:
        return 6_400 if self.quick else TRAIN_SAMPLES


@dataclass
class Row:
    """One table row group. Displayed time = measured × multiplier[name] / per: `per` turns
    1,000 steps into one, `multiplier` turns a timed subset into a whole epoch."""

    name: str
    note: str
    comparison: Comparison
    per: float = 1.0
    multipliers: dict[str, float] = field(default_factory=dict)
    check: str = ""
    check_passed: bool = True

    def seconds(self, name: str) -> list[float]:
        scale = self.multipliers.get(name, 1.0) / self.per
        return [value * scale for value in self.comparison.timings[name].seconds]


def max_difference(first: Any, second: Any) -> float:
    return float(np.max(np.abs(np.asarray(first, dtype=np.float64) - np.asarray(second, dtype=np.float64))))


def agreement(results: dict[str, list[np.ndarray]], reference: str, what: str, relative: bool = False) -> tuple[str, bool]:
    """Compare every implementation's arrays with the reference's; a sentence and a verdict."""
    worst = 0.0
    for name, arrays in results.items():
        for array, expected in zip(arrays, results[reference]):
            difference = max_difference(array, expected)
            if relative:
                difference /= max(float(np.max(np.abs(expected))), 1e-12)
            worst = max(worst, difference)
    passed = worst <= TOLERANCE
    kind = "relative" if relative else "absolute"
    verdict = "agree" if passed else "DISAGREE"
    return f"{', '.join(results)} {verdict}: {what}, max {kind} difference {worst:.1e} (tolerance {TOLERANCE:g})", passed


def trainers(network: str, settings: Settings) -> dict[str, Any]:
    """One trainer per implementation, all from the same initial weights."""
    weights, learning_rate = initial_weights(network), LEARNING_RATES[network]
    hand = {"mlp": hand_numpy.MLP, "tutorial_conv": hand_numpy.TutorialConv, "small_cnn": hand_numpy.SmallCNN, "xor": hand_numpy.XOR}
    made = {OURS: ours.trainer(network, weights, learning_rate), NUMPY: hand[network](weights, learning_rate)}
    if settings.torch is not None:
        made[TORCH] = settings.torch.trainer(network, weights, learning_rate)
    return made


def check_training(network: str, batches: list[tuple[np.ndarray, np.ndarray]], settings: Settings) -> tuple[str, bool]:
    """Fresh trainers, the same batches: the losses of each step and the weights after them
    must agree."""
    results = {}
    for name, trainer in trainers(network, settings).items():
        losses = [float(trainer.step(x, y).item()) for x, y in batches]
        results[name] = [np.array(losses), *trainer.parameters().values()]
    return agreement(results, NUMPY, f"losses of {len(batches)} SGD steps and the weights after them")


def repeat(run: Callable[[], Any], times: int) -> None:
    for _ in range(times):
        run()


def train(trainer: Any, batches: list[tuple[np.ndarray, np.ndarray]]) -> None:
    for x, y in batches:
        trainer.step(x, y)


def epoch_row(network: str, title: str, settings: Settings, rounds: int) -> Row:
    batches = settings.data().batches(BATCH_SIZE, flat=network == "mlp", limit=settings.epoch_samples)
    check, passed = check_training(network, batches[:3], settings)
    candidates = [
        Candidate(name, partial(train, trainer, batches), partial(train, trainer, batches[:3]))
        for name, trainer in trainers(network, settings).items()
    ]
    multiplier = TRAIN_SAMPLES / min(settings.epoch_samples, TRAIN_SAMPLES)
    note = f"one epoch of {TRAIN_SAMPLES:,} samples, batch {BATCH_SIZE}, SGD"
    if multiplier != 1:
        note += f" (timed on {settings.epoch_samples:,} samples, ×{multiplier:g})"
    comparison = interleaved(candidates, rounds, settings.idle, settings.pause)
    return Row(title, note, comparison, multipliers={name: multiplier for name in comparison.timings}, check=check, check_passed=passed)


def xor_row(settings: Settings, rounds: int) -> Row:
    x, y = xor_data()
    steps = 1_000
    batches = [(x, y)] * steps
    check, passed = check_training("xor", batches[:3], settings)
    candidates = [Candidate(name, partial(train, trainer, batches), partial(train, trainer, batches[:50])) for name, trainer in trainers("xor", settings).items()]
    note = f"2-3-1 tanh, full batch of 4, MSE, SGD: time per step, from {steps:,} steps"
    return Row("XOR step", note, interleaved(candidates, rounds, settings.idle, settings.pause), per=steps, check=check, check_passed=passed)


def op_chain_row(settings: Settings, rounds: int) -> Row:
    length = 1_000
    x = np.random.default_rng(0).standard_normal(16).astype(np.float32)
    runs: dict[str, Callable[[], Any]] = {OURS: partial(ours.op_chain, x, length), NUMPY: partial(hand_numpy.op_chain, x, length)}
    if settings.torch is not None:
        runs[TORCH] = partial(settings.torch.op_chain, settings.torch.torch.from_numpy(x), length)
    results = {name: [np.asarray(run())] for name, run in runs.items()}
    check, passed = agreement(results, NUMPY, "dE/dx through the chain")
    calls = 2 if settings.quick else 20
    candidates = [Candidate(name, partial(repeat, run, calls), run) for name, run in runs.items()]
    note = f"a chain of {length:,} elementwise ops (×0.9, +0.1, tanh) on 16 floats, forward + backward: time per op"
    comparison = interleaved(candidates, rounds, settings.idle, settings.pause)
    return Row("per-op overhead", note, comparison, per=length * calls, check=check, check_passed=passed)


def channels_last_run(function: Callable[..., Any], x: np.ndarray, weight: np.ndarray, grad_output: np.ndarray, bias: np.ndarray) -> Any:
    return conv_numpy.from_channels_last(function(x, weight, bias, grad_output, 1))


def conv_row(batch: int, channels: int, size: int, filters: int, settings: Settings, rounds: int) -> Row:
    """conv2d 3x3, padding 1, forward + backward (dE/dX, dE/dK, dE/dB) alone, on every
    numpy formulation in conv_numpy, tinygrad_edu and PyTorch."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, channels, size, size), dtype=np.float32)
    weight = (rng.standard_normal((filters, channels, 3, 3)) / np.sqrt(channels * 9)).astype(np.float32)
    bias = rng.standard_normal(filters, dtype=np.float32)
    grad_output = rng.standard_normal((batch, filters, size, size), dtype=np.float32)
    from tinygrad_edu import Tensor

    tensors = [Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True), Tensor(bias, requires_grad=True), Tensor(grad_output)]
    runs: dict[str, Callable[[], Any]] = {OURS: partial(ours.conv2d_forward_backward, *tensors, 1)}
    runs[NUMPY] = partial(conv_numpy.FORMULATIONS[conv_numpy.BEST][0], x, weight, bias, grad_output, 1)
    if settings.torch is not None:
        torch = settings.torch.torch
        leaves = [torch.tensor(array, requires_grad=True) for array in (x, weight, bias)]
        runs[TORCH] = partial(settings.torch.conv2d_forward_backward, *leaves, torch.from_numpy(grad_output), 1)
    for name, (function, channels_last) in conv_numpy.FORMULATIONS.items():
        if name == conv_numpy.BEST:
            continue
        if channels_last:
            runs[f"numpy {name}"] = partial(channels_last_run, function, *conv_numpy.to_channels_last(x, weight, grad_output), bias)
        else:
            runs[f"numpy {name}"] = partial(function, x, weight, bias, grad_output, 1)
    results = {name: [np.asarray(value.detach() if hasattr(value, "detach") else value) for value in run()] for name, run in runs.items()}
    check, passed = agreement(results, NUMPY, "Y, dE/dX, dE/dK, dE/dB", relative=True)
    # One run is several calls, long enough for the pause before it to pay off.
    calls = 3 if settings.quick else 20
    candidates = [Candidate(name, partial(repeat, run, calls), run) for name, run in runs.items()]
    title = f"conv2d ({batch},{channels},{size},{size}) {filters} filters"
    note = "3x3, padding 1, forward + dE/dX, dE/dK, dE/dB; rows_nhwc's inputs are already channels-last"
    comparison = interleaved(candidates, rounds, settings.idle, settings.pause)
    note += f"; '{NUMPY}' is {conv_numpy.BEST}; time per call, from runs of {calls} calls"
    return Row(title, note, comparison, per=calls, check=check, check_passed=passed)


def check_tutorial_algorithm(images: np.ndarray, labels: np.ndarray) -> tuple[str, bool]:
    """The re-implementation is the tutorial's math: its fit() on 3 samples, one at a time,
    must give the weights that tinygrad_edu gives with batch size 1, a tanh output and MSE."""
    weights, learning_rate = initial_weights("mlp"), LEARNING_RATES["mlp"]
    network = tutorial_loop.mlp_network(weights)
    x, y = tutorial_loop.tutorial_inputs(images[:3], labels[:3])
    network.fit(x, y, epochs=1, learning_rate=learning_rate)
    tutorial = [layer.weights.T for layer in network.layers if isinstance(layer, tutorial_loop.FCLayer)]
    engine = ours.Trainer(ours.TutorialMLP(), weights, learning_rate, "mse")
    for sample, target in zip(x, y):
        engine.step(sample, target)
    engine_weights = [engine.parameters()[f"fc{i}.weight"] for i in (1, 2, 3)]
    return agreement({"tutorial loop": tutorial, OURS: engine_weights}, OURS, "weights after 3 per-sample steps")


def tutorial_loop_row(settings: Settings, rounds: int) -> Row:
    data = settings.data()
    subset = 600 if settings.quick else 6_000
    images = data.images[:subset].reshape(subset, -1)
    check, passed = check_tutorial_algorithm(images, data.labels)
    x, y = tutorial_loop.tutorial_inputs(images, data.labels[:subset])
    network = tutorial_loop.mlp_network(initial_weights("mlp"))
    batches = data.batches(BATCH_SIZE, flat=True, limit=settings.epoch_samples)
    made = trainers("mlp", settings)
    candidates = [
        Candidate(TUTORIAL, partial(network.fit, x, y, 1, LEARNING_RATES["mlp"])),
        Candidate(OURS, partial(train, made[OURS], batches), partial(train, made[OURS], batches[:3])),
        Candidate(NUMPY, partial(train, made[NUMPY], batches), partial(train, made[NUMPY], batches[:3])),
    ]
    note = (
        f"MLP epoch; the tutorial's per-sample loop (tanh output, MSE) timed on {subset:,} samples "
        f"×{TRAIN_SAMPLES // subset}; the others batch {BATCH_SIZE} as in the MLP row"
    )
    multipliers = {TUTORIAL: TRAIN_SAMPLES / subset, OURS: TRAIN_SAMPLES / settings.epoch_samples, NUMPY: TRAIN_SAMPLES / settings.epoch_samples}
    return Row("tutorial's per-sample MLP epoch", note, interleaved(candidates, rounds, settings.idle, settings.pause), multipliers=multipliers, check=check, check_passed=passed)


@dataclass
class MemoryRow:
    measurement: str
    megabytes: dict[str, float]


def memory_rows(settings: Settings, threads: int | None) -> list[MemoryRow]:
    """RSS of training, each number from its own subprocess (benchmarks.memory)."""
    from . import memory

    names = {"ours": OURS, "numpy": NUMPY, "torch": TORCH}
    implementations = [key for key in names if key != "torch" or settings.torch is not None]
    mlp_steps = 100 if settings.quick else -(-TRAIN_SAMPLES // BATCH_SIZE)
    cnn_steps = 20 if settings.quick else -(-TRAIN_SAMPLES // BATCH_SIZE)
    early, late = (50, 200) if settings.quick else (200, 2_000)
    rows: dict[str, dict[str, float]] = {}
    for key in implementations:
        epoch = memory.measure(key, "mlp", mlp_steps, [], threads)
        cnn = memory.measure(key, "small_cnn", cnn_steps, [], threads)
        leak = memory.measure(key, "mlp", late, [early, late], threads)
        for measurement, value in (
            ("RSS before training (imports, data, model)", epoch["baseline_mb"]),
            (f"MLP: peak RSS over {mlp_steps:,} steps, above the RSS before", epoch["peak_mb"] - epoch["baseline_mb"]),
            (f"small CNN: peak RSS over {cnn_steps:,} steps, above the RSS before", cnn["peak_mb"] - cnn["baseline_mb"]),
            (f"MLP: RSS after {late:,} steps − RSS after {early:,}", leak["rss_at_mb"][late] - leak["rss_at_mb"][early]),
        ):
            rows.setdefault(measurement, {})[names[key]] = value
    return [MemoryRow(measurement, values) for measurement, values in rows.items()]
