"""The GPT row: one training step of examples/gpt.py's character-level GPT at the example's
default size (forward, cross-entropy, backward, gradient clipping, AdamW, the learning-rate
schedule), in tinygrad_edu and in PyTorch, from the same initial weights on the same batches.

The models come from the example's own build_model and the steps from its Trainer, so the row
times exactly what `python examples/gpt.py` runs."""
from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from .harness import Candidate, interleaved
from .suite import OURS, TORCH, Row, Settings, agreement

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHECK_STEPS = 3


def _example_modules() -> tuple[Any, Any, Any]:
    """gpt, word_training and words from examples/ (a folder of scripts, not a package)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    import gpt
    import word_training
    import words

    return gpt, word_training, words


def _trainers(settings: Settings, steps: int) -> dict[str, Any]:
    """Fresh trainers at the example's default recipe and size, PyTorch's from our initial weights."""
    import tinygrad_edu as tg

    gpt, word_training, _ = _example_modules()
    args = word_training.parser("", steps=steps, lr=3e-3).parse_args([])
    tg.manual_seed(0)
    model = gpt.build_model(tg.nn)
    made = {OURS: word_training.Trainer(OURS, tg, model, args)}
    if settings.torch is not None:
        torch = settings.torch.torch
        copy = gpt.build_model(torch.nn)
        copy.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in model.state_dict().items()})
        made[TORCH] = word_training.Trainer(TORCH, torch, copy, args)
    return made


def _train(trainer: Any, batches: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    return [trainer.step(inputs, targets) for inputs, targets in batches]


def gpt_row(settings: Settings, rounds: int) -> Row:
    _, _, words = _example_modules()
    word_list, source = words.load_words()
    rows = words.to_rows(word_list, words.MAX_LENGTH + 1)
    steps = 3 if settings.quick else 20
    indices = words.batch_indices(len(rows), 32, CHECK_STEPS + steps, seed=0)
    batches = [(rows.inputs[i], rows.targets[i]) for i in indices]
    losses = {name: [np.array(_train(trainer, batches[:CHECK_STEPS]))] for name, trainer in _trainers(settings, CHECK_STEPS).items()}
    check, passed = agreement(losses, OURS, f"losses of {CHECK_STEPS} training steps", relative=True)
    # Warm-up: the first steps (AdamW's state, the allocator); then each run is `steps` steps.
    candidates = [Candidate(name, partial(_train, trainer, batches[CHECK_STEPS:]), partial(_train, trainer, batches[:CHECK_STEPS]))
                  for name, trainer in _trainers(settings, 10_000).items()]
    note = (f"examples/gpt.py's default model (4 layers, 4 heads, 64 wide, block 16, 204,544 parameters), batch 32 words of "
            f"{source.split(':')[0]}: forward, cross-entropy, backward, clip_grad_norm_, AdamW, LambdaLR; time per step, "
            f"from runs of {steps} steps")
    comparison = interleaved(candidates, rounds, settings.idle, settings.pause)
    return Row("GPT training step", note, comparison, per=steps, check=check, check_passed=passed)
