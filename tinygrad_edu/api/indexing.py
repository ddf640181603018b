"""PyTorch's indexing ops: gather scatter scatter_add index_select masked_select take nonzero
sort argsort topk unique: the `tg.` functions and the `Tensor` methods (IndexingMethods).

Each differentiable one is an Index (backward: IndexAdd, adding the gradient back at the
picked positions, repeated positions adding up) or an IndexAdd (backward: Index), or Scatter.
The index tensors themselves are constants; sort's and topk's indices are where the values'
gradient goes back to.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import ops
from ..errors import ShapeError
from ..ops.dims import wrap_dim
from .axis_alias import accept_axis

__all__: list[str] = [
    "gather", "take_along_dim", "scatter", "scatter_add", "index_select", "index_add", "select",
    "masked_select", "take", "nonzero", "argwhere", "sort", "argsort", "topk", "unique", "searchsorted", "bucketize",
]


class SortResult(NamedTuple):
    """torch.return_types.sort / topk: `values, indices = x.sort()`."""

    values: Any
    indices: Any


def _constant(array: np.ndarray) -> Any:
    from ..tensor import Tensor

    return Tensor._from_op(array, None)


def _array(index: Any) -> np.ndarray:
    return np.asarray(getattr(index, "array", index))


def gather(input: Any, dim: int, index: Any, *, sparse_grad: bool = False) -> Any:
    """out[i][j][k] = input[index[i][j][k]][j][k] for dim 0 (and alike for other dims)."""
    return ops.movement.Index.apply(input, ops.gather.along_dim(_array(index), dim, input.shape, "gather"))


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Any:
    """gather, with input and indices broadcast together on every dim but `dim` (dim None:
    along the flattened input)."""
    from ..tensor import Tensor

    indices = indices if isinstance(indices, Tensor) else Tensor(np.asarray(indices))
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    dim = wrap_dim(dim, input.ndim, "take_along_dim")
    if indices.ndim != input.ndim:
        raise ShapeError(f"take_along_dim(): input and indices should have the same number of dimensions; got shapes {input.shape} and {indices.shape}")
    common = list(np.broadcast_shapes(*((*shape[:dim], 1, *shape[dim + 1 :]) for shape in (input.shape, indices.shape))))
    input_shape, indices_shape = (tuple(common[:dim] + [shape[dim]] + common[dim + 1 :]) for shape in (input.shape, indices.shape))
    if input.shape != input_shape:
        input = ops.movement.Expand.apply(input, input_shape)
    return gather(input, dim, np.broadcast_to(indices.array, indices_shape))


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:
    """input with src[i][j][k] added at [index[i][j][k]][j][k] (dim 0); repeated places add up."""
    positions = ops.gather.along_dim(_array(index), dim, input.shape, "scatter_add")
    return input + ops.movement.IndexAdd.apply(_source(src, _array(index).shape, "scatter_add"), positions, input.shape)


def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Any:
    """input with src[i][j][k] (or the number `value`) written at [index[i][j][k]][j][k] (dim
    0). reduce="add" adds instead of writing; a place written twice gets one of the values."""
    source = value if src is None else src
    if source is None:
        raise TypeError("scatter(): expected a src tensor or a value")
    if reduce == "add":
        return scatter_add(input, dim, index, source if hasattr(source, "shape") else np.full(_array(index).shape, source, dtype=input.dtype))
    if reduce is not None:
        raise NotImplementedError(f"scatter(): reduce={reduce!r} is not supported (only 'add')")
    positions = ops.gather.along_dim(_array(index), dim, input.shape, "scatter")
    if hasattr(source, "shape"):
        source = _source(source, _array(index).shape, "scatter")
    return ops.gather.Scatter.apply(input, positions, source)


def _source(src: Any, shape: tuple[int, ...], name: str) -> Any:
    """The leading `shape` block of src (torch uses only the part the index covers)."""
    from ..tensor import Tensor

    src = src if isinstance(src, Tensor) else Tensor(src)
    if src.ndim != len(shape) or any(s < i for s, i in zip(src.shape, shape)):
        raise ShapeError(f"{name}(): src of shape {src.shape} is smaller than index of shape {shape}")
    return src if src.shape == shape else ops.movement.Index.apply(src, tuple(slice(0, size) for size in shape))


def index_select(input: Any, dim: int, index: Any) -> Any:
    """The entries at `index` (a 1-d integer tensor) along `dim`."""
    positions = _array(index)
    if positions.ndim > 1 or positions.dtype.kind not in "iu":
        raise IndexError(f"index_select(): Index is supposed to be a vector of integers; got shape {positions.shape}, dtype {positions.dtype}")
    dim = wrap_dim(dim, input.ndim, "index_select")
    return ops.movement.Index.apply(input, (slice(None),) * dim + (positions.reshape(-1),))


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Any:
    """input with source's slices along `dim` added at `index` (repeated indices add up),
    each times alpha."""
    dim = wrap_dim(dim, input.ndim, "index_add")
    positions = _array(index).reshape(-1)
    source = source if alpha == 1 else source * alpha
    return input + ops.movement.IndexAdd.apply(source, (slice(None),) * dim + (positions,), input.shape)


def select(input: Any, dim: int, index: int) -> Any:
    """The slice at `index` along `dim`, that dim removed (x.select(0, i) is x[i])."""
    dim = wrap_dim(dim, input.ndim, "select")
    if not -input.shape[dim] <= index < input.shape[dim]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {input.shape} at dimension {dim}")
    return ops.movement.Index.apply(input, (slice(None),) * dim + (int(index),))


def masked_select(input: Any, mask: Any) -> Any:
    """The elements where `mask` (broadcast with input) is True, as a 1-d tensor."""
    mask = _array(mask)
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected a bool mask, got {mask.dtype}")
    try:
        shape = np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise ShapeError(f"masked_select: the mask of shape {mask.shape} does not broadcast with the input of shape {input.shape}") from None
    if shape != input.shape:
        input = ops.movement.Expand.apply(input, shape)
    return ops.movement.Index.apply(input, np.broadcast_to(mask, shape))


def take(input: Any, index: Any) -> Any:
    """input as if flattened, at `index` (the result has index's shape)."""
    return ops.movement.Index.apply(input.reshape(-1), _array(index))


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """The indices of non-zero elements: an (n, ndim) int64 tensor, or ndim 1-d tensors."""
    if as_tuple:
        return tuple(_constant(positions.astype(np.int64)) for positions in np.nonzero(np.atleast_1d(_array(input))))
    return _constant(np.argwhere(_array(input)).astype(np.int64))


def argwhere(input: Any) -> Any:
    return nonzero(input)


def _order(values: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sorting positions along dim (equal values keep their order, descending too)."""
    if descending and values.dtype.kind == "f":  # NaN first, as torch counts it the largest
        return np.lexsort((-values, ~np.isnan(values)), axis=dim)
    if descending:  # sorting the negatives (bool and unsigned ones widened first)
        values = -values.astype(np.int64) if values.dtype.kind in "bu" else -values
    return np.argsort(values, axis=dim, kind="stable")


def _dim(input: Any, dim: int, name: str) -> int:
    return wrap_dim(dim, input.ndim, name) if input.ndim else 0


def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:
    """(values, indices) along `dim`; ties keep their order (torch's stable sort)."""
    dim = _dim(input, dim, "sort")
    order = _order(input.array, dim, descending) if input.ndim else np.zeros((), dtype=np.int64)
    values = ops.movement.Index.apply(input, ops.gather.along_dim(order, dim, input.shape, "sort"))
    return SortResult(values, _constant(order.astype(np.int64)))


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    return sort(input, dim, descending, stable).indices


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> SortResult:
    """The k largest (or smallest) values along `dim`, in order, and their indices."""
    dim = _dim(input, dim, "topk")
    size = input.shape[dim] if input.ndim else 1
    if not 0 <= k <= size:
        raise ShapeError(f"topk: selected index k ({k}) out of range for a dim of size {size}")
    order = _order(input.array, dim, largest) if input.ndim else np.zeros((), dtype=np.int64)
    order = np.take(order, np.arange(k), axis=dim) if input.ndim else order
    values = ops.movement.Index.apply(input, ops.gather.along_dim(order, dim, input.shape, "topk"))
    return SortResult(values, _constant(order.astype(np.int64)))


def unique(input: Any, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted), and optionally where each input element went and how
    often each value occurs. Not differentiable, as in torch."""
    array = input.array
    axis = None if dim is None else wrap_dim(dim, array.ndim, "unique")
    values, inverse, counts = np.unique(array, return_inverse=True, return_counts=True, axis=axis)
    results = [_constant(values)]
    if return_inverse:
        results.append(_constant(inverse.reshape(array.shape if axis is None else -1).astype(np.int64)))
    if return_counts:
        results.append(_constant(counts.astype(np.int64)))
    return results[0] if len(results) == 1 else tuple(results)


def searchsorted(sorted_sequence: Any, values: Any, *, out_int32: bool = False, right: bool = False, side: str | None = None) -> Any:
    """Where each of `values` would go in the 1-D ascending `sorted_sequence` to keep it sorted:
    before equal elements, or after them with right=True (side="right"). No gradient."""
    sequence = _array(sorted_sequence)
    if sequence.ndim != 1:
        raise NotImplementedError("searchsorted: tinygrad_edu supports a 1-D sorted_sequence only")
    side = side if side is not None else ("right" if right else "left")
    positions = np.searchsorted(sequence, _array(values), side=side)
    return _constant(np.asarray(positions, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Any:
    """The index of the bucket of 1-D ascending `boundaries` each element falls in
    (searchsorted(boundaries, input, right=right)). No gradient."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


class IndexingMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    def gather(self, dim: int, index: Any, *, sparse_grad: bool = False) -> Any:
        return gather(self, dim, index)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Any:
        return scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Any:
        return scatter_add(self, dim, index, src)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Any:
        return take_along_dim(self, indices, dim)

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Any:
        return index_add(self, dim, index, source, alpha=alpha)

    def select(self, dim: int, index: int) -> Any:
        return select(self, dim, index)

    def index_select(self, dim: int, index: Any) -> Any:
        return index_select(self, dim, index)

    def masked_select(self, mask: Any) -> Any:
        return masked_select(self, mask)

    def take(self, index: Any) -> Any:
        return take(self, index)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Any:
        return nonzero(self)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:
        return sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> SortResult:
        return topk(self, k, dim, largest, sorted)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None) -> Any:
        return unique(self, sorted, return_inverse, return_counts, dim)


# torch takes numpy's axis= for dim= here too (api/axis_alias.py)
accept_axis(globals(), ['index_select', 'sort', 'argsort', 'topk'])
accept_axis(IndexingMethods, ['index_select', 'sort', 'argsort', 'topk'])

