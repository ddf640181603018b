"""PyTorch's products: einsum matmul mm bmm dot outer: the `tg.` functions and the `Tensor`
methods (ProductMethods). mm, bmm and dot are matmul with torch's checks on the number of
dims; einsum is one op (ops/einsum.py), its operands first broadcast where a dim is 1."""
from __future__ import annotations

from typing import Any

from .. import ops
from ..errors import ShapeError

__all__: list[str] = ["einsum", "matmul", "mm", "bmm", "dot", "vdot", "outer", "ger", "mv", "addmm", "addmv", "baddbmm"]


def einsum(equation: str, *operands: Any) -> Any:
    """torch.einsum("bij,bjk->bik", a, b) (or the operands as one list); "..." broadcasts."""
    if len(operands) == 1 and isinstance(operands[0], (tuple, list)):
        operands = tuple(operands[0])
    terms, output = ops.einsum.parse(equation, [tuple(operand.shape) for operand in operands])
    sizes: dict[str, int] = {}
    for term, operand in zip(terms, operands):
        for letter, size in zip(term, operand.shape):
            if sizes.get(letter, 1) not in (1, size) and size != 1:
                raise ShapeError(f"einsum(): subscript {letter} has size {size} in an operand of shape {operand.shape}, which does not broadcast with size {sizes[letter]}")
            sizes[letter] = max(sizes.get(letter, 1), size)
    # A size-1 dim facing a bigger one is broadcast first, so the op sees one size per letter.
    operands = tuple(
        operand if all(sizes[letter] == size for letter, size in zip(term, operand.shape))
        else ops.movement.Expand.apply(operand, tuple(sizes[letter] for letter in term))
        for term, operand in zip(terms, operands)
    )
    return ops.einsum.Einsum.apply(",".join(terms) + "->" + output, *operands)


def matmul(input: Any, other: Any) -> Any:
    return input @ other


def _dims_check(name: str, tensors: tuple[Any, ...], ndim: int) -> None:
    if any(tensor.ndim != ndim for tensor in tensors):
        shapes = " and ".join(str(tuple(tensor.shape)) for tensor in tensors)
        raise ShapeError(f"{name}: expects {ndim}-D tensors; got shapes {shapes}")


def mm(input: Any, mat2: Any) -> Any:
    """The product of two matrices (no broadcasting)."""
    _dims_check("mm", (input, mat2), 2)
    return input @ mat2


def bmm(input: Any, mat2: Any) -> Any:
    """Batched matrix products of (b, n, m) and (b, m, p) (no broadcasting)."""
    _dims_check("bmm", (input, mat2), 3)
    if input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: shapes {tuple(input.shape)} and {tuple(mat2.shape)}")
    return input @ mat2


def dot(input: Any, other: Any) -> Any:
    """The dot product of two 1-d tensors (a 0-d tensor)."""
    _dims_check("dot", (input, other), 1)
    if input.shape != other.shape:
        raise ShapeError(f"dot: inconsistent tensor size, expected tensors of shapes {tuple(input.shape)} and {tuple(other.shape)} to have the same size")
    return input @ other


vdot = dot  # for real tensors, vdot is dot


def outer(input: Any, vec2: Any) -> Any:
    """The outer product of two 1-d tensors: out[i, j] = input[i] · vec2[j]."""
    _dims_check("outer", (input, vec2), 1)
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def mv(input: Any, vec: Any) -> Any:
    """The product of a matrix (n, m) and a vector (m,): a vector (n,)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise ShapeError(f"mv: expects a 2-D matrix and a 1-D vector; got shapes {tuple(input.shape)} and {tuple(vec.shape)}")
    return input @ vec


def _scaled_sum(input: Any, product: Any, beta: Any, alpha: Any) -> Any:
    """beta · input + alpha · product, input broadcast to the product's shape (an error if it
    does not); with beta = 0 the input is not read (a NaN or inf in it does not show), as in
    torch."""
    input = input.broadcast_to(product.shape)
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return scaled
    return scaled + (input if beta == 1 else input * beta)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """beta · input + alpha · (mat1 @ mat2), mat1 and mat2 matrices (torch.addmm)."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """beta · input + alpha · (mat @ vec) (torch.addmv)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """beta · input + alpha · (batch1 @ batch2), batched (b, n, m) @ (b, m, p) (torch.baddbmm)."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


class ProductMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    def mm(self, mat2: Any) -> Any:
        return mm(self, mat2)

    def bmm(self, mat2: Any) -> Any:
        return bmm(self, mat2)

    def dot(self, other: Any) -> Any:
        return dot(self, other)

    def vdot(self, other: Any) -> Any:
        return dot(self, other)

    def outer(self, vec2: Any) -> Any:
        return outer(self, vec2)

    def ger(self, vec2: Any) -> Any:
        return outer(self, vec2)

    def mv(self, vec: Any) -> Any:
        return mv(self, vec)

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        return addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        return addmv(self, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        return baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)
