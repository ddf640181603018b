"""Writing by index inside a graph: `x[index] = v` and `x.index_put_(indices, v, accumulate)`
on a tensor that is part of a recorded graph (api/inplace.py records the result on the
tensor's history, as torch does). A composition of existing ops, so no backward of its own:

Written (accumulate=False): Y = X with V placed at `index` (a Scatter: a Where between the
placed values and X, on the mask of the written places):
    dE/dX = dE/dY with 0 at the written places,   dE/dV = dE/dY[index]
Accumulated (accumulate=True): Y = X + IndexAdd(V, index) (zeros with V added at `index`):
    dE/dX = dE/dY everywhere,                     dE/dV = dE/dY[index]
V is first cast to X's dtype and broadcast to the shape X[index] has (Cast, Expand), so dE/dV
is summed back over broadcasting; with accumulate=True a place named twice adds both values,
and each gets that place's gradient. Every piece's backward is itself made of ops (Where,
Index ↔ IndexAdd, Expand ↔ sum), so gradients of gradients work.

A place named twice with accumulate=False: torch calls the result undefined. Here the value
named last wins (numpy's order, as in torch on the CPU), and the gradient reaches each value
named for that place (torch's formula dE/dV = dE/dY[index]).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import xp
from .gather import Scatter
from .movement import IndexAdd, torch_index


def numpy_index(index: Any, shape: tuple[int, ...]) -> Any:
    """One numpy index that selects what `x[index]` selects in torch, in torch's order.

    Where numpy and torch read an index alike, it is the index itself (Tensors and lists as
    arrays). torch's two-step case (an integer among advanced indices, see torch_index) becomes
    the coordinates of the places the two steps read, one integer array per dim."""
    first, then = torch_index(index)
    if then is None:
        return first
    places = np.arange(int(np.prod(shape))).reshape(shape)[first][then]
    return np.unravel_index(places, shape)


def index_put(base: Tensor, index: Any, values: Any, accumulate: bool, what: str) -> Tensor:
    """base with `values` written (or, accumulate=True, added) at base[index]: a new Tensor,
    differentiable in base and values. `index` is a numpy index (see numpy_index); `what`
    names the write in errors."""
    try:
        selected = base.array[index].shape
    except IndexError as error:
        raise IndexError(f"{what}: {error} (tensor of shape {base.shape})") from None
    values = _fitted(values, selected, base.dtype, what)
    if accumulate:
        return base + IndexAdd.apply(values, index, base.shape)
    return Scatter.apply(base, index, values)


def _fitted(values: Any, shape: tuple[int, ...], dtype: Any, what: str) -> Any:
    """values in `dtype`, broadcast to `shape` (the shape of the places written), as torch
    fits the value of an index write; a Tensor stays in the graph."""
    value_shape = tuple(np.shape(values.array if isinstance(values, Tensor) else values))
    extra = len(value_shape) - len(shape)
    if extra > 0 and all(size == 1 for size in value_shape[:extra]):  # torch drops leading 1s
        value_shape = value_shape[extra:]
    try:
        fits = len(value_shape) <= len(shape) and np.broadcast_shapes(value_shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{what}: shape mismatch: value tensor of shape {value_shape} cannot be broadcast to "
            f"indexing result of shape {shape}"
        )
    if not isinstance(values, Tensor):
        return np.broadcast_to(np.asarray(values, dtype=dtype).reshape(value_shape), shape)
    if values.dtype != dtype:
        values = xp.cast(values, dtype)
    if tuple(values.shape) != value_shape:
        values = values.reshape(value_shape)
    return values if value_shape == shape else xp.broadcast_to(values, shape)
