"""A convolution of stride 1 down the height, with the input unfolded kw times instead of
im2col's kh·kw times: the same products as ops/conv.py, with a third of the copying (3×3).

im2col copies every window of X: C·kh·kw rows of OH·OW·N values, nine copies of the image
for a 3×3 kernel. Down the height, most of that copying is not needed. In the
batch-innermost layout (C, H, W, N) an image row is W·N consecutive values, so moving a
window one row down moves its values W·N places on: kernel row i reads the same matrix as
kernel row 0, i·W·N columns further on. Only the width is unfolded,

    U[c, j, h, ow, n] = P[c, h, ow·sw + j·dw, n]     (P: X zero-padded, as (C, Hp, Wp, N)),

and with U as a (C·kw, Hp·OW·N) matrix, U_i its OH·OW·N columns from i·dh·OW·N on (a view,
no copy), and K_i = K[:, :, i, :] as an (O, C·kw) matrix:

    Y = Σ_i K_i U_i                    (kh products, each of C·kw rows)
    dE/dK_i = dE/dY U_iᵀ
    dE/dX = Σ_k dE/dY_k ∗ K_k          the tutorial's full convolution of dE/dY with the
                                       kernel: a stride-1 correlation with the kernel
                                       flipped and its in and out channels swapped, which
                                       is this same product again (`input_grad`).

The row shift needs stride 1 down the height; the full-convolution form of dE/dX needs
stride 1 both ways and a padding p ≤ d·(k − 1). Other convolutions, and those where this
path is the slower one (`takes_row_shifts`), take im2col's path. Measured at the ResNet
example's 3×3 layers (batch 64, 1 thread), against im2col: forward and dE/dK 1.1x, dE/dX
1.6x faster at 16 channels of 28×28; forward and backward 1.3x at 32 channels of 14×14.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .conv_windows import Geometry, batch_innermost, windows


def takes_row_shifts(geometry: Geometry, groups: int, channels: int, out_channels: int) -> bool:
    """Whether this path computes the convolution (else im2col's does). It copies less but
    runs kh thinner products (C·kw rows each, not C·kh·kw) and adds their results: measured,
    it wins when the layer does not widen (C ≥ O, the ResNet's 3×3 layers: 1.2-1.6x for
    forward and backward together) and loses where it does (C = 16, O = 64: 1.25x slower) or
    where C·kw is under 16 rows (the first layer on a grey image)."""
    return geometry.stride[0] == 1 and groups == 1 and channels >= out_channels and channels * geometry.kernel[1] >= 16


def width_unfold(x: np.ndarray, geometry: Geometry) -> np.ndarray:
    """U of x (N, C, H, W), as a (C·kw, Hp·OW·N) matrix: kw shifted copies of the padded image."""
    padded = batch_innermost(x, geometry.padding)
    channels, padded_h, _, batch = padded.shape
    kernel_w, out_w = geometry.kernel[1], geometry.out_hw[1]
    # im2col's windows with a kernel one row high, each padded row a window row: (C, Hp, OW, N, 1, kw).
    rows = Geometry((1, kernel_w), (1, geometry.stride[1]), (0, 0), (1, geometry.dilation[1]), (padded_h, out_w))
    return windows(padded, rows)[..., 0, :].transpose(0, 4, 1, 2, 3).reshape(channels * kernel_w, padded_h * out_w * batch)


def _shifted_columns(unfolded: np.ndarray, geometry: Geometry, i: int) -> np.ndarray:
    """U_i: the OH·OW·N columns that kernel row i reads, a view."""
    (out_h, _), kernel_h, dilation_h = geometry.out_hw, geometry.kernel[0], geometry.dilation[0]
    run = unfolded.shape[1] // (out_h + dilation_h * (kernel_h - 1))  # OW·N: one padded row of U
    return unfolded[:, i * dilation_h * run : (i * dilation_h + out_h) * run]


def weight_times_shifted_rows(weight: np.ndarray, unfolded: np.ndarray, geometry: Geometry) -> np.ndarray:
    """Y = Σ_i K_i U_i, as (O, OH·OW·N)."""
    out_channels, channels, kernel_h, kernel_w = weight.shape
    output = None
    for i in range(kernel_h):
        row_weights = np.ascontiguousarray(weight[:, :, i, :]).reshape(out_channels, channels * kernel_w)
        product = row_weights @ _shifted_columns(unfolded, geometry, i)
        if output is None:
            output = product
        else:
            output += product
    return output


def shifted_rows_weight_grad(grad_rows: np.ndarray, unfolded: np.ndarray, weight_shape: tuple[int, ...],
                             geometry: Geometry) -> np.ndarray:
    """dE/dK, with dE/dK_i = dE/dY U_iᵀ for each kernel row i; grad_rows is dE/dY as (O, OH·OW·N)."""
    out_channels, channels, kernel_h, kernel_w = weight_shape
    # (U_i dE/dYᵀ)ᵀ: the same product as dE/dY U_iᵀ, faster in OpenBLAS for these long, thin operands.
    per_row = np.stack([_shifted_columns(unfolded, geometry, i) @ grad_rows.T for i in range(kernel_h)])
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
    rows = weight_times_shifted_rows(flipped, width_unfold(grad_output, full), full)
    return rows.reshape(weight.shape[1], *input_hw, grad_output.shape[0]).transpose(3, 0, 1, 2)
