"""Trigonometric and hyperbolic functions: Y = f(X), dE/dX = dE/dY ⊙ f'(X).

An int or bool input computes in the default float dtype, as torch. The derivatives of sin
and cos are cos and −sin: on Tensors (gradients of gradients) they are these same ops
(`_sin`, `_cos`), so every order of derivative is exact. sinh' = cosh and cosh' = sinh are
written with xp.exp.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp
from .promotion import float_array


def _sin(x: Any) -> Any:
    return Sin.apply(x) if xp.is_tensor(x) else np.sin(x)


def _cos(x: Any) -> Any:
    return Cos.apply(x) if xp.is_tensor(x) else np.cos(x)


class Sin(Function):
    """Y = sin X;  dE/dX = dE/dY ⊙ cos X."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * _cos(x)


class Cos(Function):
    """Y = cos X;  dE/dX = −dE/dY ⊙ sin X."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -grad_output * _sin(x)


class Tan(Function):
    """Y = tan X;  dE/dX = dE/dY ⊙ (1 + Y²)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.tan(float_array(x))
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (output,) = ctx.saved_tensors
        return grad_output * (1 + output * output)


class Asin(Function):
    """Y = arcsin X;  dE/dX = dE/dY / √(1 − X²)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * (1 - x * x) ** -0.5


class Acos(Function):
    """Y = arccos X;  dE/dX = −dE/dY / √(1 − X²)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -grad_output * (1 - x * x) ** -0.5


class Atan(Function):
    """Y = arctan X;  dE/dX = dE/dY / (1 + X²)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x * x)


class Sinh(Function):
    """Y = sinh X;  dE/dX = dE/dY ⊙ cosh X = dE/dY ⊙ (eˣ + e⁻ˣ)/2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * ((xp.exp(x) + xp.exp(-x)) * 0.5)


class Cosh(Function):
    """Y = cosh X;  dE/dX = dE/dY ⊙ sinh X = dE/dY ⊙ (eˣ − e⁻ˣ)/2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * ((xp.exp(x) - xp.exp(-x)) * 0.5)
