"""What mnist_mlp.py, mnist_cnn.py and resnet.py share: flags, data, one training loop that
drives either framework, the checkpoint, the curves and the graph picture, and with --diagnose
the health of each layer (tinygrad_edu.diagnostics) on each epoch's last batch.

The loop talks to a framework only through a `Trainer` (step on a batch, evaluate a batch),
so `--compare-torch` runs PyTorch on exactly the same batches, from exactly the same initial
weights, with the same recipe: the two accuracies differ only by the frameworks.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np
from tqdm import tqdm

import tinygrad_edu as tg
from tinygrad_edu import data, nn, optim, viz
from tinygrad_edu.diagnostics import Diagnostics
from tinygrad_edu.nn import functional as F

from curves import plot_curves

EVAL_BATCH = 1000


FALLBACK_LRS = {"adam": 1e-3, "adamw": 1e-3, "sgd": 0.05}


def make_parser(description: str, default_epochs: int, **defaults: Any) -> argparse.ArgumentParser:
    """The flags every example has; `defaults` overrides their defaults (an example's recipe:
    batch_size=128, optimizer="sgd", ...). An example can add flags of its own before parsing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dataset", choices=["fashion", "mnist"], default="fashion",
                        help="fashion: the real Fashion-MNIST where found, else the embedded sample")
    parser.add_argument("--epochs", type=int, default=default_epochs)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--optimizer", choices=list(FALLBACK_LRS), default="adam")
    parser.add_argument("--lr", type=float, default=None, help="default: the recipe's for its optimizer, else " +
                        ", ".join(f"{lr} for {name}" for name, lr in FALLBACK_LRS.items()) + "; the peak lr with --schedule onecycle")
    parser.add_argument("--momentum", type=float, default=0.9, help="sgd only")
    parser.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=False, help="sgd only")
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--schedule", choices=["constant", "onecycle"], default="constant",
                        help="onecycle: OneCycleLR, stepped after every batch, peaking at --lr")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--test-limit", type=int, default=None, help="evaluate on the first N images only")
    parser.add_argument("--out", type=Path, default=None, help="where the checkpoint, curves and graph go")
    parser.add_argument("--compare-torch", action="store_true", help="train the same recipe in PyTorch too")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--diagnose", action="store_true", help="print (and plot) each layer's health every epoch")
    parser.set_defaults(**defaults)
    return parser


def parse_args(parser: argparse.ArgumentParser, default_lr: float, argv: list[str] | None = None) -> argparse.Namespace:
    """The flags (sys.argv's, or argv's); without --lr, default_lr for the recipe's optimizer,
    a usual one for another."""
    args = parser.parse_args(argv)
    if args.lr is None:
        args.lr = default_lr if args.optimizer == parser.get_default("optimizer") else FALLBACK_LRS[args.optimizer]
    return args


@dataclass
class Split:
    images: np.ndarray  # float32 (N, 1, 28, 28), standardised
    labels: np.ndarray  # int64 (N,)


def load_data(args: argparse.Namespace) -> tuple[Split, Split, str]:
    """The train and test splits as float32 NCHW images, standardised by the training
    set's mean and standard deviation, and the name of what was loaded."""
    if args.dataset == "fashion":
        train_images, train_labels, source = data.load_fashion_mnist_or_sample("train")
        test_images, test_labels, _ = data.load_fashion_mnist_or_sample("test")
        source = "Fashion-MNIST" if source == "fashion-mnist" else "the embedded Fashion-MNIST sample (real data set not found)"
    else:
        train_images, train_labels = data.mnist("train")
        test_images, test_labels = data.mnist("test")
        source = "MNIST"
    train_images, train_labels = train_images[: args.train_limit], train_labels[: args.train_limit]
    test_images, test_labels = test_images[: args.test_limit], test_labels[: args.test_limit]
    scaled = train_images.astype(np.float32) / 255
    mean, std = scaled.mean(), scaled.std()

    def prepare(images: np.ndarray) -> np.ndarray:
        return ((images.astype(np.float32) / 255 - mean) / std)[:, None, :, :]

    print(f"data: {source}: {len(train_labels)} training and {len(test_labels)} test images")
    return Split(prepare(train_images), train_labels), Split(prepare(test_images), test_labels), source


class Trainer(Protocol):
    name: str

    def step(self, images: np.ndarray, labels: np.ndarray) -> float: ...
    def evaluate(self, images: np.ndarray, labels: np.ndarray) -> tuple[float, int]: ...


class TinygradTrainer:
    """One step: forward, cross-entropy, backward, optimizer update, then the learning-rate
    schedule's step if there is one; with diagnose=True each step is watched, and
    `diagnostics` holds the last one's. Training mode for steps, eval mode for evaluation
    (BatchNorm normalizes by the batch's statistics in one, by its running ones in the other)."""

    name = "tinygrad_edu"

    def __init__(self, model: nn.Module, optimizer: optim.Optimizer, scheduler: Any = None, diagnose: bool = False):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.diagnostics = Diagnostics(model, optimizer) if diagnose else None

    def step(self, images: np.ndarray, labels: np.ndarray) -> float:
        self.model.train()
        with self.diagnostics or contextlib.nullcontext():
            loss = F.cross_entropy(self.model(tg.Tensor(images)), tg.Tensor(labels))
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        return loss.item()

    @tg.no_grad()
    def evaluate(self, images: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
        """Summed loss and number correct on one batch."""
        self.model.eval()
        logits = self.model(tg.Tensor(images))
        loss = F.cross_entropy(logits, tg.Tensor(labels), reduction="sum").item()
        return loss, int((logits.argmax(dim=1).numpy() == labels).sum())


def make_optimizer(args: argparse.Namespace, params: Any, library: Any) -> Any:
    """The recipe's optimizer, from our `optim` or from `torch.optim` (same names, same rules)."""
    if args.optimizer == "adam":
        return library.Adam(params, lr=args.lr, weight_decay=args.weight_decay)
    if args.optimizer == "adamw":
        return library.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    return library.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay, nesterov=args.nesterov)


def make_scheduler(args: argparse.Namespace, optimizer: Any, library: Any, steps_per_epoch: int) -> Any:
    """The recipe's learning-rate schedule (stepped once per batch), or None for a constant lr."""
    if args.schedule == "onecycle":
        return library.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch)
    return None


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    diagnostics: list[list[dict[str, Any]]] = field(default_factory=list)  # per epoch, per layer (--diagnose)


def evaluate(trainer: Trainer, split: Split) -> tuple[float, float]:
    """Mean loss and accuracy over a whole split, in batches."""
    total_loss, correct = 0.0, 0
    for start in range(0, len(split.labels), EVAL_BATCH):
        loss, right = trainer.evaluate(split.images[start : start + EVAL_BATCH], split.labels[start : start + EVAL_BATCH])
        total_loss, correct = total_loss + loss, correct + right
    return total_loss / len(split.labels), correct / len(split.labels)


def fit(trainer: Trainer, train: Split, test: Split, args: argparse.Namespace) -> History:
    """Train for args.epochs, printing a line per epoch; the batch order depends on the seed only."""
    loader = data.DataLoader((train.images, train.labels), batch_size=args.batch_size, shuffle=True, seed=args.seed)
    history = History()
    for epoch in range(1, args.epochs + 1):
        start, total, seen = time.perf_counter(), 0.0, 0
        bar = tqdm(loader, desc=f"{trainer.name} epoch {epoch}/{args.epochs}", leave=False, disable=args.no_progress)
        for images, labels in bar:
            loss = trainer.step(images.numpy(), labels.numpy())
            total, seen = total + loss * len(labels), seen + len(labels)
            bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
        seconds = time.perf_counter() - start
        test_loss, accuracy = evaluate(trainer, test)
        for values, value in zip(
            (history.train_loss, history.test_loss, history.test_accuracy, history.epoch_seconds),
            (total / seen, test_loss, accuracy, seconds),
        ):
            values.append(value)
        print(f"{trainer.name} epoch {epoch}/{args.epochs}: train loss {total / seen:.4f}, "
              f"test loss {test_loss:.4f}, test accuracy {accuracy:.2%} ({seconds:.1f} s)", flush=True)
        diagnostics = getattr(trainer, "diagnostics", None)
        if diagnostics is not None:
            print(f"layer health, epoch {epoch}'s last batch:\n{diagnostics}", flush=True)
            history.diagnostics.append([asdict(row) for row in diagnostics.table()])
    return history


def save_outputs(out: Path, model: nn.Module, optimizer: optim.Optimizer, history: History, sample: np.ndarray) -> None:
    """The checkpoint (model and optimizer), the curves as JSON and PNG, the graph as DOT."""
    out.mkdir(parents=True, exist_ok=True)
    tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, out / "checkpoint.npz")
    (out / "history.json").write_text(json.dumps(history.__dict__, indent=2))
    model.eval()
    (out / "graph.dot").write_text(viz.to_dot(model(tg.Tensor(sample)), params=model))
    saved = ["checkpoint.npz", "history.json", "graph.dot"]
    if plot_curves(history, out / "curves.png"):
        saved.append("curves.png")
    print(f"saved to {out}/: {', '.join(saved)}")


class TorchTrainer:
    """The same step in PyTorch, for --compare-torch."""

    name = "pytorch"

    def __init__(self, torch: Any, model: Any, optimizer: Any, scheduler: Any = None):
        self.torch, self.model, self.optimizer, self.scheduler = torch, model, optimizer, scheduler

    def step(self, images: np.ndarray, labels: np.ndarray) -> float:
        self.model.train()
        loss = self.torch.nn.functional.cross_entropy(self.model(self.torch.from_numpy(images)), self.torch.from_numpy(labels))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        return loss.item()

    def evaluate(self, images: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
        self.model.eval()
        with self.torch.no_grad():
            logits = self.model(self.torch.from_numpy(images))
            loss = self.torch.nn.functional.cross_entropy(logits, self.torch.from_numpy(labels), reduction="sum").item()
        return loss, int((logits.argmax(dim=1).numpy() == labels).sum())


def compare_with_torch(build_torch_model: Callable[[Any], Any], initial_state: dict[str, np.ndarray], train: Split, test: Split, args: argparse.Namespace) -> History | None:
    """The same recipe in PyTorch from our initial weights; None when torch is not installed."""
    try:
        import torch
    except ImportError:
        print("--compare-torch: PyTorch is not installed (pip install torch), skipping the comparison")
        return None
    # As many threads as numpy's BLAS is allowed, so that the epoch times compare like for like.
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    if threads:
        torch.set_num_threads(int(threads))
    model = build_torch_model(torch)
    # Our parameter names and layouts are torch.nn's, so the state_dict moves over as it is.
    model.load_state_dict({name: torch.from_numpy(array) for name, array in initial_state.items()})
    optimizer = make_optimizer(args, model.parameters(), torch.optim)
    scheduler = make_scheduler(args, optimizer, torch.optim, steps_per_epoch(train, args))
    return fit(TorchTrainer(torch, model, optimizer, scheduler), train, test, args)


def steps_per_epoch(train: Split, args: argparse.Namespace) -> int:
    return -(-len(train.labels) // args.batch_size)  # the last batch may be smaller


def describe_recipe(args: argparse.Namespace) -> str:
    options = [f"{args.optimizer} lr {args.lr}"]
    if args.optimizer == "sgd":
        options.append(f"momentum {args.momentum}" + (" (nesterov)" if args.nesterov else ""))
    if args.weight_decay:
        options.append(f"weight decay {args.weight_decay}")
    if args.schedule != "constant":
        options.append(f"{args.schedule} schedule")
    return ", ".join(options + [f"batch {args.batch_size}", f"{args.epochs} epochs", f"seed {args.seed}"])


def main(description: str, default_epochs: int, default_lr: float, build_model: Callable[[Any], Any], build_torch_model: Callable[[Any], Any], name: str) -> History:
    """Train `build_model(nn)` by the flags' recipe; with --compare-torch, PyTorch too."""
    return run(parse_args(make_parser(description, default_epochs), default_lr), build_model, build_torch_model, name)


def run(args: argparse.Namespace, build_model: Callable[[Any], Any], build_torch_model: Callable[[Any], Any], name: str) -> History:
    """Train `build_model(nn)` by the recipe in `args`; with --compare-torch, PyTorch too."""
    tg.manual_seed(args.seed)
    train, test, _ = load_data(args)
    model = build_model(nn)
    initial_state = {name: np.array(value) for name, value in model.state_dict().items()}  # copies: state_dict's values share the model's arrays
    optimizer = make_optimizer(args, model.parameters(), optim)
    scheduler = make_scheduler(args, optimizer, optim, steps_per_epoch(train, args))
    print(f"model: {model}")
    print(f"recipe: {describe_recipe(args)}")
    history = fit(TinygradTrainer(model, optimizer, scheduler, args.diagnose), train, test, args)
    save_outputs(args.out or Path("runs") / name, model, optimizer, history, test.images[:1])
    if args.compare_torch:
        theirs = compare_with_torch(build_torch_model, initial_state, train, test, args)
        if theirs is not None:
            print(f"final test accuracy: tinygrad_edu {history.test_accuracy[-1]:.2%}, PyTorch {theirs.test_accuracy[-1]:.2%} "
                  f"(difference {100 * (history.test_accuracy[-1] - theirs.test_accuracy[-1]):+.2f} points); "
                  f"median epoch {np.median(history.epoch_seconds):.1f} s vs {np.median(theirs.epoch_seconds):.1f} s")
    print(f"final test accuracy: {history.test_accuracy[-1]:.2%}")
    return history
