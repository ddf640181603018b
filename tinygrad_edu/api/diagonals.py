"""PyTorch's triangles and diagonals: tril triu diag diagonal: the `tg.` functions and the
`Tensor` methods (DiagonalMethods).

tril/triu keep a triangle through Where with a constant mask (the gradient passes where the
mask is True); diag and diagonal pick the diagonal positions with Index (the gradient is
written back there) or, for diag of a vector, place the vector there with IndexAdd.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..errors import ShapeError
from ..ops.dims import wrap_dim

__all__: list[str] = ["tril", "triu", "diag", "diagonal", "trace"]


def _lower_triangle(input: Any, diagonal: int, name: str) -> np.ndarray:
    """True on and below `diagonal` of the last two dims (a constant mask)."""
    if input.ndim < 2:
        raise ShapeError(f"{name}: input tensor must have at least 2 dimensions; got shape {input.shape}")
    return np.tri(*input.shape[-2:], k=diagonal, dtype=bool)


def tril(input: Any, diagonal: int = 0) -> Any:
    """The lower triangle of the last two dims (on and below `diagonal`), zeros elsewhere."""
    return ops.elementwise.Where.apply(_lower_triangle(input, diagonal, "tril"), input, input.dtype.type(0))


def triu(input: Any, diagonal: int = 0) -> Any:
    """The upper triangle of the last two dims (on and above `diagonal`), zeros elsewhere."""
    return ops.elementwise.Where.apply(~_lower_triangle(input, diagonal - 1, "triu"), input, input.dtype.type(0))


def _diagonal_positions(rows: int, cols: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    start = np.arange(length)
    return start - min(offset, 0), start + max(offset, 0)


def diag(input: Any, diagonal: int = 0) -> Any:
    """A 1-d input: the square matrix with it on `diagonal`; a 2-d input: that diagonal."""
    if input.ndim == 1:
        size = input.shape[0] + abs(diagonal)
        return ops.movement.IndexAdd.apply(input, _diagonal_positions(size, size, diagonal), (size, size))
    if input.ndim == 2:
        return ops.movement.Index.apply(input, _diagonal_positions(*input.shape, diagonal))
    raise ShapeError(f"diag(): Supports 1D or 2D tensors; got shape {input.shape}")


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """The diagonal of the (dim1, dim2) planes, as the last dim of the result."""
    dim1, dim2 = wrap_dim(dim1, input.ndim, "diagonal"), wrap_dim(dim2, input.ndim, "diagonal")
    if dim1 == dim2:
        raise ShapeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = [d for d in range(input.ndim) if d not in (dim1, dim2)]
    moved = input.permute(*rest, dim1, dim2)
    return ops.movement.Index.apply(moved, (Ellipsis, *_diagonal_positions(*moved.shape[-2:], offset)))


def trace(input: Any) -> Any:
    """The sum of a matrix's main diagonal."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return diagonal(input).sum()


class DiagonalMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    def trace(self) -> Any:
        return trace(self)

    def tril(self, diagonal: int = 0) -> Any:
        return tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Any:
        return triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> Any:
        return diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        return diagonal(self, offset, dim1, dim2)
