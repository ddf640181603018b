"""The row-shift convolution (ops/conv_shifted.py) computes the same products as im2col's:
Y, dE/dK and dE/dX, over kernels, strides across, paddings and dilations."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F
from tinygrad_edu.ops import conv_shifted
from tinygrad_edu.ops.conv import weight_grad, weight_t_times_rows, weight_times_cols
from tinygrad_edu.ops.conv_windows import Geometry, col2im_array, im2col_array, output_size

# (height, width, kernel, stride across, padding, dilation): kernels 1-3 high and wide,
# paddings up to past the kernel's span (where dE/dX is no full convolution).
CASES = [case for case in itertools.product([5, 7], [6], [(1, 1), (2, 3), (3, 3), (3, 1)], [1, 2], [(0, 0), (1, 1), (2, 1)],
                                            [(1, 1), (2, 3)])
         if min(output_size(h, k, s, p, d) for h, k, s, p, d in
                zip(case[:2], case[2], (1, case[3]), case[4], case[5])) >= 1]


@pytest.mark.parametrize("height, width, kernel, stride_w, padding, dilation", CASES)
def test_row_shifts_compute_im2cols_products(height: int, width: int, kernel: tuple[int, int], stride_w: int,
                                             padding: tuple[int, int], dilation: tuple[int, int]) -> None:
    rng = np.random.default_rng(0)
    x, weight = rng.standard_normal((2, 3, height, width)), rng.standard_normal((4, 3, *kernel))
    out_hw = tuple(output_size(*args) for args in zip((height, width), kernel, (1, stride_w), padding, dilation))
    geometry = Geometry(kernel, (1, stride_w), padding, dilation, out_hw)
    cols, unfolded = im2col_array(x, geometry), conv_shifted.width_unfold(x, geometry)
    np.testing.assert_allclose(conv_shifted.weight_times_shifted_rows(weight, unfolded, geometry),
                               weight_times_cols(weight, cols, 1), rtol=1e-12, atol=1e-12)
    grad_rows = rng.standard_normal((4, out_hw[0] * out_hw[1] * 2))
    np.testing.assert_allclose(conv_shifted.shifted_rows_weight_grad(grad_rows, unfolded, weight.shape, geometry),
                               weight_grad(grad_rows, cols, weight.shape, 1), rtol=1e-12, atol=1e-12)
    full = conv_shifted.full_convolution_applies(geometry)
    assert full == (stride_w == 1 and all(p <= d * (k - 1) for p, d, k in zip(padding, dilation, kernel)))
    if full:
        grad_output = grad_rows.reshape(4, *out_hw, 2).transpose(3, 0, 1, 2)
        np.testing.assert_allclose(conv_shifted.input_grad(grad_output, weight, (height, width), geometry),
                                   col2im_array(weight_t_times_rows(weight, grad_rows, 1), x.shape, geometry), rtol=1e-12, atol=1e-12)


def test_row_shifts_take_layers_of_stride_1_down_the_height_that_do_not_widen() -> None:
    geometry = Geometry((3, 3), (1, 2), (1, 1), (1, 1), (4, 7))
    assert conv_shifted.takes_row_shifts(geometry, groups=1, channels=16, out_channels=16)
    assert not conv_shifted.takes_row_shifts(geometry._replace(stride=(2, 1)), groups=1, channels=16, out_channels=16)
    assert not conv_shifted.takes_row_shifts(geometry, groups=2, channels=16, out_channels=16)
    assert not conv_shifted.takes_row_shifts(geometry, groups=1, channels=16, out_channels=64)
    assert not conv_shifted.takes_row_shifts(geometry, groups=1, channels=1, out_channels=1)


# Layers that take the row-shift path (C ≥ O, C·kw ≥ 16): stride across, dilation, and a
# padding past the kernel's span (dE/dX then by col2im).
LAYERS = {
    "3x3, padding 1": ((2, 6, 5, 6), (6, 6, 3, 3), dict(padding=1)),
    "stride across 2": ((2, 6, 5, 7), (4, 6, 3, 3), dict(padding=1, stride=(1, 2))),
    "dilation": ((1, 6, 6, 7), (3, 6, 3, 3), dict(padding=(2, 1), dilation=(2, 1))),
    "padding past the span": ((1, 6, 4, 4), (2, 6, 3, 3), dict(padding=(1, 3))),
}


@pytest.mark.parametrize("input_shape, weight_shape, options", LAYERS.values(), ids=LAYERS.keys())
def test_first_order_gradients_of_row_shift_layers(check, input_shape, weight_shape, options) -> None:
    rng = np.random.default_rng(0)
    x, weight, bias = (tg.tensor(rng.standard_normal(shape), requires_grad=True) for shape in (input_shape, weight_shape, weight_shape[:1]))
    assert check(lambda x, weight, bias: F.conv2d(x, weight, bias, **options), x, weight, bias)


@pytest.mark.parametrize("input_shape, weight_shape, options", LAYERS.values(), ids=LAYERS.keys())
def test_row_shift_layers_match_torch_in_a_plain_backward(input_shape, weight_shape, options) -> None:
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
