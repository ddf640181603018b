"""The dtypes, under torch's names: `tg.float32`, `tg.long`, `tg.bool`, ...

Each one *is* a numpy dtype object, so `x.dtype == tg.float32` compares a tensor's dtype
(which is its array's dtype) with no translation table, and numpy takes them as they are.
`to_dtype` turns anything a user may write for a dtype (a tg dtype, "float64", Python's
`float`, numpy's `np.int32`, torch's `torch.float16`) into one of them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import backend

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
# Named with a trailing underscore so this module can still use Python's own `bool`;
# the package exports it as `tg.bool`, as torch does.
bool_ = np.dtype(np.bool_)



class _UnsupportedDtype:
    """A torch dtype numpy has no counterpart for. Programs may name it (nanoGPT's table
    `{'float32': torch.float32, 'bfloat16': torch.bfloat16, ...}` is built on every run) and
    compare with it; making a tensor of it is a TypeError naming it (`to_dtype`)."""

    def __init__(self, name: str):
        self.name = name
        self.is_floating_point = True

    def __repr__(self) -> str:
        return self.name


bfloat16 = _UnsupportedDtype("bfloat16")

# torch's aliases: the same objects under a second name.
half, float_, double = float16, float32, float64
short, int_, long = int16, int32, int64

# What `x.type()` prints, and what `x.type("torch.LongTensor")` accepts.
TENSOR_TYPE_NAMES = {
    float16: "torch.HalfTensor", float32: "torch.FloatTensor", float64: "torch.DoubleTensor",
    int8: "torch.CharTensor", int16: "torch.ShortTensor", int32: "torch.IntTensor",
    int64: "torch.LongTensor", uint8: "torch.ByteTensor", bool_: "torch.BoolTensor",
}
_DTYPE_OF_TYPE_NAME = {name: dtype for dtype, name in TENSOR_TYPE_NAMES.items()}
_DTYPE_OF_NAME = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "int16": int16, "short": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint8": uint8, "bool": bool_,
}


def to_dtype(dtype: Any) -> np.dtype:
    """One of this module's dtypes, from any spelling of it; TypeError for anything else."""
    if isinstance(dtype, type) and isinstance(getattr(dtype, "dtype", None), np.dtype):
        return dtype.dtype  # a legacy type, torch.LongTensor (legacy_types.py)
    if isinstance(dtype, _UnsupportedDtype) or str(dtype) in ("bfloat16", "torch.bfloat16"):
        raise TypeError(f"dtype {dtype} is not supported: tinygrad_edu computes with numpy, which has no bfloat16; use float32 or float16")
    if isinstance(dtype, str) or type(dtype).__module__ == "torch":
        # torch's dtypes print as "torch.float32"; the strings are torch's names too.
        name = str(dtype)
        if name in _DTYPE_OF_TYPE_NAME:
            return _DTYPE_OF_TYPE_NAME[name]
        name = name.removeprefix("torch.")
        if name in _DTYPE_OF_NAME:
            return _DTYPE_OF_NAME[name]
        raise TypeError(f"unknown dtype {dtype!r}; known: {', '.join(sorted(_DTYPE_OF_NAME))}")
    try:
        # Python's float/int/bool map as torch maps them: float64, int64, bool.
        result = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"not a dtype: {dtype!r}") from None
    if result.kind not in "biuf":
        raise TypeError(f"Tensor dtype must be numeric (bool, int or float); got dtype={result}")
    return result


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def get_default_dtype() -> np.dtype:
    """The dtype that float data becomes (Python floats, float arrays given to Tensor)."""
    return backend.DEFAULT_FLOAT


def set_default_dtype(dtype: Any) -> None:
    """Make float data become `dtype` from now on: float32 (the default) or float64."""
    dtype = to_dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 can be the default dtype; got {dtype}")
    backend.set_default_float(dtype)


class finfo:  # noqa: N801  torch's name
    """Machine limits of a float dtype (the default one if none is given), as Python numbers
    under torch.finfo's names: bits, eps, max, min, tiny (= smallest_normal), resolution, and
    dtype (its name)."""

    def __init__(self, dtype: Any = None):
        dtype = backend.DEFAULT_FLOAT if dtype is None else to_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"torch.finfo() requires a floating point input type; got {dtype}. Use torch.iinfo to handle integer types")
        info = np.finfo(dtype)
        self.bits, self.dtype = info.bits, str(dtype)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801  torch's name
    """Limits of an integer (or bool) dtype as Python ints: bits, min, max, and dtype (its name)."""

    def __init__(self, dtype: Any):
        dtype = to_dtype(dtype)
        if dtype.kind not in "iub":
            raise TypeError(f"torch.iinfo() requires an integer input type; got {dtype}. Use torch.finfo to handle float types")
        info = np.iinfo(np.uint8 if dtype.kind == "b" else dtype)
        self.bits, self.min, self.max, self.dtype = info.bits, int(info.min), int(info.max), str(dtype)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
