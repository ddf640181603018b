"""nn: parameter names, shapes and state_dicts as torch.nn's (so a state_dict moves between
the two), modules equal to their functional form, Dropout's scaling and gradient, PyTorch's
initialisation bounds, load_state_dict's errors, and small networks that learn."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.ops.dropout import Dropout as DropoutOp
from tinygrad_edu.testing import gradcheck

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (optional oracle: pip install torch)")


# ---- the same architectures, built with our nn or with torch.nn ------------------------
def mlp(nn):
    return nn.Sequential(nn.Linear(784, 100), nn.Tanh(), nn.Linear(100, 50), nn.Tanh(), nn.Linear(50, 10))


def cnn(nn):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )


def custom(nn):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, (3, 2), stride=(2, 1), padding=(1, 0))
            self.pool = nn.MaxPool2d(2)
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 7 * 13, 8, bias=False), nn.Sigmoid(), nn.Dropout(0.25), nn.Linear(8, 3))

        def forward(self, x):
            return self.head(self.pool(self.conv1(x).relu()))

    return Net()


ARCHITECTURES = {
    "mlp": (mlp, (4, 784), [("0.weight", (100, 784)), ("0.bias", (100,)), ("2.weight", (50, 100)), ("2.bias", (50,)), ("4.weight", (10, 50)), ("4.bias", (10,))]),
    "cnn": (cnn, (2, 1, 28, 28), [("0.weight", (8, 1, 3, 3)), ("0.bias", (8,)), ("3.weight", (16, 8, 3, 3)), ("3.bias", (16,)), ("7.weight", (10, 784)), ("7.bias", (10,))]),
    "custom": (custom, (2, 1, 28, 28), [("conv1.weight", (4, 1, 3, 2)), ("conv1.bias", (4,)), ("head.1.weight", (8, 364)), ("head.4.weight", (3, 8)), ("head.4.bias", (3,))]),
}


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_parameter_names_and_shapes_follow_torch_nn(architecture):
    build, input_shape, expected = ARCHITECTURES[architecture]
    model = build(nn)
    assert [(name, param.shape) for name, param in model.named_parameters()] == expected
    assert [name for name, _ in expected] == list(model.state_dict())
    assert all(param.dtype == np.float32 and param.requires_grad for param in model.parameters())
    x = Tensor(np.random.default_rng(0).random(input_shape))
    assert model(x).shape == (input_shape[0], expected[-1][1][0])


@needs_torch
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_torch_builds_the_same_names_and_shapes(architecture):
    build, _, expected = ARCHITECTURES[architecture]
    theirs = build(torch.nn)
    assert [(name, tuple(param.shape)) for name, param in theirs.named_parameters()] == expected
    assert list(theirs.state_dict()) == [name for name, _ in expected]


@needs_torch
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_state_dict_moves_to_torch_and_back(architecture):
    build, input_shape, _ = ARCHITECTURES[architecture]
    x = np.random.default_rng(1).random(input_shape, dtype=np.float32)
    ours, theirs = build(nn).eval(), build(torch.nn).eval()
    theirs.load_state_dict({name: torch.from_numpy(value.numpy()) for name, value in ours.state_dict().items()}, strict=True)
    with torch.no_grad():
        np.testing.assert_allclose(ours(Tensor(x)).array, theirs(torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-5)

    torch.manual_seed(0)
    trained_elsewhere = build(torch.nn).eval()
    ours.load_state_dict({name: value.numpy() for name, value in trained_elsewhere.state_dict().items()}, strict=True)
    ours_again = build(nn).eval()
    ours_again.load_state_dict(trained_elsewhere.state_dict())  # torch tensors are accepted as they are
    with torch.no_grad():
        expected = trained_elsewhere(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(Tensor(x)).array, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ours_again(Tensor(x)).array, ours(Tensor(x)).array)


def test_own_parameters_come_before_childrens_and_shared_ones_once():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(2, 2)
            self.scale = nn.Parameter(np.ones(2))

        def forward(self, x):
            return self.inner(x) * self.scale

    shared = nn.Linear(2, 2)
    model = nn.Sequential(Scaled(), shared, shared)
    assert [name for name, _ in model.named_parameters()] == ["0.scale", "0.inner.weight", "0.inner.bias", "1.weight", "1.bias"]
    # state_dict names a shared parameter under every name, as torch does.
    assert list(model.state_dict()) == ["0.scale", "0.inner.weight", "0.inner.bias", "1.weight", "1.bias", "2.weight", "2.bias"]
    assert len(list(model.parameters())) == 5
    assert [name for name, _ in model.named_modules()] == ["", "0", "0.inner", "1"]


# ---- modules equal their functional form ------------------------------------------------
def random_tensor(*shape, seed=0, requires_grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=requires_grad)


@pytest.mark.parametrize(
    "module, functional, shape",
    [
        (nn.Linear(5, 3), lambda m, x: F.linear(x, m.weight, m.bias), (4, 5)),
        (nn.Linear(5, 3, bias=False), lambda m, x: F.linear(x, m.weight), (2, 6, 5)),
        (nn.Conv2d(2, 3, (3, 2), stride=2, padding=1), lambda m, x: F.conv2d(x, m.weight, m.bias, 2, 1), (2, 2, 7, 6)),
        (nn.MaxPool2d(2), lambda m, x: F.max_pool2d(x, 2), (2, 3, 6, 5)),
        (nn.MaxPool2d(3, stride=1), lambda m, x: F.max_pool2d(x, 3, 1), (1, 2, 5, 5)),
        (nn.Flatten(), lambda m, x: x.reshape(2, -1), (2, 3, 4, 5)),
        (nn.Flatten(0, 1), lambda m, x: x.reshape(6, 4, 5), (2, 3, 4, 5)),
        (nn.Tanh(), lambda m, x: F.tanh(x), (3, 4)),
        (nn.ReLU(), lambda m, x: F.relu(x), (3, 4)),
        (nn.Sigmoid(), lambda m, x: F.sigmoid(x), (3, 4)),
    ],
)
def test_module_forward_and_backward_equal_the_functional_form(module, functional, shape):
    x1, x2 = random_tensor(*shape), random_tensor(*shape)
    y1, y2 = module(x1), functional(module, x2)
    np.testing.assert_array_equal(y1.array, y2.array)
    gradient = np.random.default_rng(2).standard_normal(y1.shape)
    module.zero_grad()
    y1.backward(gradient)
    param_grads = [param.grad.array.copy() for param in module.parameters()]
    module.zero_grad()
    y2.backward(gradient)
    np.testing.assert_array_equal(x1.grad.array, x2.grad.array)
    for before, param in zip(param_grads, module.parameters()):
        np.testing.assert_array_equal(before, param.grad.array)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_equal_the_functional_form(reduction):
    prediction, target = random_tensor(4, 3), random_tensor(4, 3, seed=1, requires_grad=False)
    labels = np.array([0, 2, 1, 2])
    np.testing.assert_array_equal(nn.MSELoss(reduction=reduction)(prediction, target).array, F.mse_loss(prediction, target, reduction=reduction).array)
    np.testing.assert_array_equal(nn.CrossEntropyLoss(reduction=reduction)(prediction, labels).array, F.cross_entropy(prediction, labels, reduction=reduction).array)


# ---- dropout ----------------------------------------------------------------------------
def test_dropout_zeroes_a_fraction_p_and_scales_the_rest_by_one_over_one_minus_p():
    tg.manual_seed(0)
    x = Tensor(np.random.default_rng(0).uniform(1, 2, 100_000))
    y = nn.Dropout(0.3)(x)
    kept = y.array != 0
    assert abs(1 - kept.mean() - 0.3) < 0.005  # 0.005 is 3.5 standard deviations of the fraction
    np.testing.assert_allclose(y.array[kept], x.array[kept] / 0.7, rtol=1e-6)
    assert abs(y.array.mean() / x.array.mean() - 1) < 0.01  # inverted dropout keeps the expectation


def test_dropout_gradient_is_its_mask_over_one_minus_p():
    tg.manual_seed(1)
    x = Tensor(np.random.default_rng(0).uniform(1, 2, (20, 30)), requires_grad=True)
    y = F.dropout(x, 0.4)
    gradient = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    y.backward(gradient)
    mask = y.array != 0
    assert 0 < mask.mean() < 1
    np.testing.assert_allclose(x.grad.array, gradient * mask / 0.6, rtol=1e-6)


def test_dropout_passes_gradcheck_with_a_fixed_seed():
    def dropout_with_fixed_mask(x):
        tg.manual_seed(5)
        return F.dropout(x, 0.4)

    x = random_tensor(4, 6)
    assert gradcheck(dropout_with_fixed_mask, x)
    assert gradcheck(lambda x: DropoutOp.apply(x, 0.25, np.random.default_rng(3)), x)


def test_dropout_masks_are_reproducible_and_fresh_each_call():
    x = Tensor(np.ones(1000))
    tg.manual_seed(7)
    first, second = F.dropout(x, 0.5).array, F.dropout(x, 0.5).array
    tg.manual_seed(7)
    again = F.dropout(x, 0.5).array
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_dropout_is_the_identity_in_eval_mode_and_at_p_zero():
    x = random_tensor(50, 4)
    model = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Dropout(0.5)))
    model.eval()
    assert all(not module.training for module in model.modules())
    np.testing.assert_array_equal(model(x).array, model[0](x).array)
    layer = nn.Dropout(0.9).eval()
    assert layer(x) is x
    assert F.dropout(x, 0.0) is x
    model.train()
    assert all(module.training for module in model.modules())
    assert (model(x).array == 0).any()


def test_dropout_with_p_one_drops_everything():
    x = random_tensor(3, 4)
    y = F.dropout(x, 1.0)
    y.sum().backward()
    np.testing.assert_array_equal(y.array, 0)
    np.testing.assert_array_equal(x.grad.array, 0)


@pytest.mark.parametrize("p", [-0.1, 1.5, True, "0.5"])
def test_dropout_rejects_a_p_outside_zero_one(p):
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        F.dropout(random_tensor(2), p, training=False)


@pytest.mark.parametrize(
    "dropout, p",
    [
        (lambda x, p: nn.Dropout(p)(x), np.float32(0.5)),
        (lambda x, p: F.dropout(x, p), np.float64(0.2)),
        (lambda x, p: F.dropout(x, p), np.float32(0.5)),
    ],
    ids=["nn.Dropout float32", "F.dropout float64", "F.dropout float32"],
)
def test_dropout_accepts_a_numpy_scalar_p(dropout, p):
    # Before: np.float32(0.5) was refused as "must be in [0, 1]; got 0.5".
    tg.manual_seed(0)
    x = Tensor(np.ones(1000))
    y = dropout(x, p).array
    kept = y != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(y[kept], 1 / (1 - float(p)), rtol=1e-6)


# ---- initialisation -----------------------------------------------------------------------
@pytest.mark.parametrize("layer, fan_in", [(lambda: nn.Linear(400, 300), 400), (lambda: nn.Conv2d(16, 64, (3, 5)), 240)])
def test_default_init_is_uniform_within_one_over_sqrt_fan_in(layer, fan_in):
    tg.manual_seed(0)
    module = layer()
    bound = 1 / np.sqrt(fan_in)
    weight = module.weight.array
    assert weight.dtype == np.float32
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.99 * bound
    assert abs(weight.var() / (bound**2 / 3) - 1) < 0.03  # U(−b, b) has variance b²/3
    assert abs(weight.mean()) < 0.01 * bound
    assert np.abs(module.bias.array).max() <= bound and np.abs(module.bias.array).max() > 0.9 * bound


@needs_torch
@pytest.mark.parametrize("layer, fan_in", [(lambda nn: nn.Linear(400, 300), 400), (lambda nn: nn.Conv2d(16, 64, (3, 5)), 240)])
def test_default_init_has_torchs_range_and_spread(layer, fan_in):
    torch.manual_seed(0)
    tg.manual_seed(0)
    theirs, ours = layer(torch.nn), layer(nn)
    bound = 1 / np.sqrt(fan_in)
    for name in ("weight", "bias"):
        mine, reference = getattr(ours, name).array, getattr(theirs, name).detach().numpy()
        for values in (mine, reference):
            # 64 draws from U(−b, b) all fall below 0.85 b with probability 0.85⁶⁴ ≈ 3e-5.
            assert 0.85 * bound < np.abs(values).max() <= bound * (1 + 1e-6), name
    assert abs(ours.weight.array.std() / theirs.weight.detach().numpy().std() - 1) < 0.02


@needs_torch
@pytest.mark.parametrize("shape", [(7, 3), (5, 4, 3, 2), (2, 3, 4)])
@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 5 ** 0.5), ("sigmoid", None)])
def test_fans_and_gains_are_torchs(shape, nonlinearity, param):
    tensor = Tensor(np.zeros(shape))
    assert init.calculate_fan_in_and_fan_out(tensor) == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


@pytest.mark.parametrize(
    "initialise, expected_std, bound",
    [
        (lambda t: init.xavier_uniform_(t, gain=2.0), 2.0 * np.sqrt(2 / (200 + 300)), 2.0 * np.sqrt(6 / (200 + 300))),
        (lambda t: init.xavier_normal_(t), np.sqrt(2 / (200 + 300)), None),
        (lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), np.sqrt(2 / 200), np.sqrt(6 / 200)),
        (lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), np.sqrt(2 / 300), None),
        (lambda t: init.normal_(t, 0.5, 2.0), 2.0, None),
        (lambda t: init.uniform_(t, -3.0, 3.0), np.sqrt(3.0), 3.0),
    ],
)
def test_initialisers_have_the_documented_spread(initialise, expected_std, bound):
    tg.manual_seed(0)
    tensor = Tensor(np.zeros((300, 200)))
    assert initialise(tensor) is tensor
    assert abs(tensor.array.std() / expected_std - 1) < 0.01
    if bound is not None:
        assert np.abs(tensor.array).max() <= bound and np.abs(tensor.array).max() > 0.99 * bound


def test_zeros_and_ones():
    tensor = Tensor(np.random.default_rng(0).random((3, 4)))
    np.testing.assert_array_equal(init.zeros_(tensor).array, 0)
    np.testing.assert_array_equal(init.ones_(tensor).array, 1)


def test_manual_seed_makes_initialisation_reproducible():
    tg.manual_seed(3)
    first = cnn(nn).state_dict()
    tg.manual_seed(3)
    second = cnn(nn).state_dict()
    third = cnn(nn).state_dict()
    assert all(np.array_equal(first[name], second[name]) for name in first)
    assert not np.array_equal(first["0.weight"], third["0.weight"])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: init.calculate_fan_in_and_fan_out(Tensor(np.zeros(3))), "at least 2 dims"),
        (lambda: init.calculate_gain("softsign"), "unsupported nonlinearity 'softsign'"),
        (lambda: init.kaiming_uniform_(Tensor(np.zeros((2, 2))), mode="fan_both"), "mode must be 'fan_in' or 'fan_out'"),
        (lambda: init.uniform_(Tensor(np.zeros(2)), 1.0, 0.0), "must not exceed"),
        (lambda: tg.manual_seed(-1), "non-negative int"),
        (lambda: nn.Linear(0, 3), "in_features must be a positive int"),
        (lambda: nn.Conv2d(1, 2, 0), "kernel_size and stride must be positive"),
        (lambda: nn.Conv2d(1, 2, (3, 3, 3)), "kernel_size must be an int or a pair"),
        (lambda: nn.MaxPool2d(0), "kernel_size and stride must be positive"),
        (lambda: nn.MSELoss(reduction="average"), "reduction must be one of"),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


# ---- load_state_dict ----------------------------------------------------------------------
def test_load_state_dict_names_every_problem_and_changes_nothing():
    model = mlp(nn)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    state = model.state_dict()
    state["0.bias"] = np.zeros(100)  # valid: must not be written, because the load fails
    state["0.weight"] = np.zeros((784, 100))
    del state["4.bias"]
    state["5.weight"] = np.zeros(3)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert 'Missing key(s) in state_dict: "4.bias"' in message  # torch's words
    assert 'Unexpected key(s) in state_dict: "5.weight"' in message
    assert "size mismatch for 0.weight: copying a param with shape (784, 100) from checkpoint, the shape in current model is (100, 784)." in message
    after = model.state_dict()
    assert all(np.array_equal(before[name], after[name]) for name in before)


def test_load_state_dict_not_strict_skips_missing_and_unexpected_keys_only():
    model = nn.Linear(3, 2)
    result = model.load_state_dict({"weight": np.ones((2, 3)), "extra": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model.weight.array, 1)
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        model.load_state_dict({"weight": np.ones((3, 2))}, strict=False)


def test_load_state_dict_copies_in_place_and_casts():
    model = nn.Linear(3, 2)
    weight = model.weight.array
    values = np.arange(6, dtype=np.float64).reshape(2, 3)
    model.load_state_dict({"weight": values, "bias": Tensor([1, 2])})
    assert model.weight.array is weight and weight.dtype == np.float32
    np.testing.assert_array_equal(weight, values)
    values[0, 0] = 100  # the model holds a copy
    assert weight[0, 0] == 0


@pytest.mark.parametrize("value", [None, "weights", np.array(["a", "b"]), [[1, 2], [3]]])
def test_load_state_dict_rejects_values_that_are_not_numbers(value):
    with pytest.raises(RuntimeError, match="parameter named \"bias\", expected an array of numbers"):
        nn.Linear(2, 2).load_state_dict({"weight": np.zeros((2, 2)), "bias": value})


def test_state_dict_shares_the_parameters_arrays_as_torch():
    model = nn.Linear(2, 2)
    state = model.state_dict()
    assert isinstance(state["weight"], Tensor) and not state["weight"].requires_grad
    state["weight"].array[...] = 7  # torch's values are detached views: a write shows in the model
    assert np.all(model.weight.array == 7)


# ---- module mechanics -----------------------------------------------------------------------
def test_zero_grad_and_parameter_assignment():
    model = nn.Linear(3, 2)
    model(random_tensor(4, 3)).sum().backward()
    grad = model.weight.grad.array
    model.zero_grad(set_to_none=False)
    assert model.weight.grad.array is grad and not grad.any()
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None
    model.bias = None
    assert [name for name, _ in model.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="cannot assign Tensor to parameter 'weight' of Linear"):
        model.weight = Tensor(np.zeros((2, 3)))


def test_a_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(Tensor([1.0]))


def test_sequential_indexing():
    layers = [nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and [name for name, _ in tail.named_children()] == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range for 3 modules"):
        model[3]
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    with pytest.raises(TypeError, match="item '1' is a function, not a Module"):
        nn.Sequential(nn.ReLU(), F.relu)


REPR_MODEL = """Sequential(
  (0): Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): ReLU()
  (2): Conv2d(8, 4, kernel_size=(2, 3), stride=(2, 2), bias=False)
  (3): Flatten(start_dim=1, end_dim=-1)
  (4): Sequential(
    (0): Linear(in_features=36, out_features=10, bias=True)
    (1): Tanh()
    (2): Sigmoid()
  )
)"""


def repr_model(nn):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 4, (2, 3), stride=2, bias=False), nn.Flatten(),
        nn.Sequential(nn.Linear(36, 10), nn.Tanh(), nn.Sigmoid()),
    )


def test_repr_looks_like_torchs():
    assert repr(repr_model(nn)) == REPR_MODEL
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25, inplace=False)"
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"


@needs_torch
def test_repr_is_torchs():
    assert repr(repr_model(torch.nn)) == REPR_MODEL


# ---- small networks learn ---------------------------------------------------------------------
def quadrants(n=200, seed=0):
    """Points in [-1, 1]²; label 1 where x·y > 0 (XOR of the signs): needs a hidden layer."""
    points = np.random.default_rng(seed).uniform(-1, 1, (n, 2))
    return points.astype(np.float32), (points[:, 0] * points[:, 1] > 0).astype(np.int64)


def bars(n=64, seed=0):
    """8×8 images holding one horizontal (label 0) or vertical (label 1) bar, plus noise."""
    rng = np.random.default_rng(seed)
    images = rng.normal(0, 0.1, (n, 1, 8, 8)).astype(np.float32)
    labels = rng.integers(0, 2, n)
    positions = rng.integers(0, 8, n)
    for index, (label, position) in enumerate(zip(labels, positions)):
        if label == 0:
            images[index, 0, position, :] += 1
        else:
            images[index, 0, :, position] += 1
    return images, labels


TRAINING = {
    "mlp-sgd": (lambda: nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2)), quadrants, lambda p: optim.SGD(p, lr=0.2, momentum=0.9), 300),
    "mlp-adam": (lambda: nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2)), quadrants, lambda p: optim.Adam(p, lr=0.03), 300),
    "cnn-sgd": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.1), nn.Linear(36, 2)), bars, lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4), 60),
    "cnn-adam": (lambda: nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.1), nn.Linear(36, 2)), bars, lambda p: optim.Adam(p, lr=0.01, weight_decay=1e-4), 60),
}


@pytest.mark.parametrize("case", TRAINING)
def test_a_small_network_learns(case):
    build, data, make_optimizer, steps = TRAINING[case]
    tg.manual_seed(0)
    model, (inputs, labels) = build(), data()
    optimizer, criterion = make_optimizer(model.parameters()), nn.CrossEntropyLoss()
    x = Tensor(inputs)
    model.eval()
    with tg.no_grad():
        initial_loss = criterion(model(x), labels).item()
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(x), labels)
        loss.backward()
        optimizer.step()
    model.eval()
    with tg.no_grad():
        logits = model(x)
    assert criterion(logits, labels).item() < 0.25 * initial_loss
    assert (logits.argmax(1).array == labels).mean() >= 0.95


# ---- zero-size convolutions ---------------------------------------------------------------
def test_conv2d_with_no_output_channels_gives_an_empty_output_and_gradients_of_the_input_shapes():
    # Before: numpy's "cannot reshape array of size 0"; torch gives (N, 0, OH, OW).
    x = random_tensor(2, 3, 5, 6)
    weight, bias = random_tensor(0, 3, 3, 3, seed=1), random_tensor(0, seed=2)
    y = F.conv2d(x, weight, bias, stride=1, padding=1)
    assert y.shape == (2, 0, 5, 6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3, 5, 6)))
    assert weight.grad.shape == (0, 3, 3, 3) and bias.grad.shape == (0,)
