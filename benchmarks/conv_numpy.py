"""conv2d forward + backward written by hand in numpy, several ways, to find the fastest
(stride 1, any kernel size, zero padding p).

Each formulation computes, for x (N, C, H, W), weight K (O, C, kh, kw), bias B (O,) and a
given dE/dY:  Y = cross-correlation of X with K, plus B;  dE/dX, dE/dK and dE/dB.

- rows_nchw: the textbook im2col: one row per output pixel, cols (N·H·W, C·kh·kw), Y = cols Kᵀ;
  dE/dX by adding each window's gradient back (col2im). The engine's formulation today.
- rows_nhwc: the same with channels last (input, output and gradients NHWC), so the rows of
  cols are (kh, kw, C) and Y comes out of the GEMM already in its layout.
- kmajor: one *column* per output pixel, cols (C·kh·kw, N·H·W), Y = K cols: its copy reads
  whole image rows (fast), and Y comes out as (O, N, H, W), handed back as an NCHW view.
  `conv_forward_cnhw` / `conv_backward_cnhw` below are this formulation in channel-major
  layout (C, N, H, W), which the hand-written CNN keeps all the way through.
- einsum: np.einsum on the sliding-window view with optimize=True; dE/dX as the correlation
  of the padded dE/dY with the flipped kernel.
- tensordot: the same contractions with np.tensordot.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ConvResult = tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]


def pad_last_two(x: np.ndarray, padding: int) -> np.ndarray:
    if padding == 0:
        return x
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(padding, padding), (padding, padding)])


def conv_forward_cnhw(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, padding: int) -> tuple[np.ndarray, np.ndarray]:
    """x (C, N, H, W) in any strides → Y (O, N, OH, OW) and cols (C·kh·kw, N·OH·OW) for backward."""
    channels, batch = x.shape[:2]
    out_channels, _, kernel_h, kernel_w = weight.shape
    windows = sliding_window_view(pad_last_two(x, padding), (kernel_h, kernel_w), axis=(2, 3))
    out_h, out_w = windows.shape[2:4]
    cols = windows.transpose(0, 4, 5, 1, 2, 3).reshape(channels * kernel_h * kernel_w, -1)
    output = weight.reshape(out_channels, -1) @ cols
    output += bias[:, None]
    return output.reshape(out_channels, batch, out_h, out_w), cols


def conv_backward_cnhw(
    grad_output: np.ndarray, cols: np.ndarray, weight: np.ndarray, input_shape: tuple[int, ...], padding: int, need_input_grad: bool
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """dE/dY (O, N, OH, OW) → dE/dX (C, N, H, W) or None, dE/dK, dE/dB."""
    out_channels, _, out_h, out_w = grad_output.shape
    grad_rows = grad_output.reshape(out_channels, -1)
    grad_weight = (grad_rows @ cols.T).reshape(weight.shape)
    grad_bias = grad_rows.sum(axis=1)
    if not need_input_grad:
        return None, grad_weight, grad_bias
    channels, batch, height, width = input_shape
    kernel_h, kernel_w = weight.shape[2:]
    grad_cols = (weight.reshape(out_channels, -1).T @ grad_rows).reshape(channels, kernel_h, kernel_w, batch, out_h, out_w)
    grad_padded = np.zeros((channels, batch, height + 2 * padding, width + 2 * padding), dtype=grad_output.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            grad_padded[:, :, i : i + out_h, j : j + out_w] += grad_cols[:, i, j]
    return grad_padded[:, :, padding : padding + height, padding : padding + width], grad_weight, grad_bias


def kmajor(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad_output: np.ndarray, padding: int) -> ConvResult:
    """NCHW in and out: the channel-major functions above on transposed views (no copies)."""
    output, cols = conv_forward_cnhw(x.transpose(1, 0, 2, 3), weight, bias, padding)
    grad_x, grad_weight, grad_bias = conv_backward_cnhw(
        grad_output.transpose(1, 0, 2, 3), cols, weight, x.transpose(1, 0, 2, 3).shape, padding, True
    )
    return output.transpose(1, 0, 2, 3), grad_x.transpose(1, 0, 2, 3), grad_weight, grad_bias


def rows_nchw(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad_output: np.ndarray, padding: int) -> ConvResult:
    batch, channels, height, width = x.shape
    out_channels, _, kernel_h, kernel_w = weight.shape
    windows = sliding_window_view(pad_last_two(x, padding), (kernel_h, kernel_w), axis=(2, 3))
    out_h, out_w = windows.shape[2:4]
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(batch * out_h * out_w, -1)
    weight_rows = weight.reshape(out_channels, -1)
    output = (cols @ weight_rows.T + bias).reshape(batch, out_h, out_w, out_channels).transpose(0, 3, 1, 2)
    grad_rows = grad_output.transpose(0, 2, 3, 1).reshape(-1, out_channels)
    grad_weight = (grad_rows.T @ cols).reshape(weight.shape)
    grad_bias = grad_rows.sum(axis=0)
    grad_cols = (grad_rows @ weight_rows).reshape(batch, out_h, out_w, channels, kernel_h, kernel_w)
    grad_padded = np.zeros((batch, channels, height + 2 * padding, width + 2 * padding), dtype=x.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            grad_padded[:, :, i : i + out_h, j : j + out_w] += grad_cols[..., i, j].transpose(0, 3, 1, 2)
    return output, grad_padded[:, :, padding : padding + height, padding : padding + width], grad_weight, grad_bias


def rows_nhwc(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad_output: np.ndarray, padding: int) -> ConvResult:
    """x (N, H, W, C), weight (O, kh, kw, C), grad_output (N, OH, OW, O); results NHWC."""
    batch, height, width, channels = x.shape
    out_channels, kernel_h, kernel_w, _ = weight.shape
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    windows = sliding_window_view(padded, (kernel_h, kernel_w), axis=(1, 2))
    out_h, out_w = windows.shape[1:3]
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(batch * out_h * out_w, -1)
    weight_rows = weight.reshape(out_channels, -1)
    output = (cols @ weight_rows.T + bias).reshape(batch, out_h, out_w, out_channels)
    grad_rows = grad_output.reshape(-1, out_channels)
    grad_weight = (grad_rows.T @ cols).reshape(weight.shape)
    grad_bias = grad_rows.sum(axis=0)
    grad_cols = (grad_rows @ weight_rows).reshape(batch, out_h, out_w, kernel_h, kernel_w, channels)
    grad_padded = np.zeros(padded.shape, dtype=x.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            grad_padded[:, i : i + out_h, j : j + out_w, :] += grad_cols[:, :, :, i, j, :]
    return output, grad_padded[:, padding : padding + height, padding : padding + width, :], grad_weight, grad_bias


def einsum(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad_output: np.ndarray, padding: int) -> ConvResult:
    kernel_h, kernel_w = weight.shape[2:]
    windows = sliding_window_view(pad_last_two(x, padding), (kernel_h, kernel_w), axis=(2, 3))
    output = np.einsum("nchwij,ocij->nohw", windows, weight, optimize=True) + bias[:, None, None]
    grad_weight = np.einsum("nchwij,nohw->ocij", windows, grad_output, optimize=True)
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    grad_windows = sliding_window_view(pad_last_two(grad_output, kernel_h - 1 - padding), (kernel_h, kernel_w), axis=(2, 3))
    grad_x = np.einsum("nohwij,ocij->nchw", grad_windows, weight[:, :, ::-1, ::-1], optimize=True)
    return output, grad_x, grad_weight, grad_bias


def tensordot(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad_output: np.ndarray, padding: int) -> ConvResult:
    kernel_h, kernel_w = weight.shape[2:]
    windows = sliding_window_view(pad_last_two(x, padding), (kernel_h, kernel_w), axis=(2, 3))
    output = (np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3])) + bias).transpose(0, 3, 1, 2)
    grad_weight = np.tensordot(grad_output, windows, axes=([0, 2, 3], [0, 2, 3]))
    grad_bias = grad_output.sum(axis=(0, 2, 3))
    grad_windows = sliding_window_view(pad_last_two(grad_output, kernel_h - 1 - padding), (kernel_h, kernel_w), axis=(2, 3))
    grad_x = np.tensordot(grad_windows, weight[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3])).transpose(0, 3, 1, 2)
    return output, grad_x, grad_weight, grad_bias


# name -> (function, whether it works channels-last). The hand-written kernel rows use BEST.
FORMULATIONS: dict[str, tuple[Callable[..., ConvResult], bool]] = {
    "kmajor": (kmajor, False),
    "rows_nchw": (rows_nchw, False),
    "rows_nhwc": (rows_nhwc, True),
    "einsum": (einsum, False),
    "tensordot": (tensordot, False),
}
BEST = "kmajor"


def to_channels_last(x: np.ndarray, weight: np.ndarray, grad_output: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs for rows_nhwc, made once outside the timing (a channels-last framework keeps them so)."""
    return tuple(np.ascontiguousarray(array.transpose(0, 2, 3, 1)) for array in (x, weight, grad_output))  # type: ignore[return-value]


def from_channels_last(result: ConvResult) -> ConvResult:
    output, grad_x, grad_weight, grad_bias = result
    return output.transpose(0, 3, 1, 2), grad_x.transpose(0, 3, 1, 2), grad_weight.transpose(0, 3, 1, 2), grad_bias
