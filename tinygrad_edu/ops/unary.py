"""Unary math beyond ops/elementwise.py: powers, exponentials, logarithms, abs and erf.
Y = f(X), dE/dX = dE/dY ⊙ f'(X), with f' written from the saved input or output.

As in torch, an int or bool input computes in the default float dtype (`float_array`), except
abs and square, which keep an int's dtype. Every backward uses operators and `xp` calls only,
so it runs on arrays (first order) and on Tensors (gradients of gradients).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp
from .promotion import DTypeError, float_array

_LN2, _LN10 = math.log(2.0), math.log(10.0)


class Abs(Function):
    """Y = |X|;  dE/dX = dE/dY ⊙ sign(X)  (0 at X = 0, as torch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind == "b":
            raise DTypeError("abs is not supported for bool tensors")
        ctx.sign = np.sign(x)  # a constant: the slope is ±1 wherever it exists
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        return grad_output * ctx.sign


class Square(Function):
    """Y = X²;  dE/dX = dE/dY ⊙ 2X.  (An int stays int; a bool becomes int64, as torch.)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.square(x.astype(np.int64) if x.dtype.kind == "b" else x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * (2 * x)


class Rsqrt(Function):
    """Y = 1/√X;  dE/dX = −dE/dY ⊙ Y³/2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = 1 / np.sqrt(float_array(x))
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (output,) = ctx.saved_tensors
        return grad_output * (-0.5 * output * output * output)


class Reciprocal(Function):
    """Y = 1/X;  dE/dX = −dE/dY ⊙ Y²."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = 1 / float_array(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (output,) = ctx.saved_tensors
        return -grad_output * (output * output)


class Exp2(Function):
    """Y = 2ˣ;  dE/dX = dE/dY ⊙ Y ln 2."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.exp2(float_array(x))
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (output,) = ctx.saved_tensors
        return grad_output * (output * _LN2)


class Expm1(Function):
    """Y = eˣ − 1 (exact near 0);  dE/dX = dE/dY ⊙ (Y + 1)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.expm1(float_array(x))
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (output,) = ctx.saved_tensors
        return grad_output * (output + 1)


class Log2(Function):
    """Y = log₂ X;  dE/dX = dE/dY / (X ln 2)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output / (x * _LN2)


class Log10(Function):
    """Y = log₁₀ X;  dE/dX = dE/dY / (X ln 10)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output / (x * _LN10)


class Log1p(Function):
    """Y = ln(1 + X) (exact near 0);  dE/dX = dE/dY / (1 + X)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x)


class Erf(Function):
    """Y = erf X = (2/√π) ∫₀ˣ e^(−t²) dt;  dE/dX = dE/dY ⊙ (2/√π) e^(−X²)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        x = float_array(x)
        ctx.save_for_backward(x)
        # scipy is imported here, on first use: once imported, its many objects make every
        # later garbage collection, and so every training step, slower (XOR step: +16%).
        from scipy import special

        return special.erf(x).astype(x.dtype, copy=False)  # scipy has no float16 erf

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * (2 / math.sqrt(math.pi) * xp.exp(-(x * x)))
