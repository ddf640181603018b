"""`Identity` (Y = X, a placeholder where a model expects a layer) and `Unflatten` (split one
dim into several, the inverse of Flatten)."""
from __future__ import annotations

from typing import Any, Sequence

from ..tensor import Tensor
from .module import Module


class Identity(Module):
    """Y = X;  dE/dX = dE/dY. Accepts and ignores any constructor arguments, as torch."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Unflatten(Module):
    """Y = X with dim `dim` split into `unflattened_size` (one entry may be -1);
    dE/dX = dE/dY reshaped back."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]):
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"Unflatten: dim must be an int; got {dim!r}")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints; got {unflattened_size!r}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
