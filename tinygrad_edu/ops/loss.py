"""Losses: a scalar E from predictions Y and targets Y*.

MSE (the tutorial's):  E = mean((Y* − Y)²),  dE/dY = 2/n (Y − Y*).
Cross-entropy with class-index targets t, fused with log-softmax:
    E = −(1/N) Σ_n log softmax(Y_n)_{t_n},  dE/dY = (softmax(Y) − onehot(t)) / N.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ShapeError, TargetDtypeError, TargetIndexError
from ..function import Context, Function
from . import xp
from .softmax import shifted_exp

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, name: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {REDUCTIONS}; got {reduction!r}")


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    # np.add.reduce rather than .mean()/.sum(): the same sum without numpy's Python wrapper.
    # A 0-d array, not numpy's scalar: an op's output must be an array (Function.apply).
    if reduction == "mean":
        return np.asarray(np.add.reduce(losses, axis=None) / losses.size)
    if reduction == "sum":
        return np.asarray(np.add.reduce(losses, axis=None))
    return losses


def _reduction_grad(grad_output: Any, reduction: str, count: int) -> Any:
    """dE/d(per-element loss): the scalar dE/dY spread by the reduction."""
    if reduction == "mean":
        return grad_output / count
    return grad_output


class MSELoss(Function):
    """E = mean((Y − Y*)²);  dE/dY = 2/n (Y − Y*) dE/dE,  dE/dY* = −dE/dY."""

    @staticmethod
    def forward(ctx: Context, prediction: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
        _check_reduction(reduction, "mse_loss")
        if prediction.shape != target.shape:
            raise ValueError(
                f"mse_loss: prediction of shape {prediction.shape} and target of shape "
                f"{target.shape} must have the same shape"
            )
        difference = prediction - target
        ctx.save_for_backward(prediction, target)
        ctx.cache, ctx.reduction = difference, reduction
        return _reduce(difference * difference, reduction)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, None]:
        prediction, target = ctx.saved_tensors
        # First order reuses forward's Y − Y*; double backward recomputes it from the Tensors,
        # so that it carries their graph.
        difference = ctx.cache if isinstance(grad_output, np.ndarray) else prediction - target
        grad = 2 * difference * _reduction_grad(grad_output, ctx.reduction, math.prod(prediction.shape))
        return (
            grad if ctx.needs_input_grad[0] else None,
            -grad if ctx.needs_input_grad[1] else None,
            None,
        )


# torch takes class indices as int64 (Long) or uint8 (Byte) only: an int32 label tensor is an error.
INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


def check_index_dtype(dtype: np.dtype, name: str) -> None:
    """Raise, as torch, unless `dtype` is one torch takes for class indices."""
    if dtype not in INDEX_DTYPES:
        raise TargetDtypeError(
            f"{name}: expected target dtype to be Long or Byte (integer class indices, int64 or uint8), but got {dtype}"
        )


def _check_class_targets(logits: np.ndarray, target: np.ndarray) -> None:
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be 2-D (batch, classes); got shape {logits.shape}")
    check_index_dtype(target.dtype, "cross_entropy")
    if target.shape != (logits.shape[0],):
        raise ShapeError(
            f"cross_entropy: target of shape {target.shape} does not fit logits of shape "
            f"{logits.shape} (expected one class index per row: shape ({logits.shape[0]},))"
        )
    classes = logits.shape[1]
    if target.size and (np.minimum.reduce(target) < 0 or np.maximum.reduce(target) >= classes):
        bad = np.flatnonzero((target < 0) | (target >= classes))[0]
        raise TargetIndexError(
            f"cross_entropy: Target {target[bad]} is out of bounds: target label {target[bad]} at index {bad} is out of "
            f"range for {classes} classes (labels must be in 0..{classes - 1})"
        )


class CrossEntropy(Function):
    """E = −(1/N) Σ_n log softmax(Y_n)_{t_n};  dE/dY = (softmax(Y) − onehot(t)) / N.

    Y: logits (N, C); t: integer class indices (N,). Fused with log-softmax: one op, and a
    backward that needs no chain through softmax.
    """

    @staticmethod
    def forward(ctx: Context, logits: np.ndarray, target: np.ndarray, reduction: str) -> np.ndarray:
        _check_reduction(reduction, "cross_entropy")
        _check_class_targets(logits, target)
        shifted, probs, total = shifted_exp(logits, axis=1)
        rows = np.arange(logits.shape[0])
        # −log softmax(Y)_t = log Σ e^S − S_t, with S = Y − max Y (stable at any scale).
        losses = np.log(total[:, 0]) - shifted[rows, target]
        probs /= total
        ctx.save_for_backward(logits, target)
        ctx.cache, ctx.reduction = probs, reduction
        return _reduce(losses, reduction)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        logits, target = ctx.saved_tensors
        # First order reuses forward's softmax; double backward recomputes it from the logits
        # Tensor, so that it carries their graph.
        probs = logits.softmax(1) if xp.is_tensor(grad_output) else ctx.cache
        one_hot = np.zeros(probs.shape, dtype=probs.dtype)
        one_hot[np.arange(len(target)), target] = 1
        per_row = _reduction_grad(grad_output, ctx.reduction, len(target))
        if ctx.reduction == "none":
            per_row = per_row.reshape((-1, 1))
        return (probs - one_hot) * per_row, None, None
