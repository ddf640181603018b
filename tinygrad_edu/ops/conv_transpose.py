"""Transposed 2-D convolution (sometimes called "deconvolution"), NCHW: the adjoint of conv2d's
map from its input to its output, as torch.nn.functional.conv_transpose2d.

conv2d with kernel K takes an image Z (N, C_out, H', W') to Y = K im2col(Z) (N, C_in, H, W);
its transpose goes the other way, from X (N, C_in, H, W) to an image of Z's shape:
    Y = col2im(Kᵀ X) + B            every input pixel spreads a kh×kw patch of K onto the output,
                                    overlapping patches add up (the input gradient of conv2d)
    dE/dX = K im2col(dE/dY)         conv2d of dE/dY with the same K
    dE/dK = X im2col(dE/dY)ᵀ        conv2d's weight gradient, with X in dE/dY's role
    dE/dB_k = Σ dE/dY_k
Here X is (C_in, H·W·N), one row per input channel: it plays the role of conv2d's dE/dY.
The weight is (C_in, C_out/G, kh, kw), as torch's: conv2d's layout with "in" and "out" read
from the conv2d this one is the transpose of. Groups and dilation mean what they mean there.

The output size is (H − 1)·s − 2p + d·(k − 1) + output_padding + 1: stride s > 1 leaves the
last s − 1 rows open to several sizes (each gives back H under conv2d), and output_padding
picks one; it adds rows at the bottom/right (< max(s, d), as torch).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from . import xp
from .conv import Geometry, as_pair, check_groups, col2im, im2col, weight_grad, weight_t_times_rows, weight_times_cols


def _transposed_output_size(size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int) -> int:
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def check_transposed_args(name: str, x_shape: tuple[int, ...], weight_shape: tuple[int, ...], bias: Any, stride: tuple[int, ...],
                          padding: tuple[int, ...], output_padding: tuple[int, ...], groups: int,
                          dilation: tuple[int, ...]) -> tuple[int, ...]:
    """Raise a clear error for inputs that do not fit together; return the output's spatial
    size. One or two spatial dims (conv_transpose1d and conv_transpose2d share it)."""
    dims = len(stride)
    if len(x_shape) != dims + 2 or len(weight_shape) != dims + 2:
        layouts = ("(N, C_in, L) and (C_in, C_out/groups, k)", "(N, C_in, H, W) and (C_in, C_out/groups, kh, kw)")[dims - 1]
        raise ShapeError(f"{name}: input and weight must be {dims + 2}-D, {layouts}; got shapes {x_shape} and {weight_shape}")
    check_groups(name, weight_shape, groups, "input")
    if x_shape[1] != weight_shape[0]:
        raise ShapeError(f"{name}: input has {x_shape[1]} channels (shape {x_shape}) but the weight expects {weight_shape[0]} "
                         f"(weight shape {weight_shape}: in_channels come first in a transposed convolution's weight)")
    out_channels = weight_shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(f"{name}: bias of shape {tuple(bias.shape)} does not fit {out_channels} output channels")
    if min(stride) < 1 or min(padding) < 0 or min(dilation) < 1 or min(output_padding) < 0:
        raise ShapeError(f"{name}: stride and dilation must be positive, padding and output_padding non-negative; got "
                         f"stride={stride}, padding={padding}, dilation={dilation}, output_padding={output_padding}")
    if any(extra >= max(s, d) for extra, s, d in zip(output_padding, stride, dilation)):
        raise ShapeError(f"{name}: output padding must be smaller than either stride or dilation; got "
                         f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    out = tuple(_transposed_output_size(*sizes) for sizes in zip(x_shape[2:], weight_shape[2:], stride, padding, output_padding, dilation))
    if min(out) < 1:
        raise ShapeError(f"{name}: the output size {out} is too small (input size {x_shape[2:]}, kernel {weight_shape[2:]}, "
                         f"padding {padding}): use less padding")
    return out


class ConvTranspose2d(Function):
    """Y = col2im(Kᵀ X) + B;  dE/dX = K im2col(dE/dY),  dE/dK = X im2col(dE/dY)ᵀ,  dE/dB = Σ dE/dY.

    x: (N, C_in, H, W), weight: (C_in, C_out/G, kh, kw), bias: (C_out,) or None;
    Y: (N, C_out, H', W'). Its backward is conv2d's forward pieces (im2col and a product) and
    its weight gradient, each differentiable, so double backward works as for conv2d.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Any, padding: Any,
                output_padding: Any, groups: int, dilation: Any) -> np.ndarray:
        stride, padding, dilation = as_pair(stride, "stride"), as_pair(padding, "padding"), as_pair(dilation, "dilation")
        output_padding = as_pair(output_padding, "output_padding")
        out_hw = check_transposed_args("conv_transpose2d", x.shape, weight.shape, bias, stride, padding, output_padding, groups, dilation)
        batch, in_channels, height, width = x.shape
        # The windows of the conv2d this is the transpose of: one per input pixel, H × W of them.
        geometry = Geometry(weight.shape[2:], stride, padding, dilation, (height, width))
        rows = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).reshape(in_channels, height * width * batch)
        output_shape = (batch, weight.shape[1] * groups, *out_hw)
        output = col2im(weight_t_times_rows(weight, rows, groups), output_shape, geometry)
        if bias is not None:
            output += bias[:, None, None]
        ctx.save_for_backward(x, weight)
        ctx.cache, ctx.geometry, ctx.groups = rows, geometry, groups
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, ...]:
        x, weight = ctx.saved_tensors
        batch, in_channels, height, width = x.shape
        grad_cols = im2col(grad_output, ctx.geometry)  # dE/dY's windows, as conv2d's forward would take them
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_rows = weight_times_cols(weight, grad_cols, ctx.groups).reshape((in_channels, height, width, batch))
            grad_x = xp.permute(grad_rows, (3, 0, 1, 2))
        if ctx.needs_input_grad[1]:
            # First order reuses forward's rows; double backward rebuilds them from the x Tensor.
            rows = ctx.cache
            if xp.is_tensor(grad_output):
                rows = xp.permute(x, (1, 2, 3, 0)).reshape((in_channels, height * width * batch))
            grad_weight = weight_grad(rows, grad_cols, weight.shape, ctx.groups)
        if ctx.needs_input_grad[2]:
            grad_bias = xp.sum(grad_output, (0, 2, 3))
        return grad_x, grad_weight, grad_bias, None, None, None, None, None


def conv_transpose_output_padding(input_hw: tuple[int, ...], output_size: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
                                  padding: tuple[int, ...], dilation: tuple[int, ...]) -> tuple[int, ...]:
    """The output_padding that gives the requested output_size (its last len(kernel) entries):
    ConvTranspose2d's forward(input, output_size) as torch's."""
    dims = len(kernel)
    requested = tuple(int(size) for size in output_size)[-dims:]
    if len(tuple(output_size)) not in (dims, dims + 2):
        raise ShapeError(f"output_size must have {dims} or {dims + 2} elements (got {len(tuple(output_size))})")
    smallest = tuple(_transposed_output_size(*sizes, 0, d) for sizes, d in zip(zip(input_hw, kernel, stride, padding), dilation))
    largest = tuple(low + s - 1 for low, s in zip(smallest, stride))
    if any(not low <= size <= high for size, low, high in zip(requested, smallest, largest)):
        raise ShapeError(f"requested an output size of {requested}, but valid sizes range from {smallest} to {largest} "
                         f"(for an input of {tuple(input_hw)})")
    return tuple(size - low for size, low in zip(requested, smallest))

