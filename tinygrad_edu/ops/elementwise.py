"""Elementwise ops: Y = f(X) (or f(A, B) with numpy broadcasting), dE/dX = dE/dY ⊙ f'(X).

A binary op broadcasts its inputs to a common shape, so in backward the gradient of an input
that was stretched along some axes is summed back over them (`unbroadcast`).

Every backward here is written with operators and `xp` calls, so the same formula computes
first-order gradients on arrays and, on Tensors, gradients that can be differentiated again.

The operands arrive with one dtype (ops/promotion.py casts them, as torch does). A unary float
function (exp, log, sqrt, tanh, sigmoid) of an int or bool tensor computes in the default
float dtype, as torch: such a tensor never requires grad, so nothing is saved for backward.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import backend
from ..errors import ShapeError
from ..function import Context, Function
from . import xp
from .promotion import ArgumentError, DTypeError
from .xp import unbroadcast


def broadcast(ufunc: Callable[[Any, Any], np.ndarray], a: np.ndarray, b: np.ndarray, name: str) -> np.ndarray:
    """ufunc(a, b), with numpy's errors restated as torch's: shapes that do not broadcast
    (naming both), an int to a negative int power, an op the dtype does not have (bool − bool)."""
    try:
        return ufunc(a, b)
    except ValueError as error:
        if "broadcast" not in str(error):  # "Integers to negative integer powers are not allowed"
            raise ArgumentError(f"{name}: {error}") from None
        raise ShapeError(
            f"{name}: operands with shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast "
            f"together (sizes must match or be 1, aligned from the right)"
        ) from None
    except TypeError as error:  # numpy's "boolean subtract is not supported", and the like
        raise DTypeError(f"{name} is not supported for dtypes {_dtype(a)} and {_dtype(b)} ({error})") from None


def _dtype(value: Any) -> str:
    return str(value.dtype) if hasattr(value, "dtype") else type(value).__name__


class Add(Function):
    """Y = A + B;  dE/dA = dE/dY,  dE/dB = dE/dY (each summed back to its input's shape)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (np.shape(a), np.shape(b))
        return broadcast(np.add, a, b, "add")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a_shape, b_shape = ctx.shapes
        return (
            unbroadcast(grad_output, a_shape) if ctx.needs_input_grad[0] else None,
            unbroadcast(grad_output, b_shape) if ctx.needs_input_grad[1] else None,
        )


class Sub(Function):
    """Y = A − B;  dE/dA = dE/dY,  dE/dB = −dE/dY."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (np.shape(a), np.shape(b))
        return broadcast(np.subtract, a, b, "sub")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a_shape, b_shape = ctx.shapes
        return (
            unbroadcast(grad_output, a_shape) if ctx.needs_input_grad[0] else None,
            unbroadcast(-grad_output, b_shape) if ctx.needs_input_grad[1] else None,
        )


class Mul(Function):
    """Y = A ⊙ B;  dE/dA = dE/dY ⊙ B,  dE/dB = dE/dY ⊙ A."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return broadcast(np.multiply, a, b, "mul")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        return (
            unbroadcast(grad_output * b, np.shape(a)) if ctx.needs_input_grad[0] else None,
            unbroadcast(grad_output * a, np.shape(b)) if ctx.needs_input_grad[1] else None,
        )


class Div(Function):
    """Y = A / B;  dE/dA = dE/dY / B,  dE/dB = −dE/dY ⊙ A / B²."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return broadcast(np.divide, a, b, "div")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        grad_over_b = grad_output / b
        return (
            unbroadcast(grad_over_b, np.shape(a)) if ctx.needs_input_grad[0] else None,
            unbroadcast(-grad_over_b * a / b, np.shape(b)) if ctx.needs_input_grad[1] else None,
        )


class Pow(Function):
    """Y = A^B;  dE/dA = dE/dY ⊙ B A^(B−1),  dE/dB = dE/dY ⊙ Y ln A.

    At the zeros, PyTorch's values: dE/dA = 0 where B = 0 (A⁰ is constant, even at A = 0,
    where the formula gives 0·0⁻¹), and dE/dB = 0 where A = 0 and B ≥ 0 (Y ln A would be
    0·(−∞)). Only those points are masked, so the second derivatives elsewhere stay exact.
    """

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        output = broadcast(np.power, a, b, "pow")
        if output.dtype.char == "b" and np.result_type(a, b) == np.bool_:  # int8 from two bools
            output = output.astype(np.bool_)  # bool ** bool is bool in torch
        ctx.save_for_backward(a, b, output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a, b, output = ctx.saved_tensors
        a_values, b_values = xp.values(a), xp.values(b)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = grad_output * b * a ** (b - 1)
            # Where B = 0 the slope is 0, but the formula gives 0 · A⁻¹ (NaN at A = 0 or tiny A).
            # A learnable B keeps the formula where A ≠ 0: its derivative in B is not 0 there.
            flat = b_values == 0
            if xp.is_tensor(b) and b.requires_grad:
                flat = flat & (a_values == 0)
            if flat.any():
                grad_a = xp.where(np.broadcast_to(flat, grad_a.shape), 0, grad_a)
            grad_a = unbroadcast(grad_a, np.shape(a))
        if ctx.needs_input_grad[1]:
            base_is_zero = (a_values == 0) & (b_values >= 0)
            if base_is_zero.any():
                a = xp.where(base_is_zero, 1, a)  # ln 1 = 0: the zero gradient, with no −∞ on the way
            grad_b = unbroadcast(grad_output * output * xp.log(a), np.shape(b))
        return grad_a, grad_b


class Neg(Function):
    """Y = −X;  dE/dX = −dE/dY."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind == "b":
            raise DTypeError("neg: negation, the `-` operator, on a bool tensor is not supported; use `~` or logical_not() to invert a mask")
        return -x

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        return -grad_output


class Exp(Function):
    """Y = eˣ;  dE/dX = dE/dY ⊙ Y."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            x = x.astype(backend.DEFAULT_FLOAT)
        output = np.exp(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output * output


class Log(Function):
    """Y = ln X;  dE/dX = dE/dY / X."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            x = x.astype(backend.DEFAULT_FLOAT)
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return grad_output / x


class Sqrt(Function):
    """Y = √X;  dE/dX = dE/dY / (2Y)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            x = x.astype(backend.DEFAULT_FLOAT)
        output = np.sqrt(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output / (2 * output)


class Tanh(Function):
    """Y = tanh X;  dE/dX = dE/dY ⊙ (1 − Y²)  (the tutorial's tanh_prime)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            x = x.astype(backend.DEFAULT_FLOAT)
        output = np.tanh(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        (output,) = ctx.saved_tensors
        input_grad = 1 - output * output
        if type(output) is np.ndarray:
            input_grad *= grad_output  # in place: one temporary array fewer
            return input_grad
        return input_grad * grad_output  # Tensors (double backward): out of place, recorded


class Sigmoid(Function):
    """Y = σ(X) = 1 / (1 + e⁻ˣ);  dE/dX = dE/dY ⊙ Y (1 − Y)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind != "f":
            x = x.astype(backend.DEFAULT_FLOAT)
        # σ(x) = (1 + tanh(x/2)) / 2: the same function, with no overflow for large |x|.
        output = 0.5 * (1 + np.tanh(0.5 * x))
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output * output * (1 - output)


class ReLU(Function):
    """Y = max(X, 0);  dE/dX = dE/dY ⊙ [X > 0]  (0 at X = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind == "b":
            raise DTypeError("relu: bool tensors are not supported (torch: Boolean inputs not supported for relu)")
        # Clipping to [0, ∞] runs numpy's SIMD loop, maximum with a scalar 0 does not (numpy 2.4:
        # 3.7x slower on a 3 MB float32 array), and keeps −0 as torch does. Ints stay ints.
        output = np.clip(x, 0, np.inf) if x.dtype.kind == "f" else np.maximum(x, 0)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output * (output > 0)


class Cast(Function):
    """Y = X in another float dtype;  dE/dX = dE/dY in X's dtype."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: str) -> np.ndarray:
        ctx.input_dtype = x.dtype
        return x.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return xp.cast(grad_output, ctx.input_dtype), None


class Where(Function):
    """Y = A where C else B (C a boolean condition, constant);
    dE/dA = dE/dY where C else 0,  dE/dB = 0 where C else dE/dY (each summed back to its shape)."""

    @staticmethod
    def forward(ctx: Context, condition: np.ndarray, a: Any, b: Any) -> np.ndarray:
        if np.asarray(condition).dtype != np.bool_:
            raise DTypeError(f"where: condition must be a bool tensor; got dtype {np.asarray(condition).dtype}")
        ctx.condition, ctx.shapes = condition, (np.shape(a), np.shape(b))
        try:
            return np.where(condition, a, b)
        except ValueError:
            raise ShapeError(
                f"where: condition, input and other with shapes {np.shape(condition)}, "
                f"{np.shape(a)} and {np.shape(b)} cannot be broadcast together"
            ) from None

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[None, Any, Any]:
        condition, (a_shape, b_shape) = np.broadcast_to(ctx.condition, grad_output.shape), ctx.shapes
        return (
            None,
            unbroadcast(xp.where(condition, grad_output, 0), a_shape) if ctx.needs_input_grad[1] else None,
            unbroadcast(xp.where(condition, 0, grad_output), b_shape) if ctx.needs_input_grad[2] else None,
        )


_COMPARISONS = {
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
}


def compare(name: str, a: Any, b: Any) -> np.ndarray:
    """A comparison of operands of one dtype (ops/promotion.py): a boolean array, with no
    gradient (it is a step function)."""
    return broadcast(_COMPARISONS[name], a, b, name)
