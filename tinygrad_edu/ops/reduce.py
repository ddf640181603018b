"""Reductions over axes: Y = Σ X, mean X, Π X, max X, min X, and where the extremes are.

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


def reduction_args(axis: Any, keepdims: Any, dim: Any, keepdim: Any) -> tuple[Any, bool]:
    """Merge numpy's and PyTorch's spellings into (axis, keepdims). An empty tuple or list
    means every axis, as torch reads `dim=()`."""
    if dim is not None:
        if axis is not None:
            raise TypeError("give the reduction axes as axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    if isinstance(axis, list):
        axis = tuple(axis)
    if axis == ():
        axis = None
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


def prod(x: Any, axis: Any, keepdims: bool) -> Any:
    """Π_axes x on an array or (differentiably) on a Tensor: Prod's backward calls it."""
    return Prod.apply(x, axis, keepdims) if xp.is_tensor(x) else np.multiply.reduce(x, axis=axis, keepdims=keepdims)


class Prod(Function):
    """Y = Π_axes X;  dE/dXᵢ = dE/dY · Π_{k≠i} Xₖ, which is dE/dY · Y / Xᵢ where no X is 0.

    With a zero, Y / Xᵢ is 0 / 0: then Π_{k≠i} Xₖ is formed as it reads, a product per i with
    Xᵢ replaced by 1 (n×n numbers per product: O(n²), taken only when a zero is there)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.axes, ctx.keepdims = normalize_axes(axis, x.ndim, "prod"), keepdims
        ctx.has_zero = bool((x == 0).any())
        output = np.multiply.reduce(x, axis=ctx.axes, keepdims=keepdims)
        ctx.save_for_backward(x, output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        x, output = ctx.saved_tensors
        grad = _expand(grad_output, ctx)
        if not ctx.has_zero:
            return grad * _expand(output, ctx) / x, None, None
        return grad * _product_of_the_others(x, ctx.axes), None, None


def _product_of_the_others(x: Any, axes: Axes) -> Any:
    """For each element Xᵢ, Π_{k≠i} Xₖ over `axes` (of an array or a Tensor), with no division."""
    kept = [a for a in range(x.ndim) if a not in axes]
    order = (*kept, *axes)
    kept_shape, reduced_shape = tuple(x.shape[a] for a in kept), tuple(x.shape[a] for a in axes)
    n = int(np.prod(reduced_shape))
    lines = xp.permute(x, order).reshape((*kept_shape, n))
    rows = xp.broadcast_to(xp.expand_dims(lines, (-2,)), (*kept_shape, n, n))  # row i: the line
    others = prod(xp.where(np.eye(n, dtype=bool), 1.0, rows), -1, False)  # Xᵢ replaced by 1 in row i
    return xp.permute(others.reshape((*kept_shape, *reduced_shape)), tuple(np.argsort(order)))


class Max(Function):
    """Y = max_axes X;  dE/dX = dE/dY ⊙ [X = Y] / (number of ties): the gradient goes to the
    maximum, split evenly where several elements share it."""

    reduce = np.maximum.reduce

    @classmethod
    def forward(cls, ctx: Context, x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        name = cls.__name__.lower()
        ctx.axes, ctx.keepdims = normalize_axes(axis, x.ndim, name), keepdims
        if any(x.shape[a] == 0 for a in ctx.axes):
            # An empty tensor reduced along its other dims gives an empty result, as torch's.
            raise ValueError(f"{name}: cannot reduce an empty tensor of shape {x.shape} along a dim of size 0")
        output = cls.reduce(x, axis=ctx.axes, keepdims=True)
        is_extreme = x == output
        # A constant (piecewise, the share does not change with X): an attribute, not saved.
        ctx.share = is_extreme / np.add.reduce(is_extreme, axis=ctx.axes, keepdims=True, dtype=x.dtype)
        return output if keepdims else np.squeeze(output, axis=ctx.axes)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return _expand(grad_output, ctx) * ctx.share, None, None


class Min(Max):
    """Y = min_axes X;  dE/dX = dE/dY ⊙ [X = Y] / (number of ties), as Max."""

    reduce = np.minimum.reduce


def arg_extreme(x: np.ndarray, axis: Any, keepdims: bool, name: str, caller: str | None = None) -> np.ndarray:
    """Indices (int64) of the first maximum ("argmax") or minimum ("argmin") along one axis, or
    into the flattened tensor when axis is None (not differentiable: no Function). Errors name
    `caller` (max or min, whose indices these are) if given."""
    label = caller or name
    if isinstance(axis, tuple):
        raise TypeError(f"{label} takes a single dim (or None for the flattened tensor); got {axis!r}")
    if x.size == 0 and (axis is None or x.shape[wrap_dim(axis, x.ndim, label)] == 0):
        raise ValueError(f"{label}: cannot reduce an empty tensor of shape {x.shape} along a dim of size 0")
    find = np.argmax if name == "argmax" else np.argmin
    if axis is None:
        index = np.asarray(find(x), dtype=np.int64)
        return index.reshape((1,) * x.ndim) if keepdims else index
    axis = wrap_dim(axis, x.ndim, label)
    if x.ndim == 0:
        return np.zeros((), dtype=np.int64)
    return find(x, axis=axis, keepdims=keepdims).astype(np.int64, copy=False)


def along_dim(indices: np.ndarray, dim: int, keepdim: bool) -> tuple[Any, ...]:
    """The index expression that picks x's element at `indices` along `dim` in each slice
    (`indices` has x's shape with `dim` reduced): x[along_dim(...)] is torch.gather with the
    result shaped as a keepdim or plain reduction."""
    if not keepdim:
        indices = np.expand_dims(indices, dim)
    grid = list(np.ogrid[tuple(slice(n) for n in indices.shape)])
    grid[dim] = indices
    # Without keepdim every part drops the reduced dim (size 1 in each of them).
    return tuple(grid) if keepdim else tuple(np.squeeze(part, dim) for part in grid)
