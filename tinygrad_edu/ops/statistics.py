"""Statistics over axes: variance, p-norms, log-sum-exp and the median.

Each is one Function rather than a chain of smaller ops: one pass of numpy in forward, and a
backward that is a short formula (still written with operators and `xp`, so it
differentiates again).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp
from .reduce import _expand, normalize_axes


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    return int(np.prod([shape[a] for a in axes]))


class Var(Function):
    """Y = Σ_axes (X − X̄)² / (n − c), X̄ the mean, n the elements per variance, c the
    correction (1: Bessel's, the sample variance; 0: the population variance);
    dE/dX = dE/dY · 2 (X − X̄) / (n − c) (the terms through X̄ sum to zero)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Any, correction: float, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims = normalize_axes(axis, x.ndim, "var"), keepdims
        ctx.count = _count(x.shape, ctx.axes)
        divisor = x.dtype.type(max(ctx.count - correction, 0))
        ctx.save_for_backward(x)
        centered = x - x.mean(axis=ctx.axes, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):  # n ≤ c: inf or nan, as torch
            ctx.scale = 2 / divisor
            return np.add.reduce(centered * centered, axis=ctx.axes, keepdims=keepdims) / divisor

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None, None]:
        (x,) = ctx.saved_tensors
        centered = x - xp.sum(x, ctx.axes, keepdims=True) / ctx.count
        return _expand(grad_output, ctx) * centered * ctx.scale, None, None, None


class Norm(Function):
    """Y = (Σ_axes |X|^p)^(1/p) for a finite p > 0 (p = 2: the Euclidean length);
    dE/dX = dE/dY · sign(X) |X|^(p−1) / Y^(p−1) (p = 2: dE/dY · X / Y), and 0 where Y = 0,
    as torch (a subgradient: the norm has a kink at 0)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: float, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims, ctx.p = normalize_axes(axis, x.ndim, "norm"), keepdims, p
        magnitude = np.abs(x)
        ctx.sign = np.sign(x)  # constant piecewise: an attribute, not saved
        if p == 2:
            output = np.sqrt(np.add.reduce(x * x, axis=ctx.axes, keepdims=keepdims))
        elif p == 1:
            output = np.add.reduce(magnitude, axis=ctx.axes, keepdims=keepdims)
        else:
            output = np.add.reduce(magnitude**p, axis=ctx.axes, keepdims=keepdims) ** (1.0 / p)
        ctx.is_zero = _expand(output, ctx) == 0
        ctx.save_for_backward(x, output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None, None]:
        x, output = ctx.saved_tensors
        grad, p = _expand(grad_output, ctx), ctx.p
        if p == 1:
            return grad * ctx.sign, None, None, None
        norm = xp.where(ctx.is_zero, 1.0, _expand(output, ctx))  # X = 0 there, so the 1 is never used
        if p == 2:
            return grad * x / norm, None, None, None
        return grad * ctx.sign * (x * ctx.sign) ** (p - 1) / norm ** (p - 1), None, None, None


class LogSumExp(Function):
    """Y = log Σ_axes exp(X), computed as M + log Σ exp(X − M) with M the maximum (no
    overflow);  dE/dX = dE/dY · exp(X − Y) (the softmax of X)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims = normalize_axes(axis, x.ndim, "logsumexp"), keepdims
        if x.size == 0:
            output = np.full(np.add.reduce(x, axis=ctx.axes, keepdims=keepdims).shape, -np.inf, dtype=x.dtype)
        else:
            shift = np.maximum.reduce(x, axis=ctx.axes, keepdims=True)
            shift = np.where(np.isfinite(shift), shift, 0)  # all −inf: log Σ = −inf, not nan
            with np.errstate(divide="ignore"):
                output = np.log(np.add.reduce(np.exp(x - shift), axis=ctx.axes, keepdims=True)) + shift
            output = output if keepdims else np.squeeze(output, axis=ctx.axes)
        ctx.save_for_backward(x, output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        x, output = ctx.saved_tensors
        return _expand(grad_output, ctx) * xp.exp(x - _expand(output, ctx)), None, None


class Median(Function):
    """Y = the median of all of X, the lower of the two middle values for an even count (as
    torch);  dE/dX = dE/dY ⊙ [X = Y] / (number of elements equal to Y), split evenly among
    ties as torch does for the median of a whole tensor."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            raise ValueError(f"median: cannot reduce an empty tensor of shape {x.shape}")
        flat = x.reshape(-1)
        output = np.asarray(np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])
        is_median = x == output
        ctx.share = is_median / np.add.reduce(is_median, axis=None, dtype=x.dtype)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        return grad_output * ctx.share


def median_indices(x: np.ndarray, axis: int) -> np.ndarray:
    """Index (int64) of the lower median along `axis` in each slice (not differentiable)."""
    if x.shape[axis] == 0:
        raise ValueError(f"median: cannot reduce an empty dim {axis} of shape {x.shape}")
    order = np.argsort(x, axis=axis, kind="stable")
    return np.take(order, (x.shape[axis] - 1) // 2, axis=axis).astype(np.int64, copy=False)
