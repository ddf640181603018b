"""clamp: Y = min(max(X, low), high), bounds numbers or tensors (either may be None).

dE/dX = dE/dY where low ≤ X ≤ high (the bounds themselves included, as torch), else 0.
A tensor bound takes the gradient where it is the answer: dE/dlow where X < low (and
low < high), dE/dhigh where X > high (or high < low, where high is the answer everywhere).
The masks are constants computed in forward.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from .elementwise import broadcast
from .xp import unbroadcast


class Clamp(Function):
    """Y = min(max(X, low), high), as the module docstring says (high wins where low > high)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, low: Any, high: Any) -> np.ndarray:
        output = x if low is None else broadcast(np.maximum, x, low, "clamp")
        output = output if high is None else broadcast(np.minimum, output, high, "clamp")
        if True in ctx.needs_input_grad:
            ctx.shapes = (np.shape(x), np.shape(low), np.shape(high))
            inside = True if low is None else x >= low
            inside = inside if high is None else inside & (x <= high)
            ctx.masks = (
                np.broadcast_to(inside, output.shape).astype(output.dtype),
                None if low is None else ((x < low) & (True if high is None else low < high)).astype(output.dtype),
                None if high is None else ((x > high) | (False if low is None else high < low)).astype(output.dtype),
            )
        return np.asarray(output)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any]:
        return tuple(
            unbroadcast(grad_output * mask, shape) if needed else None
            for needed, mask, shape in zip(ctx.needs_input_grad, ctx.masks, ctx.shapes)
        )
