"""The window-rows convolution (ops/conv_rows.py) computes the same products as im2col's:
Y, dE/dK and dE/dX, over kernels, strides across, paddings and dilations across; and the
layers that take it give torch's values and gradients."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F
from tinygrad_edu.ops import conv_rows
from tinygrad_edu.ops.conv import weight_grad, weight_t_times_rows, weight_times_cols
from tinygrad_edu.ops.conv_windows import Geometry, col2im_array, im2col_array, output_size

# (height, width, kernel, stride, padding, dilation across): kernels 1-3 high and wide, strides
# 1-2 each way, paddings up to past the kernel's span (where dE/dX is no full convolution).
CASES = [(h, w, kernel, stride, padding, dilation_w)
         for h, w, kernel, stride, padding, dilation_w in itertools.product([5, 7], [6], [(1, 1), (2, 3), (3, 3), (3, 1)],
                                                                           [(1, 1), (1, 2), (2, 1)], [(0, 0), (1, 1), (2, 1)], [1, 3])
         if output_size(h, kernel[0], stride[0], padding[0]) >= 1 and output_size(w, kernel[1], stride[1], padding[1], dilation_w) >= 1]


@pytest.mark.parametrize("height, width, kernel, stride, padding, dilation_w", CASES)
def test_window_rows_compute_im2cols_products(height: int, width: int, kernel: tuple[int, int], stride: tuple[int, int],
                                              padding: tuple[int, int], dilation_w: int) -> None:
    rng = np.random.default_rng(0)
    x, weight = rng.standard_normal((2, 3, height, width)), rng.standard_normal((4, 3, *kernel))
    dilation = (1, dilation_w)
    out_hw = tuple(output_size(*args) for args in zip((height, width), kernel, stride, padding, dilation))
    geometry = Geometry(kernel, stride, padding, dilation, out_hw)
    cols, unfolded = im2col_array(x, geometry), conv_rows.width_unfold(x, geometry)
    np.testing.assert_allclose(conv_rows.weight_times_window_rows(weight, unfolded, geometry),
                               weight_times_cols(weight, cols, 1), rtol=1e-12, atol=1e-12)
    grad_rows = rng.standard_normal((4, out_hw[0] * out_hw[1] * 2))
    np.testing.assert_allclose(conv_rows.window_rows_weight_grad(grad_rows, unfolded, weight.shape, geometry),
                               weight_grad(grad_rows, cols, weight.shape, 1), rtol=1e-12, atol=1e-12)
    full = conv_rows.full_convolution_applies(geometry)
    assert full == (stride == (1, 1) and all(p <= d * (k - 1) for p, d, k in zip(padding, dilation, kernel)))
    if full:
        grad_output = grad_rows.reshape(4, *out_hw, 2).transpose(3, 0, 1, 2)
        np.testing.assert_allclose(conv_rows.input_grad(grad_output, weight, (height, width), geometry),
                                   col2im_array(weight_t_times_rows(weight, grad_rows, 1), x.shape, geometry), rtol=1e-12, atol=1e-12)


def test_window_rows_take_layers_that_keep_their_width_with_16_rows_per_kernel_row() -> None:
    geometry = Geometry((3, 3), (2, 2), (1, 1), (1, 2), (4, 7))
    assert conv_rows.takes_window_rows(geometry, groups=1, channels=6, out_channels=6)
    assert not conv_rows.takes_window_rows(geometry, groups=1, channels=6, out_channels=7)  # widens
    assert not conv_rows.takes_window_rows(geometry, groups=1, channels=5, out_channels=5)  # 15 rows: C·kw
    assert not conv_rows.takes_window_rows(geometry._replace(kernel=(1, 3)), groups=1, channels=16, out_channels=16)
    assert not conv_rows.takes_window_rows(geometry._replace(dilation=(2, 1)), groups=1, channels=16, out_channels=16)
    assert not conv_rows.takes_window_rows(geometry, groups=2, channels=16, out_channels=16)


# Layers that take the window-rows path (C ≥ O, C·kw ≥ 16): strides, dilation across, and a
# padding past the kernel's span (dE/dX then by col2im, as for a stride down the height).
LAYERS = {
    "3x3, padding 1": ((2, 6, 5, 6), (6, 6, 3, 3), dict(padding=1)),
    "stride across 2": ((2, 6, 5, 7), (4, 6, 3, 3), dict(padding=1, stride=(1, 2))),
    "dilation across": ((1, 6, 6, 7), (3, 6, 3, 3), dict(padding=(1, 2), dilation=(1, 2))),
    "padding past the span": ((1, 6, 4, 4), (2, 6, 3, 3), dict(padding=(1, 3))),
    "stride 2": ((2, 6, 7, 6), (6, 6, 3, 3), dict(padding=1, stride=2)),
}


def test_the_layers_take_the_window_rows_path() -> None:
    for input_shape, weight_shape, options in LAYERS.values():
        output = F.conv2d(tg.zeros(*input_shape, requires_grad=True), tg.zeros(*weight_shape), **options)
        assert output._ctx.by_window_rows


@pytest.mark.parametrize("input_shape, weight_shape", [((0, 16, 5, 5), (4, 16, 3, 3)), ((2, 16, 5, 5), (0, 16, 3, 3))],
                         ids=["no samples", "no output channels"])
def test_window_rows_layers_of_empty_shapes_give_empty_outputs_and_zero_gradients(input_shape, weight_shape) -> None:
    x, weight = tg.ones(*input_shape, requires_grad=True), tg.ones(*weight_shape, requires_grad=True)
    output = F.conv2d(x, weight, padding=1)
    assert output._ctx.by_window_rows and output.shape == (input_shape[0], weight_shape[0], 5, 5)
    output.sum().backward()
    assert x.grad.shape == input_shape and weight.grad.shape == weight_shape
    assert not x.grad.numpy().any() and not weight.grad.numpy().any()


@pytest.mark.parametrize("input_shape, weight_shape, options", LAYERS.values(), ids=LAYERS.keys())
def test_first_order_gradients_of_window_rows_layers(check, input_shape, weight_shape, options) -> None:
    rng = np.random.default_rng(0)
    x, weight, bias = (tg.tensor(rng.standard_normal(shape), requires_grad=True) for shape in (input_shape, weight_shape, weight_shape[:1]))
    assert check(lambda x, weight, bias: F.conv2d(x, weight, bias, **options), x, weight, bias)


@pytest.mark.parametrize("input_shape, weight_shape, options", LAYERS.values(), ids=LAYERS.keys())
def test_window_rows_layers_match_torch_in_a_plain_backward(input_shape, weight_shape, options) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install torch); the oracle compares against it")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in (input_shape, weight_shape, weight_shape[:1])]
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    output, their_output = F.conv2d(*ours, **options), torch.nn.functional.conv2d(*theirs, **options)
    grad_output = rng.standard_normal(their_output.shape)
    output.backward(tg.tensor(grad_output))
    their_output.backward(torch.from_numpy(grad_output))
    np.testing.assert_allclose(output.numpy(), their_output.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-10, atol=1e-12)
