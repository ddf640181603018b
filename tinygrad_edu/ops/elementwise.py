"""Elementwise ops: Y = f(X) (or f(A, B) with numpy broadcasting), dE/dX = dE/dY ⊙ f'(X).

A binary op broadcasts its inputs to a common shape, so in backward the gradient of an input
that was stretched along some axes is summed back over them (`unbroadcast`).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..function import Context, Function


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` down to `shape`: over the leading axes broadcasting added, and over the
    axes where the input had size 1 (each input element fed several output elements)."""
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(range(leading)) + tuple(
        leading + axis for axis, size in enumerate(shape) if size == 1 and grad.shape[leading + axis] != 1
    )
    return grad.sum(axis=stretched, keepdims=True).reshape(shape)


def broadcast(ufunc: Callable[[Any, Any], np.ndarray], a: np.ndarray, b: np.ndarray, name: str) -> np.ndarray:
    """ufunc(a, b), with numpy's broadcasting error restated with the op and both shapes."""
    try:
        return ufunc(a, b)
    except ValueError:
        raise ValueError(
            f"{name}: operands with shapes {np.shape(a)} and {np.shape(b)} cannot be broadcast "
            f"together (sizes must match or be 1, aligned from the right)"
        ) from None


class Add(Function):
    """Y = A + B;  dE/dA = dE/dY,  dE/dB = dE/dY (each summed back to its input's shape)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (np.shape(a), np.shape(b))
        return broadcast(np.add, a, b, "add")

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, Any]:
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
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, Any]:
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
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, Any]:
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
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        grad_over_b = grad_output / b
        return (
            unbroadcast(grad_over_b, np.shape(a)) if ctx.needs_input_grad[0] else None,
            unbroadcast(-grad_over_b * a / b, np.shape(b)) if ctx.needs_input_grad[1] else None,
        )


class Pow(Function):
    """Y = A^B;  dE/dA = dE/dY ⊙ B A^(B−1),  dE/dB = dE/dY ⊙ Y ln A."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        output = broadcast(np.power, a, b, "pow")
        ctx.save_for_backward(a, b, output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, Any]:
        a, b, output = ctx.saved_tensors
        return (
            unbroadcast(grad_output * b * a ** (b - 1), np.shape(a)) if ctx.needs_input_grad[0] else None,
            unbroadcast(grad_output * output * np.log(a), np.shape(b)) if ctx.needs_input_grad[1] else None,
        )


class Neg(Function):
    """Y = −X;  dE/dX = −dE/dY."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        return -grad_output


class Exp(Function):
    """Y = eˣ;  dE/dX = dE/dY ⊙ Y."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.exp(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output * output


class Log(Function):
    """Y = ln X;  dE/dX = dE/dY / X."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return grad_output / x


class Sqrt(Function):
    """Y = √X;  dE/dX = dE/dY / (2Y)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.sqrt(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output / (2 * output)


class Tanh(Function):
    """Y = tanh X;  dE/dX = dE/dY ⊙ (1 − Y²)  (the tutorial's tanh_prime)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.tanh(x)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        (output,) = ctx.saved_tensors
        input_grad = 1 - output * output
        input_grad *= grad_output  # in place: one temporary array fewer
        return input_grad


class Sigmoid(Function):
    """Y = σ(X) = 1 / (1 + e⁻ˣ);  dE/dX = dE/dY ⊙ Y (1 − Y)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        # σ(x) = (1 + tanh(x/2)) / 2: the same function, with no overflow for large |x|.
        output = 0.5 * (1 + np.tanh(0.5 * x))
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output * output * (1 - output)


class ReLU(Function):
    """Y = max(X, 0);  dE/dX = dE/dY ⊙ [X > 0]  (0 at X = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        output = np.maximum(x, 0)
        ctx.save_for_backward(output)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> np.ndarray:
        (output,) = ctx.saved_tensors
        return grad_output * (output > 0)


class Cast(Function):
    """Y = X in another float dtype;  dE/dX = dE/dY in X's dtype."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: str) -> np.ndarray:
        ctx.input_dtype = x.dtype
        return x.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, None]:
        return grad_output.astype(ctx.input_dtype, copy=False), None


_COMPARISONS = {
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "eq": np.equal,
    "ne": np.not_equal,
}


def compare(name: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A comparison: a boolean array, with no gradient (it is a step function)."""
    return broadcast(_COMPARISONS[name], a, b, name)
