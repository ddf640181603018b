"""2-D convolution (cross-correlation, as in PyTorch and the tutorial), NCHW, as im2col + GEMM.

Y[n, k] = B_k + Σ_d X[n, d] ⋆ K[k, d]   (⋆: valid cross-correlation, with stride and padding)

im2col lays every receptive field of X out as one row of a matrix `cols`
(N·OH·OW rows, C·kh·kw columns), so the whole layer is one matrix product, Y = cols Kᵀ + B,
and its backward is the fully connected layer's backward on that matrix:
    dE/dK = dE/dYᵀ cols                (= X_d ⋆ dE/dY_k, the tutorial's valid correlation)
    dE/dcols = dE/dY K                 then col2im: each row goes back to its window, and
                                       overlapping windows add up (= Σ_k dE/dY_k ∗ K_dk,
                                       the tutorial's full convolution)
    dE/dB_k = Σ dE/dY_k
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Context, Function

Pair = tuple[int, int]


def as_pair(value: int | tuple[int, int], name: str) -> Pair:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints; got {value!r}")
    return int(pair[0]), int(pair[1])


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def windows(x: np.ndarray, kernel: Pair, stride: Pair, out_hw: Pair) -> np.ndarray:
    """Every kh×kw window of x (N, C, H, W) that the stride visits: a view
    (N, C, OH, OW, kh, kw), no copy."""
    view = sliding_window_view(x, kernel, axis=(2, 3))
    return view[:, :, : stride[0] * out_hw[0] : stride[0], : stride[1] * out_hw[1] : stride[1]]


def add_windows_back(window_grads: np.ndarray, input_shape: tuple[int, ...], stride: Pair) -> np.ndarray:
    """The adjoint of `windows`: add each window's gradient (N, C, OH, OW, kh, kw) back into
    an input-shaped array. One strided add per kernel offset (kh·kw of them, 9 for 3×3), so
    there is no scatter and no loop over samples or channels."""
    _, _, out_h, out_w, kernel_h, kernel_w = window_grads.shape
    input_grad = np.zeros(input_shape, dtype=window_grads.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            input_grad[:, :, i : i + stride[0] * out_h : stride[0], j : j + stride[1] * out_w : stride[1]] += window_grads[..., i, j]
    return input_grad


def pad_spatial(x: np.ndarray, padding: Pair) -> np.ndarray:
    if padding == (0, 0):
        return x
    return np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))


def check_conv_args(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, out_hw: Pair, padding: Pair) -> None:
    if x.ndim != 4:
        raise ValueError(f"conv2d: input must be 4-D (N, C, H, W); got shape {x.shape}")
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out_channels, in_channels, kh, kw); got shape {weight.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d: input has {x.shape[1]} channels (shape {x.shape}) but the weight expects "
            f"{weight.shape[1]} (weight shape {weight.shape})"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"conv2d: bias of shape {bias.shape} does not fit {weight.shape[0]} output channels")
    if min(out_hw) < 1:
        raise ValueError(
            f"conv2d: kernel {weight.shape[2:]} is larger than the padded input "
            f"{x.shape[2:]} + padding {padding}"
        )


class Conv2d(Function):
    """Y = cols(X) Kᵀ + B;  dE/dK = dE/dYᵀ cols(X),  dE/dX = col2im(dE/dY K),  dE/dB = Σ dE/dY.

    x: (N, C, H, W), weight: (O, C, kh, kw), bias: (O,) or None.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Any, padding: Any) -> np.ndarray:
        stride, padding = as_pair(stride, "stride"), as_pair(padding, "padding")
        out_channels, _, kernel_h, kernel_w = weight.shape if weight.ndim == 4 else (0, 0, 0, 0)
        out_hw = (
            output_size(x.shape[-2], kernel_h, stride[0], padding[0]),
            output_size(x.shape[-1], kernel_w, stride[1], padding[1]),
        )
        check_conv_args(x, weight, bias, out_hw, padding)
        batch = x.shape[0]
        padded = pad_spatial(x, padding)
        # (N, OH, OW, C, kh, kw) rows: the reshape copies the windows once, into the im2col matrix.
        cols = windows(padded, (kernel_h, kernel_w), stride, out_hw).transpose(0, 2, 3, 1, 4, 5)
        cols = cols.reshape(batch * out_hw[0] * out_hw[1], -1)
        output = cols @ weight.reshape(out_channels, -1).T
        if bias is not None:
            output += bias
        ctx.save_for_backward(cols, weight)
        ctx.padded_shape, ctx.stride, ctx.padding = padded.shape, stride, padding
        return output.reshape(batch, out_hw[0], out_hw[1], out_channels).transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[Any, Any, Any, None, None]:
        cols, weight = ctx.saved_tensors
        batch, out_channels, out_h, out_w = grad_output.shape
        grad_rows = grad_output.transpose(0, 2, 3, 1).reshape(-1, out_channels)
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_cols = grad_rows @ weight.reshape(out_channels, -1)
            window_grads = grad_cols.reshape(batch, out_h, out_w, *weight.shape[1:]).transpose(0, 3, 1, 2, 4, 5)
            grad_padded = add_windows_back(window_grads, ctx.padded_shape, ctx.stride)
            ph, pw = ctx.padding
            grad_x = grad_padded[:, :, ph : ctx.padded_shape[2] - ph, pw : ctx.padded_shape[3] - pw]
        if ctx.needs_input_grad[1]:
            grad_weight = (grad_rows.T @ cols).reshape(weight.shape)
        if ctx.needs_input_grad[2]:
            grad_bias = grad_rows.sum(axis=0)
        return grad_x, grad_weight, grad_bias, None, None
