"""Connectionist temporal classification (Graves et al., 2006), as torch.nn.functional.ctc_loss:
−log Σ over every alignment of the input's T steps to the target l (blanks between and around
its labels, repeats merged) of Π_t p_t(alignment_t).

The forward (α) recursion over the extended target l' = (blank, l_1, blank, l_2, ..., blank),
in log space, all sequences of the batch at once:

    α_0(0) = log p_0(blank),  α_0(1) = log p_0(l_1)
    α_t(s) = logsumexp(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if l'_s ≠ blank and l'_s ≠ l'_{s−2})
             + log p_t(l'_s)
    loss = −logsumexp(α_{T−1}(|l'| − 1), α_{T−1}(|l'| − 2))

Composed of Tensor ops, so the gradient is autograd's (the β recursion, implicitly), with
torch's convention for it (see _torch_gradient_term). States
that cannot be reached hold a very negative finite number rather than −∞, so no NaN arises in
the gradient; a loss that large means no alignment exists and is reported as +∞, as torch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..api.elementwise import where
from ..api.joining import cat, stack
from ..errors import ShapeError
from ..tensor import Tensor
from .regression_losses import check_reduction

__all__ = ["ctc_loss"]

_UNREACHABLE = -1e30  # log-probability of a state no alignment reaches (finite: see above)


def _lengths(values: Any, batch: int, name: str) -> np.ndarray:
    lengths = np.asarray(values.array if isinstance(values, Tensor) else values, dtype=np.int64).reshape(-1)
    if lengths.shape != (batch,):
        raise ShapeError(f"ctc_loss: {name} must hold one length per sequence ({batch}); got shape {lengths.shape}")
    return lengths


def _target_rows(targets: np.ndarray, target_lengths: np.ndarray) -> np.ndarray:
    """(N, S) padded targets, from the padded form or the 1-D concatenation of all targets."""
    longest = int(target_lengths.max(initial=0))
    if targets.ndim == 2:
        return targets[:, :longest]
    rows = np.zeros((len(target_lengths), longest), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
    for n, (start, length) in enumerate(zip(starts, target_lengths)):
        rows[n, :length] = targets[start:start + length]
    return rows


def _torch_gradient_term(log_probs: Tensor, input_lengths: np.ndarray) -> Tensor:
    """Σ_{t < T_n, c} (p − p̄) per sequence, p = e^(log_probs) and p̄ the same values held
    constant: 0 in value, gradient p. torch's CTC backward returns ∂loss/∂logits for
    log_probs = log_softmax(logits), p − γ, rather than ∂loss/∂log_probs, −γ; this term makes
    ours the same. Through a log_softmax it adds p − p Σ_c p = 0, so the gradient to the
    logits is unchanged and right."""
    probs = log_probs.exp()
    running = Tensor((np.arange(log_probs.shape[0])[:, None] < input_lengths).astype(log_probs.dtype))  # (T, N)
    return ((probs - probs.detach()).sum(2) * running).sum(0)


def ctc_loss(log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of log-probabilities (T, N, C) (or (T, C) for one sequence) against targets
    (N, S) padded or 1-D concatenated, with each sequence's input and target length.
    "mean" divides each loss by its target length, then averages over the batch;
    zero_infinity replaces impossible alignments' +∞ (and their gradients) by 0."""
    check_reduction(reduction, "ctc_loss")
    batched = log_probs.ndim == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
    steps, batch, classes = log_probs.shape
    labels = np.asarray(targets.array if isinstance(targets, Tensor) else targets)
    if not batched and labels.ndim == 1:
        labels = labels[None]
    input_lengths = _lengths(input_lengths, batch, "input_lengths")
    target_lengths = _lengths(target_lengths, batch, "target_lengths")
    if (input_lengths > steps).any():
        raise RuntimeError(f"ctc_loss: input_lengths must be at most the input's length {steps}")
    rows = _target_rows(labels, target_lengths)
    width = 2 * rows.shape[1] + 1
    # The extended targets l' (blank at even positions), padded with blanks past each one's end.
    extended = np.full((batch, width), blank, dtype=np.int64)
    extended[:, 1::2] = np.where(np.arange(rows.shape[1]) < target_lengths[:, None], rows, blank)
    may_skip = np.zeros((batch, width), dtype=bool)
    may_skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])

    emissions = log_probs.gather(2, Tensor(np.broadcast_to(extended, (steps, batch, width)).copy()))  # (T, N, |l'|)
    start = np.full((batch, width), _UNREACHABLE)
    start[:, :2] = 0.0
    alpha = emissions[0] + Tensor(start.astype(log_probs.dtype))
    floor = Tensor(np.full((batch, 1), _UNREACHABLE, dtype=log_probs.dtype))
    skip = Tensor(may_skip)
    for t in range(1, steps):
        stay, step = alpha, cat([floor, alpha[:, :-1]], 1)
        jump = where(skip, cat([floor, floor, alpha[:, :-2]], 1), _UNREACHABLE)
        advanced = stack([stay, step, jump], 0).logsumexp(0) + emissions[t]
        alpha = where(Tensor((t < input_lengths)[:, None]), advanced, alpha)  # finished sequences keep theirs
    last = 2 * target_lengths
    ends = np.stack([last, np.maximum(last - 1, 0)], 1)
    final = alpha.gather(1, Tensor(ends))
    final = where(Tensor(np.stack([np.ones(batch, bool), last > 0], 1)), final, _UNREACHABLE)
    losses = -final.logsumexp(1) + _torch_gradient_term(log_probs, input_lengths)
    impossible = Tensor(np.asarray(losses.array) > -_UNREACHABLE / 2)
    losses = where(impossible, 0.0 if zero_infinity else float("inf"), losses)
    if reduction == "mean":
        return (losses / Tensor(np.maximum(target_lengths, 1).astype(log_probs.dtype))).mean()
    if reduction == "sum":
        return losses.sum()
    return losses if batched else losses.squeeze(0)
