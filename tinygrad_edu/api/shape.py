"""PyTorch's shape and movement ops: view reshape expand squeeze unsqueeze unflatten movedim
t mT repeat tile flip roll broadcast_to ...: the
`tg.` functions and the `Tensor` methods (ShapeMethods). Indexing (gather, scatter, sort, ...)
is in api/indexing.py, products (einsum, mm, ...) in api/products.py and the information
methods (dim, tolist, new_zeros, grad_fn, ...) in api/info.py, pieces and joins (split, cat,
...) in api/joining.py, triangles and diagonals in api/diagonals.py; ShapeMethods gathers
their mixins.

Each function composes the movement ops of tinygrad_edu/ops (Reshape, Permute, Expand, Index,
IndexAdd, Clone), so each gradient is the composition of their backwards.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import backend, ops  # the package only: its modules are imported once Tensor exists (tensor.py)
from ..errors import ShapeError
from ..ops.dims import wrap_dim
from . import counting, diagonals, indexing, info, joining, products
from .counting import *  # noqa: F401,F403
from .diagonals import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .joining import *  # noqa: F401,F403
from .info import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .axis_alias import accept_axis

__all__: list[str] = [
    "reshape", "squeeze", "unsqueeze", "flatten", "unflatten", "permute", "transpose", "swapaxes",
    "swapdims", "movedim", "moveaxis", "t", "clone", "tile", "repeat_interleave", "flip", "fliplr", "flipud",
    "roll", "broadcast_to", "broadcast_tensors",
] + diagonals.__all__ + joining.__all__ + indexing.__all__ + products.__all__ + info.__all__ + counting.__all__


def _sizes(sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """torch's sizes: varargs (2, 3) or one sequence ((2, 3),)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return tuple(int(size) for size in sizes)


def _dims(dims: Any, ndim: int, name: str) -> tuple[int, ...]:
    """One dim or a sequence of dims, each wrapped to [0, ndim)."""
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return tuple(wrap_dim(dim, ndim, name) for dim in dims)


# ---- one tensor, new shape -----------------------------------------------------------------
def reshape(input: Any, shape: Sequence[int]) -> Any:
    return input.reshape(*_sizes((shape,)))


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    return input.flatten(start_dim, end_dim)


def squeeze(input: Any, dim: int | Sequence[int] | None = None) -> Any:
    """input without its size-1 dims (all of them, or those among `dim`; other dims stay)."""
    dims = range(input.ndim) if dim is None else _dims(dim, input.ndim, "squeeze")
    shape = tuple(size for d, size in enumerate(input.shape) if not (d in dims and size == 1))
    return input if shape == input.shape else ops.movement.Reshape.apply(input, shape)


def unsqueeze(input: Any, dim: int) -> Any:
    """input with a size-1 dim inserted at `dim` (in [-ndim-1, ndim])."""
    dim = wrap_dim(dim, input.ndim + 1, "unsqueeze")
    return ops.movement.Reshape.apply(input, input.shape[:dim] + (1,) + input.shape[dim:])


def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Any:
    """Split dim `dim` into `sizes` (one of them may be -1)."""
    dim = wrap_dim(dim, input.ndim, "unflatten")
    sizes = tuple(int(size) for size in sizes)
    known = int(np.prod([size for size in sizes if size != -1]))
    if -1 in sizes and known:
        sizes = tuple(input.shape[dim] // known if size == -1 else size for size in sizes)
    if int(np.prod(sizes)) != input.shape[dim]:
        raise ShapeError(f"unflatten: provided sizes {sizes} don't multiply up to the size of dim {dim} ({input.shape[dim]}) in the input tensor of shape {input.shape}")
    return ops.movement.Reshape.apply(input, input.shape[:dim] + sizes + input.shape[dim + 1 :])


def expand(input: Any, *sizes: Any) -> Any:
    """input broadcast to `sizes` (-1 keeps a dim; new dims go in front), with no copy."""
    sizes = _sizes(sizes)
    if len(sizes) < input.ndim:
        raise ShapeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({input.ndim}); shape {input.shape}")
    offset = len(sizes) - input.ndim
    shape = tuple(input.shape[d - offset] if size == -1 and d >= offset else size for d, size in enumerate(sizes))
    if min(shape, default=0) < 0:
        raise ShapeError(f"expand: -1 is not allowed for a new leading dim; sizes {sizes} for shape {input.shape}")
    return ops.movement.Expand.apply(input, shape)


def broadcast_to(input: Any, size: Sequence[int]) -> Any:
    return expand(input, tuple(size))


def broadcast_tensors(*tensors: Any) -> tuple[Any, ...]:
    """The tensors expanded to their common broadcast shape."""
    try:
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    except ValueError:
        raise ShapeError(f"broadcast_tensors: shapes {', '.join(str(tuple(t.shape)) for t in tensors)} cannot be broadcast together") from None
    return tuple(t if t.shape == shape else ops.movement.Expand.apply(t, shape) for t in tensors)


# ---- reordering dims ---------------------------------------------------------------------
def permute(input: Any, dims: Sequence[int]) -> Any:
    return input.permute(*dims)


def transpose(input: Any, dim0: int, dim1: int) -> Any:
    return input.transpose(dim0, dim1)


swapaxes = swapdims = transpose


def movedim(input: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Any:
    """Move dims `source` to positions `destination`; the others keep their order."""
    source, destination = _dims(source, input.ndim, "movedim"), _dims(destination, input.ndim, "movedim")
    if len(source) != len(destination) or len(set(source)) != len(source) or len(set(destination)) != len(destination):
        raise ShapeError(f"movedim: source {source} and destination {destination} must be distinct dims, as many of each")
    rest = iter(d for d in range(input.ndim) if d not in source)
    placed = dict(zip(destination, source))
    return input.permute(*(placed[d] if d in placed else next(rest) for d in range(input.ndim)))


moveaxis = movedim


def t(input: Any) -> Any:
    """The transpose of a matrix (a tensor of at most 2 dims: 0-d and 1-d are returned as they are)."""
    if input.ndim > 2:
        raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D (shape {input.shape}); use transpose or mT")
    return input.transpose(0, -1) if input.ndim == 2 else input


def clone(input: Any, *, memory_format: Any = None) -> Any:
    return ops.join.Clone.apply(input)


# ---- copies of elements ------------------------------------------------------------------
def _repeat(input: Any, repeats: tuple[int, ...]) -> Any:
    """Tile input `repeats` times along each dim (len(repeats) ≥ ndim): each dim d becomes a pair
    (repeat, d), broadcast with no copy, then merged."""
    shape = (1,) * (len(repeats) - input.ndim) + input.shape
    paired = ops.movement.Reshape.apply(input, tuple(s for size in shape for s in (1, size)))
    expanded = ops.movement.Expand.apply(paired, tuple(s for r, size in zip(repeats, shape) for s in (r, size)))
    tiled = ops.movement.Reshape.apply(expanded, tuple(r * size for r, size in zip(repeats, shape)))
    # torch's repeat returns new memory: a view of input's (broadcast, read-only, or input
    # itself for repeats of 1) would let a write to the result reach input, or fail.
    return ops.join.Clone.apply(tiled) if backend.may_share_memory(tiled.array, getattr(input, "array", input)) else tiled


def tile(input: Any, dims: Sequence[int]) -> Any:
    """input repeated dims[d] times along each dim (fewer dims than input: 1s are prepended)."""
    dims = tuple(int(d) for d in dims)
    return _repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None) -> Any:
    """Each element repeated `repeats` times (an int, or one count per element) along `dim`
    (None: of the flattened input). tg.repeat_interleave(counts) alone gives
    [0]*counts[0] + [1]*counts[1] + ..."""
    from ..tensor import Tensor

    if repeats is None:
        counts = np.asarray(input.array if isinstance(input, Tensor) else input)
        return Tensor._from_op(np.repeat(np.arange(counts.size), counts.reshape(-1)), None)
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = wrap_dim(dim, input.ndim, "repeat_interleave")
    counts = np.asarray(repeats.array if isinstance(repeats, Tensor) else repeats)
    if counts.size not in (1, input.shape[dim]):
        raise ShapeError(f"repeat_interleave: repeats must have the same size as input along dim {dim}; got {counts.size} for shape {input.shape}")
    positions = np.repeat(np.arange(input.shape[dim]), counts.reshape(-1) if counts.size > 1 else int(counts.reshape(-1)[0]))
    return ops.movement.Index.apply(input, (slice(None),) * dim + (positions,))


def flip(input: Any, dims: Any) -> Any:
    """input with the order of elements reversed along each of `dims` (backward: flipped back)."""
    dims = _dims(dims, input.ndim, "flip")
    if len(set(dims)) != len(dims):
        raise ShapeError(f"flip: dims {dims} name a dim more than once")
    return ops.movement.Index.apply(input, tuple(slice(None, None, -1) if d in dims else slice(None) for d in range(input.ndim)))


def fliplr(input: Any) -> Any:
    if input.ndim < 2:
        raise ShapeError(f"fliplr: input tensor must be >= 2-d; got shape {input.shape}")
    return flip(input, 1)


def flipud(input: Any) -> Any:
    if input.ndim < 1:
        raise ShapeError("flipud: input tensor must be >= 1-d")
    return flip(input, 0)


def roll(input: Any, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Any:
    """Elements shifted `shifts` places along `dims`, wrapping around (no dims: along the
    flattened tensor, shape kept)."""
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise ShapeError(f"roll: without dims, shifts must be one number; got {shifts}")
        return roll(input.reshape(-1), shifts, 0).reshape(input.shape)
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    dims = _dims(dims, input.ndim, "roll")
    if len(shifts) != len(dims):
        raise ShapeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    for shift, dim in zip(shifts, dims):
        positions = (np.arange(input.shape[dim]) - int(shift)) % max(input.shape[dim], 1)
        input = ops.movement.Index.apply(input, (slice(None),) * dim + (positions,))
    return input


class ShapeMethods(diagonals.DiagonalMethods, joining.JoiningMethods, indexing.IndexingMethods, products.ProductMethods, info.InfoMethods, counting.CountingMethods):
    """Tensor methods of this family; `Tensor` inherits them. (reshape, view, flatten,
    permute, transpose, T and indexing are Tensor's own, in tensor.py.)"""

    __slots__ = ()

    def view_as(self, other: Any) -> Any:
        return self.view(*other.shape)

    def reshape_as(self, other: Any) -> Any:
        return self.reshape(*other.shape)

    def expand(self, *sizes: Any) -> Any:
        return expand(self, *sizes)

    def expand_as(self, other: Any) -> Any:
        return expand(self, other.shape)

    def broadcast_to(self, size: Sequence[int]) -> Any:
        return expand(self, tuple(size))

    def squeeze(self, dim: int | Sequence[int] | None = None) -> Any:
        return squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Any:
        return unsqueeze(self, dim)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Any:
        return unflatten(self, dim, sizes)

    def swapaxes(self, axis0: int, axis1: int) -> Any:
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def movedim(self, source: Any, destination: Any) -> Any:
        return movedim(self, source, destination)

    moveaxis = movedim

    def t(self) -> Any:
        return t(self)

    @property
    def mT(self) -> Any:
        """The transpose of each matrix (the last two dims swapped)."""
        if self.ndim < 2:
            raise ShapeError(f"tensor.mT is only supported on matrices or batches of matrices; got a {self.ndim}-D tensor")
        return self.transpose(-2, -1)

    def contiguous(self, memory_format: Any = None) -> Any:
        """This tensor if its elements lie in row-major order, else a row-major copy, as torch's:
        a write to the result of `x.t().contiguous()` must not reach x."""
        return self if self.is_contiguous() else clone(self)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self.array.flags.c_contiguous)

    def clone(self, *, memory_format: Any = None) -> Any:
        return clone(self)

    def repeat(self, *sizes: Any) -> Any:
        """This tensor tiled sizes[d] times along each dim (extra sizes add leading dims)."""
        sizes = _sizes(sizes)
        if len(sizes) < self.ndim:
            raise ShapeError(f"repeat: number of dimensions of repeat dims ({len(sizes)}) can not be smaller than number of dimensions of tensor ({self.ndim})")
        return _repeat(self, sizes)

    def tile(self, *dims: Any) -> Any:
        return tile(self, _sizes(dims))

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *, output_size: int | None = None) -> Any:
        return repeat_interleave(self, repeats, dim)

    def flip(self, *dims: Any) -> Any:
        return flip(self, _sizes(dims))

    def fliplr(self) -> Any:
        return fliplr(self)

    def flipud(self) -> Any:
        return flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        return roll(self, shifts, dims)


# torch takes numpy's axis= for dim= here too (api/axis_alias.py)
accept_axis(globals(), ['squeeze', 'unsqueeze', 'repeat_interleave'])
accept_axis(ShapeMethods, ['squeeze', 'unsqueeze', 'repeat_interleave'])

