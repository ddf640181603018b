"""Rounding and sign: floor, ceil, round, trunc, sign (steps: dE/dX = 0, as torch gives) and
frac (X − trunc X: dE/dX = dE/dY).

torch records these in the graph with a zero gradient (`torch.floor(x).requires_grad` is
True and x.grad comes back as zeros, not None), so they are Functions whose backward returns
zeros. An int tensor rounds to itself; a bool tensor is refused, as in torch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..function import Context, Function
from . import xp
from .promotion import DTypeError


def zero_gradient(grad_output: Any, shape: tuple[int, ...] | None = None) -> Any:
    """Zeros of dE/dY's dtype (and shape, or `shape`): an array, or a Tensor outside any graph
    (its own derivative is 0)."""
    zeros = np.zeros(grad_output.shape if shape is None else shape, grad_output.dtype)
    return type(grad_output)._from_op(zeros, None) if xp.is_tensor(grad_output) else zeros


def _rounded(name: str, x: np.ndarray, rule: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    if x.dtype.kind == "b":
        raise DTypeError(f"{name} is not supported for bool tensors")
    return rule(x) if x.dtype.kind == "f" else x.copy()  # an integer is already rounded


class Floor(Function):
    """Y = ⌊X⌋;  dE/dX = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return _rounded("floor", x, np.floor)

    backward = staticmethod(lambda ctx, grad_output: zero_gradient(grad_output))


class Ceil(Function):
    """Y = ⌈X⌉;  dE/dX = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return _rounded("ceil", x, np.ceil)

    backward = staticmethod(lambda ctx, grad_output: zero_gradient(grad_output))


class Trunc(Function):
    """Y = X rounded toward 0;  dE/dX = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return _rounded("trunc", x, np.trunc)

    backward = staticmethod(lambda ctx, grad_output: zero_gradient(grad_output))


class Round(Function):
    """Y = X rounded to `decimals` places, halves to even (as torch: round(2.5) = 2);  dE/dX = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, decimals: int) -> np.ndarray:
        return _rounded("round", x, lambda values: np.round(values, decimals))

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return zero_gradient(grad_output), None


class Sign(Function):
    """Y = −1, 0 or 1 as X < 0, X = 0 (or NaN, as torch) or X > 0;  dE/dX = 0."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind == "b":
            return x.copy()
        return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)

    backward = staticmethod(lambda ctx, grad_output: zero_gradient(grad_output))


class Frac(Function):
    """Y = X − trunc X (the sign of X kept);  dE/dX = dE/dY."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            raise DTypeError(f"frac is only defined for float tensors; got dtype {x.dtype}")
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        return grad_output
