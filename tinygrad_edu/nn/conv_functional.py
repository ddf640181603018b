"""The convolution family as functions, with torch.nn.functional's names and signatures."""
from __future__ import annotations

from ..ops import conv
from ..tensor import Tensor

__all__ = ["conv2d"]


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> Tensor:
    """Cross-correlation of input (N, C, H, W) with weight (O, C, kh, kw), plus bias (O,)."""
    return conv.Conv2d.apply(input, weight, bias, stride, padding)
