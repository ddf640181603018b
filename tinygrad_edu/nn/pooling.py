"""`MaxPool2d`: the maximum of each kernel window of an (N, C, H, W) batch."""
from __future__ import annotations

from ..ops.conv import as_pair
from ..tensor import Tensor
from . import functional as F
from .module import Module


__all__ = ["MaxPool2d"]


class MaxPool2d(Module):
    """Y = max over each kernel window; dE/dX routes dE/dY to the window's maximum (the first
    one in row-major order where several tie, as PyTorch). The stride defaults to the kernel
    size (windows that tile the input)."""

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None):
        super().__init__()
        kernel = as_pair(kernel_size, "MaxPool2d: kernel_size")
        step = kernel if stride is None else as_pair(stride, "MaxPool2d: stride")
        if min(kernel + step) < 1:
            raise ValueError(f"MaxPool2d: kernel_size and stride must be positive; got kernel_size={kernel_size}, stride={stride}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, input: Tensor) -> Tensor:
        return F.max_pool2d(input, self.kernel_size, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
