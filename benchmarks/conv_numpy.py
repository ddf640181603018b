"""conv2d forward + backward written by hand in numpy, several ways, to find the fastest
(stride 1, any kernel size, zero padding p).

Each formulation computes, for x (N, C, H, W), weight K (O, C, kh, kw), bias B (O,) and a
given dE/dY:  Y = cross-correlation of X with K, plus B;  dE/dX, dE/dK and dE/dB.

- batch_last: im2col with images stored batch-innermost, (C, H, W, N) in memory, so every
  window offset is one slice copy of runs of OW·N floats; cols (C·kh·kw + 1, OH·OW·N) carries
  a row of ones, so the bias rides in the GEMMs; the GEMMs run in the orientations and column
  blocks that OpenBLAS runs fastest here. The fastest here; the hand-written CNNs use its
  pieces (`im2col_batch_last`, `col2im_batch_last`, `column_blocks`).
- rows_nchw: the textbook im2col: one row per output pixel, cols (N·H·W, C·kh·kw), Y = cols Kᵀ;
  dE/dX by adding each window's gradient back (col2im).
- rows_nhwc: the same with channels last (input, output and gradients NHWC), so the rows of
  cols are (kh, kw, C) and Y comes out of the GEMM already in its layout.
- kmajor: one *column* per output pixel, cols (C·kh·kw, N·H·W), Y = K cols: its copy reads
  whole image rows (fast), and Y comes out as (O, N, H, W), handed back as an NCHW view.
  `conv_forward_cnhw` / `conv_backward_cnhw` below are this formulation in channel-major
  layout (C, N, H, W).
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


# Columns per GEMM call in `column_blocks`; measured best between 3,000 and 8,000 here.
BLOCK_COLUMNS = 4096


def column_blocks(count: int, size: int = BLOCK_COLUMNS) -> list[slice]:
    """Slices of `size` columns covering range(count). OpenBLAS runs the long, thin GEMMs of
    a conv with few channels 1.5-2.3x faster a block at a time (measured at 1 input channel;
    the same speed at 16)."""
    return [slice(start, start + size) for start in range(0, count, size)]


def pad_batch_last(x: np.ndarray, padding: int) -> np.ndarray:
    """x (N, C, H, W) as a new zero-padded (C, H + 2p, W + 2p, N) array, batch innermost."""
    batch, channels, height, width = x.shape
    padded = np.zeros((channels, height + 2 * padding, width + 2 * padding, batch), dtype=x.dtype)
    padded[:, padding : padding + height, padding : padding + width] = x.transpose(1, 2, 3, 0)
    return padded


def im2col_batch_last(padded: np.ndarray, kernel_hw: tuple[int, int], cols: np.ndarray) -> None:
    """Fill cols[:C·kh·kw], viewed as (C, kh, kw, OH, OW, N), with every window of padded
    (C, H, W, N): one slice copy per kernel offset, and each copies runs of OW·N floats."""
    channels, height, width, batch = padded.shape
    kernel_h, kernel_w = kernel_hw
    out_h, out_w = height - kernel_h + 1, width - kernel_w + 1
    windows = cols[: channels * kernel_h * kernel_w].reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)
    for i in range(kernel_h):
        for j in range(kernel_w):
            windows[:, i, j] = padded[:, i : i + out_h, j : j + out_w]


def col2im_batch_last(window_grads: np.ndarray, padding: int, grad_x: np.ndarray) -> np.ndarray:
    """The adjoint of im2col: add each window's gradient, window_grads (C, kh, kw, OH, OW, N),
    back into grad_x (C, H, W, N), which is overwritten and returned; no padded buffer, since
    the part of each offset's slice that falls in the padding is cut off instead."""
    _, kernel_h, kernel_w, out_h, out_w, _ = window_grads.shape
    height, width = grad_x.shape[1:3]
    centre_covers_all = (out_h, out_w) == (height, width) and padding < min(kernel_h, kernel_w)
    if centre_covers_all:
        grad_x[...] = window_grads[:, padding, padding]  # "same" padding: a copy instead of zeros + one add
    else:
        grad_x[...] = 0
    for i in range(kernel_h):
        for j in range(kernel_w):
            if centre_covers_all and (i, j) == (padding, padding):
                continue
            rows = slice(max(0, i - padding), min(height, i - padding + out_h))
            cols = slice(max(0, j - padding), min(width, j - padding + out_w))
            source_rows = slice(rows.start - i + padding, rows.stop - i + padding)
            source_cols = slice(cols.start - j + padding, cols.stop - j + padding)
            grad_x[:, rows, cols] += window_grads[:, i, j, source_rows, source_cols]
    return grad_x


def batch_last(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad_output: np.ndarray, padding: int) -> ConvResult:
    """NCHW in and out (the results are views); inside, batch innermost:
    Y = colsᵀ [K | B]ᵀ, dE/d[K | B] = cols dE/dY, dE/dcols = K dE/dY (a column per output
    pixel), with [K | B]ᵀ as (C·kh·kw + 1, O) and dE/dY as (OH·OW·N, O)."""
    batch, channels, height, width = x.shape
    out_channels, _, kernel_h, kernel_w = weight.shape
    padded = pad_batch_last(x, padding)
    out_h, out_w = padded.shape[1] - kernel_h + 1, padded.shape[2] - kernel_w + 1
    pixels = out_h * out_w * batch
    cols = np.empty((channels * kernel_h * kernel_w + 1, pixels), dtype=x.dtype)
    cols[-1] = 1  # a row of ones: the bias joins the GEMM, and its gradient comes out of dE/dK's
    im2col_batch_last(padded, (kernel_h, kernel_w), cols)
    weight_bias = np.concatenate((weight.reshape(out_channels, -1).T, bias[None, :]))  # [K | B]ᵀ
    grad_rows = grad_output.transpose(2, 3, 0, 1).reshape(pixels, out_channels)  # the one copy of dE/dY
    output = np.empty((pixels, out_channels), dtype=x.dtype)
    grad_cols = np.empty((channels * kernel_h * kernel_w, pixels), dtype=x.dtype)
    grad_weight_bias = np.zeros_like(weight_bias)
    for block in column_blocks(pixels):
        # Y as (pixels, O): OpenBLAS runs colsᵀ [K | B]ᵀ 1.3-1.5x faster than [K | B] cols
        # at 16 channels, and the caller gets an NCHW view either way.
        np.matmul(cols[:, block].T, weight_bias, out=output[block])
    for block in column_blocks(pixels):
        grad_weight_bias += cols[:, block] @ grad_rows[block]
        np.matmul(weight_bias[:-1], grad_rows[block].T, out=grad_cols[:, block])
    window_grads = grad_cols.reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)
    grad_x = col2im_batch_last(window_grads, padding, np.empty((channels, height, width, batch), dtype=x.dtype))
    output_nchw = output.reshape(out_h, out_w, batch, out_channels).transpose(2, 3, 0, 1)
    grad_weight = grad_weight_bias[:-1].T.reshape(weight.shape)
    return output_nchw, grad_x.transpose(3, 0, 1, 2), grad_weight, grad_weight_bias[-1]


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
    "batch_last": (batch_last, False),
    "kmajor": (kmajor, False),
    "rows_nchw": (rows_nchw, False),
    "rows_nhwc": (rows_nhwc, True),
    "einsum": (einsum, False),
    "tensordot": (tensordot, False),
}
BEST = "batch_last"


def to_channels_last(x: np.ndarray, weight: np.ndarray, grad_output: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs for rows_nhwc, made once outside the timing (a channels-last framework keeps them so)."""
    return tuple(np.ascontiguousarray(array.transpose(0, 2, 3, 1)) for array in (x, weight, grad_output))  # type: ignore[return-value]


def from_channels_last(result: ConvResult) -> ConvResult:
    output, grad_x, grad_weight, grad_bias = result
    return output.transpose(0, 3, 1, 2), grad_x.transpose(0, 3, 1, 2), grad_weight.transpose(0, 3, 1, 2), grad_bias
