"""Unbatched inputs to the convolutions, as torch takes them: conv1d and conv_transpose1d of
(C, L), conv2d and conv_transpose2d of (C, H, W), and their layers, give an unbatched output.
They run on a batch of one (unsqueeze(0) in, squeeze(0) out), so the proofs are: finite
differences, first and second order; the batch-of-one identity, values and gradients, exactly;
PyTorch in float64 (values, gradients, Hessian-vector products); torch's error for other ranks.
The poolings of (C, H, W) are checked against PyTorch too."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import grad
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import conv_cases, tensors

RTOL, ATOL = 1e-9, 1e-11


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it")


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ---- finite differences, first and second order ---------------------------------------------
@given(case=conv_cases(), data=st.data())
def test_unbatched_conv2d(check, case, data):
    x = data.draw(tensors(case.input_shape[1:]), label="x")
    weight = data.draw(tensors(case.weight_shape), label="weight")
    bias = data.draw(st.none() | tensors((case.out_channels,)), label="bias")
    assert check(lambda i, w, b: F.conv2d(i, w, b, case.stride, case.padding), x, weight, bias)


@given(case=conv_cases(), data=st.data())
def test_unbatched_conv_transpose1d(check, case, data):
    # The case's width as the length; (in, out, k) is the transpose's weight layout. No padding:
    # the conv case's padding may leave the transpose without output.
    x = data.draw(tensors((case.in_channels, case.width)), label="x")
    weight = data.draw(tensors((case.in_channels, case.out_channels, case.kernel[1])), label="weight")
    assert check(lambda i, w: F.conv_transpose1d(i, w, stride=case.stride[1]), x, weight)


# ---- an unbatched input is a batch of one ---------------------------------------------------
FUNCTIONS = {
    "conv1d": (F.conv1d, (4, 9), (6, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2)),
    "conv1d same": (F.conv1d, (2, 7), (3, 2, 4), dict(padding="same", dilation=3)),
    "conv2d": (F.conv2d, (4, 7, 6), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    "conv2d same, even kernel": (F.conv2d, (2, 5, 6), (3, 2, 2, 4), dict(padding="same")),
    "conv_transpose1d": (F.conv_transpose1d, (4, 5), (4, 3, 3), dict(stride=2, padding=1, output_padding=1, groups=2, dilation=2)),
    "conv_transpose2d": (F.conv_transpose2d, (4, 4, 3), (4, 1, 3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                                                           groups=4, dilation=(2, 1))),
}


def bias_size(function: Callable, weight_shape: tuple[int, ...], groups: int) -> int:
    transposed = function in (F.conv_transpose1d, F.conv_transpose2d)
    return weight_shape[1] * groups if transposed else weight_shape[0]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_an_unbatched_input_gives_the_batch_of_one_values_and_gradients(name):
    function, input_shape, weight_shape, options = FUNCTIONS[name]
    arrays = [normal(*input_shape), normal(*weight_shape, seed=1), normal(bias_size(function, weight_shape, options.get("groups", 1)), seed=2)]
    results = []
    for batch in (False, True):
        x, weight, bias = (tg.tensor(a, requires_grad=True) for a in arrays)
        output = function(x.unsqueeze(0) if batch else x, weight, bias, **options)
        output = output.squeeze(0) if batch else output
        (output * tg.tensor(normal(*output.shape, seed=3))).sum().backward()
        results.append([output.data, x.grad.data, weight.grad.data, bias.grad.data])
    assert results[0][0].ndim == len(input_shape)
    for unbatched, batch_of_one in zip(*results):
        np.testing.assert_array_equal(unbatched, batch_of_one)


# ---- PyTorch as the oracle ------------------------------------------------------------------
def _derivatives(leaf: Callable, autograd_grad: Callable, f: Callable, inputs: list[np.ndarray], v1: np.ndarray,
                 v2: list[np.ndarray], constant: Callable) -> list[np.ndarray]:
    """f's output, g = ∂⟨f, v₁⟩/∂inputs, and ∂⟨g, v₂⟩/∂inputs, as arrays."""
    leaves = [leaf(x) for x in inputs]
    output = f(*leaves)
    gradients = autograd_grad([output], leaves, grad_outputs=[constant(v1)], create_graph=True)
    second = autograd_grad([sum((g * constant(v)).sum() for g, v in zip(gradients, v2))], leaves, allow_unused=True)
    as_array = lambda value, like: np.zeros(like.shape) if value is None else value.detach().numpy()  # noqa: E731
    return [output.detach().numpy(), *(as_array(g, x) for g, x in zip([*gradients, *second], inputs + inputs))]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")  # torch's note on its own speed
@pytest.mark.parametrize("name", FUNCTIONS)
def test_unbatched_functions_match_torch(torch, name):
    function, input_shape, weight_shape, options = FUNCTIONS[name]
    inputs = [normal(*input_shape), normal(*weight_shape, seed=1), normal(bias_size(function, weight_shape, options.get("groups", 1)), seed=2)]
    theirs_function = getattr(torch.nn.functional, function.__name__)
    output_shape = theirs_function(*map(torch.from_numpy, inputs), **options).shape
    v1, v2 = normal(*output_shape, seed=3), [normal(*x.shape, seed=4 + k) for k, x in enumerate(inputs)]
    mine = _derivatives(lambda x: tg.tensor(x, requires_grad=True), grad, lambda *a: function(*a, **options), inputs, v1, v2, tg.tensor)
    reference = _derivatives(lambda x: torch.tensor(x, requires_grad=True), lambda *a, **k: torch.autograd.grad(*a, **k),
                             lambda *a: theirs_function(*a, **options), inputs, v1, v2, torch.from_numpy)
    names = ["forward", "dE/dX", "dE/dweight", "dE/dbias", "HVP X", "HVP weight", "HVP bias"]
    for label, a, b in zip(names, mine, reference):
        assert a.shape == b.shape, label
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=label)


LAYERS = {
    "Conv1d reflect": (lambda m: m.Conv1d(4, 6, 3, padding=2, dilation=2, groups=2, padding_mode="reflect"), (4, 9), None),
    "Conv1d circular, same": (lambda m: m.Conv1d(2, 3, 4, padding="same", padding_mode="circular"), (2, 7), None),
    "Conv2d zeros": (lambda m: m.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2), (4, 7, 6), None),
    "Conv2d replicate": (lambda m: m.Conv2d(2, 3, 3, padding=(1, 2), dilation=(2, 1), padding_mode="replicate"), (2, 6, 5), None),
    "ConvTranspose1d, output_size": (lambda m: m.ConvTranspose1d(4, 6, 3, stride=2, groups=2), (4, 5), [12]),
    "ConvTranspose2d, output_size": (lambda m: m.ConvTranspose2d(2, 3, 3, stride=(2, 3), padding=1), (2, 4, 3), (8, 9)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_unbatched_layers_match_torch(torch, name):
    build, input_shape, output_size = LAYERS[name]
    mine, theirs = build(nn).double(), build(torch.nn).double()
    mine.load_state_dict(theirs.state_dict())
    x = normal(*input_shape)
    ours_x, their_x = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    extra = () if output_size is None else (output_size,)
    ours_y, their_y = mine(ours_x, *extra), theirs(their_x, *extra)
    assert ours_y.shape == tuple(their_y.shape) and ours_y.ndim == len(input_shape)
    v = normal(*their_y.shape, seed=1)
    (ours_y * tg.tensor(v)).sum().backward()
    (their_y * torch.from_numpy(v)).sum().backward()
    np.testing.assert_allclose(ours_y.data, their_y.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours_x.grad.data, their_x.grad.numpy(), rtol=RTOL, atol=ATOL)
    for parameter_name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(getattr(mine, parameter_name).grad.data, parameter.grad.numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=parameter_name)


POOLS = {
    "max_pool2d, padding, dilation, ceil_mode": ("max_pool2d", (3, 2, 1, 2, True)),
    "max_pool2d, plain windows": ("max_pool2d", (2,)),
    "avg_pool2d, ceil_mode, without padded cells": ("avg_pool2d", (3, 2, 1, True, False)),
    "adaptive_avg_pool2d": ("adaptive_avg_pool2d", ((3, 2),)),
    "adaptive_max_pool2d": ("adaptive_max_pool2d", ((3, 4),)),
}


@pytest.mark.parametrize("name", POOLS)
def test_unbatched_poolings_match_torch(torch, name):
    function, arguments = POOLS[name]
    x = np.random.default_rng(5).permutation(3 * 7 * 8).reshape(3, 7, 8) / 10.0  # distinct values: no ties for the maxima
    ours_x, their_x = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = getattr(F, function)(ours_x, *arguments), getattr(torch.nn.functional, function)(their_x, *arguments)
    assert ours.shape == tuple(theirs.shape) and ours.ndim == 3
    v = normal(*theirs.shape, seed=1)
    (ours * tg.tensor(v)).sum().backward()
    (theirs * torch.from_numpy(v)).sum().backward()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours_x.grad.data, their_x.grad.numpy(), rtol=RTOL, atol=ATOL)


# ---- other ranks: torch's error -------------------------------------------------------------
BAD_RANKS = {
    "conv1d of (L,)": (F.conv1d, (5,), (2, 3, 1)),
    "conv1d of 4-D": (F.conv1d, (1, 3, 5, 5), (2, 3, 1)),
    "conv2d of (H, W)": (F.conv2d, (3, 4), (2, 3, 1, 1)),
    "conv2d of 5-D": (F.conv2d, (1, 3, 2, 4, 4), (2, 3, 1, 1)),
    "conv_transpose1d of (L,)": (F.conv_transpose1d, (3,), (3, 2, 1)),
    "conv_transpose2d of (H, W)": (F.conv_transpose2d, (3, 4), (3, 2, 1, 1)),
}


@pytest.mark.parametrize("name", BAD_RANKS)
def test_other_ranks_are_refused_in_torchs_words(name):
    function, input_shape, weight_shape = BAD_RANKS[name]
    with pytest.raises(ShapeError) as raised:
        function(tg.ones(*input_shape), tg.ones(*weight_shape))
    batched = len(weight_shape)
    assert str(raised.value) == (f"Expected {batched - 1}D (unbatched) or {batched}D (batched) input to {function.__name__}, "
                                 f"but got input of size: {list(input_shape)}")


@pytest.mark.parametrize("name", BAD_RANKS)
def test_the_rank_error_is_torchs_message(torch, name):
    function, input_shape, weight_shape = BAD_RANKS[name]
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.nn.functional, function.__name__)(torch.ones(*input_shape), torch.ones(*weight_shape))
    with pytest.raises(RuntimeError) as ours:
        function(tg.ones(*input_shape), tg.ones(*weight_shape))
    assert str(ours.value) == str(theirs.value)
