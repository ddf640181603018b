"""The convolution layers: `Conv1d`, `Conv2d` (the tutorial's convolutional layer on NCHW
batches, Y_k = B_k + Σ_d X_d ⋆ K_kd), `ConvTranspose1d`, `ConvTranspose2d`, and `Unfold` /
`Fold`, with PyTorch's arguments, checks, attributes, weight layouts, initialisation and reprs."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from ..ops.conv import as_pair, as_single
from ..ops.conv_transpose import conv_transpose_output_padding
from ..tensor import Tensor
from . import functional as F
from .linear import check_positive, reset_weight_and_bias
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Unfold", "Fold"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: torch's _ConvNd, for `dims` spatial dims.

    weight: (out, in/groups, *kernel), or (in, out/groups, *kernel) when transposed;
    K ~ U(−1/√fan_in, 1/√fan_in) and B ~ U(−1/√fan_in, 1/√fan_in), fan_in = the weight's
    dim 1 · kernel area (in/groups · kh · kw for a convolution), as torch.
    """

    def __init__(self, dims: int, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                 transposed: bool, output_padding: Any, groups: int, bias: bool, padding_mode: str, device: Any, dtype: Any):
        super().__init__()
        layer = type(self).__name__
        self.in_channels = check_positive(in_channels, "in_channels", layer)
        self.out_channels = check_positive(out_channels, "out_channels", layer)
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
            raise ValueError(f"{layer}: groups must be a positive integer; got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"{layer}: in_channels must be divisible by groups; got in_channels={in_channels}, groups={groups}")
        if out_channels % groups:
            raise ValueError(f"{layer}: out_channels must be divisible by groups; got out_channels={out_channels}, groups={groups}")
        as_tuple = _as_pair if dims == 2 else _as_single
        self.kernel_size = as_tuple(kernel_size, layer, "kernel_size")
        self.stride = as_tuple(stride, layer, "stride")
        self.dilation = as_tuple(dilation, layer, "dilation")
        self.output_padding = as_tuple(output_padding, layer, "output_padding")
        self.groups = int(groups)
        self.transposed = transposed
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{layer}: invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{layer}: padding='same' is not supported for strided convolutions (stride={self.stride})")
            self.padding: tuple[int, ...] | str = padding
        else:
            self.padding = as_tuple(padding, layer, "padding")
        negative_padding = not isinstance(padding, str) and min(self.padding) < 0
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.dilation) < 1 or negative_padding:
            raise ValueError(
                f"{layer}: kernel_size and stride must be positive, dilation too, and padding non-negative; got "
                f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, dilation={self.dilation}"
            )
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{layer}: padding_mode must be one of {set(_PADDING_MODES)}, but got padding_mode={padding_mode!r}")
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = _pad_amounts(self.padding, self.kernel_size, self.dilation)
        cpu_device(device)
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        channels = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(np.zeros((*channels, *self.kernel_size)), dtype=dtype)
        self.bias = Parameter(np.zeros(self.out_channels), dtype=dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def _padded(self, input: Tensor) -> Tensor:
        """The input padded by padding_mode (reflect, replicate, circular), as torch: F.pad
        first, then a convolution without padding."""
        return F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        dims = len(self.kernel_size)
        if self.padding != (0,) * dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """Cross-correlation of (N, in_channels, L), or unbatched (in_channels, L), with out_channels
    kernels of size k, plus a bias each."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int], stride: int | tuple[int] = 1,
                 padding: int | tuple[int] | str = 0, dilation: int | tuple[int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            return F.conv1d(self._padded(input), self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """Cross-correlation of (N, in_channels, H, W), or unbatched (in_channels, H, W), with
    out_channels kernels, plus a bias each."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] = 1,
                 padding: int | tuple[int, int] | str = 0, dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias, padding_mode,
                         device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            return F.conv2d(self._padded(input), self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class _ConvTransposeNd(_ConvNd):
    """What the transposed layers share: zeros padding only, numbers only, and forward's
    optional output_size (among the sizes the stride allows), which sets output_padding for
    that call, as torch's."""

    def __init__(self, dims: int, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any, output_padding: Any,
                 groups: int, bias: bool, dilation: Any, padding_mode: str, device: Any, dtype: Any):
        layer = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {layer}; got padding_mode={padding_mode!r}')
        if isinstance(padding, str):
            raise ValueError(f"{layer}: padding must be an int or a tuple of ints; got the string {padding!r}")
        super().__init__(dims, in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding, groups, bias,
                         padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        if output_size is None:
            return self.output_padding
        # The spatial dims are the last ones, batched or not.
        return conv_transpose_output_padding(input.shape[-len(self.kernel_size):], output_size, self.kernel_size, self.stride, self.padding, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """The transpose of a Conv1d(out_channels, in_channels, ...): (N, in_channels, L) →
    (N, out_channels, L'); weight (in_channels, out_channels/groups, k)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int], stride: int | tuple[int] = 1,
                 padding: int | tuple[int] = 0, output_padding: int | tuple[int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int] = 1, padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode,
                         device, dtype)

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """The transpose of a Conv2d(out_channels, in_channels, ...): (N, in_channels, H, W) →
    (N, out_channels, H', W'); weight (in_channels, out_channels/groups, kh, kw)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] = 1,
                 padding: int | tuple[int, int] = 0, output_padding: int | tuple[int, int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, int] = 1, padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode,
                         device, dtype)

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation)


class Unfold(Module):
    """F.unfold as a layer: every sliding block of (N, C, H, W) as a column of (N, C·kh·kw, L)."""

    def __init__(self, kernel_size: int | tuple[int, int], dilation: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 stride: int | tuple[int, int] = 1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """F.fold as a layer: the columns of (N, C·kh·kw, L) added back into an (N, C, H, W) image."""

    def __init__(self, output_size: int | tuple[int, int], kernel_size: int | tuple[int, int], dilation: int | tuple[int, int] = 1,
                 padding: int | tuple[int, int] = 0, stride: int | tuple[int, int] = 1):
        super().__init__()
        self.output_size, self.kernel_size, self.dilation, self.padding, self.stride = output_size, kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


def _as_pair(value: Any, layer: str, name: str) -> tuple[int, int]:
    return as_pair(value, f"{layer}: {name}")


def _as_single(value: Any, layer: str, name: str) -> tuple[int]:
    return as_single(value, f"{layer}: {name}")


def _pad_amounts(padding: tuple[int, ...] | str, kernel: tuple[int, ...], dilation: tuple[int, ...]) -> list[int]:
    """F.pad's (before, after) amounts, last dim first, for padding_mode: torch's
    _reversed_padding_repeated_twice. "same" pads d·(k − 1) in all, the odd one at the end."""
    if padding == "valid":
        padding = (0,) * len(kernel)
    if padding == "same":
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [amount for total in reversed(totals) for amount in (total // 2, total - total // 2)]
    return [amount for size in reversed(padding) for amount in (size, size)]
