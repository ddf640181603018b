"""`tg.Size`, torch.Size: a tensor's shape, a tuple of ints that prints as torch prints it
(`torch.Size([2, 3])`) and counts its elements (`numel()`). It compares equal to the plain
tuple of the same ints, and slicing or adding one gives a Size again, as in torch."""
from __future__ import annotations

import math
import operator
from typing import Any, Iterable


class Size(tuple):
    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        return tuple.__new__(cls, [operator.index(size) for size in sizes])

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return tuple.__new__(Size, item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Size:
        return tuple.__new__(Size, tuple.__add__(self, tuple(other)))

    def __radd__(self, other: Any) -> Size:
        return tuple.__new__(Size, tuple(other) + tuple(self))
