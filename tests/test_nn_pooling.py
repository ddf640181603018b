"""Pooling: max (padding, dilation, ceil_mode, indices), average (count_include_pad,
divisor_override) and adaptive pooling. Proof 2 (finite differences, first and second order)
under Hypothesis over the window parameters, and the rules checked by hand: which windows
exist, what padding counts as, which maximum an index names. The torch oracle is in
tests/test_pooling_oracle.py."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.ops.resampling import pooled_size
from tinygrad_edu.testing.strategies import away_from_kinks, tensors


@st.composite
def windows(draw: st.DrawFn, dilated: bool) -> dict:
    """Pooling arguments (per-dim kernel, stride, padding ≤ kernel/2, dilation, ceil_mode) and
    an input shape they fit, the output at least 1×1."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    sides = [draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 7)) for k, p, d in zip(kernel, padding, dilation)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sides)
    arguments = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=draw(st.booleans()))
    if dilated:
        arguments["dilation"] = dilation
    return dict(shape=shape, arguments=arguments)


def float64(x: np.ndarray, requires_grad: bool = False) -> Tensor:
    return Tensor(np.asarray(x, dtype=np.float64), requires_grad=requires_grad, dtype=np.float64)


# ---- proof 2: finite differences, first and second order ----------------------------------
@given(data=st.data())
def test_max_pool2d_with_padding_dilation_and_ceil_mode(check, data):
    case = data.draw(windows(dilated=True), label="case")
    x = data.draw(tensors(case["shape"], away_from_kinks(), unique=True), label="x")
    # A dilated window can fall on padding only (its maximum is −∞, as in torch): no derivative.
    assume(np.isfinite(F.max_pool2d(x, **case["arguments"]).numpy()).all())
    assert check(lambda t: F.max_pool2d(t, **case["arguments"]), x)


@given(data=st.data())
def test_avg_pool2d(check, data):
    case = data.draw(windows(dilated=False), label="case")
    count_include_pad = data.draw(st.booleans(), label="count_include_pad")
    divisor_override = data.draw(st.none() | st.integers(1, 5), label="divisor_override")
    x = data.draw(tensors(case["shape"]), label="x")
    assert check(lambda t: F.avg_pool2d(t, **case["arguments"], count_include_pad=count_include_pad, divisor_override=divisor_override), x)


output_sizes = st.one_of(st.integers(1, 8), st.tuples(st.none() | st.integers(1, 8), st.none() | st.integers(1, 8)))


@given(data=st.data())
def test_adaptive_avg_pool2d(check, data):
    x = data.draw(tensors(st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 7), st.integers(1, 7))), label="x")
    output_size = data.draw(output_sizes, label="output_size")
    assert check(lambda t: F.adaptive_avg_pool2d(t, output_size), x)


@given(data=st.data())
def test_adaptive_max_pool2d(check, data):
    shape = data.draw(st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 7), st.integers(1, 7)), label="shape")
    x = data.draw(tensors(shape, away_from_kinks(), unique=True), label="x")
    output_size = data.draw(output_sizes, label="output_size")
    assert check(lambda t: F.adaptive_max_pool2d(t, output_size), x)


# ---- which windows exist ------------------------------------------------------------------
def test_ceil_mode_adds_a_last_partial_window_only_if_it_starts_inside_the_input_or_left_padding():
    assert pooled_size(5, 2, 2, 0, 1, ceil_mode=False) == 2
    assert pooled_size(5, 2, 2, 0, 1, ceil_mode=True) == 3  # the window at 4 holds one element
    # size 6, kernel 2, stride 4, padding 1: windows start at −1 and 3; ceil's third would
    # start at 7, past the input (0..5) and into the right padding, so it is dropped.
    assert pooled_size(6, 2, 4, 1, 1, ceil_mode=True) == 2
    assert F.max_pool2d(float64(np.zeros((1, 1, 6, 6))), 2, 4, 1, ceil_mode=True).shape == (1, 1, 2, 2)


def test_padding_counts_as_minus_infinity_for_max_and_as_zero_for_average():
    x = float64(-np.arange(1, 10).reshape(1, 1, 3, 3))  # all negative: a padded 0 would win a max
    pooled = F.max_pool2d(x, 3, stride=1, padding=1)
    np.testing.assert_array_equal(pooled.numpy()[0, 0], [[-1, -1, -2], [-1, -1, -2], [-4, -4, -5]])
    corner_mean_with_pad = (-1 - 2 - 4 - 5) / 9
    corner_mean_without = (-1 - 2 - 4 - 5) / 4
    assert F.avg_pool2d(x, 3, 1, 1).numpy()[0, 0, 0, 0] == pytest.approx(corner_mean_with_pad)
    assert F.avg_pool2d(x, 3, 1, 1, count_include_pad=False).numpy()[0, 0, 0, 0] == pytest.approx(corner_mean_without)
    assert F.avg_pool2d(x, 3, 1, 1, divisor_override=2).numpy()[0, 0, 0, 0] == pytest.approx((-1 - 2 - 4 - 5) / 2)


def test_ceil_modes_last_average_counts_only_up_to_the_end_of_the_padding():
    x = float64(np.arange(5.0).reshape(1, 1, 1, 5))
    pooled = F.avg_pool2d(x, (1, 2), ceil_mode=True)  # windows [0 1] [2 3] [4]: the last counts 1 cell
    np.testing.assert_allclose(pooled.numpy()[0, 0, 0], [0.5, 2.5, 4.0])


# ---- indices: torch's flat h·W + w of the first maximum -----------------------------------
def test_indices_name_the_first_maximum_in_row_major_order_in_the_unpadded_input():
    x = float64([[[[1, 7, 7],
                   [7, 0, 2],
                   [3, 7, 5]]]])
    pooled, indices = F.max_pool2d(x, 2, stride=1, padding=1, return_indices=True)
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(pooled.numpy()[0, 0], [[1, 7, 7, 7], [7, 7, 7, 7], [7, 7, 7, 5], [3, 7, 7, 5]])
    # window (1, 1) is 1 7 / 7 0: its first 7 is (0, 1), index 1; window (2, 3) is 2 −∞ / 5 −∞:
    # the 5 at (2, 2), index 8.
    np.testing.assert_array_equal(indices.numpy()[0, 0], [[0, 1, 1, 2], [3, 1, 1, 2], [3, 3, 7, 8], [6, 7, 7, 8]])
    _, adaptive_indices = F.adaptive_max_pool2d(x, (2, 2), return_indices=True)
    np.testing.assert_array_equal(adaptive_indices.numpy()[0, 0], [[1, 1], [3, 7]])


def test_the_gradient_goes_to_the_maximum_an_index_names():
    rng = np.random.default_rng(0)
    x = float64(rng.integers(0, 3, size=(2, 2, 5, 6)), requires_grad=True)  # small integers: many ties
    for pool in [lambda t: F.max_pool2d(t, 3, 2, 1, 1, True, True), lambda t: F.adaptive_max_pool2d(t, (3, 4), True)]:
        x.grad = None
        pooled, indices = pool(x)
        pooled.backward(np.ones(pooled.shape))
        expected = np.zeros((2, 2, 30))
        np.add.at(expected, (np.arange(2)[:, None, None], np.arange(2)[None, :, None], indices.numpy().reshape(2, 2, -1)), 1.0)
        np.testing.assert_array_equal(x.grad.numpy(), expected.reshape(x.shape))


# ---- the fast paths give what the general ones give ---------------------------------------
def test_shortcuts_agree_with_the_general_path():
    rng = np.random.default_rng(1)
    x = float64(rng.standard_normal((2, 3, 6, 8)))
    general_mean = F.avg_pool2d(x, 2, divisor_override=4)  # the matrix path, same numbers
    np.testing.assert_allclose(F.avg_pool2d(x, 2).numpy(), general_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (3, 4)).numpy(), general_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, 1).numpy(), x.numpy().mean((2, 3), keepdims=True), rtol=1e-12)
    plain, (with_indices, _) = F.max_pool2d(x, 2), F.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(plain.numpy(), with_indices.numpy())
    np.testing.assert_array_equal(F.adaptive_max_pool2d(x, (3, 4)).numpy(), plain.numpy())


def test_an_unbatched_input_and_float32_are_kept():
    x = Tensor(np.random.default_rng(2).standard_normal((3, 5, 5)).astype(np.float32))
    for pooled in [F.max_pool2d(x, 2, padding=1), F.avg_pool2d(x, 3, 2, 1), F.adaptive_avg_pool2d(x, (2, 3)), F.adaptive_max_pool2d(x, (2, 3))]:
        assert pooled.ndim == 3 and pooled.shape[0] == 3 and pooled.dtype == np.float32
    _, indices = F.max_pool2d(x, 2, return_indices=True)
    assert indices.shape == (3, 2, 2)


# ---- modules: torch's arguments, attributes and reprs -------------------------------------
def test_modules_call_their_functions_with_their_arguments():
    x = float64(np.random.default_rng(3).standard_normal((1, 2, 7, 6)))
    pairs = [
        (nn.MaxPool2d(3, 2, 1, ceil_mode=True), F.max_pool2d(x, 3, 2, 1, ceil_mode=True)),
        (nn.AvgPool2d(3, 2, 1, True, False), F.avg_pool2d(x, 3, 2, 1, True, False)),
        (nn.AdaptiveAvgPool2d((None, 4)), F.adaptive_avg_pool2d(x, (None, 4))),
        (nn.AdaptiveMaxPool2d(3), F.adaptive_max_pool2d(x, 3)),
    ]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).numpy(), expected.numpy())
    pooled, indices = nn.MaxPool2d(2, return_indices=True)(x)
    assert indices.dtype == np.int64
    assert nn.AdaptiveAvgPool2d((None, 4))(x).shape == (1, 2, 7, 4)


def test_reprs_are_torchs():
    assert repr(nn.MaxPool2d(3, 1, 1, ceil_mode=True)) == "MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=True)"
    assert repr(nn.AvgPool2d((2, 3))) == "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((None, 3))) == "AdaptiveAvgPool2d(output_size=(None, 3))"
    assert repr(nn.AdaptiveMaxPool2d(2)) == "AdaptiveMaxPool2d(output_size=2)"


# ---- errors name the problem --------------------------------------------------------------
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: F.max_pool2d(x, 2, padding=2), "pad should be at most half of kernel size"),
        (lambda x: F.avg_pool2d(x, 3, padding=2), "pad should be at most half of kernel size"),
        (lambda x: F.max_pool2d(x, 3, dilation=3), "too small for kernel_size=(3, 3)"),
        (lambda x: F.avg_pool2d(x, 6), "too small"),
        (lambda x: F.max_pool2d(x, 2, dilation=0), "dilation must be positive"),
        (lambda x: F.avg_pool2d(x, 2, divisor_override=0), "divisor_override must not be zero"),
        (lambda x: F.adaptive_avg_pool2d(x, (2, 3, 4)), "output_size must be an int, None or a pair"),
        (lambda x: F.adaptive_max_pool2d(x[0, 0], 2), "3-D (C, H, W) or 4-D (N, C, H, W) input; got shape (5, 5)"),
        (lambda x: nn.AvgPool2d(0), "kernel_size and stride must be positive"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, RuntimeError)) as error:
        call(float64(np.zeros((1, 1, 5, 5))))
    assert message in str(error.value)


# ---- 1-D pooling: the 2-D poolings on (N, C, 1, L) -----------------------------------------
@given(data=st.data())
def test_1d_poolings(check, data):
    kernel, stride = data.draw(st.integers(1, 3), label="kernel"), data.draw(st.integers(1, 3), label="stride")
    padding, dilation = data.draw(st.integers(0, kernel // 2), label="padding"), data.draw(st.integers(1, 2), label="dilation")
    ceil_mode = data.draw(st.booleans(), label="ceil_mode")
    length = data.draw(st.integers(max(1, dilation * (kernel - 1) + 1 - 2 * padding), 8), label="length")
    x = data.draw(tensors((data.draw(st.integers(1, 2)), 2, length), away_from_kinks(), unique=True), label="x")
    output_size = data.draw(st.integers(1, 9), label="output_size")
    assume(np.isfinite(F.max_pool1d(x, kernel, stride, padding, dilation, ceil_mode).numpy()).all())
    assert check(lambda t: F.max_pool1d(t, kernel, stride, padding, dilation, ceil_mode), x)
    assert check(lambda t: F.avg_pool1d(t, kernel, stride, padding, ceil_mode, count_include_pad=False), x)
    assert check(lambda t: F.adaptive_avg_pool1d(t, output_size), x)
    assert check(lambda t: F.adaptive_max_pool1d(t, output_size), x)


def test_1d_poolings_take_unbatched_input_and_give_positions_along_the_sequence():
    x = float64([[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0]])  # (C, L)
    pooled, indices = F.max_pool1d(x, 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(pooled.numpy(), [[3, 4, 9, 9]])  # windows from −1, 1, 3, 5
    np.testing.assert_array_equal(indices.numpy(), [[0, 2, 5, 5]])
    np.testing.assert_allclose(F.avg_pool1d(x, 2, ceil_mode=True).numpy(), [[2, 2.5, 7, 2]])
    _, adaptive_indices = F.adaptive_max_pool1d(x, 3, return_indices=True)
    np.testing.assert_array_equal(adaptive_indices.numpy(), [[2, 4, 5]])  # windows [0, 3) [2, 5) [4, 7)
    assert F.adaptive_avg_pool1d(x, 1).numpy()[0, 0] == pytest.approx(25 / 7)


def test_1d_modules_and_reprs_are_torchs():
    x = float64(np.random.default_rng(4).standard_normal((2, 3, 9)))
    np.testing.assert_array_equal(nn.MaxPool1d(3, 2, 1, 2, ceil_mode=True)(x).numpy(), F.max_pool1d(x, 3, 2, 1, 2, True).numpy())
    np.testing.assert_array_equal(nn.AvgPool1d(3, 2, 1, True, False)(x).numpy(), F.avg_pool1d(x, 3, 2, 1, True, False).numpy())
    np.testing.assert_array_equal(nn.AdaptiveAvgPool1d(4)(x).numpy(), F.adaptive_avg_pool1d(x, 4).numpy())
    assert nn.AdaptiveMaxPool1d(4, return_indices=True)(x)[1].dtype == np.int64
    assert repr(nn.MaxPool1d(3, 2, 1, 2, ceil_mode=True)) == "MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)"
    assert repr(nn.AvgPool1d(3, 2, 1)) == "AvgPool1d(kernel_size=(3,), stride=(2,), padding=(1,))"
    assert repr(nn.AdaptiveMaxPool1d(3)) == "AdaptiveMaxPool1d(output_size=3)"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: F.max_pool1d(x, (2, 2)), "kernel_size must be an int or a tuple of one int"),
        (lambda x: F.adaptive_avg_pool1d(x, (2, 2)), "output_size must be an int or a tuple of one int"),
        (lambda x: F.avg_pool1d(x[None], 2), "2-D (C, L) or 3-D (N, C, L) input; got shape (1, 2, 3, 5)"),
    ],
)
def test_1d_bad_arguments_are_named(call, message):
    with pytest.raises((TypeError, ValueError, RuntimeError)) as error:
        call(float64(np.zeros((2, 3, 5))))
    assert message in str(error.value)


# ---- integer inputs, as torch takes them ---------------------------------------------------
def test_integer_inputs_max_pool_with_padding_and_average_by_truncation():
    x = Tensor(np.array([[[[200, 3], [7, 255]]]], dtype=np.uint8))
    pooled = F.max_pool2d(x, 2, stride=1, padding=1)  # the padding is below every uint8, not 0 cast from −∞
    assert pooled.dtype == np.uint8
    np.testing.assert_array_equal(pooled.numpy()[0, 0], [[200, 200, 3], [200, 255, 255], [7, 255, 255]])
    longs = Tensor(np.array([[[[-7, 0], [1, 1]]]], dtype=np.int64))
    averaged = F.avg_pool2d(longs, 2)  # −5/4 = −1.25, truncated toward zero as C++ divides integers
    assert averaged.dtype == np.int64 and averaged.numpy().item() == -1
    assert F.avg_pool2d(longs, 2, divisor_override=3).numpy().item() == -1
    with pytest.raises(NotImplementedError, match="not implemented for int64 input"):
        F.adaptive_avg_pool2d(longs, 1)


# ---- max_unpool and lp_pool ----------------------------------------------------------------
@given(data=st.data())
def test_max_unpool2d(check, data):
    case = data.draw(windows(dilated=False), label="case")
    arguments = case["arguments"]
    x = data.draw(tensors(case["shape"], away_from_kinks(), unique=True), label="x")
    pooled, indices = F.max_pool2d(x.detach(), **arguments, return_indices=True)
    # Overlapping windows can name one maximum twice: the later write wins, and the value it
    # overwrote still gets the gradient there (torch's formula), so no finite difference.
    flat = indices.numpy().reshape(-1, indices.shape[2] * indices.shape[3])
    assume(all(len(np.unique(plane)) == plane.size for plane in flat))
    size = case["shape"][2:]
    unpool = lambda t: F.max_unpool2d(t, indices, arguments["kernel_size"], arguments["stride"], arguments["padding"], output_size=size)  # noqa: E731
    assert check(unpool, pooled.detach().requires_grad_())


@given(data=st.data())
def test_lp_pool2d(check, data):
    case = data.draw(windows(dilated=False), label="case")
    arguments = case["arguments"]
    assume(arguments["padding"] == (0, 0))  # lp_pool has no padding
    positive = data.draw(tensors(case["shape"], st.floats(0.2, 2.0)), label="positive")
    norm_type = data.draw(st.sampled_from([1, 2, 3, 1.5]), label="norm_type")
    assert check(lambda t: F.lp_pool2d(t, norm_type, arguments["kernel_size"], arguments["stride"], arguments["ceil_mode"]), positive)


def test_max_unpool_writes_each_maximum_back_where_it_came_from():
    x = float64([[[[1, 7, 3], [4, 2, 9], [8, 6, 5]]]])
    pooled, indices = F.max_pool2d(x, 2, stride=1, return_indices=True)
    restored = F.max_unpool2d(pooled, indices, 2, stride=1, output_size=(3, 3))
    np.testing.assert_array_equal(restored.numpy()[0, 0], [[0, 7, 0], [0, 0, 9], [8, 0, 0]])
    row = float64([[3.0, 1.0, 4.0, 1.0, 5.0, 9.0]])
    pooled_row, row_indices = F.max_pool1d(row, 2, return_indices=True)
    np.testing.assert_array_equal(nn.MaxUnpool1d(2)(pooled_row, row_indices).numpy(), [[3, 0, 4, 0, 0, 9]])
    with pytest.raises(ValueError, match="invalid output_size"):
        F.max_unpool2d(pooled, indices, 2, stride=1, output_size=(5, 5))
    with pytest.raises(IndexError, match="invalid max index"):
        F.max_unpool2d(pooled, indices, 1)  # default size 2×2: index 5 lies outside
    with pytest.raises(TypeError, match="indices should be int64"):
        F.max_unpool2d(pooled, indices.float(), 2)


def test_lp_pool_is_the_p_norm_of_each_window_and_the_modules_reprs_are_torchs():
    x = float64([[[[-1.0, 2.0], [3.0, -4.0]]]])
    assert F.lp_pool2d(x, 2, 2).numpy().item() == pytest.approx(np.sqrt(30))
    assert F.lp_pool2d(x, 1, 2).numpy().item() == 0  # the plain sum, signs kept, as torch
    with np.errstate(invalid="ignore"):
        assert np.isnan(F.lp_pool2d(x, 3, 2).numpy().item())  # (−30)^(1/3): NaN, as torch
    assert repr(nn.MaxUnpool2d(3, 2, 1)) == "MaxUnpool2d(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1))"
    assert repr(nn.MaxUnpool1d(2)) == "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))"
    assert repr(nn.LPPool2d(2, 3)) == "LPPool2d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"
    assert repr(nn.LPPool1d(1.5, 2, 1, True)) == "LPPool1d(norm_type=1.5, kernel_size=2, stride=1, ceil_mode=True)"
