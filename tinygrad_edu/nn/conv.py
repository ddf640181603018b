"""`Conv2d`: the tutorial's convolutional layer on NCHW batches, Y_k = B_k + Σ_d X_d ⋆ K_kd,
with PyTorch's layout (weight (out_channels, in_channels, kh, kw)) and initialisation."""
from __future__ import annotations

import numpy as np

from ..ops.conv import as_pair
from ..tensor import Tensor
from . import functional as F
from .linear import check_positive, reset_weight_and_bias
from .module import Module
from .parameter import Parameter


__all__ = ["Conv2d"]


class Conv2d(Module):
    """Cross-correlation of (N, in_channels, H, W) with out_channels kernels, plus a bias each.

    K ~ U(−1/√fan_in, 1/√fan_in) and B ~ U(−1/√fan_in, 1/√fan_in), fan_in = in · kh · kw,
    as torch.nn.Conv2d.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0, bias: bool = True):
        super().__init__()
        self.in_channels = check_positive(in_channels, "in_channels", "Conv2d")
        self.out_channels = check_positive(out_channels, "out_channels", "Conv2d")
        self.kernel_size = as_pair(kernel_size, "Conv2d: kernel_size")
        self.stride = as_pair(stride, "Conv2d: stride")
        self.padding = as_pair(padding, "Conv2d: padding")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(
                f"Conv2d: kernel_size and stride must be positive and padding non-negative; got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
            )
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=np.float32))
        self.bias = Parameter(np.empty(self.out_channels, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text
