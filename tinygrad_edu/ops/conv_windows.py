"""Where a convolution's windows lie, and the two copies made of them: im2col, every window
of an image as one column of a matrix, and its adjoint col2im, each column added back into
its window (overlapping windows add up). Arrays only: ops/conv.py makes them differentiable.

Layout: inside the op, images are stored batch-innermost, (C, H, W, N) in memory: pixel
(h, w) of all N samples sits in one contiguous run. Then a row of an image, a window offset or
a pooling offset is a run of W·N floats instead of W, and the im2col copy, the col2im adds and
max-pooling run 1.4-2.8x faster than on NCHW memory (measured at the benchmarks' sizes). The
GEMM writes Y as (O, OH, OW, N) and the op hands it back as an (N, O, OH, OW) view of that
memory (a transpose, no copy). numpy's elementwise ops and max-pooling keep that memory
order, so the next conv finds its input batch-innermost already; flattening Y for a linear
layer is a view too (a column-major matrix), and the gradients flow back in the same layout.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]


class Geometry(NamedTuple):
    """Where a convolution's windows lie on its (padded) input: kernel (kh, kw), stride,
    padding (added on each side), dilation (the step between a window's taps) and out_hw,
    the number of windows (OH, OW)."""

    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    out_hw: Pair


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """How many windows fit: a dilated kernel spans dilation·(kernel − 1) + 1 pixels."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def batch_innermost(x: np.ndarray, padding: Pair) -> np.ndarray:
    """x (N, C, H, W) as a contiguous (C, H + 2·ph, W + 2·pw, N) array, zero-padded:
    a copy unless x already lies batch-innermost in memory and needs no padding."""
    batch_last = x.transpose(1, 2, 3, 0)
    if padding == (0, 0):
        return np.ascontiguousarray(batch_last)
    (ph, pw), (channels, height, width, batch) = padding, batch_last.shape
    padded = np.zeros((channels, height + 2 * ph, width + 2 * pw, batch), dtype=x.dtype)
    padded[:, ph : ph + height, pw : pw + width] = batch_last
    return padded


def windows(padded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Every kh×kw window of padded (C, H, W, N) that the stride visits:
    a view (C, OH, OW, N, kh, kw), no copy."""
    (kernel_h, kernel_w), (dilation_h, dilation_w) = geometry.kernel, geometry.dilation
    span = (dilation_h * (kernel_h - 1) + 1, dilation_w * (kernel_w - 1) + 1)
    view = sliding_window_view(padded, span, axis=(1, 2))
    if span != geometry.kernel:
        view = view[..., ::dilation_h, ::dilation_w]  # the taps of a dilated window, still a view
    (stride_h, stride_w), (out_h, out_w) = geometry.stride, geometry.out_hw
    return view[:, : stride_h * out_h : stride_h, : stride_w * out_w : stride_w]


def add_windows_back(window_grads: np.ndarray, padded_shape: tuple[int, ...], geometry: Geometry) -> np.ndarray:
    """col2im, the adjoint of `windows`: add each window's gradient (C, kh, kw, OH, OW, N)
    back into an array of padded_shape (C, H, W, N). One strided add per kernel offset
    (kh·kw of them, 9 for 3×3), so there is no scatter and no loop over samples or channels."""
    _, kernel_h, kernel_w, out_h, out_w, _ = window_grads.shape
    (stride_h, stride_w), (dilation_h, dilation_w) = geometry.stride, geometry.dilation
    grad = np.zeros(padded_shape, dtype=window_grads.dtype)
    for i in range(kernel_h):
        top = i * dilation_h
        for j in range(kernel_w):
            left = j * dilation_w
            grad[:, top : top + stride_h * out_h : stride_h, left : left + stride_w * out_w : stride_w] += window_grads[:, i, j]
    return grad


def im2col_array(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """cols (C·kh·kw, OH·OW·N): each receptive field of x (N, C, H, W) as one column."""
    (kernel_h, kernel_w), (out_h, out_w) = geometry.kernel, geometry.out_hw
    windows_view = windows(batch_innermost(x, geometry.padding), geometry).transpose(0, 4, 5, 1, 2, 3)
    return windows_view.reshape(x.shape[1] * kernel_h * kernel_w, out_h * out_w * x.shape[0])


def col2im_array(cols: np.ndarray, input_shape: tuple[int, ...], geometry: Geometry) -> np.ndarray:
    """The adjoint of im2col: each column added back into its window of an (N, C, H, W) array
    (overlapping windows add up), the padding cut off."""
    batch, channels, height, width = input_shape
    ph, pw = geometry.padding
    window_grads = cols.reshape(channels, *geometry.kernel, *geometry.out_hw, batch)
    padded = add_windows_back(window_grads, (channels, height + 2 * ph, width + 2 * pw, batch), geometry)
    return padded[:, ph : ph + height, pw : pw + width].transpose(3, 0, 1, 2)
