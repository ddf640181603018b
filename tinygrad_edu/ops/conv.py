"""2-D convolution (cross-correlation, as in PyTorch and the tutorial), NCHW, as im2col + GEMM.

Y[n, k] = B_k + Σ_d X[n, d] ⋆ K[k, d]   (⋆: valid cross-correlation, with stride and padding)

im2col lays every receptive field of X out as one *column* of a matrix `cols`
(C·kh·kw rows, OH·OW·N columns), so the whole layer is one matrix product, Y = K cols + B
(K as O rows of C·kh·kw weights), and its backward is the fully connected layer's backward
on that matrix:
    dE/dK = dE/dY colsᵀ                (= X_d ⋆ dE/dY_k, the tutorial's valid correlation)
    dE/dcols = Kᵀ dE/dY                then col2im: each column goes back to its window, and
                                       overlapping windows add up (= Σ_k dE/dY_k ∗ K_dk,
                                       the tutorial's full convolution)
    dE/dB_k = Σ dE/dY_k
Here dE/dY is (O, OH·OW·N): one row per output channel.

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

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Context, Function
from . import xp

Pair = tuple[int, int]


def as_pair(value: int | tuple[int, int], name: str) -> Pair:
    if isinstance(value, (int, np.integer)):
        pair: tuple[Any, ...] = (value, value)
    elif isinstance(value, (tuple, list)):
        pair = tuple(value)
    else:
        pair = ()
    message = f"{name} must be an int or a pair of ints; got {value!r}"
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair) or not pair:
        raise TypeError(message)  # a float stride, say: the wrong type, as torch says
    if len(pair) != 2:
        raise ValueError(message)
    return int(pair[0]), int(pair[1])


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


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


def windows(padded: np.ndarray, kernel: Pair, stride: Pair, out_hw: Pair) -> np.ndarray:
    """Every kh×kw window of padded (C, H, W, N) that the stride visits:
    a view (C, OH, OW, N, kh, kw), no copy."""
    view = sliding_window_view(padded, kernel, axis=(1, 2))
    return view[:, : stride[0] * out_hw[0] : stride[0], : stride[1] * out_hw[1] : stride[1]]


def add_windows_back(window_grads: np.ndarray, padded_shape: tuple[int, ...], stride: Pair) -> np.ndarray:
    """col2im, the adjoint of `windows`: add each window's gradient (C, kh, kw, OH, OW, N)
    back into an array of padded_shape (C, H, W, N). One strided add per kernel offset
    (kh·kw of them, 9 for 3×3), so there is no scatter and no loop over samples or channels."""
    _, kernel_h, kernel_w, out_h, out_w, _ = window_grads.shape
    grad = np.zeros(padded_shape, dtype=window_grads.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            grad[:, i : i + stride[0] * out_h : stride[0], j : j + stride[1] * out_w : stride[1]] += window_grads[:, i, j]
    return grad


def check_conv_args(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Pair, padding: Pair) -> Pair:
    """Raise a clear error for inputs that do not fit together; return (OH, OW)."""
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
    if min(stride) < 1 or min(padding) < 0:
        raise ValueError(f"conv2d: stride must be positive and padding non-negative; got stride={stride}, padding={padding}")
    out_hw = (
        output_size(x.shape[2], weight.shape[2], stride[0], padding[0]),
        output_size(x.shape[3], weight.shape[3], stride[1], padding[1]),
    )
    if min(out_hw) < 1:
        raise ValueError(
            f"conv2d: kernel {weight.shape[2:]} is larger than the padded input "
            f"{x.shape[2:]} + padding {padding}"
        )
    return out_hw


def _im2col_array(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, out_hw: Pair) -> np.ndarray:
    """cols (C·kh·kw, OH·OW·N): each receptive field of x (N, C, H, W) as one column."""
    channels = x.shape[1]
    windows_view = windows(batch_innermost(x, padding), kernel, stride, out_hw).transpose(0, 4, 5, 1, 2, 3)
    return windows_view.reshape(channels * kernel[0] * kernel[1], out_hw[0] * out_hw[1] * x.shape[0])


def _col2im_array(cols: np.ndarray, input_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """The adjoint of im2col: each column added back into its window of an (N, C, H, W) array
    (overlapping windows add up), the padding cut off."""
    batch, channels, height, width = input_shape
    ph, pw = padding
    out_hw = _out_hw(input_shape, kernel, stride, padding)
    window_grads = cols.reshape(channels, *kernel, *out_hw, batch)
    padded = add_windows_back(window_grads, (channels, height + 2 * ph, width + 2 * pw, batch), stride)
    return padded[:, ph : ph + height, pw : pw + width].transpose(3, 0, 1, 2)


def im2col(x: Any, kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """im2col of an array, or of a Tensor as a differentiable op."""
    if xp.is_tensor(x):
        return Im2Col.apply(x, kernel, stride, padding)
    return _im2col_array(x, kernel, stride, padding, _out_hw(x.shape, kernel, stride, padding))


def col2im(cols: Any, input_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> Any:
    """col2im of an array, or of a Tensor as a differentiable op."""
    if xp.is_tensor(cols):
        return Col2Im.apply(cols, tuple(input_shape), kernel, stride, padding)
    return _col2im_array(cols, input_shape, kernel, stride, padding)


def _out_hw(input_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> Pair:
    return (
        output_size(input_shape[2], kernel[0], stride[0], padding[0]),
        output_size(input_shape[3], kernel[1], stride[1], padding[1]),
    )


class Im2Col(Function):
    """cols = im2col(X), every receptive field as a column;  dE/dX = col2im(dE/dcols)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
        ctx.geometry = (x.shape, kernel, stride, padding)
        return _im2col_array(x, kernel, stride, padding, _out_hw(x.shape, kernel, stride, padding))

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None, None]:
        return col2im(grad_output, *ctx.geometry), None, None, None


class Col2Im(Function):
    """X = col2im(cols), columns added back into their windows;  dE/dcols = im2col(dE/dX)."""

    @staticmethod
    def forward(ctx: Context, cols: np.ndarray, input_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
        ctx.geometry = (kernel, stride, padding)
        return _col2im_array(cols, input_shape, kernel, stride, padding)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None, None, None]:
        return im2col(grad_output, *ctx.geometry), None, None, None, None


class Conv2d(Function):
    """Y = K cols(X) + B;  dE/dK = dE/dY cols(X)ᵀ,  dE/dX = col2im(Kᵀ dE/dY),  dE/dB = Σ dE/dY.

    x: (N, C, H, W), weight: (O, C, kh, kw), bias: (O,) or None; Y: (N, O, OH, OW).
    The backward is itself matrix products and im2col/col2im, each differentiable, so the
    double backward of a convolution is convolutions again.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Any, padding: Any) -> np.ndarray:
        stride, padding = as_pair(stride, "stride"), as_pair(padding, "padding")
        out_h, out_w = check_conv_args(x, weight, bias, stride, padding)
        out_channels, _, kernel_h, kernel_w = weight.shape
        cols = _im2col_array(x, (kernel_h, kernel_w), stride, padding, (out_h, out_w))
        output = weight.reshape(out_channels, cols.shape[0]) @ cols
        if bias is not None:
            output += bias[:, None]
        ctx.save_for_backward(x, weight)
        ctx.cache, ctx.geometry = cols, ((kernel_h, kernel_w), stride, padding)
        return output.reshape(out_channels, out_h, out_w, x.shape[0]).transpose(3, 0, 1, 2)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any, None, None]:
        x, weight = ctx.saved_tensors
        out_channels, window = weight.shape[0], int(np.prod(weight.shape[1:]))
        # Free when grad_output lies batch-innermost, as the gradient of our own output does.
        batch, _, out_h, out_w = grad_output.shape  # explicit sizes: 0 output channels work
        grad_rows = xp.permute(grad_output, (1, 2, 3, 0)).reshape((out_channels, out_h * out_w * batch))
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_cols = weight.reshape((out_channels, window)).T @ grad_rows
            grad_x = col2im(grad_cols, x.shape, *ctx.geometry)
        if ctx.needs_input_grad[1]:
            # First order reuses forward's cols; double backward rebuilds them from the x
            # Tensor, so that they carry its graph.
            cols = im2col(x, *ctx.geometry) if xp.is_tensor(grad_output) else ctx.cache
            # (cols dE/dYᵀ)ᵀ, not dE/dY colsᵀ: the same product, 1.3-1.5x faster in OpenBLAS for
            # these long, thin operands (measured at the benchmarks' sizes).
            # Made contiguous and owned: the weight's leaf adopts it instead of copying it.
            grad_weight = xp.contiguous((cols @ grad_rows.T).T.reshape(weight.shape))
        if ctx.needs_input_grad[2]:
            grad_bias = xp.sum(grad_rows, 1)
        return grad_x, grad_weight, grad_bias, None, None
