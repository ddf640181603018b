"""torch's type promotion: the dtype of `a + b` when a and b differ, and the operands cast to it.

numpy and torch agree when both operands are tensors of one kind (int32 + int64 → int64,
float32 + float64 → float64), but not across kinds, nor for Python numbers:

    int32 tensor + 1.5           numpy float64, torch float32 (the default float dtype)
    int64 tensor + float32       numpy float64, torch float32 (a float beats any int)
    float32 tensor + 0-d float64 numpy float64, torch float32 (a 0-d tensor only counts
                                 when it brings a higher kind: bool < int < float)

torch's rule (c10's `result_type`): operands sit in three tiers, tensors with dims, 0-d
tensors, Python numbers (a float counts as the default float dtype, an int as int64); within a
tier dtypes promote as usual; a lower tier changes the result only when it is of a higher kind.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor

_BOOL, _INT64 = np.dtype(np.bool_), np.dtype(np.int64)


class DTypeError(TypeError, NotImplementedError):
    """An op that torch does not define for this dtype (`-` on bools, bitwise ops on floats,
    ...). torch raises RuntimeError or NotImplementedError (a RuntimeError); both catch this."""


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """Integer division or remainder by zero: torch raises RuntimeError("ZeroDivisionError")."""


class ArgumentError(ValueError, RuntimeError):
    """A value torch refuses with RuntimeError, and numpy with ValueError: an int tensor to a
    negative int power, an unknown rounding_mode, clamp with neither bound."""


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types: a float beats any int or bool (int64 + float16 → float16);
    otherwise as numpy (uint8 + int8 → int16, bool + int32 → int32)."""
    if a == b:
        return a
    if (a.kind == "f") != (b.kind == "f"):
        return a if a.kind == "f" else b
    return np.promote_types(a, b)


def _kind_above(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """Combine a tier with the tiers below it (c10's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(value: Any) -> np.dtype:
    """The dtype torch gives a Python number: bool, int64, or the default float dtype."""
    if isinstance(value, bool):
        return _BOOL
    return _INT64 if isinstance(value, int) else backend.DEFAULT_FLOAT


def result_type(*operands: Any) -> np.dtype:
    """torch.result_type of Tensors and Python numbers (None entries are skipped)."""
    tiers: list[np.dtype | None] = [None, None, None]  # tensors with dims, 0-d tensors, numbers
    for value in operands:
        if value is None:
            continue
        if isinstance(value, Tensor):
            tier, dtype = (0 if value.array.ndim else 1), value.array.dtype
        else:
            tier, dtype = 2, _scalar_dtype(value)
        tiers[tier] = dtype if tiers[tier] is None else promote_types(tiers[tier], dtype)
    result = _kind_above(tiers[0], _kind_above(tiers[1], tiers[2]))
    if result is None:
        raise TypeError("type promotion needs at least one Tensor or number")
    return result


def as_operand(value: Any, like: Any = None) -> Any:
    """A Tensor or a Python number, from whatever an op was given: numpy scalars become Python
    numbers (torch treats them so; numpy would let a float64 scalar widen a float32 tensor),
    arrays and lists become Tensors (a float array next to a float tensor takes its dtype,
    so a float64 array is not rounded to float32 next to a float64 tensor)."""
    if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
        return value.item()
    if value is None or isinstance(value, (Tensor, bool, int, float)):
        return value
    if isinstance(like, Tensor) and like.array.dtype.kind == "f":
        return Tensor(value, dtype=like.array.dtype)
    return Tensor(value)


def cast(value: Any, dtype: np.dtype) -> Any:
    """value as an operand of dtype: a Tensor cast (float to float keeps the gradient, as
    `.to(dtype)`), a Python number kept as it is (numpy keeps it "weak": float32 + 1.5 is
    float32), except an int that dtype cannot hold, which wraps around as in torch (uint8 − 1)."""
    if isinstance(value, Tensor):
        return value if value.array.dtype == dtype else elementwise.Cast.apply(value, dtype)
    if dtype.kind in "iu" and type(value) is int:
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            return np.array(value).astype(dtype)
    return value


def promote(*operands: Any, floating: bool = False, subtraction: bool = False) -> tuple[Any, ...]:
    """The operands (Tensors, numbers, arrays) cast to their torch result dtype; with
    `floating`, to the default float dtype when that is an int or bool (int / int). A
    `subtraction` with a bool tensor is refused, as torch refuses it (use ^ or logical_xor)."""
    like = next((value for value in operands if isinstance(value, Tensor)), None)
    operands = tuple(as_operand(value, like) for value in operands)
    if subtraction and any(isinstance(value, Tensor) and value.array.dtype == _BOOL for value in operands):
        raise DTypeError("sub: subtraction, the `-` operator, with a bool tensor is not supported; use ^ or logical_xor()")
    dtype = result_type(*operands)
    if floating and dtype.kind != "f":
        dtype = backend.DEFAULT_FLOAT
    return tuple(cast(value, dtype) for value in operands)


def float_array(x: np.ndarray) -> np.ndarray:
    """An op's input array in a float dtype: torch's exp, sqrt, sin, ... of an int or bool
    tensor compute in the default float dtype (such a tensor never requires grad)."""
    return x if x.dtype.kind == "f" else x.astype(backend.DEFAULT_FLOAT)


def as_tensor(value: Any) -> Tensor:
    """A Tensor argument of a tg. function (numbers and arrays become Tensors)."""
    return value if isinstance(value, Tensor) else Tensor(value)


# Imported last: elementwise imports Tensor's module, which imports this package at its end.
from . import elementwise  # noqa: E402
