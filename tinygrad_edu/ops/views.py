"""Views, and writing through them: which ops give a tensor that shares its input's memory,
and how an in-place write into such a view is put back into the tensor it views.

x[0], x[1:, ::2] (basic indexing), x.reshape(...) / x.view(...) and x.permute(...) / x.t()
give numpy views: writing into the view writes into x's memory. torch then rewrites x's history
too (its CopySlices), and so does api/inplace.py with these two maps, for a view V = view(X)
and the values N that the in-place op computes from V:

    X' = put_back(X, N):  Index (basic):  X with N written at the index (Scatter)
                          Reshape:        N reshaped to X's shape
                          Permute:        N with the inverse permutation
    V' = view(X')         (the view of X's new version)

Each is made of differentiable ops, so gradients (of gradients) flow as torch's do.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from ..tensor import Tensor
from ..versions import owner
from .gather import Scatter
from .movement import Index, Permute, Reshape


class View(NamedTuple):
    """`tensor` is view(base); a write N into it is put_back(base, N)."""

    base: Tensor
    view: Callable[[Tensor], Tensor]
    put_back: Callable[[Tensor, Tensor], Tensor]


def view_of(tensor: Tensor) -> View | None:
    """How `tensor` views another tensor of its graph, or None if its memory is its own (as
    far as its graph tells: a view made without a graph, under no_grad or of a tensor that
    does not require grad, records no base). Raises for an op whose output shares its input's
    memory in a way not listed here (expand, a cast to the same dtype)."""
    ctx = tensor._ctx
    if ctx is None or ctx.freed:
        return None
    memory = owner(tensor.array)
    base = next((p for p in ctx.inputs if isinstance(p, Tensor) and owner(p.array) is memory), None)
    if base is None:
        return None
    function = ctx.function
    if getattr(tensor, "_history", None) and not (function in (Index, Reshape, Permute) and tensor.array.base is not None):
        # Written in place before: its values were copied into its own memory, and the inputs
        # that share it are views of this tensor (x[0] += v reads x[0], then writes it back).
        return None
    if function is Index:
        index = ctx.index
        return View(base, lambda x: Index.apply(x, index), lambda x, new: Scatter.apply(x, index, new))
    if function is Reshape:
        shape = tuple(tensor.shape)
        return View(base, lambda x: Reshape.apply(x, shape), lambda x, new: Reshape.apply(new, tuple(x.shape)))
    if function is Permute:
        inverse = ctx.inverse
        dims = tuple(inverse.index(d) for d in range(len(inverse)))
        return View(base, lambda x: Permute.apply(x, dims), lambda x, new: Permute.apply(new, inverse))
    raise RuntimeError(
        f"this tensor shares its memory with the input of the {function.__name__} that made it; "
        f"an in-place write into it cannot be recorded on that input here. clone() it first"
    )
