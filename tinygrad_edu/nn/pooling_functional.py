"""The pooling family as functions, with torch.nn.functional's names and signatures."""
from __future__ import annotations

from ..ops import pool
from ..tensor import Tensor

__all__ = ["max_pool2d"]


def max_pool2d(input: Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None) -> Tensor:
    """Maximum over each kernel window of input (N, C, H, W); stride defaults to kernel_size."""
    return pool.MaxPool2d.apply(input, kernel_size, stride)
