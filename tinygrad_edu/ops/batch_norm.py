"""Batch normalization in training mode as one op, with the closed-form backward.

For each channel c of an (N, C, ...) input, with μ and σ² (biased) over the n = N·H·W·...
values of that channel:

    X̂ = (X − μ) / √(σ² + ε),   Y = γ ⊙ X̂ + β

    dE/dβ = Σ dE/dY,   dE/dγ = Σ dE/dY ⊙ X̂,
    dE/dX = γ / √(σ² + ε) ⊙ (dE/dY − Σ dE/dY / n − X̂ ⊙ Σ (dE/dY ⊙ X̂) / n)

(sums over the channel's n values). The two subtracted terms are what μ and σ² pass back:
both depend on every X of the channel. Composed of mean, subtract, rsqrt, multiply and add,
the same math records about ten ops, each with its own full-size temporaries forward and
backward; one op needs a few passes over the data each way.

The first-order backward reuses X̂ and 1/√(σ² + ε) from forward (ctx.cache); double backward
recomputes them from the input Tensor, so the same formula then records a graph.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp


def statistics_axes(ndim: int) -> tuple[int, ...]:
    """The axes a channel's statistics run over: the batch and every axis after the channels."""
    return (0,) + tuple(range(2, ndim))


def channel_sum(a: Any, b: Any | None = None) -> Any:
    """Σ a (or Σ a ⊙ b) of each channel of (N, C, ...) arrays or Tensors, kept as (1, C, 1, ...)."""
    axes = statistics_axes(a.ndim)
    if xp.is_tensor(a) or xp.is_tensor(b):
        return xp.sum(a if b is None else a * b, axes, keepdims=True)
    letters = "abcdefghijklmnop"[: a.ndim]
    # einsum reads both arrays once, with no temporary for the product.
    summed = np.einsum(f"{letters}->{letters[1]}", a) if b is None else np.einsum(f"{letters},{letters}->{letters[1]}", a, b)
    return summed.reshape((1, -1) + (1,) * (a.ndim - 2))


def channel_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """μ and the biased σ² of each channel of an array, shaped (1, C, 1, ...)."""
    count = math.prod(x.shape) // x.shape[1]
    mean = channel_sum(x) / count
    centred = x - mean
    return mean, channel_sum(centred, centred) / count


def _standardised(x: Any, eps: float) -> tuple[Any, Any]:
    """X̂ and 1/√(σ² + ε) of a Tensor, as differentiable ops (for double backward)."""
    count = math.prod(x.shape) // x.shape[1]
    centred = x - channel_sum(x) / count
    inverse_std = (channel_sum(centred, centred) / count + eps) ** -0.5
    return centred * inverse_std, inverse_std


def per_channel(values: Any, ndim: int) -> Any:
    """(C,) as (1, C, 1, ...), to broadcast against an (N, C, ...) input."""
    return values.reshape((1, -1) + (1,) * (ndim - 2))


class BatchNormTraining(Function):
    """Y = γ ⊙ X̂ + β with the batch's μ and σ², given by the caller (who also updates the
    running estimates with them); γ and β may be None. See the module docstring."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None, mean: np.ndarray,
                variance: np.ndarray, eps: float) -> np.ndarray:
        inverse_std = (1 / np.sqrt(variance + eps)).astype(x.dtype, copy=False)
        normalized = x - mean
        normalized *= inverse_std
        ctx.eps, ctx.cache = eps, (normalized, inverse_std)
        ctx.save_for_backward(x, weight)
        output = normalized * per_channel(weight, x.ndim) if weight is not None else normalized.copy()
        if bias is not None:
            output += per_channel(bias, x.ndim)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any, None, None, None]:
        x, weight = ctx.saved_tensors
        normalized, inverse_std = _standardised(x, ctx.eps) if xp.is_tensor(grad_output) else ctx.cache
        count = math.prod(x.shape) // x.shape[1]
        sum_grad = channel_sum(grad_output)
        sum_grad_normalized = channel_sum(grad_output, normalized)
        grad_input = None
        if ctx.needs_input_grad[0]:
            scale = inverse_std if weight is None else per_channel(weight, x.ndim) * inverse_std
            grad_input = grad_output * scale - normalized * (scale * sum_grad_normalized / count) - scale * sum_grad / count
        grad_weight = sum_grad_normalized.reshape(weight.shape) if ctx.needs_input_grad[1] else None
        grad_bias = sum_grad.reshape((x.shape[1],)) if ctx.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias, None, None, None
