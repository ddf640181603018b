"""Upsampling: F.interpolate and nn.Upsample. Proof 2 (finite differences, first and second
order) under Hypothesis over modes, sizes, scale factors and align_corners; the source-position
rules by hand; arguments, reprs and errors. The torch oracle: tests/test_upsampling_oracle.py."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import tensors


@st.composite
def resizes(draw: st.DrawFn) -> dict:
    """An input shape and interpolate's arguments for it: 4-D or 3-D, size or scale_factor."""
    spatial = draw(st.sampled_from([1, 2]))
    sides = tuple(draw(st.integers(1, 5)) for _ in range(spatial))
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "area", "bilinear" if spatial == 2 else "linear"]))
    arguments: dict = dict(mode=mode)
    if mode in ("bilinear", "linear"):
        arguments["align_corners"] = draw(st.sampled_from([None, True, False]))
    if draw(st.booleans()):
        arguments["size"] = tuple(draw(st.integers(1, 9)) for _ in sides)
    else:
        arguments["scale_factor"] = draw(st.sampled_from([0.5, 0.7, 1.0, 1.5, 2.0, 2.6, 3.0]))
        if any(int(side * arguments["scale_factor"]) < 1 for side in sides):
            arguments["scale_factor"] = 2.0
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sides), arguments=arguments)


def float64(x: np.ndarray, requires_grad: bool = False) -> Tensor:
    return Tensor(np.asarray(x, dtype=np.float64), requires_grad=requires_grad, dtype=np.float64)


# ---- proof 2: finite differences, first and second order ----------------------------------
@given(data=st.data())
def test_interpolate(check, data):
    case = data.draw(resizes(), label="case")
    x = data.draw(tensors(case["shape"]), label="x")
    assert check(lambda t: F.interpolate(t, **case["arguments"]), x)


# ---- the source positions, by hand --------------------------------------------------------
def test_nearest_copies_the_pixel_at_floor_of_the_scaled_position():
    x = float64(np.arange(4.0).reshape(1, 1, 4))
    np.testing.assert_array_equal(F.interpolate(x, size=6).numpy()[0, 0], [0, 0, 1, 2, 2, 3])  # ⌊a·4/6⌋
    np.testing.assert_array_equal(F.interpolate(x, size=6, mode="nearest-exact").numpy()[0, 0], [0, 1, 1, 2, 3, 3])  # ⌊(a+½)·4/6⌋
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=0.5).numpy()[0, 0], [0, 2])


def test_linear_with_and_without_align_corners():
    x = float64([[[0.0, 10.0, 20.0]]])
    # align_corners: the end pixels' centres line up, position a·(3 − 1)/(5 − 1)
    np.testing.assert_allclose(F.interpolate(x, size=5, mode="linear", align_corners=True).numpy()[0, 0], [0, 5, 10, 15, 20])
    # otherwise (a + ½)·3/5 − ½, at least 0, and the last pixel repeats past the end
    np.testing.assert_allclose(F.interpolate(x, size=5, mode="linear").numpy()[0, 0], [0, 4, 10, 16, 20])


def test_bilinear_is_linear_along_each_dim_and_its_gradient_is_the_transposed_weights():
    x = float64(np.arange(6.0).reshape(1, 1, 2, 3), requires_grad=True)
    y = F.interpolate(x, size=(3, 5), mode="bilinear", align_corners=True)
    np.testing.assert_allclose(y.numpy()[0, 0, 1], [1.5, 2.0, 2.5, 3.0, 3.5])  # halfway between the rows
    y.backward(np.ones(y.shape))
    # each output's weights sum to 1, so the input gradients sum to the number of outputs
    assert x.grad.numpy().sum() == pytest.approx(15)


def test_area_is_adaptive_average_pooling():
    x = float64(np.random.default_rng(0).standard_normal((2, 3, 7, 5)))
    np.testing.assert_array_equal(F.interpolate(x, size=(3, 2), mode="area").numpy(), F.adaptive_avg_pool2d(x, (3, 2)).numpy())


def test_float32_and_integer_dtypes_stay():
    x = Tensor(np.ones((1, 2, 3, 3), dtype=np.float32))
    for mode in ["nearest", "bilinear", "area"]:
        assert F.interpolate(x, scale_factor=2, mode=mode).dtype == np.float32
    mask = Tensor(np.array([[[[0, 7], [3, 255]]]], dtype=np.uint8))  # e.g. a segmentation mask
    resized = F.interpolate(mask, scale_factor=2)
    assert resized.dtype == np.uint8
    np.testing.assert_array_equal(resized.numpy()[0, 0], [[0, 0, 7, 7], [0, 0, 7, 7], [3, 3, 255, 255], [3, 3, 255, 255]])


# ---- modules ------------------------------------------------------------------------------
def test_upsample_modules_and_their_reprs_are_torchs():
    x = float64(np.random.default_rng(1).standard_normal((1, 2, 3, 4)))
    np.testing.assert_array_equal(nn.Upsample(scale_factor=2)(x).numpy(), F.interpolate(x, scale_factor=2.0).numpy())
    np.testing.assert_array_equal(nn.UpsamplingBilinear2d(size=5)(x).numpy(), F.interpolate(x, size=5, mode="bilinear", align_corners=True).numpy())
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(scale_factor=(2, 3))) == "Upsample(scale_factor=(2.0, 3.0), mode='nearest')"
    assert repr(nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True)) == "Upsample(size=(3, 4), mode='bilinear')"
    assert repr(nn.UpsamplingNearest2d(scale_factor=2)) == "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')"


# ---- errors name the problem --------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x: F.interpolate(x, scale_factor=2, mode="trilinear"), NotImplementedError, "torch's mode 'trilinear' is not supported here"),
        (lambda x: F.interpolate(x, scale_factor=2, mode="cubic"), NotImplementedError, "mode 'cubic' is not supported here; the supported modes are"),
        (lambda x: F.interpolate(x, size=3, mode="linear"), NotImplementedError, "got 4D input of shape (1, 1, 4, 4), but linear mode needs 3D input"),
        (lambda x: F.interpolate(x[0], size=3, mode="bilinear"), NotImplementedError, "got 3D input of shape (1, 4, 4), but bilinear mode needs 4D input"),
        (lambda x: F.interpolate(x, size=3, align_corners=True), ValueError, "align_corners option can only be set with the interpolating modes"),
        (lambda x: F.interpolate(x, size=3, scale_factor=2), ValueError, "only one of size or scale_factor should be defined"),
        (lambda x: F.interpolate(x), ValueError, "either size or scale_factor should be defined"),
        (lambda x: F.interpolate(x, size=(3, 3, 3)), ValueError, "same number of spatial dimensions"),
        (lambda x: F.interpolate(x, scale_factor=0.1), RuntimeError, "sizes should be greater than 0"),
        (lambda x: F.interpolate(x, scale_factor=0.5, mode="bilinear", antialias=True), NotImplementedError, "antialias=True is not supported"),
        (lambda x: F.interpolate(x.long(), scale_factor=2, mode="bilinear"), NotImplementedError, "bilinear mode is not implemented for int64 input"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error) as raised:
        call(float64(np.zeros((1, 1, 4, 4))))
    assert message in str(raised.value)


def test_the_deprecated_spellings_warn_and_interpolate():
    x = float64(np.random.default_rng(2).standard_normal((1, 2, 3, 4)))
    with pytest.warns(UserWarning, match="upsample is deprecated"):
        np.testing.assert_array_equal(F.upsample(x, scale_factor=2).numpy(), F.interpolate(x, scale_factor=2).numpy())
    with pytest.warns(UserWarning, match="upsample_nearest is deprecated"):
        np.testing.assert_array_equal(F.upsample_nearest(x, size=5).numpy(), F.interpolate(x, size=5).numpy())
    with pytest.warns(UserWarning, match="upsample_bilinear is deprecated"):
        expected = F.interpolate(x, size=5, mode="bilinear", align_corners=True).numpy()
        np.testing.assert_array_equal(F.upsample_bilinear(x, size=5).numpy(), expected)


# ---- pixel shuffle ------------------------------------------------------------------------
@given(data=st.data())
def test_pixel_shuffle_and_unshuffle(check, data):
    r = data.draw(st.integers(1, 3), label="factor")
    leading = data.draw(st.lists(st.integers(1, 2), max_size=2).map(tuple), label="leading dims")
    channels, height, width = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    x = data.draw(tensors((*leading, channels * r * r, height, width)), label="x")
    assert check(lambda t: F.pixel_shuffle(t, r), x)
    assert check(lambda t: F.pixel_unshuffle(F.pixel_shuffle(t, r) * 2, r), x)


def test_pixel_shuffle_moves_channel_c_r2_plus_i_r_plus_j_to_pixel_i_j_and_back():
    x = float64(np.arange(8.0).reshape(1, 8, 1, 1))
    shuffled = nn.PixelShuffle(2)(x)
    np.testing.assert_array_equal(shuffled.numpy(), [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]])
    np.testing.assert_array_equal(nn.PixelUnshuffle(2)(shuffled).numpy(), x.numpy())
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)" and repr(nn.PixelUnshuffle(3)) == "PixelUnshuffle(downscale_factor=3)"
    with pytest.raises(RuntimeError, match=r"input.size\(-3\)=5 is not divisible by 4"):
        F.pixel_shuffle(float64(np.zeros((1, 5, 2, 2))), 2)
    with pytest.raises(RuntimeError, match=r"height to be divisible by downscale_factor, but input.size\(-2\)=5"):
        F.pixel_unshuffle(float64(np.zeros((1, 1, 5, 4))), 2)
    with pytest.raises(RuntimeError, match="at least 3 dimensions"):
        F.pixel_shuffle(float64(np.zeros((4, 2))), 2)
