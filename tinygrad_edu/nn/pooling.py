"""Pooling layers: max, average and adaptive pooling of (N, C, H, W) or (C, H, W) batches, and
of (N, C, L) or (C, L) ones (the 1-D layers), with torch.nn's names, arguments, attributes and
reprs. The math is in nn/pooling_functional.py."""
from __future__ import annotations

from typing import Any

from ..ops.conv import as_pair
from ..tensor import Tensor
from . import functional as F
from .module import Module


__all__ = [
    "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
    "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveMaxPool1d",
    "MaxUnpool2d", "MaxUnpool1d", "LPPool2d", "LPPool1d",
]

IntPair = int | tuple[int, int]


class MaxPool2d(Module):
    """Y = max over each kernel window; dE/dX routes dE/dY to the window's maximum (the first
    one in row-major order where several tie, as PyTorch). The stride defaults to the kernel
    size (windows that tile the input); padding counts as −∞."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0, dilation: IntPair = 1, return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        kernel = as_pair(kernel_size, "MaxPool2d: kernel_size")
        step = kernel if stride is None else as_pair(stride, "MaxPool2d: stride")
        if min(kernel + step) < 1:
            raise ValueError(f"MaxPool2d: kernel_size and stride must be positive; got kernel_size={kernel_size}, stride={stride}")
        if min(as_pair(dilation, "MaxPool2d: dilation")) < 1:
            raise ValueError(f"MaxPool2d: dilation must be positive; got dilation={dilation}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}"


class AvgPool2d(Module):
    """Y = the mean of each kernel window (the padding counts as zeros; count_include_pad:
    whether padded cells count in a window's size; divisor_override: divide by this instead)."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None):
        super().__init__()
        kernel = as_pair(kernel_size, "AvgPool2d: kernel_size")
        step = kernel if stride is None else as_pair(stride, "AvgPool2d: stride")
        if min(kernel + step) < 1:
            raise ValueError(f"AvgPool2d: kernel_size and stride must be positive; got kernel_size={kernel_size}, stride={stride}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    """The adaptive average poolings' one argument and repr (torch's base class alike)."""

    def __init__(self, output_size: Any):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Y = averages over output_size windows spread evenly over the input, whatever its size
    (output_size (1, 1): global average pooling). A None size keeps the input's."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    """The adaptive max poolings' arguments and repr (torch's base class alike)."""

    def __init__(self, output_size: Any, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Y = maxima over output_size windows spread evenly over the input (AdaptiveAvgPool2d's
    windows); return_indices also gives where they lie."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class MaxPool1d(Module):
    """MaxPool2d's rules along L: Y = max over each window of (N, C, L)."""

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0, dilation: int = 1, return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}"


class AvgPool1d(Module):
    """AvgPool2d's rules along L (no divisor_override, as torch). Arguments are kept as
    one-int tuples, as torch keeps them."""

    def __init__(self, kernel_size: int | tuple[int], stride: int | tuple[int] | None = None, padding: int | tuple[int] = 0, ceil_mode: bool = False, count_include_pad: bool = True):
        super().__init__()
        one = lambda value: tuple(value) if isinstance(value, (tuple, list)) else (value,)  # noqa: E731
        self.kernel_size = one(kernel_size)
        self.stride = one(kernel_size if stride is None else stride)
        self.padding, self.ceil_mode, self.count_include_pad = one(padding), ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """AdaptiveAvgPool2d's windows along L: (N, C, L) to (N, C, output_size)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """AdaptiveMaxPool2d's windows along L: (N, C, L) to (N, C, output_size)."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class MaxUnpool2d(Module):
    """Zeros with max pooling's maxima written back at their indices (from return_indices=True).
    kernel_size, stride and padding (kept as pairs, as torch) give the output's default size."""

    def __init__(self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0):
        super().__init__()
        self.kernel_size = as_pair(kernel_size, "MaxUnpool2d: kernel_size")
        self.stride = as_pair(kernel_size if stride is None else stride, "MaxUnpool2d: stride")
        self.padding = as_pair(padding, "MaxUnpool2d: padding")

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(Module):
    """MaxUnpool2d along L (arguments kept as one-int tuples, as torch)."""

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = (kernel_size,), (kernel_size if stride is None else stride,), (padding,)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _LPPoolNd(Module):
    """The power-average poolings' arguments and repr (torch's base class alike)."""

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def extra_repr(self) -> str:
        return f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, ceil_mode={self.ceil_mode}"


class LPPool2d(_LPPoolNd):
    """Y = (Σ x^p over each window)^(1/p), p = norm_type: p = 1 sums, large p nears max pooling."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(_LPPoolNd):
    """LPPool2d along L."""

    def forward(self, input: Tensor) -> Tensor:
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)
