"""PyTorch's pieces and joins: narrow split chunk unbind cat/concat stack hstack vstack
atleast_1d atleast_2d: the `tg.` functions and the `Tensor` methods (JoiningMethods).

A piece is a slice (Index: its gradient is written back into the slice's place); cat is the
Cat op (its gradient is cut back into slices) and stack the Stack op.
"""
from __future__ import annotations

import functools
import itertools
from typing import Any, Sequence

import numpy as np

from .. import ops
from ..errors import ShapeError
from ..ops.dims import wrap_dim
from .axis_alias import accept_axis

__all__: list[str] = [
    "tensor_split", "diff",
    "narrow", "chunk", "split", "unbind", "cat", "concat", "concatenate", "stack", "hstack", "vstack",
    "dstack", "column_stack", "atleast_1d", "atleast_2d",
]


# ---- pieces ------------------------------------------------------------------------------
def narrow(input: Any, dim: int, start: int, length: int) -> Any:
    """The `length` elements from `start` along `dim` (a view in torch)."""
    dim = wrap_dim(dim, input.ndim, "narrow")
    size = getattr(input, "array", input).shape[dim]  # a plain tuple: narrow runs on every split
    start = int(start) + size if int(start) < 0 else int(start)
    if not (0 <= start <= size and 0 <= length and start + length <= size):
        raise ShapeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size}) of shape {input.shape}")
    return ops.movement.Index.apply(input, (slice(None),) * dim + (slice(start, start + int(length)),))


def split(tensor: Any, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Any, ...]:
    """Pieces along `dim`: of `split_size` each (the last may be smaller), or of the given sizes."""
    dim = wrap_dim(dim, tensor.ndim, "split")
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, (tuple, list)):
        sections = [int(s) for s in split_size_or_sections]
        if sum(sections) != size:
            raise ShapeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension {dim}), but got split_sizes={sections}")
    else:
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise ShapeError(f"split expects split_size be non-negative and positive for a non-empty dim, but got split_size={step}")
        sections = [min(step, size - start) for start in range(0, size, step)] if size else [0]
    ends = np.cumsum(sections)
    return tuple(narrow(tensor, dim, int(end - section), section) for end, section in zip(ends, sections))


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Any, ...]:
    """At most `chunks` pieces of equal size ceil(n / chunks) along `dim` (the last may be smaller)."""
    if chunks <= 0:
        raise ShapeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[wrap_dim(dim, input.ndim, "chunk")]
    return split(input, max(-(-size // chunks), 1), dim)


def unbind(input: Any, dim: int = 0) -> tuple[Any, ...]:
    """The slices along `dim`, that dim removed from each."""
    dim = wrap_dim(dim, input.ndim, "unbind")
    return tuple(ops.movement.Index.apply(input, (slice(None),) * dim + (i,)) for i in range(input.shape[dim]))


# ---- joining -----------------------------------------------------------------------------
def _tensors(tensors: Sequence[Any], name: str) -> list[Any]:
    from ..tensor import Tensor

    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{name}(): argument 'tensors' must be a tuple or list of Tensors, not {type(tensors).__name__}")
    if not tensors:
        raise ShapeError(f"{name}(): expected a non-empty list of Tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if len({t.dtype for t in tensors}) > 1:  # torch's promotion: int64 with float32 is float32
        dtype = functools.reduce(ops.promotion.promote_types, (t.dtype for t in tensors))
        tensors = [ops.promotion.cast(t, dtype) for t in tensors]
    return tensors


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Any:
    """The tensors joined end to end along an existing dim. As torch's, 1-d tensors with no
    elements are skipped, so the accumulator idiom `acc = cat([acc, x])` may start from
    `tensor([])` whatever x's shape."""
    tensors = _tensors(tensors, "cat")
    kept = [tensor for tensor in tensors if tensor.array.shape != (0,)]
    return ops.join.Cat.apply(dim if axis is None else axis, *(kept or tensors))


concat = concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Any:
    """The tensors (all of one shape) joined along a new dim."""
    tensors = _tensors(tensors, "stack")
    dim = wrap_dim(dim if axis is None else axis, tensors[0].ndim + 1, "stack")
    return ops.movement.Stack.apply(dim, *tensors)


def atleast_1d(tensor: Any) -> Any:
    return tensor.reshape(1) if tensor.ndim == 0 else tensor


def atleast_2d(tensor: Any) -> Any:
    return tensor.reshape(1, -1) if tensor.ndim < 2 else tensor


def hstack(tensors: Sequence[Any]) -> Any:
    """Joined column-wise: along dim 1, or dim 0 for 1-d tensors."""
    tensors = [atleast_1d(t) for t in _tensors(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Any]) -> Any:
    """Joined row-wise: along dim 0, 1-d tensors as rows."""
    return cat([atleast_2d(t) for t in _tensors(tensors, "vstack")], 0)


def dstack(tensors: Sequence[Any]) -> Any:
    """Joined depth-wise: along dim 2, 1-d tensors (n,) as (1, n, 1) and 2-d ones as (r, c, 1)."""
    tensors = [t.reshape(1, -1, 1) if t.ndim < 2 else t.unsqueeze(-1) if t.ndim == 2 else t for t in _tensors(tensors, "dstack")]
    return cat(tensors, 2)


def column_stack(tensors: Sequence[Any]) -> Any:
    """Joined as columns: 0-d and 1-d tensors become columns (n, 1), then cat along dim 1."""
    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in _tensors(tensors, "column_stack")], 1)


def tensor_split(input: Any, indices_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Any, ...]:
    """`sections` pieces along `dim` whose sizes differ by at most one (the first ones larger),
    or the pieces between the given indices (torch.tensor_split)."""
    dim = wrap_dim(dim, input.ndim, "tensor_split")
    size = input.shape[dim]
    if isinstance(indices_or_sections, (tuple, list)):
        bounds = [min(max(int(index) + size if int(index) < 0 else int(index), 0), size) for index in indices_or_sections]
        starts, ends = [0] + bounds, bounds + [size]
    else:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        lengths = [size // sections + (1 if piece < size % sections else 0) for piece in range(sections)]
        ends = list(itertools.accumulate(lengths))
        starts = [end - length for end, length in zip(ends, lengths)]
    return tuple(ops.movement.Index.apply(input, (slice(None),) * dim + (slice(start, max(start, end)),)) for start, end in zip(starts, ends))


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """The n-th forward difference along `dim`: out[i] = input[i + 1] − input[i], n times, after
    joining `prepend` before and `append` after (torch.diff)."""
    dim = wrap_dim(dim, input.ndim, "diff")
    parts = [part for part in (prepend, input, append) if part is not None]
    result = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = result.shape[dim]
        later = ops.movement.Index.apply(result, (slice(None),) * dim + (slice(1, length),))
        earlier = ops.movement.Index.apply(result, (slice(None),) * dim + (slice(0, max(length - 1, 0)),))
        result = later ^ earlier if result.dtype.kind == "b" else later - earlier
    return result


class JoiningMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    def tensor_split(self, indices_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Any, ...]:
        return tensor_split(self, indices_or_sections, dim)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:
        return diff(self, n, dim, prepend, append)

    def narrow(self, dim: int, start: int, length: int) -> Any:
        return narrow(self, dim, start, length)

    def split(self, split_size: int | Sequence[int], dim: int = 0) -> tuple[Any, ...]:
        return split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Any, ...]:
        return chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple[Any, ...]:
        return unbind(self, dim)


# torch takes numpy's axis= for dim= here too (api/axis_alias.py)
accept_axis(globals(), ['narrow', 'chunk', 'unbind'])
accept_axis(JoiningMethods, ['narrow', 'chunk', 'unbind'])

