"""Joining tensors and copying one: Cat and Clone.

Cat: Y = [X₁, X₂, …] laid end to end along `dim`;  dE/dXᵢ = dE/dY[the slice Xᵢ filled].
Its backward is slicing (Index), whose backward (IndexAdd) writes each slice back in place:
the pair are each other's adjoint, so gradients of gradients work.
Clone: Y = a copy of X;  dE/dX = dE/dY.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from . import xp
from .dims import wrap_dim


class Cat(Function):
    """Y = the Xᵢ concatenated along an existing dim;  dE/dXᵢ = dE/dY[..., start_i:end_i, ...]."""

    @staticmethod
    def forward(ctx: Context, dim: int, *arrays: np.ndarray) -> np.ndarray:
        if not arrays:
            raise ShapeError("cat(): expected a non-empty list of Tensors")
        axis = wrap_dim(dim, arrays[0].ndim, "cat")
        if arrays[0].ndim == 0:
            raise ShapeError("cat(): zero-dimensional tensor cannot be concatenated")
        for array in arrays[1:]:
            if array.ndim != arrays[0].ndim or array.shape[:axis] + array.shape[axis + 1 :] != arrays[0].shape[:axis] + arrays[0].shape[axis + 1 :]:
                raise ShapeError(
                    f"cat(): sizes of tensors must match except in dimension {axis}; got shapes "
                    f"{arrays[0].shape} and {array.shape}"
                )
        ends = np.cumsum([array.shape[axis] for array in arrays])
        ctx.slices = [(*(slice(None),) * axis, slice(int(end - array.shape[axis]), int(end))) for end, array in zip(ends, arrays)]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, ...]:
        return (None, *(xp.index(grad_output, part) if needed else None for part, needed in zip(ctx.slices, ctx.needs_input_grad[1:])))


class Clone(Function):
    """Y = a copy of X (its own memory);  dE/dX = dE/dY."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        return grad_output
