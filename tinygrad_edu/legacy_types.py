"""torch's legacy tensor types: `torch.FloatTensor([1, 2])`, `torch.LongTensor(3)`,
`x.type(torch.LongTensor)`, `isinstance(x, torch.FloatTensor)` (older tutorials write them).

Each is a class whose call makes a Tensor of its dtype, from data or from sizes as
`Tensor(2, 3)` does, and whose isinstance check asks for a Tensor of that dtype: there is one
Tensor class here, as torch has one underneath.
"""
from __future__ import annotations

from typing import Any

from . import dtypes
from .tensor import Tensor


class _LegacyTensorType(type):
    dtype: Any

    def __call__(cls, *args: Any) -> Tensor:  # type: ignore[override]
        return Tensor(*args, dtype=cls.dtype)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype


def _legacy_type(name: str, dtype: Any) -> _LegacyTensorType:
    return _LegacyTensorType(name, (), {"dtype": dtype, "__doc__": f"torch.{name}: a Tensor of dtype {dtype}."})


FloatTensor = _legacy_type("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", dtypes.float16)
LongTensor = _legacy_type("LongTensor", dtypes.int64)
IntTensor = _legacy_type("IntTensor", dtypes.int32)
ShortTensor = _legacy_type("ShortTensor", dtypes.int16)
CharTensor = _legacy_type("CharTensor", dtypes.int8)
ByteTensor = _legacy_type("ByteTensor", dtypes.uint8)
BoolTensor = _legacy_type("BoolTensor", dtypes.bool_)

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor"]
