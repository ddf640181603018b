"""Activations (functions and modules), Identity, Unflatten and channel dropout: finite
differences (first and second order) under Hypothesis, and PyTorch as an oracle for values,
gradients and reprs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import away_from_kinks, shapes, tensors

# name -> (our function, the torch.nn.functional call with the same options). The options
# put kinks at values the strategy (a grid offset by half a step) never draws.
ACTIVATIONS = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda tf, x: tf.leaky_relu(x, 0.2)),
    "elu": (lambda x: F.elu(x, 1.5), lambda tf, x: tf.elu(x, 1.5)),
    "selu": (F.selu, lambda tf, x: tf.selu(x)),
    "celu": (lambda x: F.celu(x, 0.7), lambda tf, x: tf.celu(x, 0.7)),
    "gelu": (F.gelu, lambda tf, x: tf.gelu(x)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda tf, x: tf.gelu(x, approximate="tanh")),
    "silu": (F.silu, lambda tf, x: tf.silu(x)),
    "mish": (F.mish, lambda tf, x: tf.mish(x)),
    "softplus": (F.softplus, lambda tf, x: tf.softplus(x)),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=3.0), lambda tf, x: tf.softplus(x, beta=2.0, threshold=3.0)),
    "softsign": (F.softsign, lambda tf, x: tf.softsign(x)),
    "hardtanh": (lambda x: F.hardtanh(x, -1.0, 2.0), lambda tf, x: tf.hardtanh(x, -1.0, 2.0)),
    "relu6": (F.relu6, lambda tf, x: tf.relu6(x)),
    "hardsigmoid": (F.hardsigmoid, lambda tf, x: tf.hardsigmoid(x)),
    "hardswish": (F.hardswish, lambda tf, x: tf.hardswish(x)),
    "logsigmoid": (F.logsigmoid, lambda tf, x: tf.logsigmoid(x)),
    "softmin": (lambda x: F.softmin(x, dim=-1), lambda tf, x: tf.softmin(x, dim=-1)),
    "threshold": (lambda x: F.threshold(x, 0.1, -2.0), lambda tf, x: tf.threshold(x, 0.1, -2.0)),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@settings(max_examples=10)
@given(data=st.data())
def test_activation_gradients_match_finite_differences(check, name, data):
    x = data.draw(tensors(shapes(max_dims=2, max_side=4), away_from_kinks(7.0)))
    assert check(ACTIVATIONS[name][0], x)


def test_activations_keep_the_input_dtype():
    x = tg.randn(3, 4)
    for name, (ours, _) in ACTIVATIONS.items():
        assert ours(x).dtype == tg.float32, name


def test_inplace_is_accepted_and_leaves_the_input_unchanged():
    x = tg.tensor([-1.0, 2.0])
    for fn in (F.relu, F.leaky_relu, F.elu, F.hardtanh, F.relu6, F.silu):
        fn(x, inplace=True)
    nn.ReLU(inplace=True)(x)
    nn.Dropout(0.5, inplace=True)(x)
    np.testing.assert_array_equal(x.array, [-1.0, 2.0])


def test_stable_at_extreme_inputs():
    x = tg.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    for fn in (F.softplus, F.logsigmoid, F.mish, F.elu, F.celu, F.selu, F.silu):
        y = fn(x)
        y.sum().backward()
        assert np.isfinite(y.array).all() and np.isfinite(x.grad.array).all(), fn.__name__
        x.grad = None
    np.testing.assert_allclose(F.logsigmoid(x).array, [-1000.0, -50.0, -np.log(2), 0.0, 0.0], rtol=1e-6, atol=1e-20)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(tg.zeros(2), approximate="fast")
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(2.0, 1.0)


def test_identity_and_unflatten():
    x = tg.randn(2, 12, requires_grad=True)
    assert nn.Identity(54, unused=True)(x) is x
    y = nn.Unflatten(1, (3, -1))(x)
    assert y.shape == (2, 3, 4)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.ones((2, 12)))
    with pytest.raises(RuntimeError, match="multiply up"):
        nn.Unflatten(1, (5, 5))(x)


def test_softmax_modules_use_torchs_implicit_dim():
    x = tg.randn(2, 3)
    np.testing.assert_allclose(nn.Softmax()(x).array.sum(1), np.ones(2), rtol=1e-6)
    np.testing.assert_allclose(nn.Softmax(dim=0)(x).array.sum(0), np.ones(3), rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x).array, F.log_softmax(x, 1).array)
    np.testing.assert_allclose(nn.Softmin(dim=1)(x).array, F.softmax(-x, 1).array)


@pytest.mark.parametrize("layer, shape", [(nn.Dropout1d, (4, 6, 5)), (nn.Dropout1d, (6, 5)), (nn.Dropout2d, (4, 6, 3, 3)), (nn.Dropout2d, (6, 3, 3))])
def test_channel_dropout_zeroes_whole_channels(layer, shape):
    tg.manual_seed(0)
    x = tg.ones(*shape, requires_grad=True)
    y = layer(0.5)(x)
    channels = y.array.reshape(shape[: len(shape) - (1 if layer is nn.Dropout1d else 2)] + (-1,))
    # Each channel is all 0 or all 1/(1 − p) = 2, and both occur.
    assert ((channels == 0).all(-1) | (channels == 2).all(-1)).all()
    assert 0 < (channels[..., 0] == 0).mean() < 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, y.array)
    dropout = layer(0.5)
    dropout.eval()
    assert dropout(x) is x


def test_channel_dropout_rejects_wrong_ranks():
    with pytest.raises(ValueError, match="3-D"):
        nn.Dropout1d()(tg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="p is the probability"):
        nn.Dropout2d(1.5)


@settings(max_examples=10)
@given(x=tensors(shapes(min_dims=3, max_dims=4, max_side=3)))
def test_channel_dropout_gradients(check, x):
    def dropped(x):
        tg.manual_seed(1)  # the same mask at every evaluation
        return F.dropout2d(x, 0.3) if x.ndim == 4 else F.dropout1d(x, 0.3)
    assert check(dropped, x)


# --- PyTorch as the oracle --------------------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle: pip install torch")
tf = torch.nn.functional


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch_in_value_and_gradient(name):
    ours, theirs = ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    # Wide values (both saturated tails), avoiding the kinks of the table's options.
    values = np.concatenate([rng.normal(0, 3, 40), [-40.0, -25.0, 25.0, 40.0]]).reshape(4, 11) + 1e-3
    grad = rng.normal(size=values.shape)
    x = tg.tensor(values, dtype=tg.float64, requires_grad=True)
    y = ours(x)
    y.backward(tg.tensor(grad))
    tx = torch.tensor(values, requires_grad=True)
    ty = theirs(tf, tx)
    ty.backward(torch.tensor(grad))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    # rtol 1e-7: torch's hardsigmoid and celu backward kernels round a constant (1/6, 1/α)
    # to float32 even in float64; ours agree with the exact derivative.
    np.testing.assert_allclose(x.grad.array, tx.grad.numpy(), rtol=1e-7, atol=1e-12)


MODULES = [
    ("LeakyReLU", (0.2,)), ("ELU", (0.5,)), ("SELU", ()), ("CELU", (2.0,)), ("GELU", ("tanh",)), ("SiLU", ()),
    ("Mish", ()), ("Softplus", (2.0, 10.0)), ("Softsign", ()), ("Hardtanh", (-2.0, 2.0)), ("ReLU6", ()),
    ("Hardsigmoid", ()), ("Hardswish", ()), ("LogSigmoid", ()), ("Softmax", (1,)), ("LogSoftmax", (1,)),
    ("Softmin", (1,)), ("Threshold", (0.1, 20.0)), ("ReLU", ()), ("Identity", ()), ("Unflatten", (1, (2, 3))),
    ("Dropout1d", (0.3,)), ("Dropout2d", ()), ("Dropout", (0.2,)),
]


@pytest.mark.parametrize("name, args", MODULES)
def test_module_matches_torch_in_repr_and_eval_output(name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    ours.eval()
    theirs.eval()
    values = np.random.default_rng(1).normal(0, 2, (2, 6, 5))
    np.testing.assert_allclose(ours(tg.tensor(values)).array, theirs(torch.tensor(values)).numpy(), rtol=1e-10, atol=1e-12)


def test_inplace_modules_repr_as_torch():
    for name, args in [("ReLU", ()), ("LeakyReLU", (0.1,)), ("Hardtanh", ()), ("SiLU", ()), ("ELU", ())]:
        assert repr(getattr(nn, name)(*args, inplace=True)) == repr(getattr(torch.nn, name)(*args, inplace=True))
