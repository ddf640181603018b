"""A convolution with the input unfolded kw times instead of im2col's kh·kw times: the same
products as ops/conv.py, with a third of the copying for a 3×3 kernel.

im2col copies every window of X: C·kh·kw rows of OH·OW·N values, nine copies of the image
for a 3×3 kernel. Down the height, most of that copying is not needed. Only the width is
unfolded, image row by image row:

    U[h, c, j, ow, n] = P[c, h, ow·sw + j·dw, n]     (P: X zero-padded, as (C, Hp, Wp, N)),

so U[h] is a (C·kw, OW·N) matrix, one image row of every window. The window rows that
output row oh reads, U[sh·oh], ..., U[sh·oh + kh − 1], lie one after the other in memory:
together they are one (kh·C·kw, OW·N) matrix V_oh, a view of U (no copy), and the views of
neighbouring output rows overlap. With K as an (O, kh·C·kw) matrix, rows (i, c, j):

    Y[:, oh] = K V_oh                   (one product per output row, one batched matmul)
    dE/dK = Σ_oh dE/dY[:, oh] V_ohᵀ
    dE/dX = Σ_k dE/dY_k ∗ K_k           the tutorial's full convolution of dE/dY with the
                                        kernel: a stride-1 correlation with the kernel
                                        flipped and its in and out channels swapped, which
                                        is this same product again (`input_grad`).

V_oh needs dilation 1 down the height; the full-convolution form of dE/dX needs stride 1
and a padding p ≤ d·(k − 1), else dE/dX is col2im's (ops/conv.py). Convolutions where this
path can be the slower one (`takes_window_rows`) take im2col's path. Measured at the ResNet
example's 3×3 layers that keep their width (batch 64, OpenBLAS's AVX-512 kernels), forward
and backward together, against im2col: 2.0x faster at 16 channels of 28×28, 1.35x at 32 of
14×14 and 1.3x at 64 of 7×7 with 1 thread; 1.6x, 1.2x and 1.2x with 2.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .conv_windows import Geometry


def takes_window_rows(geometry: Geometry, groups: int, channels: int, out_channels: int) -> bool:
    """Whether this path computes the convolution (else im2col's does): where, measured, it
    is never the slower one (batch 64, 3×3 kernels, 7×7 to 28×28 images, 1 and 2 threads).
    - A kernel one row high has no rows to share: the unfold is im2col.
    - A layer that widens (O > C) does more product per row of U, in more, smaller products:
      0.9x of im2col at 2 threads (C = 8 → 16 and 16 → 32 at 14×14, 1.0-1.1x at 1 thread).
    - Below 16 rows per kernel row (C·kw: a first layer on a grey or colour image), OpenBLAS's
      AVX2 kernels make its thinner products lose (0.6-0.9x); its AVX-512 kernels do not."""
    return (geometry.kernel[0] > 1 and geometry.dilation[0] == 1 and groups == 1 and channels >= out_channels
            and channels * geometry.kernel[1] >= 16)


def width_unfold(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """U of x (N, C, H, W): (Hp, C, kw, OW, N), kw shifted copies of the zero-padded image,
    each written straight from x by one strided slice (no padded copy of x first)."""
    (_, kernel_w), (_, stride_w), (pad_h, pad_w), (_, dilation_w), (_, out_w) = geometry
    # (H, C, W, N), read from batch-innermost memory (C, H, W, N) as runs of W·N values; other
    # memory is laid out so once, not gathered across the batch by every one of the kw copies.
    rows = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(1, 0, 2, 3)
    height, channels, width, batch = rows.shape
    unfolded = np.empty((height + 2 * pad_h, channels, kernel_w, out_w, batch), dtype=x.dtype)
    unfolded[:pad_h] = 0
    unfolded[pad_h + height :] = 0
    image_rows = unfolded[pad_h : pad_h + height]
    for j in range(kernel_w):
        # Output column ow reads input column ow·sw + offset; it lies inside the image for ow in [first, end).
        offset = j * dilation_w - pad_w
        first = min(out_w, -(offset // stride_w)) if offset < 0 else 0
        end = max(first, min(out_w, (width - 1 - offset) // stride_w + 1))
        image_rows[:, :, j, :first] = 0
        image_rows[:, :, j, end:] = 0
        if end > first:
            image_rows[:, :, j, first:end] = rows[:, :, first * stride_w + offset : (end - 1) * stride_w + offset + 1 : stride_w]
    return unfolded


def _window_rows(unfolded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """V: (OH, kh·C·kw, OW·N), V[oh] the window rows of output row oh, a view of U."""
    _, channels, kernel_w, out_w, batch = unfolded.shape
    (kernel_h, _), (stride_h, _), (out_h, _) = geometry.kernel, geometry.stride, geometry.out_hw
    row = channels * kernel_w * out_w * batch * unfolded.itemsize  # bytes from U[h] to U[h + 1]
    return as_strided(unfolded, (out_h, kernel_h * channels * kernel_w, out_w * batch),
                      (stride_h * row, out_w * batch * unfolded.itemsize, unfolded.itemsize), writeable=False)


def weight_times_window_rows(weight: np.ndarray, unfolded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Y = K V_oh for every output row oh, as (O, OH·OW·N)."""
    out_channels, out_h = weight.shape[0], geometry.out_hw[0]
    window_rows = _window_rows(unfolded, geometry)
    output = np.empty((out_channels, out_h, window_rows.shape[2]), dtype=np.result_type(weight, unfolded))
    kernel = weight.transpose(0, 2, 1, 3).reshape(out_channels, window_rows.shape[1])  # rows (i, c, j), as V's
    np.matmul(kernel, window_rows, out=output.transpose(1, 0, 2))
    return output.reshape(out_channels, out_h * window_rows.shape[2])  # explicit sizes: 0 output channels work


def window_rows_weight_grad(grad_rows: np.ndarray, unfolded: np.ndarray, weight_shape: tuple[int, ...],
                            geometry: Geometry) -> np.ndarray:
    """dE/dK = Σ_oh dE/dY[:, oh] V_ohᵀ; grad_rows is dE/dY as (O, OH·OW·N)."""
    out_channels, channels, kernel_h, kernel_w = weight_shape
    window_rows = _window_rows(unfolded, geometry)
    grad_by_row = grad_rows.reshape(out_channels, *window_rows.shape[::2]).transpose(1, 2, 0)  # (OH, OW·N, O)
    # (V_oh dE/dY[:, oh]ᵀ)ᵀ: the same product, faster in OpenBLAS for these long, thin operands.
    per_row = np.matmul(window_rows, grad_by_row).sum(0)  # (kh·C·kw, O)
    return np.ascontiguousarray(per_row.reshape(kernel_h, channels, kernel_w, out_channels).transpose(3, 1, 0, 2))


def full_convolution_applies(geometry: Geometry) -> bool:
    """Whether dE/dX is the full convolution of dE/dY with the kernel: stride 1, p ≤ d·(k − 1)."""
    spans = [d * (k - 1) for d, k in zip(geometry.dilation, geometry.kernel)]
    return geometry.stride == (1, 1) and all(p <= span for p, span in zip(geometry.padding, spans))


def input_grad(grad_output: np.ndarray, weight: np.ndarray, input_hw: tuple[int, int], geometry: Geometry) -> np.ndarray:
    """dE/dX (N, C, H, W) = Σ_k dE/dY_k ∗ K_k: dE/dY, padded by d·(k − 1) − p, correlated with
    the kernel flipped in both spatial axes, its in and out channels swapped."""
    flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
    padding = tuple(d * (k - 1) - p for d, k, p in zip(geometry.dilation, geometry.kernel, geometry.padding))
    full = Geometry(geometry.kernel, (1, 1), padding, geometry.dilation, input_hw)
    rows = weight_times_window_rows(flipped, width_unfold(grad_output, full), full)
    return rows.reshape(weight.shape[1], *input_hw, grad_output.shape[0]).transpose(3, 0, 1, 2)
