"""2-D max pooling, NCHW: Y = the maximum of each kernel window;
dE/dX = dE/dY routed to each window's *first* maximum (in row-major window order), as PyTorch.

Ties are common here: where relu zeroed a region, the next conv outputs its bias at every
pixel of it, so a window often holds several equal maxima. Routing to the first one (not
splitting evenly among ties, as the `max` reduction does) gives PyTorch's gradients, so
training runs agree with PyTorch's.

Both directions loop over the kh·kw offsets (i, j) inside a window, not over windows:
element (i, j) of every window together is one strided view of X,
X[:, :, dh·i + sh·a, dw·j + sw·b] for a < OH, b < OW (d: the dilation, 1 for a dense window). The forward is kh·kw − 1 elementwise maxima
of those views, nothing else (evaluation under no_grad pays for no mask); the backward walks
the offsets in order, marks where a view equals Y in windows not yet served, and writes
dE/dY there: kh·kw masked writes into dE/dX, no window copies, no scatter. (A window whose
maximum is NaN equals nothing, so it passes no gradient.)

This op pools what it is given; F.max_pool2d pads the input with −∞ first when asked for
padding or ceil_mode, so a padded cell is never a window's maximum.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ..function import Context, Function
from . import xp
from .conv import Pair, as_pair, output_size


def offset_views(x: np.ndarray, kernel: Pair, stride: Pair, out_hw: Pair, dilation: Pair = (1, 1)) -> list[np.ndarray]:
    """For each offset (i, j) of a kh×kw window, in row-major order, the view of x
    (N, C, H, W) that holds element (i, j) of every window: (N, C, OH, OW), no copy."""
    (stride_h, stride_w), (out_h, out_w), (dilation_h, dilation_w) = stride, out_hw, dilation
    return [
        x[:, :, i : i + stride_h * out_h : stride_h, j : j + stride_w * out_w : stride_w]
        for i in range(0, dilation_h * kernel[0], dilation_h)
        for j in range(0, dilation_w * kernel[1], dilation_w)
    ]


class MaxPool2d(Function):
    """Y[n, c, a, b] = max_(i, j) X[n, c, sh·a + dh·i, sw·b + dw·j];
    dE/dX[n, c, sh·a + dh·i, sw·b + dw·j] += dE/dY[n, c, a, b] for the first (i, j) where X = Y."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, kernel_size: Any, stride: Any, dilation: Any = 1) -> np.ndarray:
        kernel = as_pair(kernel_size, "kernel_size")
        stride = kernel if stride is None else as_pair(stride, "stride")
        dilation = (1, 1) if dilation == 1 else as_pair(dilation, "dilation")
        if x.ndim != 4:
            raise ValueError(f"max_pool2d: input must be 4-D (N, C, H, W); got shape {x.shape}")
        if min(kernel + stride) < 1:
            raise ValueError(f"max_pool2d: kernel_size and stride must be positive; got kernel_size={kernel}, stride={stride}")
        if min(dilation) < 1:
            raise ValueError(f"max_pool2d: dilation must be positive; got dilation={dilation}")
        spans = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)  # a window's extent
        out_hw = (output_size(x.shape[2], spans[0], stride[0], 0), output_size(x.shape[3], spans[1], stride[1], 0))
        if min(out_hw) < 1:
            raise ValueError(f"max_pool2d: kernel {kernel} (dilation {dilation}) is larger than the input's {x.shape[2:]}")
        first, *others = offset_views(x, kernel, stride, out_hw, dilation)
        output = first.copy(order="K")  # "K": keeps x's memory order (batch-innermost after a conv)
        for view in others:
            np.maximum(output, view, out=output)  # in place: one pass per offset, no temporaries
        ctx.save_for_backward(x, output)
        ctx.kernel, ctx.stride, ctx.out_hw, ctx.dilation = kernel, stride, out_hw, dilation
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, ...]:
        x, output = ctx.saved_tensors
        # Which element is each window's first maximum is a constant of X (it changes only
        # where X has ties): the routing is linear in dE/dY, with no graph through X.
        geometry = (xp.values(x), xp.values(output), ctx.kernel, ctx.stride, ctx.out_hw, ctx.dilation)
        return (route_to_max(grad_output, *geometry), *(None,) * (len(ctx.needs_input_grad) - 1))


def _route_to_max_array(grad_output: np.ndarray, x: np.ndarray, output: np.ndarray, kernel: Pair, stride: Pair, out_hw: Pair, dilation: Pair) -> np.ndarray:
    """dE/dX: each window's dE/dY written at the window's first maximum."""
    # Windows overlap when one's extent reaches past the next one's start.
    windows_overlap = dilation[0] * (kernel[0] - 1) >= stride[0] or dilation[1] * (kernel[1] - 1) >= stride[1]
    if grad_output.strides != output.strides:
        # One copy into output's memory order (a flatten's gradient may arrive NCHW after
        # a conv's batch-innermost output): the loop below ran 1.6-2.4x slower on mixed orders.
        aligned = np.empty_like(output, dtype=grad_output.dtype)
        aligned[...] = grad_output
        grad_output = aligned
    input_grad = np.zeros_like(x, dtype=grad_output.dtype)  # x's memory order; 0 where no window reaches
    grad_views = offset_views(input_grad, kernel, stride, out_hw, dilation)
    for is_first_max, grad_view in zip(_first_max_masks(x, output, kernel, stride, out_hw, dilation), grad_views):
        if windows_overlap:
            grad_view += grad_output * is_first_max  # an element in several windows sums their gradients
        else:
            np.multiply(grad_output, is_first_max, out=grad_view)  # disjoint windows: write, no temporary
    return input_grad


def _gather_at_max_array(input_grad: np.ndarray, x: np.ndarray, output: np.ndarray, kernel: Pair, stride: Pair, out_hw: Pair, dilation: Pair) -> np.ndarray:
    """The adjoint of routing: for each window, the value at its first maximum."""
    gathered = np.zeros_like(output, dtype=input_grad.dtype)
    values = offset_views(input_grad, kernel, stride, out_hw, dilation)
    for is_first_max, view in zip(_first_max_masks(x, output, kernel, stride, out_hw, dilation), values):
        gathered += view * is_first_max
    return gathered


def _first_max_masks(x: np.ndarray, output: np.ndarray, kernel: Pair, stride: Pair, out_hw: Pair, dilation: Pair) -> Iterator[np.ndarray]:
    """For each window offset in row-major order, where that offset holds the window's first
    maximum. (A window whose maximum is NaN equals nothing, so it gets no mask.)"""
    # ones_like keeps output's memory order (batch-innermost after a conv): mixed orders ran slower.
    unrouted = np.ones_like(output, dtype=bool)  # windows whose maximum is not found yet
    for input_view in offset_views(x, kernel, stride, out_hw, dilation):
        is_first_max = np.equal(input_view, output)
        is_first_max &= unrouted
        unrouted ^= is_first_max  # is_first_max ⊆ unrouted, so xor clears exactly those
        yield is_first_max


def route_to_max(grad_output: Any, *geometry: Any) -> Any:
    if xp.is_tensor(grad_output):
        return RouteToMax.apply(grad_output, *geometry)
    return _route_to_max_array(grad_output, *geometry)


def gather_at_max(input_grad: Any, *geometry: Any) -> Any:
    if xp.is_tensor(input_grad):
        return GatherAtMax.apply(input_grad, *geometry)
    return _gather_at_max_array(input_grad, *geometry)


class RouteToMax(Function):
    """dE/dX = dE/dY routed to each window's first maximum (max-pool's backward, as an op);
    its own backward gathers at the same places."""

    @staticmethod
    def forward(ctx: Context, grad_output: np.ndarray, *geometry: Any) -> np.ndarray:
        ctx.geometry = geometry
        return _route_to_max_array(grad_output, *geometry)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        return (gather_at_max(grad, *ctx.geometry), *(None,) * len(ctx.geometry))


class GatherAtMax(Function):
    """Y = X at each window's first maximum;  dE/dX = dE/dY routed back there."""

    @staticmethod
    def forward(ctx: Context, input_grad: np.ndarray, *geometry: Any) -> np.ndarray:
        ctx.geometry = geometry
        return _gather_at_max_array(input_grad, *geometry)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        return (route_to_max(grad, *ctx.geometry), *(None,) * len(ctx.geometry))
