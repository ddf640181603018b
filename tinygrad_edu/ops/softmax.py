"""Softmax and log-softmax along one dim, numerically stable (logits of ±1000 are fine).

log_softmax(X)_i = X_i − log Σ_j e^{X_j} = S_i − log Σ_j e^{S_j},  with S = X − max X
(subtracting the max changes nothing mathematically and keeps every exponent ≤ 0).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp
from .reduce import normalize_axes


def shifted_exp(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S = X − max X, e^S, and Σ e^S along `axis` (kept as size 1): what softmax,
    log-softmax and cross-entropy are made of."""
    # initial=-inf: an empty dim has no maximum, and gives an empty result as in torch.
    shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True, initial=-np.inf)
    exp = np.exp(shifted)
    return shifted, exp, np.add.reduce(exp, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted, _, total = shifted_exp(x, axis)
    shifted -= np.log(total)
    return shifted


def _axis(dim: int, x: np.ndarray, name: str) -> int:
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be a single int; got {dim!r}")
    axes = normalize_axes(dim, x.ndim, name)
    return axes[0] if axes else None  # None: a 0-d tensor, softmax over its one element


class LogSoftmax(Function):
    """Y = log_softmax(X);  dE/dX = dE/dY − softmax(X) Σ_dim dE/dY."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.axis = _axis(dim, x, "log_softmax")
        output = log_softmax(x, ctx.axis)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        (output,) = ctx.saved_tensors
        return grad_output - xp.exp(output) * xp.sum(grad_output, ctx.axis, keepdims=True), None


class Softmax(Function):
    """Y = e^X / Σ_dim e^X;  dE/dX = Y ⊙ (dE/dY − Σ_dim dE/dY ⊙ Y)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.axis = _axis(dim, x, "softmax")
        _, output, total = shifted_exp(x, ctx.axis)
        output /= total
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        (output,) = ctx.saved_tensors
        return output * (grad_output - xp.sum(grad_output * output, ctx.axis, keepdims=True)), None
