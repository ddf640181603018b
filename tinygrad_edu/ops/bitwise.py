"""Bitwise and logical ops: & | ^ ~ << >> on int and bool tensors, logical_and/or/xor/not on
any tensor, and the float tests isclose, isnan, isinf, isfinite. None has a gradient (their
results are bools or bit patterns), so these are plain functions on arrays.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .elementwise import broadcast
from .promotion import DTypeError

_BITWISE = {
    "bitwise_and": np.bitwise_and,
    "bitwise_or": np.bitwise_or,
    "bitwise_xor": np.bitwise_xor,
    "bitwise_left_shift": np.left_shift,
    "bitwise_right_shift": np.right_shift,
}
_LOGICAL = {"logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor}


def _dtype(value: Any) -> np.dtype:
    return np.asarray(value).dtype


def bitwise(name: str, a: Any, b: Any) -> np.ndarray:
    """A bitwise op on operands of one int or bool dtype (a shift of bools is refused, as in
    torch). A shift by the width of the type or more gives 0 (−1 for a negative number
    shifted right), as in torch."""
    kind = _dtype(a).kind
    if kind not in "biu" or (kind == "b" and name.endswith("shift")):
        raise DTypeError(f"{name} is only defined for integer{'' if name.endswith('shift') else ' and bool'} tensors; got dtype {_dtype(a)}")
    return np.asarray(broadcast(_BITWISE[name], a, b, name))


def bitwise_not(x: np.ndarray) -> np.ndarray:
    """~x: each bit flipped; for bools, logical not."""
    if x.dtype.kind not in "biu":
        raise DTypeError(f"~ (bitwise_not) is only defined for integer and bool tensors; got dtype {x.dtype}")
    return np.invert(x)


def logical(name: str, a: Any, b: Any) -> np.ndarray:
    """A logical op on any dtypes: nonzero is True; the result is bool."""
    return np.asarray(broadcast(_LOGICAL[name], a, b, name))


def isclose(a: Any, b: Any, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """|a − b| ≤ atol + rtol·|b| elementwise (infinities close only to themselves), as torch;
    the dtypes must agree, as torch requires."""
    if _dtype(a) != _dtype(b):
        raise DTypeError(f"isclose: the dtypes must agree; got {_dtype(a)} and {_dtype(b)}")
    try:
        return np.asarray(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        broadcast(np.subtract, a, b, "isclose")  # raises the error naming both shapes
        raise


def number_test(name: str, x: np.ndarray) -> np.ndarray:
    """isnan, isinf, isfinite: for an int or bool tensor every element is a finite number."""
    if x.dtype.kind != "f":
        return np.full(x.shape, name == "isfinite")
    return getattr(np, name)(x)
