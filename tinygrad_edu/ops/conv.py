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

Groups split the channels into G independent convolutions: output channels of group g see only
input channels of group g. K is then block-diagonal (G blocks of O/G × C/G·kh·kw) and each
product above is G smaller products, one batched matmul (see `weight_times_cols`). Dilation spaces a
window's taps d apart: im2col reads every d-th pixel of a wider span, col2im adds back there.

Layers that keep their width, with kernels more than one row high (a ResNet's 3×3 layers,
say), take a faster path to the same products, with a third of the copying: ops/conv_rows.py.

The layout the op computes in (batch-innermost) is described in ops/conv_windows.py, with
the window helpers that im2col and col2im are made of.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from . import conv_rows, xp
from .conv_windows import Geometry, Pair, col2im_array, im2col_array, output_size


def as_pair(value: int | tuple[int, int], name: str) -> Pair:
    if type(value) is int:  # the common case, checked first: this runs on every conv call
        return value, value
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


def as_single(value: int | tuple[int], name: str) -> tuple[int]:
    """A 1-D convolution's option: an int or a 1-element tuple, as torch's (which stores a 1-tuple)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int or a 1-element tuple of ints; got {value!r}")
    return (int(value),)


def check_groups(name: str, weight_shape: tuple[int, ...], groups: Any, channels: str) -> None:
    """groups must be a positive int dividing the weight's first dimension (its `channels`
    channels: output channels in a convolution, input channels in a transposed one)."""
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ShapeError(f"{name}: groups must be a positive int (non-positive groups is not supported); got groups={groups!r}")
    if weight_shape[0] % groups:
        raise ShapeError(f"{name}: the weight's {weight_shape[0]} {channels} channels (weight shape {weight_shape}) "
                         f"are not divisible by groups={groups}")


def check_conv_args(name: str, x_shape: tuple[int, ...], weight_shape: tuple[int, ...], bias: Any, stride: tuple[int, ...],
                    padding: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> tuple[int, ...]:
    """Raise a clear error for a convolution's inputs that do not fit together; return the
    output's spatial size. One to three spatial dims (conv1d and conv2d share it)."""
    x_shape, weight_shape = tuple(x_shape), tuple(weight_shape)  # messages print plain tuples, not torch.Size
    dims = len(stride)
    if len(x_shape) != dims + 2:
        layout = ("N, C, L", "N, C, H, W", "N, C, D, H, W")[dims - 1]
        raise ShapeError(f"{name}: input must be {dims + 2}-D ({layout}); got shape {x_shape}")
    if len(weight_shape) != dims + 2:
        raise ShapeError(f"{name}: weight must be {dims + 2}-D (out_channels, in_channels/groups, kernel size); got shape {weight_shape}")
    check_groups(name, weight_shape, groups, "output")
    if x_shape[1] != weight_shape[1] * groups:
        per_group = f" ({weight_shape[1]} per group × groups={groups})" if groups > 1 else ""
        raise ShapeError(
            f"{name}: input has {x_shape[1]} channels (shape {x_shape}) but the weight expects "
            f"{weight_shape[1] * groups}{per_group} (weight shape {weight_shape})"
        )
    if bias is not None and tuple(bias.shape) != (weight_shape[0],):
        raise ShapeError(f"{name}: bias of shape {tuple(bias.shape)} does not fit {weight_shape[0]} output channels")
    if min(stride) < 1 or min(padding) < 0 or min(dilation) < 1:
        raise ShapeError(
            f"{name}: stride must be positive, padding non-negative and dilation positive; "
            f"got stride={stride}, padding={padding}, dilation={dilation}"
        )
    kernel = weight_shape[2:]
    out = tuple(map(output_size, x_shape[2:], kernel, stride, padding, dilation))
    if min(out) < 1:
        spans = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
        span = "" if max(dilation) == 1 else f" with dilation {dilation} (spanning {spans})"
        raise ShapeError(f"{name}: kernel {kernel}{span} is larger than the padded input {x_shape[2:]} + padding {padding}")
    return out


def im2col(x: Any, geometry: Geometry) -> Any:
    """im2col of an array, or of a Tensor as a differentiable op."""
    if xp.is_tensor(x):
        return Im2Col.apply(x, geometry)
    return im2col_array(x, geometry)


def col2im(cols: Any, input_shape: tuple[int, ...], geometry: Geometry) -> Any:
    """col2im of an array, or of a Tensor as a differentiable op."""
    if xp.is_tensor(cols):
        return Col2Im.apply(cols, tuple(input_shape), geometry)
    return col2im_array(cols, input_shape, geometry)


class Im2Col(Function):
    """cols = im2col(X), every receptive field as a column;  dE/dX = col2im(dE/dcols)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, geometry: Geometry) -> np.ndarray:
        ctx.input_shape, ctx.geometry = x.shape, geometry
        return im2col_array(x, geometry)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
        return col2im(grad_output, ctx.input_shape, ctx.geometry), None


class Col2Im(Function):
    """X = col2im(cols), columns added back into their windows;  dE/dcols = im2col(dE/dX)."""

    @staticmethod
    def forward(ctx: Context, cols: np.ndarray, input_shape: tuple[int, ...], geometry: Geometry) -> np.ndarray:
        ctx.geometry = geometry
        return col2im_array(cols, input_shape, geometry)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, None, None]:
        return im2col(grad_output, ctx.geometry), None, None


def _grouped(matrix: Any, groups: int) -> Any:
    """(G·r, c) → (G, r, c): group g's block of rows, for one batched matmul over the groups."""
    rows, columns = matrix.shape
    return matrix.reshape((groups, rows // groups, columns))


def weight_times_cols(weight: Any, cols: Any, groups: int) -> Any:
    """K cols, K = weight (O, C/G, kh, kw) as a block-diagonal (O, C·kh·kw) matrix: group g's
    O/G rows of K meet only group g's C/G·kh·kw rows of cols. Result (O, L)."""
    out_channels, window = weight.shape[0], cols.shape[0] // groups
    if groups == 1:
        return weight.reshape((out_channels, window)) @ cols
    blocks = weight.reshape((groups, out_channels // groups, window))
    return (blocks @ _grouped(cols, groups)).reshape((out_channels, cols.shape[1]))


def weight_t_times_rows(weight: Any, rows: Any, groups: int) -> Any:
    """Kᵀ rows, the adjoint of `weight_times_cols`: rows (O, L) → (C·kh·kw, L)."""
    out_channels, window = weight.shape[0], int(np.prod(weight.shape[1:]))
    if groups == 1:
        return weight.reshape((out_channels, window)).T @ rows
    # Each block transposed, made contiguous (the weight is small): numpy's batched matmul
    # runs 2x slower on the strided view.
    blocks = xp.contiguous(xp.swapaxes(weight.reshape((groups, out_channels // groups, window)), 1, 2))
    if out_channels == groups:
        # One filter per group (depthwise): each product is an outer product, (window, 1) times
        # (1, L), which numpy's broadcasting multiply does 3x faster than matmul.
        return (blocks * _grouped(rows, groups)).reshape((groups * window, rows.shape[1]))
    return (blocks @ _grouped(rows, groups)).reshape((groups * window, rows.shape[1]))


def weight_grad(rows: Any, cols: Any, weight_shape: tuple[int, ...], groups: int) -> Any:
    """dE/dK = rows colsᵀ, block by block (the blocks off the diagonal are no weights), as an
    array of weight_shape: rows (O, L) are dE/dY, cols (C·kh·kw, L) the input's windows."""
    if groups == 1:
        # (cols rowsᵀ)ᵀ, not rows colsᵀ: the same product, 1.3-1.5x faster in OpenBLAS for
        # these long, thin operands (measured at the benchmarks' sizes).
        # Made contiguous and owned: the weight's leaf adopts it instead of copying it.
        return xp.contiguous((cols @ rows.T).T.reshape(weight_shape))
    per_group = _grouped(cols, groups) @ xp.swapaxes(_grouped(rows, groups), 1, 2)
    return xp.contiguous(xp.swapaxes(per_group, 1, 2).reshape(weight_shape))


class Conv2d(Function):
    """Y = K cols(X) + B;  dE/dK = dE/dY cols(X)ᵀ,  dE/dX = col2im(Kᵀ dE/dY),  dE/dB = Σ dE/dY.

    x: (N, C, H, W), weight: (O, C/G, kh, kw), bias: (O,) or None; Y: (N, O, OH, OW).
    With G groups, K is block-diagonal: each product is G products, one per group.
    The backward is itself matrix products and im2col/col2im, each differentiable, so the
    double backward of a convolution is convolutions again. Layers that keep their width
    compute the same products by window rows (ops/conv_rows.py, `takes_window_rows`), and
    with stride 1 dE/dX as the tutorial's full convolution Σ_k dE/dY_k ∗ K_k.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Any, padding: Any,
                dilation: Any = 1, groups: int = 1) -> np.ndarray:
        stride, padding, dilation = as_pair(stride, "stride"), as_pair(padding, "padding"), as_pair(dilation, "dilation")
        out_h, out_w = check_conv_args("conv2d", x.shape, weight.shape, bias, stride, padding, dilation, groups)
        geometry = Geometry(weight.shape[2:], stride, padding, dilation, (out_h, out_w))
        ctx.by_window_rows = conv_rows.takes_window_rows(geometry, groups, x.shape[1], weight.shape[0])
        if ctx.by_window_rows:
            ctx.cache = conv_rows.width_unfold(x, geometry)
            output = conv_rows.weight_times_window_rows(weight, ctx.cache, geometry)
        else:
            ctx.cache = im2col_array(x, geometry)
            output = weight_times_cols(weight, ctx.cache, groups)
        if bias is not None:
            output += bias[:, None]
        ctx.save_for_backward(x, weight)
        ctx.geometry, ctx.groups = geometry, groups
        return output.reshape(weight.shape[0], out_h, out_w, x.shape[0]).transpose(3, 0, 1, 2)

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any, None, None, None, None]:
        x, weight = ctx.saved_tensors
        # Free when grad_output lies batch-innermost, as the gradient of our own output does.
        batch, out_channels, out_h, out_w = grad_output.shape  # explicit sizes: 0 output channels work
        grad_rows = xp.permute(grad_output, (1, 2, 3, 0)).reshape((out_channels, out_h * out_w * batch))
        grad_x = grad_weight = grad_bias = None
        # First order on the window-rows path: the same gradients as below, from ops/conv_rows.py.
        # Double backward takes the general formulas, on Tensors, so that they record a graph.
        by_window_rows = ctx.by_window_rows and not xp.is_tensor(grad_output)
        if ctx.needs_input_grad[0]:
            if by_window_rows and conv_rows.full_convolution_applies(ctx.geometry):
                grad_x = conv_rows.input_grad(grad_output, weight, x.shape[2:], ctx.geometry)
            else:
                grad_x = col2im(weight_t_times_rows(weight, grad_rows, ctx.groups), x.shape, ctx.geometry)
        if ctx.needs_input_grad[1]:
            if by_window_rows:
                grad_weight = conv_rows.window_rows_weight_grad(grad_rows, ctx.cache, weight.shape, ctx.geometry)
            else:
                # First order reuses forward's cols; double backward rebuilds them from the x
                # Tensor, so that they carry its graph.
                cols = im2col(x, ctx.geometry) if xp.is_tensor(grad_output) else ctx.cache
                grad_weight = weight_grad(grad_rows, cols, weight.shape, ctx.groups)
        if ctx.needs_input_grad[2]:
            grad_bias = xp.sum(grad_rows, 1)
        return grad_x, grad_weight, grad_bias, None, None, None, None
