"""Scans along one dim: running sums Yᵢ = Σ_{j≤i} Xⱼ, running products Yᵢ = Π_{j≤i} Xⱼ, and
where the running maximum or minimum was found.

A running sum is a linear map, and its adjoint is the running sum taken from the other end
(dE/dXⱼ = Σ_{i≥j} dE/dYᵢ): CumSum with `reverse` flipped is its own backward, which is why
it differentiates to any order.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp


def cumsum(x: Any, axis: int, reverse: bool = False) -> Any:
    """The running sum along `axis` (from the end when `reverse`), of an array or a Tensor."""
    if xp.is_tensor(x):
        return CumSum.apply(x, axis, reverse)
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis), axis)
    return np.cumsum(x, axis)


def cumprod(x: Any, axis: int) -> Any:
    """The running product along `axis`, of an array or a Tensor."""
    return CumProd.apply(x, axis) if xp.is_tensor(x) else np.cumprod(x, axis)


class CumSum(Function):
    """Yᵢ = Σ_{j≤i} Xⱼ along `axis` (Σ_{j≥i} when `reverse`);
    dE/dXⱼ = Σ_{i≥j} dE/dYᵢ (Σ_{i≤j} when `reverse`): the running sum from the other end."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int, reverse: bool) -> np.ndarray:
        ctx.axis, ctx.reverse = axis, reverse
        return cumsum(x, axis, reverse)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return cumsum(grad_output, ctx.axis, not ctx.reverse), None, None


class CumProd(Function):
    """Yᵢ = Π_{j≤i} Xⱼ along `axis`;  dE/dXⱼ = Σ_{i≥j} dE/dYᵢ · Π_{k≤i, k≠j} Xₖ.

    Without zeros that is (Σ_{i≥j} dE/dYᵢ Yᵢ) / Xⱼ, one reversed running sum. With a zero the
    division is not possible; then each j gets its own running product with Xⱼ replaced by 1
    (an n×n table per line: O(n²), taken only when a zero is there)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axis: int) -> np.ndarray:
        ctx.axis, ctx.has_zero = axis, bool((x == 0).any())
        output = np.cumprod(x, axis)
        ctx.save_for_backward(x, output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        x, output = ctx.saved_tensors
        if not ctx.has_zero:
            return cumsum(grad_output * output, ctx.axis, reverse=True) / x, None
        x_last, grad_last = xp.swapaxes(x, ctx.axis, -1), xp.swapaxes(grad_output, ctx.axis, -1)
        n = x_last.shape[-1]
        rows = xp.broadcast_to(xp.expand_dims(x_last, (-2,)), (*x_last.shape, n))  # row j: X
        partial = cumprod(xp.where(np.eye(n, dtype=bool), 1.0, rows), -1)  # [j, i]: Π_{k≤i, k≠j} Xₖ
        later = np.triu(np.ones((n, n), dtype=bool))  # i ≥ j
        grad_x = xp.sum(xp.where(later, partial, 0.0) * xp.expand_dims(grad_last, (-2,)), -1)
        return xp.swapaxes(grad_x, ctx.axis, -1), None


def running_extreme_indices(x: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """For each i along `axis`, the index (int64) of the running maximum (or minimum) of
    X₀..Xᵢ; a tie takes the later index, as torch.cummax and torch.cummin do."""
    accumulate = np.maximum.accumulate if largest else np.minimum.accumulate
    positions = np.arange(x.shape[axis], dtype=np.int64).reshape((-1,) + (1,) * (x.ndim - 1 - axis))
    # Where X reaches its running extreme, the extreme moved there; elsewhere it stayed.
    moved_here = x == accumulate(x, axis=axis)
    return np.maximum.accumulate(np.where(moved_here, positions, 0), axis=axis)
