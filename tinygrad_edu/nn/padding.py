"""Padding layers, as torch.nn's: `ZeroPad2d((1, 1, 2, 0))` is F.pad as a module.

`padding` is an int (the same on every side) or torch's tuple, (left, right) for 1d and
(left, right, top, bottom) for 2d, the last dim first. The modes (F.pad's, ops/pad.py):
constant (`value`, zeros for ZeroPad), reflect (mirrored without repeating the edge),
replicate (the edge repeated) and circular (wrapped around).
"""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .functional import pad
from .module import Module

__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d",
]


class _PadNd(Module):
    """F.pad(input, padding, mode, value) for a fixed padding; `dims` padded dims."""

    mode = "constant"
    dims = 1

    def __init__(self, padding: int | tuple[int, ...], value: float = 0.0) -> None:
        super().__init__()
        self.padding: tuple[int, ...] = (padding,) * (2 * self.dims) if isinstance(padding, int) else tuple(padding)
        if self.mode == "constant":
            self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self.mode, self.value if self.mode == "constant" else None)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ConstantPad1d(_PadNd):
    """Pad the last dim with `value`."""

    def __init__(self, padding: int | tuple[int, int], value: float) -> None:
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad2d(ConstantPad1d):
    """Pad the last two dims with `value`."""

    dims = 2


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding: int | tuple[int, int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pad the last two dims with zeros."""

    dims = 2


class ReflectionPad1d(_PadNd):
    mode = "reflect"

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReflectionPad2d(ReflectionPad1d):
    dims = 2


class ReplicationPad1d(ReflectionPad1d):
    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    dims = 2


class CircularPad1d(ReflectionPad1d):
    mode = "circular"


class CircularPad2d(CircularPad1d):
    dims = 2
