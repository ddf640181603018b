"""Standardising over some axes, the core of BatchNorm, LayerNorm and GroupNorm, as one op:

    μ = mean X,  σ² = mean (X − μ)²  (biased),  r = 1/√(σ² + ε),  Y = X̂ = (X − μ) r
    dE/dX = r ⊙ (G − mean G − X̂ ⊙ mean(G ⊙ X̂)),   G = dE/dY, every mean over the axes.

Composed of mean, subtract, multiply and rsqrt, the same function is about eight graph nodes,
each with a temporary and a backward of its own; as one op it is a few numpy passes each way.
Backward recomputes μ, r and X̂ from the saved X instead of keeping them, so that the formula,
run on Tensors, differentiates through them too (double backward).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp

Axes = tuple[int, ...]


def _statistics(x: Any, axes: Axes, eps: float) -> tuple[Any, Any]:
    """(X̂, r) with r = 1/√(σ² + ε), the reduced axes kept as size 1; arrays or Tensors."""
    count = 1 / math.prod(x.shape[axis] for axis in axes)
    centred = x - xp.sum(x, axes, keepdims=True) * count
    rstd = (xp.sum(centred * centred, axes, keepdims=True) * count + eps) ** -0.5
    return centred * rstd, rstd


class Standardise(Function):
    """Y = (X − μ) / √(σ² + ε) over `axes`;  dE/dX = r ⊙ (G − mean G − Y ⊙ mean(G ⊙ Y))."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: Axes, eps: float) -> np.ndarray:
        ctx.axes, ctx.eps = axes, eps
        ctx.save_for_backward(x)
        normalized, _ = _statistics(x, axes, eps)
        return normalized

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        (x,) = ctx.saved_tensors
        normalized, rstd = _statistics(x, ctx.axes, ctx.eps)
        count = 1 / math.prod(x.shape[axis] for axis in ctx.axes)
        grad_mean = xp.sum(grad_output, ctx.axes, keepdims=True) * count
        projection = xp.sum(grad_output * normalized, ctx.axes, keepdims=True) * count
        return rstd * (grad_output - grad_mean - normalized * projection), None, None
