"""Movement ops: they rearrange elements without changing them, so backward puts each
gradient element back where its input element came from.

Reshape (and flatten): dE/dX = dE/dY reshaped back.  Permute: dE/dX = dE/dY permuted by the
inverse permutation.  Index: dE/dX = zeros with dE/dY added at the indexed places.
Each is a linear map whose backward is its adjoint, and each adjoint is an op here too
(Expand ↔ sum back, Index ↔ IndexAdd, Stack ↔ indexing), so gradients of gradients work.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from ..tensor import Tensor
from . import xp
from .dims import DimensionError, wrap_dim


class Reshape(Function):
    """Y = X with a new shape (one entry may be -1);  dE/dX = dE/dY reshaped to X's shape."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except (ValueError, TypeError):
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into shape {tuple(shape)}"
            ) from None

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return grad_output.reshape(ctx.input_shape), None


class Permute(Function):
    """Y = X with its dims reordered (Y's dim i is X's dim dims[i]);
    dE/dX = dE/dY with the inverse reordering."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        what = f"permute: dims {tuple(dims)} are not a permutation of the {x.ndim} dims of shape {x.shape}"
        try:
            wrapped = [wrap_dim(d, x.ndim, "permute") for d in dims]
        except DimensionError as error:
            raise DimensionError(f"{what}: {error}") from None
        if sorted(wrapped) != list(range(x.ndim)):
            raise ShapeError(what)
        ctx.inverse = tuple(int(i) for i in np.argsort(wrapped))
        return x.transpose(wrapped)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return xp.permute(grad_output, ctx.inverse), None


class Index(Function):
    """Y = X[index] (basic slices, ints, None, Ellipsis, integer or boolean arrays);
    dE/dX = zeros of X's shape with dE/dY added at X[index] (repeated indices add up)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.input_shape, ctx.dtype, ctx.index = x.shape, x.dtype, index
        try:
            return x[index]
        except IndexError as error:
            raise IndexError(f"index {index!r} into a tensor of shape {x.shape}: {error}") from None

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return xp.index_add(grad_output, ctx.index, ctx.input_shape), None


def index_add(values: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of `shape` with `values` added at `index`; repeated indices add up."""
    result = np.zeros(shape, dtype=values.dtype)
    if _is_basic(index):
        result[index] = values  # slices and ints select each element once: a plain write
    else:
        np.add.at(result, index, values)
    return result


def _is_basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(part is None or part is Ellipsis or isinstance(part, (int, np.integer, slice)) for part in parts)


class IndexAdd(Function):
    """Y = zeros(shape) with X added at `index` (the adjoint of Index);  dE/dX = dE/dY[index]."""

    @staticmethod
    def forward(ctx: Context, values: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
        ctx.index = index
        return index_add(values, index, shape)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return xp.index(grad_output, ctx.index), None, None


class Expand(Function):
    """Y = X broadcast to `shape` (no copy);  dE/dX = dE/dY summed back to X's shape."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.input_shape = x.shape
        try:
            return np.broadcast_to(x, shape)
        except ValueError:
            raise ShapeError(f"expand: a tensor of shape {x.shape} cannot be broadcast to shape {tuple(shape)}") from None

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return xp.unbroadcast(grad_output, ctx.input_shape), None


class Stack(Function):
    """Y = the Xᵢ stacked along a new dim `axis`;  dE/dXᵢ = dE/dY[..., i, ...] (slice i of that dim)."""

    @staticmethod
    def forward(ctx: Context, axis: int, *arrays: np.ndarray) -> np.ndarray:
        ctx.axis = axis
        try:
            return np.stack(arrays, axis=axis)
        except ValueError:
            shapes = ", ".join(str(np.shape(a)) for a in arrays)
            raise ShapeError(f"stack: expects each tensor to be equal size, but got shapes {shapes}") from None

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, ...]:
        axis = ctx.axis % grad_output.ndim
        prefix = (slice(None),) * axis
        return (None, *(xp.index(grad_output, (*prefix, i)) for i in range(grad_output.shape[axis])))


def torch_index(index: Any) -> tuple[Any, Any]:
    """`x[index]` as torch reads it, as (first, then): apply `first`, then `then` if not None.

    numpy and torch differ when an integer sits among advanced indices (arrays, lists, masks):
    numpy counts the integer as one more advanced index, torch selects with it first. So
    x[0, :, [1, 2]] of shape (3, 4, 5) is (4, 2) in torch and (2, 4) in numpy; here the
    integers go in a first step, the rest in a second. (The first step is basic indexing, a
    view: `array[first][then] = value` writes into the array.) Slice steps must be positive,
    as torch requires (torch has no negative strides; use .flip()).
    """
    if type(index) is not tuple:  # one index alone reads alike in numpy and torch
        if type(index) is slice and index.step is not None and index.step <= 0:
            raise ValueError("step must be greater than zero")
        return (index, None) if type(index) is int else (_index_part(index), None)
    for part in index:  # the common basic index (ints, slices, None, ...): only the steps to check
        kind = type(part)
        if kind is slice:
            if part.step is not None and part.step <= 0:
                raise ValueError("step must be greater than zero")
        elif not (kind is int or part is None or part is Ellipsis):
            break
    else:
        return index, None
    parts = tuple(_index_part(part) for part in index)
    advanced = integers = False
    for part in parts:
        if isinstance(part, slice) and part.step is not None and part.step <= 0:
            raise ValueError("step must be greater than zero")
        advanced = advanced or isinstance(part, np.ndarray)
        integers = integers or (isinstance(part, (int, np.integer)) and not isinstance(part, bool))
    if not (advanced and integers):
        return parts, None
    first, then = [], []
    for part in parts:
        if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
            first.append(part)
        elif part is Ellipsis:
            first.append(part)
            then.append(part)
        else:
            if part is not None:  # None adds a dim and consumes none; a mask consumes its ndim
                first.extend([slice(None)] * (part.ndim if isinstance(part, np.ndarray) and part.dtype == bool else 1))
            then.append(part)
    return tuple(first), tuple(then)


def _index_part(part: Any) -> Any:
    """One entry of an index with Tensors and lists as arrays; a 0-d integer array is an int."""
    if isinstance(part, Tensor):
        part = part.array
    elif isinstance(part, list):
        part = np.asarray(part)
        if part.size == 0:
            part = part.astype(np.int64)
    if isinstance(part, np.ndarray) and part.ndim == 0 and part.dtype.kind in "iu":
        return int(part)
    return part


def flattened_shape(shape: tuple[int, ...], start_dim: int, end_dim: int) -> tuple[int, ...]:
    """The shape torch.flatten(x, start_dim, end_dim) gives."""
    start, end = wrap_dim(start_dim, len(shape), "flatten"), wrap_dim(end_dim, len(shape), "flatten")
    if len(shape) == 0:
        return (1,)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {shape}")
    return shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :]


def swapped_dims(ndim: int, dim0: int, dim1: int) -> tuple[int, ...]:
    """The permutation that swaps two dims, as torch.transpose(x, dim0, dim1)."""
    dim0, dim1 = wrap_dim(dim0, ndim, "transpose"), wrap_dim(dim1, ndim, "transpose")
    dims = list(range(ndim))
    if ndim:
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return tuple(dims)
