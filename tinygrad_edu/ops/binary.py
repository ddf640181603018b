"""Binary math beyond + − × ÷ **: atan2, maximum/minimum, remainder/fmod, division rounded
toward −∞ or 0, logaddexp, and lerp (a third operand, the weight).

The operands arrive with one dtype (ops/promotion.py). Each input's gradient is summed back
to its shape (`unbroadcast`); constants that backward needs (which input won a maximum, the
rounded quotient of a remainder) are computed in forward and kept on ctx.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from . import xp
from .elementwise import broadcast
from .promotion import DTypeError, IntegerDivisionByZero
from .rounding import zero_gradient
from .xp import unbroadcast


def _check_integer_divisor(name: str, a: Any, b: Any) -> None:
    """numpy's integer division by 0 warns and gives 0; torch raises, and so do we."""
    if np.asarray(a).dtype.kind in "biu" and np.asarray(b).dtype.kind in "biu" and not np.all(b):
        raise IntegerDivisionByZero(f"{name}: integer division by zero")


def _check_float(name: str, *arrays: Any) -> None:
    for array in arrays:
        if np.asarray(array).dtype.kind != "f":
            raise DTypeError(f"{name} is only defined for float tensors; got dtype {np.asarray(array).dtype}")


class Atan2(Function):
    """Y = atan2(A, B), the angle of the point (B, A);
    dE/dA = dE/dY ⊙ B / (A² + B²),  dE/dB = −dE/dY ⊙ A / (A² + B²)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return broadcast(np.arctan2, a, b, "atan2")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        scale = grad_output / (a * a + b * b)
        return (
            unbroadcast(scale * b, ctx.shapes[0]) if ctx.needs_input_grad[0] else None,
            unbroadcast(-scale * a, ctx.shapes[1]) if ctx.needs_input_grad[1] else None,
        )


class Extreme(Function):
    """Y = max(A, B) (min with `largest=False`);  dE/dA = dE/dY where A wins, dE/dB where B
    wins, half to each at a tie (as torch.maximum and torch.minimum)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, largest: bool) -> np.ndarray:
        output = broadcast(np.maximum if largest else np.minimum, a, b, "maximum" if largest else "minimum")
        if True in ctx.needs_input_grad:
            ctx.shapes = (np.shape(a), np.shape(b))
            a_wins, b_wins = ((a > b), (a < b)) if largest else ((a < b), (a > b))
            tie = 0.5 * (a == b)
            ctx.share_a, ctx.share_b = (a_wins + tie).astype(output.dtype), (b_wins + tie).astype(output.dtype)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, None]:
        a_shape, b_shape = ctx.shapes
        return (
            unbroadcast(grad_output * ctx.share_a, a_shape) if ctx.needs_input_grad[0] else None,
            unbroadcast(grad_output * ctx.share_b, b_shape) if ctx.needs_input_grad[1] else None,
            None,
        )


class Remainder(Function):
    """Y = A − B·q with q = ⌊A/B⌋ (`rounding="floor"`: the sign of B, Python's %) or q =
    trunc(A/B) (`rounding="trunc"`: the sign of A, C's fmod);
    dE/dA = dE/dY,  dE/dB = −dE/dY ⊙ q (q is a step function: a constant here)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, rounding: str) -> np.ndarray:
        name = "remainder" if rounding == "floor" else "fmod"
        _check_integer_divisor(name, a, b)
        output = broadcast(np.remainder if rounding == "floor" else np.fmod, a, b, name)
        ctx.shapes = (np.shape(a), np.shape(b))
        if ctx.needs_input_grad[1]:
            ctx.quotient = _divide_rounded(a, b, rounding)
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, None]:
        a_shape, b_shape = ctx.shapes
        return (
            unbroadcast(grad_output, a_shape) if ctx.needs_input_grad[0] else None,
            unbroadcast(-grad_output * ctx.quotient, b_shape) if ctx.needs_input_grad[1] else None,
            None,
        )


def _divide_rounded(a: Any, b: Any, rounding: str) -> np.ndarray:
    """A/B rounded toward −∞ ("floor") or toward 0 ("trunc"), integers exactly."""
    if rounding == "floor":
        return np.asarray(broadcast(np.floor_divide, a, b, "div"))
    if np.asarray(a).dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
        return np.asarray(np.trunc(broadcast(np.divide, a, b, "div")))
    quotient = np.asarray(broadcast(np.floor_divide, a, b, "div"))
    # floor and trunc differ by one where the exact quotient is negative and not whole.
    return quotient + ((quotient < 0) & (quotient * b != a))


class RoundedDiv(Function):
    """Y = A/B rounded toward −∞ ("floor") or 0 ("trunc"): a step function, dE/dA = dE/dB = 0
    (torch records it in the graph with zero gradients)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, rounding: str) -> np.ndarray:
        _check_integer_divisor("div", a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return _divide_rounded(a, b, rounding)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, None]:
        a_shape, b_shape = ctx.shapes
        return (
            zero_gradient(grad_output, a_shape) if ctx.needs_input_grad[0] else None,
            zero_gradient(grad_output, b_shape) if ctx.needs_input_grad[1] else None,
            None,
        )


class LogAddExp(Function):
    """Y = ln(eᴬ + eᴮ), computed without overflow;
    dE/dA = dE/dY ⊙ e^(A−Y),  dE/dB = dE/dY ⊙ e^(B−Y)  (softmax weights of A and B)."""

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any) -> np.ndarray:
        _check_float("logaddexp", a, b)
        output = broadcast(np.logaddexp, a, b, "logaddexp")
        ctx.save_for_backward(a, b, output)
        ctx.shapes = (np.shape(a), np.shape(b))
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a, b, output = ctx.saved_tensors
        return (
            unbroadcast(grad_output * xp.exp(a - output), ctx.shapes[0]) if ctx.needs_input_grad[0] else None,
            unbroadcast(grad_output * xp.exp(b - output), ctx.shapes[1]) if ctx.needs_input_grad[1] else None,
        )


class Lerp(Function):
    """Y = S + W (E − S), from start S to end E by weight W;
    dE/dS = dE/dY ⊙ (1 − W),  dE/dE = dE/dY ⊙ W,  dE/dW = dE/dY ⊙ (E − S)."""

    @staticmethod
    def forward(ctx: Context, start: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
        _check_float("lerp", start, end)
        ctx.save_for_backward(start, end, weight)
        ctx.shapes = (np.shape(start), np.shape(end), np.shape(weight))
        step = broadcast(np.subtract, end, start, "lerp")
        # As torch: from the nearer end, so that W = 1 gives E exactly.
        return np.asarray(np.where(np.abs(weight) < 0.5, start + weight * step, end - step * (1 - weight)))

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any]:
        start, end, weight = ctx.saved_tensors
        start_shape, end_shape, weight_shape = ctx.shapes
        return (
            unbroadcast(grad_output * (1 - weight), start_shape) if ctx.needs_input_grad[0] else None,
            unbroadcast(grad_output * weight, end_shape) if ctx.needs_input_grad[1] else None,
            unbroadcast(grad_output * (end - start), weight_shape) if ctx.needs_input_grad[2] else None,
        )
