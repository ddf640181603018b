"""Gather and scatter along a dim: torch.gather / scatter / scatter_add.

`along_dim(index, dim)` turns torch's index tensor (one position along `dim` for every output
element) into a numpy index tuple, so gather is Index (backward: IndexAdd, a scatter-add)
and scatter_add is IndexAdd (backward: Index, a gather).
Scatter (writing, not adding): Y = X with Y[index] = S;
dE/dX = dE/dY with 0 where S was written,  dE/dS = dE/dY[index] (a gather).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from . import xp
from .dims import wrap_dim


class IndexOutOfBoundsError(IndexError, RuntimeError):
    """An index past the end of its dim: torch's RuntimeError, and an IndexError as Python's."""


def along_dim(index: np.ndarray, dim: int, input_shape: tuple[int, ...], name: str) -> tuple[np.ndarray, ...]:
    """The index tuple that picks input[..., index[i, j, k], ...] (index's value on `dim`, the
    element's own position on every other dim), checked as torch checks it."""
    index = np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{name}(): Expected dtype int64 for index; got {index.dtype}")
    ndim = len(input_shape)
    axis = wrap_dim(dim, ndim, name)
    if index.ndim != max(ndim, 1) and not (ndim == 0 and index.ndim <= 1):
        raise ShapeError(f"{name}(): Index tensor must have the same number of dimensions as input tensor; got index shape {index.shape} and input shape {input_shape}")
    if ndim == 0:
        return ()
    for d, (size, limit) in enumerate(zip(index.shape, input_shape)):
        if d != axis and size > limit:
            raise ShapeError(f"{name}(): Size does not match at dimension {d}: index shape {index.shape}, input shape {input_shape}")
    if index.size and (index.min() < -input_shape[axis] or index.max() >= input_shape[axis]):
        raise IndexOutOfBoundsError(f"{name}(): index out of bounds for dimension {axis} with size {input_shape[axis]}")
    positions = np.ogrid[tuple(slice(0, size) for size in index.shape)]
    return tuple(index if d == axis else positions[d] for d in range(ndim))


class Scatter(Function):
    """Y = X with S written at `index` (an index tuple);  dE/dX = dE/dY where nothing was
    written, else 0;  dE/dS = dE/dY[index]. S may be a number (a constant)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: tuple[np.ndarray, ...], source: Any) -> np.ndarray:
        output = x.copy()
        output[index] = source
        ctx.index, ctx.written = index, np.zeros(x.shape, dtype=bool)
        ctx.written[index] = True
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, Any]:
        grad_x = xp.where(ctx.written, 0.0, grad_output) if ctx.needs_input_grad[0] else None
        grad_source = xp.index(grad_output, ctx.index) if ctx.needs_input_grad[2] else None
        return grad_x, None, grad_source
