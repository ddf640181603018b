"""Batch normalization in training mode as one op, with the closed-form backward.

For each channel c of an (N, C, ...) input, with μ and σ² (biased) over the n = N·H·W·...
values of that channel:

    X̂ = (X − μ) / √(σ² + ε),   Y = γ ⊙ X̂ + β

    dE/dβ = Σ dE/dY,   dE/dγ = Σ dE/dY ⊙ X̂,
    dE/dX = γ / √(σ² + ε) ⊙ (dE/dY − Σ dE/dY / n − X̂ ⊙ Σ (dE/dY ⊙ X̂) / n)

(sums over the channel's n values). The two subtracted terms are what μ and σ² pass back:
both depend on every X of the channel. Composed of mean, subtract, rsqrt, multiply and add,
the same math records about ten ops, each with its own full-size temporaries forward and
backward; one op needs a few passes over the data each way. As in torch's op, forward also
computes the batch's statistics and moves the running estimates towards them.

X̂ is kept as X − μ and the per-channel 1/√(σ² + ε) (ctx.cache): σ² needs X − μ anyway, Y is
X − μ times the per-channel γ/√(σ² + ε), and a sum with X̂ is a sum with X − μ, scaled per
channel; so no full-size X̂ is ever written. Double backward recomputes both from the input
Tensor, so the same formula then records a graph.
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


def channel_moments(x: Any, eps: float) -> tuple[Any, Any, Any, Any]:
    """μ, X − μ, the biased σ² and 1/√(σ² + ε) of each channel of an array or a Tensor
    (differentiable then), the per-channel ones shaped (1, C, 1, ...)."""
    count = math.prod(x.shape) // x.shape[1]
    mean = channel_sum(x) / count
    centred = x - mean
    variance = channel_sum(centred, centred) / count
    if xp.is_tensor(x):
        return mean, centred, variance, (variance + eps) ** -0.5
    return mean, centred, variance, (1 / np.sqrt(variance + eps)).astype(x.dtype, copy=False)


def per_channel(values: Any, ndim: int) -> Any:
    """(C,) as (1, C, 1, ...), to broadcast against an (N, C, ...) input."""
    return values.reshape((1, -1) + (1,) * (ndim - 2))


class BatchNormTraining(Function):
    """Y = γ ⊙ X̂ + β with the batch's μ and σ²; γ and β may be None. The running estimates,
    if given (arrays, or None), move towards μ and the unbiased σ² by `momentum`, as
    bookkeeping outside the graph. See the module docstring."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                running_mean: np.ndarray | None, running_var: np.ndarray | None, momentum: float, eps: float) -> np.ndarray:
        mean, centred, variance, inverse_std = channel_moments(x, eps)
        if running_mean is not None and running_var is not None:
            count = math.prod(x.shape) // x.shape[1]
            running_mean[...] = (1 - momentum) * running_mean + momentum * mean.reshape(running_mean.shape)
            running_var[...] = (1 - momentum) * running_var + momentum * variance.reshape(running_var.shape) * count / (count - 1)
        ctx.eps, ctx.cache = eps, (centred, inverse_std)
        ctx.save_for_backward(x, weight)
        output = centred * (inverse_std if weight is None else per_channel(weight, x.ndim) * inverse_std)
        if bias is not None:
            output += per_channel(bias, x.ndim)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any, None, None, None, None]:
        x, weight = ctx.saved_tensors
        if xp.is_tensor(grad_output):
            _, centred, _, inverse_std = channel_moments(x, ctx.eps)
        else:
            centred, inverse_std = ctx.cache
        count = math.prod(x.shape) // x.shape[1]
        sum_grad = channel_sum(grad_output)
        sum_grad_normalized = channel_sum(grad_output, centred) * inverse_std  # Σ dE/dY ⊙ X̂
        grad_input = None
        if ctx.needs_input_grad[0]:
            scale = inverse_std if weight is None else per_channel(weight, x.ndim) * inverse_std
            grad_input = grad_output * scale - centred * (scale * inverse_std * sum_grad_normalized / count) - scale * sum_grad / count
        grad_weight = sum_grad_normalized.reshape(weight.shape) if ctx.needs_input_grad[1] else None
        grad_bias = sum_grad.reshape((x.shape[1],)) if ctx.needs_input_grad[2] else None
        return grad_input, grad_weight, grad_bias, None, None, None, None
