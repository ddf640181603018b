"""The convolution family (conv2d with groups, dilation and padding strings or modes, conv1d,
conv_transpose2d, unfold and fold): first and second derivatives by finite differences under
Hypothesis (the `check` fixture runs gradcheck and gradgradcheck), the adjoint identities
that tie the ops together, and the layers' arguments, checks, initialisation and errors.
The PyTorch oracle for the same family is tests/test_conv_oracle.py."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.devices import CPUOnlyError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import tensors


# ---- strategies ---------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupedConvCase:
    """One conv1d/conv2d configuration (dims spatial dims) whose output is at least 1 long."""

    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...] | str
    dilation: tuple[int, ...]
    groups: int


@st.composite
def grouped_conv_cases(draw: st.DrawFn, dims: int = 2) -> GroupedConvCase:
    """Groups 1-3 (depthwise included: one input channel per group), dilation 1-2, strides,
    int paddings and the strings "valid" and "same" (even kernels too)."""
    groups = draw(st.integers(1, 3))
    in_per_group = draw(st.integers(1, 3 if groups == 1 else 2 if groups == 2 else 1))
    out_per_group = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    paddings = [st.just("valid"), st.tuples(*(st.integers(0, 2) for _ in range(dims)))]
    padding = draw(st.one_of(*paddings, *([st.just("same")] if set(stride) == {1} else [])))
    numeric = (0,) * dims if isinstance(padding, str) else padding
    max_side = 5 if dims == 2 else 8
    sides = tuple(
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max(max_side, d * (k - 1) + 1)))
        for k, d, p in zip(kernel, dilation, numeric)
    )
    return GroupedConvCase(
        input_shape=(draw(st.integers(1, 2)), groups * in_per_group, *sides),
        weight_shape=(groups * out_per_group, in_per_group, *kernel),
        stride=stride, padding=padding, dilation=dilation, groups=groups,
    )


@dataclass(frozen=True)
class TransposedCase:
    input_shape: tuple[int, int, int, int]
    weight_shape: tuple[int, int, int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    groups: int
    dilation: tuple[int, int]


@st.composite
def transposed_cases(draw: st.DrawFn) -> TransposedCase:
    """conv_transpose2d configurations with every output_padding torch allows (< max(s, d))."""
    groups = draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    sides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    # The output, (H − 1)·s − 2p + d·(k − 1) + output_padding + 1, must be at least 1.
    padding = tuple(
        draw(st.integers(0, min(2, ((h - 1) * s + d * (k - 1) + op) // 2)))
        for h, s, d, k, op in zip(sides, stride, dilation, kernel, output_padding)
    )
    in_channels = groups * draw(st.integers(1, 2))
    return TransposedCase(
        input_shape=(draw(st.integers(1, 2)), in_channels, *sides),
        weight_shape=(in_channels, draw(st.integers(1, 2)), *kernel),
        stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation,
    )


@dataclass(frozen=True)
class BlockCase:
    """unfold/fold: an image size and sliding blocks that fit it at least once."""

    image_shape: tuple[int, int, int, int]
    kernel_size: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[int, int]
    stride: tuple[int, int]

    @property
    def options(self) -> dict:
        return dict(kernel_size=self.kernel_size, dilation=self.dilation, padding=self.padding, stride=self.stride)

    @property
    def blocks(self) -> int:
        count = 1
        for size, k, d, p, s in zip(self.image_shape[2:], self.kernel_size, self.dilation, self.padding, self.stride):
            count *= (size + 2 * p - d * (k - 1) - 1) // s + 1
        return count


@st.composite
def block_cases(draw: st.DrawFn) -> BlockCase:
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    sides = tuple(draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 5)) for k, d, p in zip(kernel, dilation, padding))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sides)
    return BlockCase(shape, kernel, dilation, padding, stride)


# ---- first and second derivatives by finite differences ------------------------------------
@given(data=st.data())
def test_conv2d_with_groups_dilation_and_padding_strings(check, data):
    case = data.draw(grouped_conv_cases(dims=2), label="case")
    x = data.draw(tensors(case.input_shape), label="x")
    weight = data.draw(tensors(case.weight_shape), label="weight")
    bias = data.draw(st.none() | tensors((case.weight_shape[0],)), label="bias")
    options = dict(stride=case.stride, padding=case.padding, dilation=case.dilation, groups=case.groups)
    assert check(lambda i, w, b: F.conv2d(i, w, b, **options), x, weight, bias)


@given(data=st.data())
def test_conv1d(check, data):
    case = data.draw(grouped_conv_cases(dims=1), label="case")
    x = data.draw(tensors(case.input_shape), label="x")
    weight = data.draw(tensors(case.weight_shape), label="weight")
    bias = data.draw(st.none() | tensors((case.weight_shape[0],)), label="bias")
    options = dict(stride=case.stride, padding=case.padding, dilation=case.dilation, groups=case.groups)
    assert check(lambda i, w, b: F.conv1d(i, w, b, **options), x, weight, bias)


@given(data=st.data())
def test_conv_transpose2d(check, data):
    case = data.draw(transposed_cases(), label="case")
    x = data.draw(tensors(case.input_shape), label="x")
    weight = data.draw(tensors(case.weight_shape), label="weight")
    bias = data.draw(st.none() | tensors((case.weight_shape[1] * case.groups,)), label="bias")
    options = dict(stride=case.stride, padding=case.padding, output_padding=case.output_padding, groups=case.groups, dilation=case.dilation)
    assert check(lambda i, w, b: F.conv_transpose2d(i, w, b, **options), x, weight, bias)


@given(data=st.data())
def test_conv_transpose1d(check, data):
    case = data.draw(transposed_cases(), label="case")  # its width, as the length
    x = data.draw(tensors((*case.input_shape[:2], case.input_shape[3])), label="x")
    weight = data.draw(tensors((*case.weight_shape[:2], case.weight_shape[3])), label="weight")
    bias = data.draw(st.none() | tensors((case.weight_shape[1] * case.groups,)), label="bias")
    options = dict(stride=case.stride[1], padding=case.padding[1], output_padding=case.output_padding[1], groups=case.groups,
                   dilation=case.dilation[1])
    assert check(lambda i, w, b: F.conv_transpose1d(i, w, b, **options), x, weight, bias)


@given(data=st.data())
def test_unfold_and_fold(check, data):
    case = data.draw(block_cases(), label="case")
    image = data.draw(tensors(case.image_shape), label="image")
    assert check(lambda t: F.unfold(t, **case.options), image)
    batch, channels = case.image_shape[:2]
    columns = data.draw(tensors((batch, channels * case.kernel_size[0] * case.kernel_size[1], case.blocks)), label="columns")
    assert check(lambda t: F.fold(t, case.image_shape[2:], **case.options), columns)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@given(x=tensors((1, 2, 4, 5)))
def test_conv2d_layer_in_every_padding_mode(check, padding_mode, x):
    layer = nn.Conv2d(2, 2, (3, 2), padding=(1, 2), dilation=(1, 2), padding_mode=padding_mode).double()
    assert check(layer, x)


# ---- the identities that tie the family together -------------------------------------------
def _inner(a: tg.Tensor, b: tg.Tensor) -> float:
    return float((a * b).sum().item())


@given(data=st.data())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(data):
    # ⟨conv2d(Z, K), X⟩ = ⟨Z, conv_transpose2d(X, K)⟩ for every Z of the transpose's output shape.
    # (With output_padding ≥ stride, which dilation allows, conv2d(Z) has windows beyond X's
    # last row or column: the transpose is the adjoint of conv2d restricted to X's windows.)
    case = data.draw(transposed_cases(), label="case")
    options = dict(stride=case.stride, padding=case.padding, groups=case.groups, dilation=case.dilation)
    x = data.draw(tensors(case.input_shape, requires_grad=False), label="x")
    weight = data.draw(tensors(case.weight_shape, requires_grad=False), label="weight")
    output = F.conv_transpose2d(x, weight, output_padding=case.output_padding, **options)
    z = data.draw(tensors(output.shape, requires_grad=False), label="z")
    restricted = F.conv2d(z, weight, **options)[:, :, : case.input_shape[2], : case.input_shape[3]]
    np.testing.assert_allclose(_inner(restricted, x), _inner(z, output), rtol=1e-10, atol=1e-10)


@given(data=st.data())
def test_fold_is_the_adjoint_of_unfold(data):
    case = data.draw(block_cases(), label="case")
    image = data.draw(tensors(case.image_shape, requires_grad=False), label="image")
    columns = F.unfold(image, **case.options)
    other = data.draw(tensors(columns.shape, requires_grad=False), label="other")
    np.testing.assert_allclose(_inner(columns, other), _inner(image, F.fold(other, case.image_shape[2:], **case.options)), rtol=1e-10, atol=1e-10)


@given(data=st.data())
def test_conv2d_is_a_product_with_unfolded_blocks(data):
    # torch's documented identity: conv2d(X, K) = K as (O, C·kh·kw) times unfold(X), one group.
    case = data.draw(grouped_conv_cases(dims=2).filter(lambda c: c.groups == 1 and not isinstance(c.padding, str)), label="case")
    x = data.draw(tensors(case.input_shape, requires_grad=False), label="x")
    weight = data.draw(tensors(case.weight_shape, requires_grad=False), label="weight")
    options = dict(stride=case.stride, padding=case.padding, dilation=case.dilation)
    output = F.conv2d(x, weight, **options)
    columns = F.unfold(x, case.weight_shape[2:], **options)
    product = weight.reshape(case.weight_shape[0], -1) @ columns
    np.testing.assert_allclose(product.numpy().reshape(output.shape), output.numpy(), rtol=1e-10, atol=1e-12)


def test_padding_same_keeps_the_size_and_puts_the_odd_row_at_the_bottom_right():
    # A 2×2 kernel of ones sums X[i, j] + X[i, j+1] + X[i+1, j] + X[i+1, j+1]: the extra zero
    # row and column are after the image, as torch's.
    x = tg.tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    output = F.conv2d(x, tg.ones(1, 1, 2, 2, dtype=tg.float64), padding="same")
    np.testing.assert_array_equal(output.numpy()[0, 0], [[8, 12, 7], [20, 24, 13], [13, 15, 8]])


def test_grouped_conv2d_is_one_conv2d_per_group():
    rng = np.random.default_rng(0)
    x, weight = tg.tensor(rng.normal(size=(2, 6, 5, 5))), tg.tensor(rng.normal(size=(4, 3, 3, 3)))
    whole = F.conv2d(x, weight, groups=2, dilation=2)
    parts = [F.conv2d(x[:, 3 * g : 3 * g + 3], weight[2 * g : 2 * g + 2], dilation=2) for g in range(2)]
    np.testing.assert_allclose(whole.numpy(), np.concatenate([p.numpy() for p in parts], axis=1), rtol=1e-12)


def test_conv_transpose2d_layer_takes_an_output_size():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    x = tg.randn(1, 2, 4, 5)
    assert layer(x).shape == (1, 3, 7, 9)
    assert layer(x, output_size=(8, 10)).shape == (1, 3, 8, 10)
    assert layer(x, output_size=[1, 3, 8, 9]).shape == (1, 3, 8, 9)
    with pytest.raises(ValueError, match=r"requested an output size of \(9, 9\), but valid sizes range from \(7, 9\) to \(8, 10\)"):
        layer(x, output_size=(9, 9))


# ---- the layers: arguments, attributes, initialisation --------------------------------------
@pytest.mark.parametrize("build, fan_in", [
    (lambda: nn.Conv2d(8, 6, (3, 2), groups=2), 4 * 3 * 2),
    (lambda: nn.Conv2d(6, 6, 3, groups=6), 9),
    (lambda: nn.Conv1d(6, 4, 5, groups=2), 3 * 5),
    (lambda: nn.ConvTranspose2d(4, 6, 3, groups=2), 3 * 9),
])
def test_initialisation_is_uniform_within_one_over_root_fan_in(build, fan_in):
    tg.manual_seed(0)
    weights, biases = [], []
    for _ in range(40):
        layer = build()
        weights.append(layer.weight.numpy().ravel())
        biases.append(layer.bias.numpy().ravel())
    bound = 1 / math.sqrt(fan_in)
    for values in (np.concatenate(weights), np.concatenate(biases)):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.95 * bound  # the whole range is used: not a smaller bound
        assert abs(np.mean(values ** 2) - bound ** 2 / 3) < 0.15 * bound ** 2 / 3


def test_layers_keep_torchs_attributes_and_weight_layouts():
    conv = nn.Conv2d(4, 6, (3, 2), padding="same", dilation=(2, 1), groups=2, bias=False, padding_mode="circular")
    assert (conv.kernel_size, conv.stride, conv.padding, conv.dilation, conv.groups) == ((3, 2), (1, 1), "same", (2, 1), 2)
    assert (conv.output_padding, conv.transposed, conv.padding_mode, conv.bias) == ((0, 0), False, "circular", None)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.weight.dtype == np.float32
    assert conv._reversed_padding_repeated_twice == [0, 1, 2, 2]
    conv1 = nn.Conv1d(2, 4, 3, stride=(2,), padding=1, dtype=tg.float64)
    assert (conv1.kernel_size, conv1.stride, conv1.padding, conv1.dilation) == ((3,), (2,), (1,), (1,))
    assert conv1.weight.shape == (4, 2, 3) and conv1.weight.dtype == np.float64
    transposed = nn.ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2)
    assert transposed.weight.shape == (4, 3, 3, 3) and transposed.transposed and transposed.output_padding == (1, 1)
    assert [name for name, _ in transposed.named_parameters()] == ["weight", "bias"]


def test_layer_outputs_have_the_expected_shapes():
    x = tg.randn(2, 4, 9, 8)
    assert nn.Conv2d(4, 6, 3, padding="same", dilation=2, groups=2, padding_mode="reflect")(x).shape == (2, 6, 9, 8)
    assert nn.Conv2d(4, 4, 4, padding="valid", groups=4)(x).shape == (2, 4, 6, 5)
    assert nn.Conv1d(4, 2, 2, padding="same", padding_mode="replicate")(tg.randn(3, 4, 7)).shape == (3, 2, 7)
    assert nn.ConvTranspose2d(4, 2, (3, 2), stride=(2, 1), dilation=(1, 3))(x).shape == (2, 2, 19, 11)
    assert nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=1)(tg.randn(3, 4, 5)).shape == (3, 2, 12)
    unfolded = nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2))(x)
    assert unfolded.shape == (2, 4 * 6, 9 * 3)
    assert nn.Fold((9, 8), (2, 3), dilation=2, padding=1, stride=(1, 2))(unfolded).shape == x.shape
    assert repr(nn.Fold((9, 8), 2)) == "Fold(output_size=(9, 8), kernel_size=2, dilation=1, padding=0, stride=1)"


# ---- errors: named where the user made them ------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 4, 3, groups=0), ValueError, "groups must be a positive integer"),
    (lambda: nn.Conv2d(4, 4, 3, padding="full"), ValueError, "invalid padding string 'full'"),
    (lambda: nn.Conv2d(4, 4, 3, padding="same", stride=2), ValueError, "padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv2d(4, 4, 3, padding_mode="mirror"), ValueError, "padding_mode must be one of"),
    (lambda: nn.Conv2d(4, 4, 3, dilation=0), ValueError, "dilation too"),
    (lambda: nn.Conv1d(4, 4, (3, 3)), TypeError, "kernel_size must be an int or a 1-element tuple"),
    (lambda: nn.Conv2d(4, 4, 3, device="cuda"), CPUOnlyError, "CPU only"),
    (lambda: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"), ValueError, 'Only "zeros" padding mode'),
    (lambda: nn.ConvTranspose2d(4, 4, 3, padding="same"), ValueError, "padding must be an int or a tuple"),
    (lambda: nn.ConvTranspose1d(4, 4, 3, padding_mode="circular"), ValueError, 'Only "zeros" padding mode is supported for ConvTranspose1d'),
    (lambda: F.conv_transpose1d(tg.ones(1, 4, 5, 5), tg.ones(4, 2, 3)), ValueError, "Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: [1, 4, 5, 5]"),
    (lambda: F.conv_transpose1d(tg.ones(1, 4, 5), tg.ones(4, 2, 3), stride=2, output_padding=3), ValueError, "output padding must be smaller"),
    (lambda: F.conv2d(tg.ones(1, 3, 5, 5), tg.ones(4, 2, 3, 3), groups=2), ValueError, "input has 3 channels (shape (1, 3, 5, 5)) but the weight expects 4 (2 per group × groups=2)"),
    (lambda: F.conv2d(tg.ones(1, 4, 5, 5), tg.ones(3, 2, 3, 3), groups=2), ValueError, "3 output channels (weight shape (3, 2, 3, 3)) are not divisible by groups=2"),
    (lambda: F.conv2d(tg.ones(1, 4, 5, 5), tg.ones(4, 4, 3, 3), groups=0), RuntimeError, "non-positive groups is not supported"),
    (lambda: F.conv2d(tg.ones(1, 1, 5, 5), tg.ones(1, 1, 3, 3), dilation=3), RuntimeError, "kernel (3, 3) with dilation (3, 3) (spanning (7, 7)) is larger than the padded input (5, 5)"),
    (lambda: F.conv2d(tg.ones(1, 1, 5, 5), tg.ones(1, 1, 3, 3), padding="same", stride=2), RuntimeError, "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(tg.ones(1, 1, 5, 5), tg.ones(1, 1, 3, 3), padding="full"), RuntimeError, "invalid padding string 'full'"),
    (lambda: F.conv1d(tg.ones(1, 3, 5, 5), tg.ones(4, 3, 3)), ValueError, "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 3, 5, 5]"),
    (lambda: F.conv1d(tg.ones(1, 3, 5), tg.ones(4, 3, 7)), ValueError, "conv1d: kernel (7,) is larger than the padded input (5,)"),
    (lambda: F.conv_transpose2d(tg.ones(1, 3, 5, 5), tg.ones(2, 2, 3, 3)), ValueError, "input has 3 channels (shape (1, 3, 5, 5)) but the weight expects 2"),
    (lambda: F.conv_transpose2d(tg.ones(1, 4, 5, 5), tg.ones(4, 2, 3, 3), stride=2, output_padding=2), RuntimeError, "output padding must be smaller than either stride or dilation"),
    (lambda: F.conv_transpose2d(tg.ones(1, 3, 1, 1), tg.ones(3, 2, 3, 3), padding=2), RuntimeError, "output size (-1, -1) is too small"),
    (lambda: F.unfold(tg.ones(1, 3, 2, 2), 3), RuntimeError, "an image of spatial size (2, 2) with kernel_size=(3, 3)"),
    (lambda: F.unfold(tg.ones(5, 5), 2), ValueError, "unfold: input must be 3-D (C, H, W) or 4-D (N, C, H, W); got shape (5, 5)"),
    (lambda: F.fold(tg.ones(1, 13, 16), (5, 5), 2), RuntimeError, "(size 13) must be divisible by the product of kernel_size (2, 2), 4"),
    (lambda: F.fold(tg.ones(1, 12, 15), (5, 5), 2), RuntimeError, "has 4 × 4 = 16 blocks, but the input's last dimension is 15"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
