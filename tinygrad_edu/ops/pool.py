"""2-D max pooling, NCHW: Y = the maximum of each kernel window;
dE/dX = dE/dY routed to the element that was the maximum (split evenly among ties, as `max`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Context, Function
from .conv import Pair, add_windows_back, as_pair, output_size, windows


class MaxPool2d(Function):
    """Y[n, c, i, j] = max of X[n, c] over window (i, j);  dE/dX = dE/dY ⊙ [X = Y] / ties."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, kernel_size: Any, stride: Any) -> np.ndarray:
        kernel = as_pair(kernel_size, "kernel_size")
        stride = kernel if stride is None else as_pair(stride, "stride")
        if x.ndim != 4:
            raise ValueError(f"max_pool2d: input must be 4-D (N, C, H, W); got shape {x.shape}")
        out_hw = (output_size(x.shape[2], kernel[0], stride[0], 0), output_size(x.shape[3], kernel[1], stride[1], 0))
        if min(out_hw) < 1:
            raise ValueError(f"max_pool2d: kernel {kernel} is larger than the input's {x.shape[2:]}")
        ctx.input_shape, ctx.kernel, ctx.stride = x.shape, kernel, stride
        if kernel == stride:
            # Windows tile the input: a reshape is enough, (N, C, OH, kh, OW, kw), no window copy.
            tiles = _tiles(x, kernel, out_hw)
            output = tiles.max(axis=(3, 5))
            is_max = tiles == output[:, :, :, None, :, None]
            ctx.save_for_backward(is_max / is_max.sum(axis=(3, 5), keepdims=True, dtype=x.dtype))
            return output
        view = windows(x, kernel, stride, out_hw)
        output = view.max(axis=(4, 5))
        is_max = view == output[..., None, None]
        ctx.save_for_backward(is_max / is_max.sum(axis=(4, 5), keepdims=True, dtype=x.dtype))
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> tuple[np.ndarray, None, None]:
        (share,) = ctx.saved_tensors
        if ctx.kernel == ctx.stride:
            tile_grads = share * grad_output[:, :, :, None, :, None]
            return _untile(tile_grads, ctx.input_shape), None, None
        return add_windows_back(share * grad_output[..., None, None], ctx.input_shape, ctx.stride), None, None


def _tiles(x: np.ndarray, kernel: Pair, out_hw: Pair) -> np.ndarray:
    """x cropped to whole windows, as (N, C, OH, kh, OW, kw)."""
    batch, channels = x.shape[:2]
    cropped = x[:, :, : out_hw[0] * kernel[0], : out_hw[1] * kernel[1]]
    return cropped.reshape(batch, channels, out_hw[0], kernel[0], out_hw[1], kernel[1])


def _untile(tile_grads: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of `_tiles`: back to the input's shape, zeros where the crop cut."""
    batch, channels, out_h, kernel_h, out_w, kernel_w = tile_grads.shape
    grad = tile_grads.reshape(batch, channels, out_h * kernel_h, out_w * kernel_w)
    if grad.shape == tuple(input_shape):
        return grad
    input_grad = np.zeros(input_shape, dtype=grad.dtype)
    input_grad[:, :, : grad.shape[2], : grad.shape[3]] = grad
    return input_grad
