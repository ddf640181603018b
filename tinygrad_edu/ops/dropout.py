"""Inverted dropout: during training each element is kept with probability 1 − p and scaled
up by 1/(1 − p), so the expected output equals the input and evaluation needs no rescaling.

    Y = X ⊙ M / (1 − p),    M_i ~ Bernoulli(1 − p)
    dE/dX = dE/dY ⊙ M / (1 − p)

The mask is drawn once, in forward, and saved: backward routes the gradient through exactly
the elements that forward kept.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..function import Context, Function


def check_probability(p: float, where: str) -> None:
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{where}: p is the probability of zeroing an element and must be in [0, 1]; got {p!r}")


class Dropout(Function):
    """Y = X ⊙ M / (1 − p);  dE/dX = dE/dY ⊙ M / (1 − p).

    `generator` is the numpy Generator that draws M; the same generator state gives the
    same mask, which is what makes a dropout network reproducible (and gradcheck possible).
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: float, generator: np.random.Generator) -> np.ndarray:
        check_probability(p, "dropout")
        if x.dtype.kind != "f":
            raise TypeError(f"dropout: input must be floating point; got dtype {x.dtype}")
        # Draw in the input's precision (float32 draws are twice as fast as float64 ones).
        uniform = generator.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64)
        keep = uniform >= p  # P(u >= p) = 1 − p for u uniform on [0, 1)
        # p = 1 keeps nothing: the scale is then irrelevant, and 1/(1 − p) would divide by zero.
        scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
        # A constant of the op (drawn, not computed from X): an attribute, not a saved tensor.
        ctx.scaled_mask = keep.astype(x.dtype) * x.dtype.type(scale)
        return x * ctx.scaled_mask

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return grad_output * ctx.scaled_mask, None, None

