"""Distance losses (L1, smooth L1, Huber), the KL divergence and the Poisson and Gaussian
negative log-likelihoods, as torch.nn.functional's,
built from differentiable Tensor ops (so they have double backward), and the reduction
helpers every loss shares.

With D = Y − Y*:
    l1:         |D|
    smooth_l1:  D²/(2β) where |D| < β, else |D| − β/2          (β = 0: l1)
    huber:      D²/2 where |D| < δ, else δ (|D| − δ/2)          (= δ · smooth_l1 with β = δ)
    kl_div:     Y* (log Y* − Y), Y the log-probabilities;  with log_target: e^(Y*) (Y* − Y)
    poisson_nll:  e^Y − Y* Y (Y log-rates)       gaussian_nll:  ½ (log var + D² / var)
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..api.elementwise import where
from ..api.shape import broadcast_tensors
from ..errors import ShapeError
from ..ops.loss import REDUCTIONS
from ..tensor import Tensor


def as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """torch's old size_average/reduce flags, when given, decide the reduction."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def check_reduction(reduction: str, name: str, allowed: tuple[str, ...] = REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{name}: reduction must be one of {allowed}; got {reduction!r}")


def reduce_losses(losses: Tensor, reduction: str) -> Tensor:
    """The per-element losses, their mean or their sum."""
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def matched_pair(input: Tensor, target: Any, name: str) -> tuple[Tensor, Tensor]:
    """input and target broadcast to one shape, as torch's pointwise losses do. A target of
    another shape is allowed but warned about, as torch: (N, 1) against (N,) broadcasts to
    (N, N), which is rarely what was meant."""
    target = as_tensor(target)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ShapeError(f"{name}: input of shape {tuple(input.shape)} and target of shape {tuple(target.shape)} do not broadcast together") from None
        input, target = broadcast_tensors(input, target)
    return input, target


def reduce_weighted(losses: Tensor, weight: Any, input: Tensor, reduction: str) -> Tensor:
    """torch's elementwise `weight` of mse_loss and l1_loss: w ⊙ losses, whose "mean" is
    Σ w ⊙ losses / Σ w (a weighted mean)."""
    weight = as_tensor(weight)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    losses = losses * weight
    return losses.sum() / weight.sum() if reduction == "mean" else reduce_losses(losses, reduction)


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """|Y − Y*|, reduced; with `weight` (input's shape), w ⊙ |Y − Y*| and "mean" = Σ w|D| / Σ w."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "l1_loss")
    input, target = matched_pair(input, target, "l1_loss")
    losses = (input - target).abs()
    return reduce_losses(losses, reduction) if weight is None else reduce_weighted(losses, weight, input, reduction)


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """D²/(2β) where |D| < β, else |D| − β/2; the L1 loss for β = 0."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative; got {beta}")
    input, target = matched_pair(input, target, "smooth_l1_loss")
    difference = input - target
    distance = difference.abs()
    if beta == 0:
        return reduce_losses(distance, reduction)
    losses = where(distance < beta, difference * difference * (0.5 / beta), distance - 0.5 * beta)
    return reduce_losses(losses, reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """D²/2 where |D| < δ, else δ (|D| − δ/2); optional elementwise `weight`."""
    check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive; got {delta}")
    input, target = matched_pair(input, target, "huber_loss")
    difference = input - target
    distance = difference.abs()
    losses = where(distance < delta, difference * difference * 0.5, (distance - 0.5 * delta) * delta)
    if weight is not None:
        weight = as_tensor(weight)
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        losses = losses * weight  # "mean" stays the plain mean here, as torch's huber_loss
    return reduce_losses(losses, reduction)


def kl_div(input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(Y* ‖ e^Y) pointwise: Y* (log Y* − Y), with input Y log-probabilities (and target Y*
    log-probabilities too if log_target). reduction="batchmean" divides the sum by the batch
    size: the true KL divergence per sample; "mean" divides by the number of elements."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "kl_div", REDUCTIONS + ("batchmean",))
    target = as_tensor(target)
    if input.dtype.kind != "f" or target.dtype.kind != "f":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    if log_target:
        losses = target.exp() * (target - input)
    else:
        # Y* log Y* is 0 at Y* = 0 (its limit: torch's xlogy); log(1) = 0 keeps that branch
        # finite. A negative target gives nan, as torch's.
        losses = target * where(target != 0, target, 1.0).log() - target * input
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    return reduce_losses(losses, reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False, size_average: bool | None = None,
                     eps: float = 1e-8, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of target counts y under Poisson(λ): e^x − y x for log-rates x
    (log_input), else λ − y log(λ + eps); full adds Stirling's y log y − y + ½ log(2π y)
    where y > 1 (the constant log y! the others leave out)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "poisson_nll_loss")
    target = as_tensor(target)
    losses = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        counts = where(target > 1, target, 1.0)  # Stirling's term is 0 at y ≤ 1 and log stays finite
        losses = losses + where(target > 1, counts * counts.log() - counts + 0.5 * (2 * math.pi * counts).log(), 0.0)
    return reduce_losses(losses, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Tensor | float, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of target under N(input, var): ½ (log var + (input − target)² / var),
    plus ½ log(2π) if full. var has the input's shape, or one dim fewer or of size 1 (one
    variance shared along it). var is clamped to ≥ eps for stability, the clamp not
    differentiated, as torch."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor(np.full(input.shape, var, dtype=input.dtype))
    elif (np.asarray(var.array) < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (var.ndim == input.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    check_reduction(reduction, "gaussian_nll_loss")
    # var + (max(var, eps) − var): the clamped values, with the gradient of var itself.
    var = var + Tensor(np.maximum(var.array, eps) - var.array)
    difference = input - as_tensor(target)
    losses = 0.5 * (var.log() + difference * difference / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return reduce_losses(losses, reduction)
