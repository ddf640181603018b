"""PyTorch as the oracle for the convolution family, in float64: values, first derivatives and
second derivatives (Hessian-vector products through torch.autograd.grad(create_graph=True))
of conv2d (groups, depthwise, dilation, "same" with even kernels, "valid"), conv1d,
conv_transpose2d and conv_transpose1d (output_padding, groups, dilation), unfold and fold; and the layers: torch's
reprs, and a torch state_dict loaded into ours giving torch's outputs and gradients in every
padding_mode."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import grad
from tinygrad_edu.nn import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it")
TF = torch.nn.functional

# float64 on both sides: the two differ only in summation order.
RTOL, ATOL = 1e-9, 1e-11


def _derivatives(leaf: Callable, constant: Callable, autograd_grad: Callable, f: Callable, inputs: list[np.ndarray],
                 v1: np.ndarray, v2: list[np.ndarray]) -> list[np.ndarray]:
    """f's output, g = ∂⟨f, v₁⟩/∂inputs, and ∂⟨g, v₂⟩/∂(inputs, v₁), as arrays (None as zeros)."""
    leaves, direction = [leaf(x) for x in inputs], leaf(v1)
    output = f(*leaves)
    gradients = autograd_grad([output], leaves, grad_outputs=[direction], create_graph=True)
    inner = sum((g * constant(v)).sum() for g, v in zip(gradients, v2))
    second = autograd_grad([inner], [*leaves, direction], allow_unused=True)
    as_array = lambda value, like: np.zeros(like.shape) if value is None else value.detach().numpy()  # noqa: E731
    return [output.detach().numpy(), *(as_array(g, x) for g, x in zip(gradients, inputs)),
            *(as_array(h, x) for h, x in zip(second, [*inputs, v1]))]


def assert_matches_torch(ours: Callable, theirs: Callable, *inputs: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    output_shape = ours(*[tg.tensor(x) for x in inputs]).shape
    v1, v2 = rng.standard_normal(output_shape), [rng.standard_normal(x.shape) for x in inputs]
    mine = _derivatives(lambda x: tg.tensor(x, requires_grad=True), tg.tensor, grad, ours, list(inputs), v1, v2)
    reference = _derivatives(lambda x: torch.tensor(x, requires_grad=True), torch.from_numpy,
                             lambda *a, **k: torch.autograd.grad(*a, **k), theirs, list(inputs), v1, v2)
    names = ["forward", *(f"first derivative, input {k}" for k in range(len(inputs))),
             *(f"Hessian-vector product, input {k}" for k in range(len(inputs))), "Jacobian-vector product (∂/∂v₁)"]
    for name, a, b in zip(names, mine, reference):
        assert a.shape == b.shape, name
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=name)


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ---- the functions -------------------------------------------------------------------------
CONV2D = {
    "groups 2": ((2, 4, 5, 6), (6, 2, 3, 3), dict(groups=2, padding=1)),
    "depthwise (groups = C), 2 filters each": ((2, 3, 5, 5), (6, 1, 3, 3), dict(groups=3)),
    "dilation 2": ((1, 2, 7, 6), (3, 2, 3, 2), dict(dilation=2, padding=(2, 1))),
    "dilation, stride and groups": ((2, 6, 8, 7), (4, 3, 2, 3), dict(dilation=(2, 1), stride=(2, 3), groups=2, padding=1)),
    "same, even kernel": ((2, 2, 5, 6), (3, 2, 2, 4), dict(padding="same")),
    "same, even kernel, odd dilation": ((1, 2, 6, 7), (2, 1, 4, 2), dict(padding="same", dilation=(1, 3), groups=2)),
    "same, odd kernel, dilation 2": ((1, 3, 5, 5), (2, 3, 3, 3), dict(padding="same", dilation=2)),
    "valid": ((2, 2, 5, 4), (3, 2, 3, 2), dict(padding="valid", stride=2)),
    "window rows, stride across": ((2, 6, 5, 7), (4, 6, 3, 3), dict(padding=1, stride=(1, 2))),
    "window rows, dilation across": ((2, 6, 6, 7), (3, 6, 3, 3), dict(padding=(1, 2), dilation=(1, 2))),
    "window rows, stride 2": ((2, 6, 7, 6), (5, 6, 3, 3), dict(padding=1, stride=2)),
}


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")  # torch's note on its own speed
@pytest.mark.parametrize("input_shape, weight_shape, options", CONV2D.values(), ids=CONV2D.keys())
def test_conv2d(input_shape, weight_shape, options):
    x, weight, bias = normal(*input_shape), normal(*weight_shape, seed=1), normal(weight_shape[0], seed=2)
    assert_matches_torch(lambda i, w, b: F.conv2d(i, w, b, **options), lambda i, w, b: TF.conv2d(i, w, b, **options), x, weight, bias)


CONV1D = {
    "groups, stride": ((2, 4, 9), (6, 2, 3), dict(groups=2, stride=2, padding=1)),
    "depthwise, dilation 2": ((1, 3, 8), (3, 1, 3), dict(groups=3, dilation=2)),
    "same, even kernel, dilation 3": ((2, 2, 7), (3, 2, 4), dict(padding="same", dilation=3)),
    "valid, tuples": ((2, 2, 7), (3, 2, 2), dict(padding="valid", stride=(3,), dilation=(2,))),
}


@pytest.mark.parametrize("input_shape, weight_shape, options", CONV1D.values(), ids=CONV1D.keys())
def test_conv1d(input_shape, weight_shape, options):
    x, weight, bias = normal(*input_shape), normal(*weight_shape, seed=1), normal(weight_shape[0], seed=2)
    assert_matches_torch(lambda i, w, b: F.conv1d(i, w, b, **options), lambda i, w, b: TF.conv1d(i, w, b, **options), x, weight, bias)


CONV_TRANSPOSE2D = {
    "plain": ((2, 3, 3, 4), (3, 2, 3, 3), dict()),
    "stride 2, padding, output_padding": ((2, 2, 3, 3), (2, 3, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    "groups, dilation": ((1, 4, 3, 3), (4, 2, 2, 3), dict(groups=2, dilation=(2, 1))),
    "output_padding below dilation, above stride": ((1, 2, 3, 2), (2, 2, 2, 3), dict(dilation=3, output_padding=(2, 1), padding=(0, 1))),
    "depthwise, stride 3": ((2, 3, 2, 3), (3, 1, 3, 3), dict(groups=3, stride=(3, 2), output_padding=(2, 1))),
}


CONV_TRANSPOSE1D = {
    "stride 2, padding, output_padding": ((2, 2, 4), (2, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    "groups, dilation, output_padding below dilation": ((1, 4, 3), (4, 1, 2), dict(groups=4, dilation=3, output_padding=2)),
}


CONV_TRANSPOSE = {f"{name}: {case}": (name, *arguments) for name, cases in
                  (("conv_transpose2d", CONV_TRANSPOSE2D), ("conv_transpose1d", CONV_TRANSPOSE1D)) for case, arguments in cases.items()}


@pytest.mark.parametrize("name, input_shape, weight_shape, options", CONV_TRANSPOSE.values(), ids=CONV_TRANSPOSE.keys())
def test_conv_transpose(name, input_shape, weight_shape, options):
    out_channels = weight_shape[1] * options.get("groups", 1)
    x, weight, bias = normal(*input_shape), normal(*weight_shape, seed=1), normal(out_channels, seed=2)
    ours, theirs = getattr(F, name), getattr(TF, name)
    assert_matches_torch(lambda i, w, b: ours(i, w, b, **options), lambda i, w, b: theirs(i, w, b, **options), x, weight, bias)


BLOCKS = {
    "2×2": ((2, 3, 4, 5), dict(kernel_size=2)),
    "dilated, padded, strided": ((1, 2, 6, 7), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2))),
    "unbatched": ((3, 4, 4), dict(kernel_size=3, padding=1, stride=2)),
}


@pytest.mark.parametrize("image_shape, options", BLOCKS.values(), ids=BLOCKS.keys())
def test_unfold_and_fold(image_shape, options):
    image = normal(*image_shape)
    assert_matches_torch(lambda t: F.unfold(t, **options), lambda t: TF.unfold(t, **options), image)
    columns = normal(*TF.unfold(torch.from_numpy(image), **options).shape, seed=3)
    size = image_shape[-2:]
    assert_matches_torch(lambda t: F.fold(t, size, **options), lambda t: TF.fold(t, size, **options), columns)


def test_conv2d_of_an_input_with_itself_in_groups():
    # The same tensor as input and as kernel: both halves of the grouped backward meet in the Hessian.
    assert_matches_torch(lambda t: F.conv2d(t, t.reshape(8, 2, 3, 3), padding=1, groups=2, dilation=2),
                         lambda t: TF.conv2d(t, t.reshape(8, 2, 3, 3), padding=1, groups=2, dilation=2), normal(4, 4, 3, 3))


# ---- the layers ---------------------------------------------------------------------------
CONV_LAYERS = [
    lambda m: m.Conv2d(4, 6, 3),
    lambda m: m.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=2, groups=2, bias=False),
    lambda m: m.Conv2d(4, 4, 2, padding="same", groups=4, padding_mode="reflect"),
    lambda m: m.Conv2d(2, 3, 3, padding="valid", padding_mode="circular"),
    lambda m: m.Conv2d(2, 3, (3, 1), padding=(1, 0), padding_mode="replicate", dilation=(1, 2)),
    lambda m: m.Conv1d(4, 2, 3, stride=2, padding=1, groups=2),
    lambda m: m.Conv1d(2, 2, 4, padding="same", dilation=2, padding_mode="circular"),
    lambda m: m.Conv1d(2, 3, 2, padding=1, padding_mode="reflect", bias=False),
    lambda m: m.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
    lambda m: m.ConvTranspose2d(2, 3, (2, 3), dilation=(2, 1), bias=False),
    lambda m: m.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
]
LAYERS = [*CONV_LAYERS, lambda m: m.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)), lambda m: m.Fold((5, 6), 2, stride=1)]


@pytest.mark.parametrize("build", LAYERS)
def test_layer_repr_and_state_dict_layout_match_torch(build):
    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs)
    assert [(name, tuple(value.shape), str(value.dtype)) for name, value in ours.state_dict().items()] == \
        [(name, tuple(value.shape), str(value.dtype).replace("torch.", "")) for name, value in theirs.state_dict().items()]


@pytest.mark.parametrize("build", CONV_LAYERS)
def test_torch_weights_loaded_into_our_layer_give_torchs_outputs_and_gradients(build):
    theirs = build(torch.nn).double()
    ours = build(nn).double()
    ours.load_state_dict(theirs.state_dict())
    spatial = (7, 6) if len(theirs.kernel_size) == 2 else (9,)
    x = normal(2, theirs.in_channels, *spatial, seed=4)
    x_ours, x_theirs = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y_ours, y_theirs = ours(x_ours), theirs(x_theirs)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=RTOL, atol=ATOL)
    upstream = normal(*y_theirs.shape, seed=5)
    (y_ours * tg.tensor(upstream)).sum().backward()
    (y_theirs * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(), rtol=RTOL, atol=ATOL)
    for (name, ours_parameter), theirs_parameter in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(ours_parameter.grad.numpy(), theirs_parameter.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)


def test_conv_transpose2d_layer_output_size_matches_torch():
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=(3, 2), padding=1).double()
    ours = nn.ConvTranspose2d(2, 3, 3, stride=(3, 2), padding=1).double()
    ours.load_state_dict(theirs.state_dict())
    x = normal(1, 2, 3, 4)
    for size in [(7, 7), (9, 8), [1, 3, 8, 7]]:
        expected = theirs(torch.from_numpy(x), output_size=size).detach().numpy()
        np.testing.assert_allclose(ours(tg.tensor(x), output_size=size).numpy(), expected, rtol=RTOL, atol=ATOL)


def test_layers_make_the_same_first_output_size_as_torch_for_every_padding_mode():
    x = normal(1, 2, 5, 4)
    for mode in ["zeros", "reflect", "replicate", "circular"]:
        for padding in [1, (2, 1), "same", "valid"]:
            theirs = torch.nn.Conv2d(2, 2, (3, 2), padding=padding, padding_mode=mode).double()
            ours = nn.Conv2d(2, 2, (3, 2), padding=padding, padding_mode=mode).double()
            ours.load_state_dict(theirs.state_dict())
            np.testing.assert_allclose(ours(tg.tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f"{mode}, padding={padding}")
