"""Differences from torch 2.13 found by an audit of optim, optim.lr_scheduler and utils.data,
each pinned by a test that failed before its fix: torch's values where torch is installed,
the values torch is known to give otherwise."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, optim


def _param(values=(1.0, 1.0)) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True, dtype=np.float64)


# ---- optimizers: torch's errors, group dicts and option values ----------------------------------
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "Invalid momentum value: -1"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda p: optim.AdamW(p, eps=-1), "Invalid epsilon value: -1"),
        (lambda p: optim.RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
        (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
        (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), "can't optimize a non-leaf Tensor"),
        (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1), "some parameters appear in more than one parameter group"),
    ],
)
def test_bad_hyperparameters_raise_torchs_value_error(make, message):
    # Before: "SGD: lr must be a non-negative number; got -1" and the like.
    with pytest.raises(ValueError) as raised:
        make([_param()])
    assert str(raised.value) == message


def test_bad_params_raise_torchs_type_errors():
    with pytest.raises(TypeError, match="param_group must be a dict, but got <class 'list'>"):
        optim.SGD([_param()], lr=0.1).add_param_group([_param()])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is float"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {_param()}}], lr=0.1)
    with pytest.raises(KeyError):
        optim.SGD([{"lr": 0.1}])


def test_a_parameter_twice_in_one_group_warns_as_torch():
    # Before: a ValueError; torch warns (and plans an error for a later release).
    param = _param()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optimizer = optim.SGD([param, param], lr=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 2


def test_options_are_kept_as_given_and_defaults_are_torchs():
    # Before: every number became a float (momentum 0.0), so defaults, state_dict and repr
    # differed from torch's (momentum 0).
    param = _param()
    optimizer = optim.SGD([param], lr=1)
    assert optimizer.defaults == {"lr": 1, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
                                  "maximize": False, "foreach": None, "differentiable": False, "fused": None}
    assert type(optimizer.param_groups[0]["lr"]) is int and type(optimizer.defaults["momentum"]) is int
    assert "    momentum: 0\n" in repr(optimizer)
    for name, zero_options in [("Adam", ["weight_decay"]), ("RMSprop", ["weight_decay", "momentum"]),
                               ("Adagrad", ["lr_decay", "weight_decay", "initial_accumulator_value"]), ("Adadelta", ["weight_decay"])]:
        defaults = getattr(optim, name)([_param()]).defaults
        assert all(type(defaults[option]) is int for option in zero_options), name


def test_the_group_dict_given_is_the_group_torch_keeps():
    # Before: a copy; torch appends the given dict itself, filled in with the defaults.
    first, second = _param(), _param()
    group = {"params": [first]}
    optimizer = optim.SGD([group], lr=0.1, momentum=0.9)
    extra = {"params": (p for p in [second]), "lr": 0.5}
    optimizer.add_param_group(extra)
    assert optimizer.param_groups[0] is group and optimizer.param_groups[1] is extra
    assert extra["params"] == [second] and extra["momentum"] == 0.9 and extra["lr"] == 0.5


def test_load_state_dict_errors_start_with_torchs_messages():
    optimizer = optim.SGD([_param()], lr=0.1)
    state = optimizer.state_dict()
    with pytest.raises(ValueError, match="^loaded state dict has a different number of parameter groups"):
        optim.SGD([{"params": [_param()]}, {"params": [_param()]}], lr=0.1).load_state_dict(state)
    with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that doesn't match the size of optimizer's group"):
        optim.SGD([_param(), _param()], lr=0.1).load_state_dict(state)


def _adagrad_run(library, tensor):
    """Adagrad with a group of its own initial_accumulator_value and a group added later: torch
    fills every sum with the constructor's value (at construction, or at a later group's first step)."""
    first, second, third = (tensor(np.array([1.0, -2.0])) for _ in range(3))
    optimizer = library.Adagrad([{"params": [first]}, {"params": [second], "initial_accumulator_value": 0.5}],
                                lr=0.1, initial_accumulator_value=0.25)
    optimizer.add_param_group({"params": [third], "initial_accumulator_value": 2.0})
    states_before = len(optimizer.state_dict()["state"])
    for step in range(3):
        for param in (first, second, third):
            param.grad = tensor(np.array([0.5, 1.5]) * (step + 1), grad=False)
        optimizer.step()
    return states_before, [np.array(param.detach().numpy() if hasattr(param, "detach") else param.data) for param in (first, second, third)]


def test_adagrad_starts_every_sum_from_the_constructors_value():
    # Before: a group's own initial_accumulator_value was used, and a group added later had
    # state before its first step.
    ours = _adagrad_run(optim, lambda a, grad=True: Tensor(a, requires_grad=grad, dtype=np.float64))
    assert ours[0] == 2
    # closed form, s0 = 0.25 for all: θ ← θ − 0.1 g / (√s + 1e-10), s ← s + g²
    theta, s = np.array([1.0, -2.0]), np.full(2, 0.25)
    for step in range(3):
        g = np.array([0.5, 1.5]) * (step + 1)
        s = s + g * g
        theta = theta - 0.1 * g / (np.sqrt(s) + 1e-10)
    for values in ours[1]:
        np.testing.assert_allclose(values, theta, rtol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = _adagrad_run(torch.optim, lambda a, grad=True: torch.tensor(a, requires_grad=grad))
    assert theirs[0] == ours[0]
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
