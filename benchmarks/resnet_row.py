"""The ResNet row (issue 10): one training step of examples/resnet.py's network at its default
widths, batch 64, in tinygrad_edu and in PyTorch CPU: forward (BatchNorm in training mode),
cross-entropy, backward, the recipe's SGD (momentum, nesterov, weight decay) and OneCycleLR.

The models come from the example's build_model and the steps from classifier.py's trainers,
so the row times what `python examples/resnet.py` runs (at batch 64 instead of its 128). Both
start from the same weights (ours, loaded into torch) on the same Fashion-MNIST batches, and
fresh copies of both must compute the same losses for 3 steps before any timing."""
from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from .harness import Candidate, interleaved
from .networks import BATCH_SIZE
from .suite import OURS, TORCH, Row, Settings, agreement, train

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHECK_STEPS = 3


def _example_modules() -> tuple[Any, Any]:
    """resnet and classifier from examples/ (a folder of scripts, not a package)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    import classifier
    import resnet

    return resnet, classifier


def _trainers(settings: Settings) -> dict[str, Any]:
    """Fresh trainers with the example's default recipe, PyTorch's from our initial weights."""
    import tinygrad_edu as tg
    from tinygrad_edu import nn, optim

    resnet, classifier = _example_modules()
    args = resnet.parse_flags([])
    steps_per_epoch = 100_000  # the schedule must outlast every warm-up and round
    tg.manual_seed(0)
    model = resnet.build_model(nn)
    optimizer = classifier.make_optimizer(args, model.parameters(), optim)
    made = {OURS: classifier.TinygradTrainer(model, optimizer, classifier.make_scheduler(args, optimizer, optim, steps_per_epoch))}
    if settings.torch is not None:
        torch = settings.torch.torch
        theirs = resnet.build_model(torch.nn)
        theirs.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in model.state_dict().items()})
        their_optimizer = classifier.make_optimizer(args, theirs.parameters(), torch.optim)
        scheduler = classifier.make_scheduler(args, their_optimizer, torch.optim, steps_per_epoch)
        made[TORCH] = classifier.TorchTrainer(torch, theirs, their_optimizer, scheduler)
    return made


def resnet_row(settings: Settings, rounds: int) -> Row:
    resnet, _ = _example_modules()
    steps = 2 if settings.quick else 5
    batches = settings.data().batches(BATCH_SIZE, flat=False, limit=BATCH_SIZE * (CHECK_STEPS + steps))
    losses = {name: [np.array([trainer.step(x, y) for x, y in batches[:CHECK_STEPS]])] for name, trainer in _trainers(settings).items()}
    check, passed = agreement(losses, OURS, f"losses of {CHECK_STEPS} training steps", relative=True)
    # Warm-up: the first steps (the optimizer's state, the allocator); then each run is `steps` steps.
    candidates = [Candidate(name, partial(train, trainer, batches[CHECK_STEPS:]), partial(train, trainer, batches[:CHECK_STEPS]))
                  for name, trainer in _trainers(settings).items()]
    note = (f"examples/resnet.py's default network (widths {','.join(map(str, resnet.WIDTHS))}, a basic block per stage), "
            f"batch {BATCH_SIZE}: forward (BatchNorm in training mode), cross-entropy, backward, SGD (nesterov, weight decay), "
            f"OneCycleLR; time per step, from runs of {steps} steps")
    comparison = interleaved(candidates, rounds, settings.idle, settings.pause)
    return Row("ResNet training step", note, comparison, per=steps, check=check, check_passed=passed)
