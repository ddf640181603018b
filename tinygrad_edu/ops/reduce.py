"""Reductions over axes: Y = Σ X, mean X, max X.

Axes are numpy's `axis`/`keepdims` or PyTorch's `dim`/`keepdim`: an int, a negative int, a
tuple, or None for all. In backward each output gradient is spread back over the input
elements it summarised, which is a broadcast along the reduced axes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp
from .dims import wrap_dim

Axes = tuple[int, ...]


def reduction_args(axis: Any, keepdims: bool, dim: Any, keepdim: bool | None) -> tuple[Any, bool]:
    """Merge numpy's and PyTorch's spellings into (axis, keepdims)."""
    if dim is not None:
        if axis is not None:
            raise TypeError("give the reduction axes as axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis, bool(keepdims)


def normalize_axes(axis: Any, ndim: int, name: str) -> Axes:
    """Axes as a sorted tuple of non-negative ints, with a clear error when out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    # A 0-d tensor takes dim 0 or -1 as PyTorch allows, meaning "no axis to reduce".
    normalized = [wrap_dim(a, ndim, name) for a in axes]
    if ndim == 0:
        return ()
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{name}: axis {axis!r} repeats an axis")
    return tuple(sorted(normalized))


def _expand(grad_output: Any, ctx: Context) -> Any:
    """dE/dY reshaped to keep the reduced axes as size 1, so it broadcasts against X."""
    return grad_output if ctx.keepdims else xp.expand_dims(grad_output, ctx.axes)


class Sum(Function):
    """Y = Σ_axes X;  dE/dX = dE/dY broadcast back over the summed axes."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims, ctx.input_shape = normalize_axes(axis, x.ndim, "sum"), keepdims, x.shape
        # np.add.reduce is what x.sum() calls, minus numpy's Python wrapper (µs per call).
        return np.add.reduce(x, axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return xp.broadcast_to(_expand(grad_output, ctx), ctx.input_shape), None, None


class Mean(Function):
    """Y = (1/n) Σ_axes X;  dE/dX = dE/dY / n, broadcast back (n: elements per mean)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims, ctx.input_shape = normalize_axes(axis, x.ndim, "mean"), keepdims, x.shape
        return x.mean(axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        count = int(np.prod([ctx.input_shape[a] for a in ctx.axes]))
        return xp.broadcast_to(_expand(grad_output, ctx) / count, ctx.input_shape), None, None


class Max(Function):
    """Y = max_axes X;  dE/dX = dE/dY ⊙ [X = Y] / (number of ties): the gradient goes to the
    maximum, split evenly where several elements share it."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims = normalize_axes(axis, x.ndim, "max"), keepdims
        if x.size == 0:
            raise ValueError(f"max: cannot reduce an empty tensor of shape {x.shape}")
        output = np.maximum.reduce(x, axis=ctx.axes, keepdims=True)
        is_max = x == output
        # A constant (piecewise, the share does not change with X): an attribute, not saved.
        ctx.share = is_max / np.add.reduce(is_max, axis=ctx.axes, keepdims=True, dtype=x.dtype)
        return output if keepdims else np.squeeze(output, axis=ctx.axes)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return _expand(grad_output, ctx) * ctx.share, None, None


def argmax(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """Indices of the maxima (not differentiable: no Function, no gradient)."""
    if isinstance(axis, tuple):
        raise ValueError("argmax takes a single axis (or None for the flattened tensor)")
    return np.argmax(x, axis=axis, keepdims=keepdims)
