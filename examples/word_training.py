"""What gpt.py and lstm.py share: flags, one training loop that drives either framework, the
validation loss, sampling new words, the checkpoint and the curves.

The loop talks to a framework only through a `Trainer` built on the library module itself
(`tinygrad_edu` or `torch`: the same names), so `--compare-torch` steps PyTorch on exactly the
same batches, from exactly the same initial weights, in lock step with ours: the two
validation losses printed side by side differ only by the frameworks' arithmetic.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from tqdm import tqdm

import tinygrad_edu as tg
import words

EVAL_BATCH = 512


def parser(description: str, steps: int, lr: float) -> argparse.ArgumentParser:
    """The flags both examples take; each adds its model's sizes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--words", type=Path, default=words.WORD_LIST, help="word list; the embedded sample when missing")
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=lr, help="peak learning rate (AdamW)")
    parser.add_argument("--weight-decay", type=float, default=0.01, help="AdamW's, on weight matrices only")
    parser.add_argument("--warmup", type=int, default=None, help="linear warm-up steps (default: steps / 20)")
    parser.add_argument("--clip", type=float, default=1.0, help="gradient clipping: max total norm")
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--eval-words", type=int, default=2000, help="validation words per evaluation")
    parser.add_argument("--samples", type=int, default=10, help="words to generate at the end")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where the checkpoint and curves go")
    parser.add_argument("--compare-torch", action="store_true", help="train PyTorch side by side")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS and torch threads (these small matrices gain little from more, and with --compare-torch "
                             "two frameworks' idle-spinning thread pools slow each other down many times over)")
    return parser


def lr_factor(steps: int, warmup: int) -> Callable[[int], float]:
    """LambdaLR's multiplier: linear warm-up to 1, then a cosine down to 0.1 at the last step."""
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, steps - warmup))
        return 0.1 + 0.45 * (1 + math.cos(math.pi * progress))
    return factor


class Trainer:
    """One framework's model, AdamW (decay on matrices only, nanoGPT's choice), LambdaLR and
    gradient clipping. `lib` is tinygrad_edu or torch: every call below exists in both."""

    def __init__(self, name: str, lib: Any, model: Any, args: argparse.Namespace):
        self.name, self.lib, self.model = name, lib, model
        self.parameters = list(model.parameters())  # once: walking the modules every step costs ~2% of it
        groups = [{"params": [p for p in self.parameters if p.dim() >= 2], "weight_decay": args.weight_decay},
                  {"params": [p for p in self.parameters if p.dim() < 2], "weight_decay": 0.0}]
        self.optimizer = lib.optim.AdamW(groups, lr=args.lr)
        warmup = args.warmup if args.warmup is not None else max(1, args.steps // 20)
        self.scheduler = lib.optim.lr_scheduler.LambdaLR(self.optimizer, lr_factor(args.steps, warmup))
        self.clip = args.clip
        self.seconds = 0.0

    def step(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        started = time.perf_counter()
        self.model.train()
        logits = self.model(self.lib.from_numpy(inputs))
        loss = self.lib.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), self.lib.from_numpy(targets.reshape(-1)),
                                                    ignore_index=words.IGNORE)
        self.optimizer.zero_grad()
        loss.backward()
        self.lib.nn.utils.clip_grad_norm_(self.parameters, self.clip)
        self.optimizer.step()
        self.scheduler.step()
        self.seconds += time.perf_counter() - started
        return loss.item()

    def logits(self, inputs: np.ndarray) -> np.ndarray:
        self.model.eval()
        with self.lib.no_grad():
            return self.model(self.lib.from_numpy(inputs)).numpy()

    def evaluate(self, rows: words.Rows) -> float:
        """Mean cross-entropy per predicted character (padding excluded) over `rows`."""
        total = 0.0
        for start in range(0, len(rows), EVAL_BATCH):
            logits = self.logits(rows.inputs[start : start + EVAL_BATCH])
            targets = rows.targets[start : start + EVAL_BATCH]
            logits = self.lib.from_numpy(logits.reshape(-1, logits.shape[-1]))
            total += self.lib.nn.functional.cross_entropy(logits, self.lib.from_numpy(targets.reshape(-1)),
                                                          ignore_index=words.IGNORE, reduction="sum").item()
        return total / int((rows.targets != words.IGNORE).sum())


def generate(trainer: Trainer, count: int, max_length: int, seed: int) -> list[str]:
    """`count` new words: start from '.', sample each next letter from softmax(logits) until
    '.' comes (or max_length letters), all words at once."""
    rng = np.random.default_rng(seed)
    tokens = np.zeros((count, 1), dtype=np.int64)
    for _ in range(max_length):
        logits = trainer.logits(tokens)[:, -1].astype(np.float64)
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        following = (probabilities.cumsum(axis=1) > rng.random((count, 1))).argmax(axis=1)
        tokens = np.concatenate([tokens, following[:, None]], axis=1)
    made = []
    for row in tokens[:, 1:]:
        ends = np.flatnonzero(row == 0)
        made.append(words.decode(list(row[: ends[0] if len(ends) else len(row)])))
    return made


@dataclass
class History:
    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)  # mean of the steps since the previous evaluation
    val_loss: dict[str, list[float]] = field(default_factory=dict)  # per framework
    seconds: dict[str, float] = field(default_factory=dict)  # training time per framework


def fit(trainers: list[Trainer], train: words.Rows, val: words.Rows, args: argparse.Namespace) -> History:
    """args.steps steps of every trainer on the same batches, evaluating each every
    args.eval_every steps (and before the first and after the last)."""
    history = History(val_loss={trainer.name: [] for trainer in trainers})
    batches = words.batch_indices(len(train), args.batch_size, args.steps, args.seed)
    recent: list[float] = []

    def evaluate(step: int) -> None:
        losses = {trainer.name: trainer.evaluate(val) for trainer in trainers}
        history.steps.append(step)
        history.train_loss.append(float(np.mean(recent)) if recent else float("nan"))
        for name, loss in losses.items():
            history.val_loss[name].append(loss)
        side = ", ".join(f"{name} {loss:.4f}" for name, loss in losses.items())
        if len(trainers) == 2:
            first, second = losses.values()
            side += f" (difference {100 * (first - second) / second:+.3f}%)"
        trained = f"train loss {history.train_loss[-1]:.4f}, " if recent else ""
        tqdm.write(f"step {step}: {trained}val loss {side}")
        recent.clear()

    evaluate(0)
    bar = tqdm(range(1, args.steps + 1), desc="training", disable=args.no_progress, leave=False)
    for step in bar:
        rows = batches[step - 1]
        losses = [trainer.step(train.inputs[rows], train.targets[rows]) for trainer in trainers]
        recent.append(losses[0])
        bar.set_postfix(loss=f"{losses[0]:.4f}", refresh=False)
        if step % args.eval_every == 0 or step == args.steps:
            evaluate(step)
    history.seconds = {trainer.name: trainer.seconds for trainer in trainers}
    return history


def torch_trainer(build: Callable[[Any], Any], state: dict[str, Any], args: argparse.Namespace) -> Trainer | None:
    """PyTorch's copy of our model (our state_dict loaded: same names and layouts), or None
    without torch."""
    try:
        import torch
    except ImportError:
        print("--compare-torch: PyTorch is not installed (pip install torch), skipping the comparison")
        return None
    torch.set_num_threads(args.threads)  # as many threads as numpy's BLAS, like for like
    model = build(torch.nn)
    model.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in state.items()})
    return Trainer("PyTorch", torch, model, args)


def save_outputs(out: Path, trainer: Trainer, history: History, config: dict[str, Any]) -> list[str]:
    """checkpoint.npz (model, optimizer and config, tg.save's format: tg.load reads it back),
    history.json, and curves.png when matplotlib is installed."""
    out.mkdir(parents=True, exist_ok=True)
    tg.save({"model": trainer.model.state_dict(), "optimizer": trainer.optimizer.state_dict(), "config": config}, out / "checkpoint.npz")
    (out / "history.json").write_text(json.dumps(history.__dict__, indent=2))
    saved = ["checkpoint.npz", "history.json"]
    if plot_curves(history, out / "curves.png"):
        saved.append("curves.png")
    return saved


def plot_curves(history: History, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(5.5, 3.5))
    axes.plot(history.steps[1:], history.train_loss[1:], marker=".", label="train (tinygrad_edu)")
    for name, losses in history.val_loss.items():
        axes.plot(history.steps, losses, marker="o" if name == "tinygrad_edu" else "x", label=f"validation ({name})")
    axes.set(xlabel="step", ylabel="cross-entropy per character", title="loss")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def limit_threads(threads: int) -> None:
    """numpy's BLAS threads, through threadpoolctl (the 'bench' extra) when installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print(f"--threads: threadpoolctl is not installed; numpy's BLAS keeps its own thread count (set OPENBLAS_NUM_THREADS={threads})")
        return
    threadpool_limits(limits=threads)


def main(args: argparse.Namespace, build: Callable[[Any], Any], name: str) -> History:
    """Train `build(nn)` (a function of the nn module: ours or torch's) by the flags' recipe."""
    limit_threads(args.threads)
    tg.manual_seed(args.seed)
    all_words, source = words.load_words(args.words)
    train_words, val_words = words.split(all_words, 0.1, args.seed)
    print(f"data: {source}; {len(train_words):,} for training, {len(val_words):,} for validation")
    block = words.MAX_LENGTH + 1
    train, val = words.to_rows(train_words, block), words.to_rows(val_words[: args.eval_words], block)
    model = build(tg.nn)
    print(f"model: {model}\n{sum(p.numel() for p in model.parameters()):,} parameters")
    trainers = [Trainer("tinygrad_edu", tg, model, args)]
    if args.compare_torch:
        theirs = torch_trainer(build, model.state_dict(), args)
        trainers += [theirs] if theirs is not None else []
    print(f"recipe: AdamW lr {args.lr} (warm-up, cosine), weight decay {args.weight_decay}, clip {args.clip}, "
          f"batch {args.batch_size}, {args.steps} steps, seed {args.seed}, {args.threads} thread(s)")
    history = fit(trainers, train, val, args)
    print("time: " + ", ".join(f"{framework} {seconds:.1f} s ({1e3 * seconds / args.steps:.1f} ms/step)"
                               for framework, seconds in history.seconds.items()))
    for trainer in trainers:
        print(f"{trainer.name} samples: {' '.join(generate(trainer, args.samples, words.MAX_LENGTH, args.seed))}")
    saved = save_outputs(args.out or Path("runs") / name, trainers[0], history, {k: str(v) for k, v in vars(args).items()})
    print(f"saved to {args.out or Path('runs') / name}/: {', '.join(saved)}")
    return history

