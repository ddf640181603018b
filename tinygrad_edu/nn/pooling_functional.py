"""The pooling family as functions, with torch.nn.functional's names, signatures and rules.

Each takes (N, C, H, W) or an unbatched (C, H, W) input.
- max_pool2d: today's strided-view op (ops/pool.py) for plain windows; with padding or
  ceil_mode the input is first padded with −∞ (a padded cell is never a maximum), dilation
  spreads the window's offsets, and `return_indices` adds torch's flat h·W + w indices.
- avg_pool2d, adaptive_avg_pool2d: Y = A_h X A_wᵀ with each dim's averaging matrix
  (ops/resampling.py): two small matmuls, 30x faster than numpy's mean over the window axes
  of a (N, C, OH, kh, OW, kw) reshape (measured at 28×28, kernel 2).
- adaptive_max_pool2d: X gathered at each window's first maximum (ops/max_positions.py).
- max_unpool2d: max pooling's maxima written back at their indices into zeros (a scatter;
  its backward gathers dE/dY there); lp_pool2d: (Σ x^p over each window)^(1/p).
The 1-D poolings of (N, C, L) or (C, L) are the 2-D ones on (N, C, 1, L) with 1×k windows.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError
from ..ops import gather, pool
from ..ops import pad as padding_ops
from ..ops.conv import Pair, as_pair
from ..ops.max_positions import adaptive_max_positions, gather_plane_positions, strided_max_indices
from ..ops.resampling import adaptive_average_matrix, average_matrix, pooled_size, separable, window_counts
from ..tensor import Tensor

__all__ = [
    "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
    "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
    "max_unpool2d", "max_unpool1d", "lp_pool2d", "lp_pool1d",
]

IntPair = int | tuple[int, int]


class _InvalidIndexError(IndexError, RuntimeError):
    """An index outside the output (an IndexError), where torch raises a RuntimeError: both
    `except` clauses catch it."""


def max_pool2d(input: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0, dilation: IntPair = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The maximum of each window of input; with return_indices, also where it lies (int64
    flat indices h·W + w into each input plane). stride defaults to kernel_size."""
    if padding == 0 and dilation == 1 and not ceil_mode and not return_indices and input.ndim == 4:
        return pool.MaxPool2d.apply(input, kernel_size, stride)  # plain windows: the hot path
    x = _batched(input, "max_pool2d")
    kernel, step, pad = _window_args("max_pool2d", kernel_size, stride, padding)
    dilation = as_pair(dilation, "max_pool2d: dilation")
    if min(dilation) < 1:
        raise ValueError(f"max_pool2d: dilation must be positive; got dilation={dilation}")
    out_hw = _out_hw("max_pool2d", x.shape, kernel, step, pad, dilation, ceil_mode)
    # Pad with −∞: by `pad` on each side, and on the right as far as ceil_mode's last window reaches.
    right = [max(0, (out - 1) * s + d * (k - 1) + 1 - size - p) for out, s, d, k, size, p in zip(out_hw, step, dilation, kernel, x.shape[2:], pad)]
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min  # below every value
    padded = x if pad == (0, 0) and right == [0, 0] else padding_ops.pad(x, (pad[1], right[1], pad[0], right[0]), value=lowest)
    output = pool.MaxPool2d.apply(padded, kernel, step, dilation)
    if not return_indices:
        return _unbatched(output, input)
    indices = strided_max_indices(padded.array, output.array, kernel, step, dilation, pad, x.shape[3])
    return _unbatched(output, input), _unbatched(Tensor(indices), input)


def avg_pool2d(input: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of input (zero padding; count_include_pad: whether the padded
    cells count in a window's size; divisor_override: divide every window's sum by this)."""
    x = _batched(input, "avg_pool2d")
    kernel, step, pad = _window_args("avg_pool2d", kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    out_hw = _out_hw("avg_pool2d", x.shape, kernel, step, pad, (1, 1), ceil_mode)
    if x.dtype.kind != "f":
        return _unbatched(_integer_avg_pool2d(x, kernel, step, pad, out_hw, count_include_pad, divisor_override), input)
    rows = average_matrix(x.shape[2], kernel[0], step[0], pad[0], out_hw[0], count_include_pad, x.dtype, divisor_override)
    cols = average_matrix(x.shape[3], kernel[1], step[1], pad[1], out_hw[1], count_include_pad, x.dtype, None if divisor_override is None else 1)
    return _unbatched(separable(x, rows, cols), input)


def _integer_avg_pool2d(x: Tensor, kernel: Pair, step: Pair, pad: Pair, out_hw: Pair, count_include_pad: bool, divisor_override: int | None) -> Tensor:
    """torch's average of integers: each window's sum (exact in float64) divided by its count
    and truncated toward zero, as C++ divides integers."""
    sums = separable(x.double(), *(average_matrix(x.shape[2 + d], kernel[d], step[d], pad[d], out_hw[d], count_include_pad, np.float64, 1) for d in (0, 1)))
    counts = [window_counts(x.shape[2 + d], kernel[d], step[d], pad[d], out_hw[d], count_include_pad) for d in (0, 1)]
    divisor = np.outer(*counts) if divisor_override is None else np.full(out_hw, divisor_override)
    return (sums / Tensor.from_numpy(divisor.astype(np.float64))).to(x.dtype)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Averages over output_size windows spread evenly over input (torch's windows:
    start = ⌊a·H/OH⌋, end = ⌈(a+1)·H/OH⌉); a None size keeps the input's."""
    x = _batched(input, "adaptive_avg_pool2d")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"adaptive_avg_pool2d: not implemented for {x.dtype} input (as torch); convert it with .float()")
    out_hw = _adaptive_size("adaptive_avg_pool2d", output_size, x.shape)
    height, width = x.shape[2:]
    if out_hw == (1, 1):
        return _unbatched(x.mean((2, 3), keepdim=True), input)  # global average pooling
    rows, cols = adaptive_average_matrix(height, out_hw[0], x.dtype), adaptive_average_matrix(width, out_hw[1], x.dtype)
    return _unbatched(separable(x, rows, cols), input)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Maxima over output_size windows spread evenly over input (adaptive_avg_pool2d's
    windows); with return_indices, also where they lie (flat indices h·W + w, int64)."""
    x = _batched(input, "adaptive_max_pool2d")
    out_hw = _adaptive_size("adaptive_max_pool2d", output_size, x.shape)
    height, width = x.shape[2:]
    if not return_indices and min(out_hw) > 0 and height % out_hw[0] == 0 and width % out_hw[1] == 0:
        return _unbatched(max_pool2d(x, (height // out_hw[0], width // out_hw[1])), input)  # windows tile the input
    rows, cols = adaptive_max_positions(x.array, out_hw)
    output = _unbatched(gather_plane_positions(x, rows, cols), input)
    return (output, _unbatched(Tensor(rows * width + cols), input)) if return_indices else output


def max_pool1d(input: Tensor, kernel_size: int | tuple[int], stride: int | tuple[int] | None = None, padding: int | tuple[int] = 0, dilation: int | tuple[int] = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """max_pool2d over 1×k windows of (N, C, 1, L); indices are positions along L."""
    name = "max_pool1d"
    step = None if stride is None or stride == () else (1, _single(stride, name, "stride"))
    pooled = max_pool2d(_as_planes(input, name), (1, _single(kernel_size, name, "kernel_size")), step, (0, _single(padding, name, "padding")), (1, _single(dilation, name, "dilation")), ceil_mode, return_indices)
    return tuple(map(_as_rows, pooled)) if return_indices else _as_rows(pooled)


def avg_pool1d(input: Tensor, kernel_size: int | tuple[int], stride: int | tuple[int] | None = None, padding: int | tuple[int] = 0, ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """avg_pool2d over 1×k windows of (N, C, 1, L)."""
    name = "avg_pool1d"
    step = None if stride is None or stride == () else (1, _single(stride, name, "stride"))
    return _as_rows(avg_pool2d(_as_planes(input, name), (1, _single(kernel_size, name, "kernel_size")), step, (0, _single(padding, name, "padding")), ceil_mode, count_include_pad))


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:
    """adaptive_avg_pool2d of (N, C, 1, L) to (1, output_size)."""
    return _as_rows(adaptive_avg_pool2d(_as_planes(input, "adaptive_avg_pool1d"), (1, _single(output_size, "adaptive_avg_pool1d", "output_size"))))


def adaptive_max_pool1d(input: Tensor, output_size: int | tuple[int], return_indices: bool = False) -> Any:
    """adaptive_max_pool2d of (N, C, 1, L) to (1, output_size); indices are positions along L."""
    name = "adaptive_max_pool1d"
    pooled = adaptive_max_pool2d(_as_planes(input, name), (1, _single(output_size, name, "output_size")), return_indices)
    return tuple(map(_as_rows, pooled)) if return_indices else _as_rows(pooled)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0, output_size: Sequence[int] | None = None) -> Tensor:
    """The inverse of max_pool2d as far as it goes: zeros of the pooled input's size with each
    value of input written at its index (h·W + w in its plane); dE/dinput = dE/dY at the indices."""
    x, index = _batched(input, "max_unpool2d"), np.asarray(indices.array if isinstance(indices, Tensor) else indices)
    if index.dtype != np.int64:
        raise TypeError(f"max_unpool2d: indices should be int64 (as max_pool2d's return_indices gives them); got {index.dtype}")
    index = index[None] if input.ndim == 3 else index
    if index.shape != x.shape:
        raise ShapeError(f"max_unpool2d: indices of shape {tuple(indices.shape)} do not match the input's {tuple(input.shape)}")
    kernel, step = as_pair(kernel_size, "max_unpool2d: kernel_size"), as_pair(kernel_size if stride is None else stride, "max_unpool2d: stride")
    pad = as_pair(padding, "max_unpool2d: padding")
    default = [(size - 1) * s - 2 * p + k for size, s, p, k in zip(x.shape[2:], step, pad, kernel)]
    out_hw = default if output_size is None else [int(size) for size in tuple(output_size)[-2:]]
    for d, (size, expected, s) in enumerate(zip(out_hw, default, step)):
        if not expected - s < size < expected + s:
            raise ValueError(f"max_unpool2d: invalid output_size {tuple(output_size)} (dim {d} must be between {expected - s} and {expected + s}, exclusive)")
    plane = out_hw[0] * out_hw[1]
    if index.size and (index.min() < 0 or index.max() >= plane):
        raise _InvalidIndexError(f"max_unpool2d: found an invalid max index {index.max() if index.max() >= plane else index.min()} (output planes are {out_hw[0]}x{out_hw[1]})")
    batch, channels = x.shape[:2]
    zeros = np.zeros((batch, channels, plane), dtype=x.dtype)
    at = (np.arange(batch)[:, None, None], np.arange(channels)[None, :, None], index.reshape(batch, channels, -1))
    written = gather.Scatter.apply(zeros, at, x.reshape(batch, channels, -1))
    return _unbatched(written.reshape(batch, channels, *out_hw), input)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: int | tuple[int], stride: int | tuple[int] | None = None, padding: int | tuple[int] = 0, output_size: Sequence[int] | None = None) -> Tensor:
    """max_unpool2d of (N, C, 1, L): max_pool1d's maxima written back along L."""
    name = "max_unpool1d"
    step = None if stride is None else (1, _single(stride, name, "stride"))
    size = None if output_size is None else (1, int(tuple(output_size)[-1]))
    return _as_rows(max_unpool2d(_as_planes(input, name), indices.unsqueeze(-2), (1, _single(kernel_size, name, "kernel_size")), step, (0, _single(padding, name, "padding")), size))


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: IntPair, stride: IntPair | None = None, ceil_mode: bool = False) -> Tensor:
    """(Σ x^p over each window)^(1/p), p = norm_type, as torch: avg_pool2d of x^p times the
    kernel's area (also for ceil_mode's partial windows), to the power 1/p (NaN for a negative sum)."""
    kernel = as_pair(kernel_size, "lp_pool2d: kernel_size")
    return (avg_pool2d(input**norm_type, kernel, stride, 0, ceil_mode) * (kernel[0] * kernel[1])) ** (1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: int | None = None, ceil_mode: bool = False) -> Tensor:
    """lp_pool2d along L: (Σ x^p over each window)^(1/p)."""
    return (avg_pool1d(input**norm_type, kernel_size, stride, 0, ceil_mode) * _single(kernel_size, "lp_pool1d", "kernel_size")) ** (1.0 / norm_type)


def _single(value: Any, name: str, argument: str) -> int:
    """An int, or a one-int tuple or list, as torch's 1-D poolings take their arguments."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name}: {argument} must be an int or a tuple of one int; got {value!r}")
    return int(value)


def _as_planes(input: Tensor, name: str) -> Tensor:
    """(N, C, L) as (N, C, 1, L), or an unbatched (C, L) as (C, 1, L)."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"{name}: expected a 2-D (C, L) or 3-D (N, C, L) input; got shape {tuple(input.shape)}")
    return input.unsqueeze(-2)


def _as_rows(output: Tensor) -> Tensor:
    return output.squeeze(-2)


def _batched(input: Tensor, name: str) -> Tensor:
    """input as (N, C, H, W): an unbatched (C, H, W) input gets a batch of one."""
    if input.ndim not in (3, 4) or 0 in input.shape[-2:]:
        raise ShapeError(f"{name}: expected a non-empty 3-D (C, H, W) or 4-D (N, C, H, W) input; got shape {tuple(input.shape)}")
    return input.unsqueeze(0) if input.ndim == 3 else input


def _unbatched(output: Tensor, input: Tensor) -> Tensor:
    return output.squeeze(0) if input.ndim == 3 else output


def _window_args(name: str, kernel_size: Any, stride: Any, padding: Any) -> tuple[Pair, Pair, Pair]:
    """kernel, stride (the kernel's when None or empty) and padding as pairs, checked as torch."""
    kernel = as_pair(kernel_size, f"{name}: kernel_size")
    step = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else as_pair(stride, f"{name}: stride")
    pad = as_pair(padding, f"{name}: padding")
    if min(kernel + step) < 1:
        raise ValueError(f"{name}: kernel_size and stride must be positive; got kernel_size={kernel}, stride={step}")
    if min(pad) < 0 or pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ValueError(f"{name}: pad should be at most half of kernel size; got padding={pad} for kernel_size={kernel}")
    return kernel, step, pad


def _out_hw(name: str, shape: tuple[int, ...], kernel: Pair, stride: Pair, pad: Pair, dilation: Pair, ceil_mode: bool) -> Pair:
    out_hw = tuple(pooled_size(size, *args, ceil_mode) for size, *args in zip(shape[2:], kernel, stride, pad, dilation))
    if min(out_hw) < 1:
        raise ShapeError(
            f"{name}: the input's size {tuple(shape[2:])} is too small for kernel_size={kernel} with "
            f"stride={stride}, padding={pad}, dilation={dilation}: the output would be {out_hw}"
        )
    return out_hw  # type: ignore[return-value]


def _adaptive_size(name: str, output_size: Any, shape: tuple[int, ...]) -> Pair:
    """output_size as a pair, a None entry meaning the input's size along that dim."""
    sizes = (output_size, output_size) if output_size is None or isinstance(output_size, (int, np.integer)) else tuple(output_size)
    if len(sizes) != 2 or not all(size is None or (isinstance(size, (int, np.integer)) and size >= 0) for size in sizes):
        raise ValueError(f"{name}: output_size must be an int, None or a pair of them (non-negative); got {output_size!r}")
    return tuple(int(shape[2 + d] if size is None else size) for d, size in enumerate(sizes))  # type: ignore[return-value]
