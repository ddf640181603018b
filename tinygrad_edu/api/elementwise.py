"""PyTorch's elementwise math, comparisons, logical and bitwise ops, clamp, where, lerp: the `tg.` functions and the `Tensor` methods (ElementwiseMethods).

Each function promotes its operands to torch's result dtype (ops/promotion.py: an int tensor
with a Python float is float32, int / int is float32, exp of an int tensor is float32) and
hands them to one op of tinygrad_edu/ops/. Comparisons, logical and bitwise ops have no
gradient and return tensors outside the graph, as torch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops  # the package only: its modules are imported once Tensor exists (tensor.py)
from ..errors import ShapeError

__all__: list[str] = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "pow", "neg", "negative", "abs", "absolute", "sign", "sqrt", "rsqrt",
    "square", "reciprocal", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos",
    "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "atan2", "arctan2", "sinh", "cosh",
    "tanh", "sigmoid", "relu", "erf", "clamp", "clip", "maximum", "minimum", "where", "masked_fill",
    "lerp", "floor", "ceil", "round", "trunc", "fix", "frac", "logaddexp",
    "addcmul", "addcdiv", "clamp_min", "clamp_max", "positive", "sgn", "nan_to_num", "logit", "isin",
    "eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge", "greater_equal",
    "isclose", "allclose", "equal", "isnan", "isinf", "isfinite",
    "logical_and", "logical_or", "logical_not", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
]


def _tensor(value: Any) -> Any:
    return ops.promotion.as_tensor(value)


def _data(value: Any) -> Any:
    """An operand's numbers: a Tensor's array, or the number itself."""
    return value.array if isinstance(value, ops.promotion.Tensor) else value


def _constant(array: Any) -> Any:
    """A result outside the graph (a comparison, a bit pattern): no gradient, as torch."""
    return ops.promotion.Tensor._from_op(np.asarray(array), None)


def _alpha(alpha: Any, dtype: np.dtype, name: str) -> Any:
    """torch's checks on add's and sub's `alpha` (the multiple of `other`)."""
    if isinstance(alpha, bool) and dtype.kind != "b":
        raise ops.promotion.DTypeError(f"{name}: a bool alpha is only supported for bool results")
    if isinstance(alpha, float) and dtype.kind != "f":
        raise ops.promotion.DTypeError(f"{name}: for integral input tensors, alpha must not be a floating point number; got {alpha}")
    return alpha


# ---- arithmetic --------------------------------------------------------------------------
def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """input + alpha · other."""
    a, b = ops.promotion.promote(input, other)
    if not (type(alpha) is int and alpha == 1):
        b = b * _alpha(alpha, ops.promotion.result_type(a, b), "add")
    return ops.elementwise.Add.apply(a, b)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """input − alpha · other (a bool tensor is refused, as in torch: use ^)."""
    a, b = ops.promotion.promote(input, other, subtraction=True)
    if not (type(alpha) is int and alpha == 1):
        b = b * _alpha(alpha, ops.promotion.result_type(a, b), "sub")
    return ops.elementwise.Sub.apply(a, b)


def mul(input: Any, other: Any) -> Any:
    return ops.elementwise.Mul.apply(*ops.promotion.promote(input, other))


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
    """input / other: true division (float, even for ints), or rounded toward −∞ ("floor") or
    0 ("trunc"), which keeps integer dtypes and has a zero gradient, as in torch."""
    if rounding_mode is None:
        return ops.elementwise.Div.apply(*ops.promotion.promote(input, other, floating=True))
    if rounding_mode not in ("trunc", "floor"):
        raise ops.promotion.ArgumentError(f"div: rounding_mode must be None, 'trunc' or 'floor'; got {rounding_mode!r}")
    return ops.binary.RoundedDiv.apply(*ops.promotion.promote(input, other), rounding_mode)


def true_divide(input: Any, other: Any) -> Any:
    return div(input, other)


def floor_divide(input: Any, other: Any) -> Any:
    """input // other: the quotient rounded toward −∞, as Python's // and torch."""
    return div(input, other, rounding_mode="floor")


def remainder(input: Any, other: Any) -> Any:
    """input % other, with the sign of other (Python's %)."""
    return ops.binary.Remainder.apply(*ops.promotion.promote(input, other), "floor")


def fmod(input: Any, other: Any) -> Any:
    """The remainder with the sign of input (C's fmod)."""
    return ops.binary.Remainder.apply(*ops.promotion.promote(input, other), "trunc")


def pow(input: Any, exponent: Any) -> Any:  # noqa: A001 (torch's name)
    return ops.elementwise.Pow.apply(*ops.promotion.promote(input, exponent))


def atan2(input: Any, other: Any) -> Any:
    """The angle of the point (other, input), in (−π, π]."""
    return ops.binary.Atan2.apply(*ops.promotion.promote(input, other, floating=True))


def maximum(input: Any, other: Any) -> Any:
    """The larger of the two, elementwise; a tie gives half of the gradient to each."""
    return ops.binary.Extreme.apply(*ops.promotion.promote(input, other), True)


def minimum(input: Any, other: Any) -> Any:
    return ops.binary.Extreme.apply(*ops.promotion.promote(input, other), False)


def logaddexp(input: Any, other: Any) -> Any:
    """ln(e^input + e^other), without overflow."""
    return ops.binary.LogAddExp.apply(*ops.promotion.promote(input, other))


# ---- one tensor in, one out ----------------------------------------------------------------
def neg(input: Any) -> Any:
    return ops.elementwise.Neg.apply(_tensor(input))


def abs(input: Any) -> Any:  # noqa: A001 (torch's name)
    return ops.unary.Abs.apply(_tensor(input))


def sign(input: Any) -> Any:
    return ops.rounding.Sign.apply(_tensor(input))


def sqrt(input: Any) -> Any:
    return ops.elementwise.Sqrt.apply(_tensor(input))


def rsqrt(input: Any) -> Any:
    return ops.unary.Rsqrt.apply(_tensor(input))


def square(input: Any) -> Any:
    return ops.unary.Square.apply(_tensor(input))


def reciprocal(input: Any) -> Any:
    return ops.unary.Reciprocal.apply(_tensor(input))


def exp(input: Any) -> Any:
    return ops.elementwise.Exp.apply(_tensor(input))


def exp2(input: Any) -> Any:
    return ops.unary.Exp2.apply(_tensor(input))


def expm1(input: Any) -> Any:
    return ops.unary.Expm1.apply(_tensor(input))


def log(input: Any) -> Any:
    return ops.elementwise.Log.apply(_tensor(input))


def log2(input: Any) -> Any:
    return ops.unary.Log2.apply(_tensor(input))


def log10(input: Any) -> Any:
    return ops.unary.Log10.apply(_tensor(input))


def log1p(input: Any) -> Any:
    return ops.unary.Log1p.apply(_tensor(input))


def sin(input: Any) -> Any:
    return ops.trig.Sin.apply(_tensor(input))


def cos(input: Any) -> Any:
    return ops.trig.Cos.apply(_tensor(input))


def tan(input: Any) -> Any:
    return ops.trig.Tan.apply(_tensor(input))


def asin(input: Any) -> Any:
    return ops.trig.Asin.apply(_tensor(input))


def acos(input: Any) -> Any:
    return ops.trig.Acos.apply(_tensor(input))


def atan(input: Any) -> Any:
    return ops.trig.Atan.apply(_tensor(input))


def sinh(input: Any) -> Any:
    return ops.trig.Sinh.apply(_tensor(input))


def cosh(input: Any) -> Any:
    return ops.trig.Cosh.apply(_tensor(input))


def tanh(input: Any) -> Any:
    return ops.elementwise.Tanh.apply(_tensor(input))


def sigmoid(input: Any) -> Any:
    return ops.elementwise.Sigmoid.apply(_tensor(input))


def relu(input: Any) -> Any:
    return ops.elementwise.ReLU.apply(_tensor(input))


def erf(input: Any) -> Any:
    return ops.unary.Erf.apply(_tensor(input))


def floor(input: Any) -> Any:
    return ops.rounding.Floor.apply(_tensor(input))


def ceil(input: Any) -> Any:
    return ops.rounding.Ceil.apply(_tensor(input))


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001 (torch's name)
    """Rounded to `decimals` places, halves to even (round(2.5) is 2), as torch."""
    return ops.rounding.Round.apply(_tensor(input), int(decimals))


def trunc(input: Any) -> Any:
    return ops.rounding.Trunc.apply(_tensor(input))


def frac(input: Any) -> Any:
    return ops.rounding.Frac.apply(_tensor(input))


# torch's second names for the same functions.
subtract, multiply, divide, negative, absolute, fix = sub, mul, div, neg, abs, trunc
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2


# ---- clamp, where, masked_fill, lerp ----------------------------------------------------------
def clamp(input: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (torch's names)
    """min(max(input, min), max); the bounds are numbers or tensors (broadcast), either may be
    None; where min > max the result is max, as torch."""
    if min is None and max is None:
        raise ops.promotion.ArgumentError("clamp: at least one of 'min' or 'max' must not be None")
    return ops.clamp.Clamp.apply(*ops.promotion.promote(input, min, max))


clip = clamp


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """input where condition (a bool tensor) else other, broadcast together, the dtype promoted
    as torch (numbers allowed on either side). where(condition) alone is
    condition.nonzero(as_tuple=True)."""
    condition = _tensor(condition)
    if input is None and other is None:
        return tuple(_constant(index) for index in np.nonzero(condition.array))
    a, b = ops.promotion.promote(input, other)
    if not isinstance(a, ops.promotion.Tensor) and not isinstance(b, ops.promotion.Tensor):
        a = ops.promotion.Tensor(a, dtype=ops.promotion.result_type(a, b))  # two numbers: torch's dtype
    return ops.elementwise.Where.apply(condition.array, a, b)


def masked_fill(input: Any, mask: Any, value: Any) -> Any:
    """input with `value` (a number or a 0-d tensor, whose gradient is the sum over the mask)
    where the bool `mask` (broadcast to input's shape) is True; input's dtype is kept."""
    input, mask = _tensor(input), _tensor(mask)
    if mask.dtype.kind != "b":
        raise ops.promotion.DTypeError(f"masked_fill only supports bool masks; got a mask of dtype {mask.dtype}")
    if np.broadcast_shapes(mask.array.shape, input.array.shape) != input.array.shape:
        raise ShapeError(f"masked_fill: a mask of shape {mask.shape} does not broadcast to the input's shape {input.shape}")
    if isinstance(value, ops.promotion.Tensor):
        if value.ndim != 0:
            raise ops.promotion.ArgumentError(f"masked_fill only supports a 0-dimensional value tensor; got one with {value.ndim} dimension(s)")
        value = ops.promotion.cast(value, input.dtype)
    else:
        value = np.asarray(value).astype(input.dtype)
    return ops.elementwise.Where.apply(mask.array, value, input)


def lerp(input: Any, end: Any, weight: Any) -> Any:
    """input + weight · (end − input); input and end of one float dtype, weight a number or a
    tensor (of that dtype unless 0-d), as torch."""
    input, end = _tensor(input), _tensor(end)
    if end.dtype != input.dtype:
        raise ops.promotion.DTypeError(f"lerp: expected dtype {input.dtype} for `end` but got dtype {end.dtype}")
    weight = ops.promotion.as_operand(weight, input)
    if isinstance(weight, ops.promotion.Tensor):
        if weight.ndim and weight.dtype != input.dtype:
            raise ops.promotion.DTypeError(f"lerp: expected dtype {input.dtype} for `weight` but got dtype {weight.dtype}")
        weight = ops.promotion.cast(weight, input.dtype)
    return ops.binary.Lerp.apply(input, end, weight)


# ---- comparisons and tests: bool tensors, no gradient ----------------------------------------
def _compare(name: str, input: Any, other: Any) -> Any:
    a, b = ops.promotion.promote(input, other)
    return _constant(ops.elementwise.compare(name, _data(a), _data(b)))


def eq(input: Any, other: Any) -> Any:
    return _compare("eq", input, other)


def ne(input: Any, other: Any) -> Any:
    return _compare("ne", input, other)


def lt(input: Any, other: Any) -> Any:
    return _compare("lt", input, other)


def le(input: Any, other: Any) -> Any:
    return _compare("le", input, other)


def gt(input: Any, other: Any) -> Any:
    return _compare("gt", input, other)


def ge(input: Any, other: Any) -> Any:
    return _compare("ge", input, other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
    """|input − other| ≤ atol + rtol·|other|, elementwise; the dtypes must agree, as torch."""
    input = _tensor(input)
    other = other.array if isinstance(other, ops.promotion.Tensor) else np.asarray(other, dtype=input.dtype)
    return _constant(ops.bitwise.isclose(input.array, other, rtol, atol, equal_nan))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True if isclose holds everywhere (a Python bool, as torch)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def equal(input: Any, other: Any) -> bool:
    """True if both have the same shape and the same values (a Python bool, as torch)."""
    a, b = ops.promotion.promote(input, other)
    return tuple(np.shape(_data(a))) == tuple(np.shape(_data(b))) and bool(np.array_equal(_data(a), _data(b)))


def isnan(input: Any) -> Any:
    return _constant(ops.bitwise.number_test("isnan", _tensor(input).array))


def isinf(input: Any) -> Any:
    return _constant(ops.bitwise.number_test("isinf", _tensor(input).array))


def isfinite(input: Any) -> Any:
    return _constant(ops.bitwise.number_test("isfinite", _tensor(input).array))


def logical_and(input: Any, other: Any) -> Any:
    return _constant(ops.bitwise.logical("logical_and", _data(_tensor(input)), _data(ops.promotion.as_operand(other))))


def logical_or(input: Any, other: Any) -> Any:
    return _constant(ops.bitwise.logical("logical_or", _data(_tensor(input)), _data(ops.promotion.as_operand(other))))


def logical_xor(input: Any, other: Any) -> Any:
    return _constant(ops.bitwise.logical("logical_xor", _data(_tensor(input)), _data(ops.promotion.as_operand(other))))


def logical_not(input: Any) -> Any:
    return _constant(np.logical_not(_tensor(input).array))


# ---- bitwise: int and bool tensors --------------------------------------------------------------
def _bitwise(name: str, input: Any, other: Any) -> Any:
    a, b = ops.promotion.promote(input, other)
    return _constant(ops.bitwise.bitwise(name, _data(a), _data(b)))


def bitwise_and(input: Any, other: Any) -> Any:
    return _bitwise("bitwise_and", input, other)


def bitwise_or(input: Any, other: Any) -> Any:
    return _bitwise("bitwise_or", input, other)


def bitwise_xor(input: Any, other: Any) -> Any:
    return _bitwise("bitwise_xor", input, other)


def bitwise_left_shift(input: Any, other: Any) -> Any:
    return _bitwise("bitwise_left_shift", input, other)


def bitwise_right_shift(input: Any, other: Any) -> Any:
    return _bitwise("bitwise_right_shift", input, other)


def bitwise_not(input: Any) -> Any:
    return _constant(ops.bitwise.bitwise_not(_tensor(input).array))


# ---- compositions (their gradients are their parts') --------------------------------------
def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """input + value · tensor1 · tensor2 (what hand-written Adam steps use), multiplied in
    torch's order (value · tensor1 first), so float32 rounds as in torch."""
    return add(input, mul(tensor1 if value == 1 else mul(tensor1, value), tensor2))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """input + value · tensor1 / tensor2 (value · tensor1 first, as torch)."""
    return add(input, div(tensor1 if value == 1 else mul(tensor1, value), tensor2))


def clamp_min(input: Any, min: Any) -> Any:  # noqa: A002 (torch's name)
    """clamp(input, min=min)."""
    return clamp(input, min, None)


def clamp_max(input: Any, max: Any) -> Any:  # noqa: A002 (torch's name)
    """clamp(input, max=max)."""
    return clamp(input, None, max)


def positive(input: Any) -> Any:
    """input itself, as torch.positive."""
    return input


def sgn(input: Any) -> Any:
    """The sign; for real tensors, sign."""
    return sign(input)


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
    """NaN → nan, +inf → posinf, −inf → neginf (the dtype's largest and lowest numbers by
    default); the other elements, and their gradients, pass through."""
    input = _tensor(input)
    if input.dtype.kind != "f":
        return input.clone()
    limits = np.finfo(input.dtype)
    posinf = float(limits.max) if posinf is None else posinf
    neginf = float(limits.min) if neginf is None else neginf
    infinite = isinf(input)
    result = where(isnan(input), nan, input)
    result = where(logical_and(infinite, gt(input, 0)), posinf, result)
    return where(logical_and(infinite, lt(input, 0)), neginf, result)


def logit(input: Any, eps: float | None = None) -> Any:
    """log(p / (1 − p)), p clamped to [eps, 1 − eps] first when eps is given."""
    probability = _tensor(input) if eps is None else clamp(input, eps, 1 - eps)
    return log(div(probability, sub(1, probability)))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Any:
    """Whether each element of `elements` is among `test_elements` (a bool tensor, no gradient)."""
    return _constant(np.isin(_data(_tensor(elements)), _data(_tensor(test_elements)), invert=invert))


class ElementwiseMethods:
    """Tensor methods of this family; `Tensor` inherits them. (+ − × ÷ ** and the comparison
    operators are in tensor.py, where their fast path lives.)"""

    __slots__ = ()

    # The training loop's activations: straight to their op, one call fewer.
    def exp(self) -> Any: return ops.elementwise.Exp.apply(self)
    def log(self) -> Any: return ops.elementwise.Log.apply(self)
    def sqrt(self) -> Any: return ops.elementwise.Sqrt.apply(self)
    def tanh(self) -> Any: return ops.elementwise.Tanh.apply(self)
    def sigmoid(self) -> Any: return ops.elementwise.Sigmoid.apply(self)
    def relu(self) -> Any: return ops.elementwise.ReLU.apply(self)

    def add(self, other: Any, *, alpha: Any = 1) -> Any: return add(self, other, alpha=alpha)
    def sub(self, other: Any, *, alpha: Any = 1) -> Any: return sub(self, other, alpha=alpha)
    def subtract(self, other: Any, *, alpha: Any = 1) -> Any: return sub(self, other, alpha=alpha)
    def mul(self, other: Any) -> Any: return mul(self, other)
    def multiply(self, other: Any) -> Any: return mul(self, other)
    def div(self, other: Any, *, rounding_mode: str | None = None) -> Any: return div(self, other, rounding_mode=rounding_mode)
    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Any: return div(self, other, rounding_mode=rounding_mode)
    def true_divide(self, other: Any) -> Any: return div(self, other)
    def floor_divide(self, other: Any) -> Any: return floor_divide(self, other)
    def remainder(self, other: Any) -> Any: return remainder(self, other)
    def fmod(self, other: Any) -> Any: return fmod(self, other)
    def pow(self, exponent: Any) -> Any: return pow(self, exponent)
    def atan2(self, other: Any) -> Any: return atan2(self, other)
    def arctan2(self, other: Any) -> Any: return atan2(self, other)
    def maximum(self, other: Any) -> Any: return maximum(self, other)
    def minimum(self, other: Any) -> Any: return minimum(self, other)
    def logaddexp(self, other: Any) -> Any: return logaddexp(self, other)

    def neg(self) -> Any: return neg(self)
    def negative(self) -> Any: return neg(self)
    def abs(self) -> Any: return abs(self)
    def absolute(self) -> Any: return abs(self)
    def sign(self) -> Any: return sign(self)
    def rsqrt(self) -> Any: return rsqrt(self)
    def square(self) -> Any: return square(self)
    def reciprocal(self) -> Any: return reciprocal(self)
    def exp2(self) -> Any: return exp2(self)
    def expm1(self) -> Any: return expm1(self)
    def log2(self) -> Any: return log2(self)
    def log10(self) -> Any: return log10(self)
    def log1p(self) -> Any: return log1p(self)
    def sin(self) -> Any: return sin(self)
    def cos(self) -> Any: return cos(self)
    def tan(self) -> Any: return tan(self)
    def asin(self) -> Any: return asin(self)
    def arcsin(self) -> Any: return asin(self)
    def acos(self) -> Any: return acos(self)
    def arccos(self) -> Any: return acos(self)
    def atan(self) -> Any: return atan(self)
    def arctan(self) -> Any: return atan(self)
    def sinh(self) -> Any: return sinh(self)
    def cosh(self) -> Any: return cosh(self)
    def erf(self) -> Any: return erf(self)
    def floor(self) -> Any: return floor(self)
    def ceil(self) -> Any: return ceil(self)
    def round(self, *, decimals: int = 0) -> Any: return round(self, decimals=decimals)
    def trunc(self) -> Any: return trunc(self)
    def fix(self) -> Any: return trunc(self)
    def frac(self) -> Any: return frac(self)

    def clamp(self, min: Any = None, max: Any = None) -> Any: return clamp(self, min, max)  # noqa: A002
    def clip(self, min: Any = None, max: Any = None) -> Any: return clamp(self, min, max)  # noqa: A002
    def where(self, condition: Any, other: Any) -> Any: return where(condition, self, other)
    def masked_fill(self, mask: Any, value: Any) -> Any: return masked_fill(self, mask, value)
    def lerp(self, end: Any, weight: Any) -> Any: return lerp(self, end, weight)
    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any: return addcmul(self, tensor1, tensor2, value=value)
    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any: return addcdiv(self, tensor1, tensor2, value=value)
    def clamp_min(self, min: Any) -> Any: return clamp(self, min, None)  # noqa: A002
    def clamp_max(self, max: Any) -> Any: return clamp(self, None, max)  # noqa: A002
    def positive(self) -> Any: return self
    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any: return nan_to_num(self, nan, posinf, neginf)
    def logit(self, eps: float | None = None) -> Any: return logit(self, eps)
    def sgn(self) -> Any: return sign(self)

    def eq(self, other: Any) -> Any: return eq(self, other)
    def ne(self, other: Any) -> Any: return ne(self, other)
    def not_equal(self, other: Any) -> Any: return ne(self, other)
    def lt(self, other: Any) -> Any: return lt(self, other)
    def less(self, other: Any) -> Any: return lt(self, other)
    def le(self, other: Any) -> Any: return le(self, other)
    def less_equal(self, other: Any) -> Any: return le(self, other)
    def gt(self, other: Any) -> Any: return gt(self, other)
    def greater(self, other: Any) -> Any: return gt(self, other)
    def ge(self, other: Any) -> Any: return ge(self, other)
    def greater_equal(self, other: Any) -> Any: return ge(self, other)
    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any: return isclose(self, other, rtol, atol, equal_nan)
    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool: return allclose(self, other, rtol, atol, equal_nan)
    def equal(self, other: Any) -> bool: return equal(self, other)
    def isnan(self) -> Any: return isnan(self)
    def isinf(self) -> Any: return isinf(self)
    def isfinite(self) -> Any: return isfinite(self)
    def logical_and(self, other: Any) -> Any: return logical_and(self, other)
    def logical_or(self, other: Any) -> Any: return logical_or(self, other)
    def logical_xor(self, other: Any) -> Any: return logical_xor(self, other)
    def logical_not(self) -> Any: return logical_not(self)
    def bitwise_and(self, other: Any) -> Any: return bitwise_and(self, other)
    def bitwise_or(self, other: Any) -> Any: return bitwise_or(self, other)
    def bitwise_xor(self, other: Any) -> Any: return bitwise_xor(self, other)
    def bitwise_not(self) -> Any: return bitwise_not(self)
    def bitwise_left_shift(self, other: Any) -> Any: return bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other: Any) -> Any: return bitwise_right_shift(self, other)

    # Python's operators beyond those in tensor.py: // % & | ^ ~ << >> abs() and unary +.
    def __floordiv__(self, other: Any) -> Any: return floor_divide(self, other)
    def __rfloordiv__(self, other: Any) -> Any: return floor_divide(other, self)
    def __mod__(self, other: Any) -> Any: return remainder(self, other)
    def __rmod__(self, other: Any) -> Any: return remainder(other, self)
    def __and__(self, other: Any) -> Any: return bitwise_and(self, other)
    def __rand__(self, other: Any) -> Any: return bitwise_and(other, self)
    def __or__(self, other: Any) -> Any: return bitwise_or(self, other)
    def __ror__(self, other: Any) -> Any: return bitwise_or(other, self)
    def __xor__(self, other: Any) -> Any: return bitwise_xor(self, other)
    def __rxor__(self, other: Any) -> Any: return bitwise_xor(other, self)
    def __lshift__(self, other: Any) -> Any: return bitwise_left_shift(self, other)
    def __rlshift__(self, other: Any) -> Any: return bitwise_left_shift(other, self)
    def __rshift__(self, other: Any) -> Any: return bitwise_right_shift(self, other)
    def __rrshift__(self, other: Any) -> Any: return bitwise_right_shift(other, self)
    def __invert__(self) -> Any: return bitwise_not(self)
    def __abs__(self) -> Any: return abs(self)

    def __pos__(self) -> Any:
        if self.dtype.kind == "b":
            raise ops.promotion.DTypeError("the unary + operator is not supported for bool tensors")
        return self
