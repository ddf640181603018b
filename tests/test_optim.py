"""Optimizers: PyTorch's update rules step for step (oracle, when torch is installed), the
same rules in closed form (always), in-place updates, state_dict round trips, and errors."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, optim

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (optional oracle: pip install torch)")

SHAPES = [(3, 4), (5,)]
STEPS = 6
# Step 2 gives the second parameter no gradient: both libraries must skip it there (its
# momentum buffer and Adam step count stay as they were).
NO_GRAD_AT = (2, 1)

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=3e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


def schedule(seed: int = 0) -> tuple[list[np.ndarray], list[list[np.ndarray | None]]]:
    rng = np.random.default_rng(seed)
    initial = [rng.standard_normal(shape) for shape in SHAPES]
    grads: list[list[np.ndarray | None]] = [[rng.standard_normal(shape) for shape in SHAPES] for _ in range(STEPS)]
    grads[NO_GRAD_AT[0]][NO_GRAD_AT[1]] = None
    return initial, grads


def run_ours(name: str, kwargs: dict, dtype: type, steps: int = STEPS) -> tuple[list[Tensor], optim.Optimizer]:
    initial, grads = schedule()
    params = [Tensor(a, requires_grad=True, dtype=dtype) for a in initial]
    optimizer = getattr(optim, name)(params, **kwargs)
    for step_grads in grads[:steps]:
        for param, grad in zip(params, step_grads):
            param.grad = None if grad is None else Tensor(grad, dtype=dtype)
        optimizer.step()
    return params, optimizer


def run_torch(name: str, kwargs: dict, dtype: type) -> tuple[list, object]:
    initial, grads = schedule()
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    params = [torch.tensor(a, dtype=torch_dtype, requires_grad=True) for a in initial]
    optimizer = getattr(torch.optim, name)(params, **kwargs)
    for step_grads in grads:
        for param, grad in zip(params, step_grads):
            param.grad = None if grad is None else torch.tensor(grad, dtype=torch_dtype)
        optimizer.step()
    return params, optimizer


@needs_torch
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-12), (np.float32, 1e-5, 1e-6)])
@pytest.mark.parametrize("name, kwargs", CASES)
def test_matches_torch_step_for_step(name, kwargs, dtype, rtol, atol):
    ours, our_optimizer = run_ours(name, kwargs, dtype)
    theirs, their_optimizer = run_torch(name, kwargs, dtype)
    for index, (mine, reference) in enumerate(zip(ours, theirs)):
        assert mine.dtype == dtype
        np.testing.assert_allclose(mine.array, reference.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"parameter {index}")
        their_state, our_state = their_optimizer.state[reference], our_optimizer.state[mine]
        assert set(our_state) == set(their_state)  # torch's SGD without momentum keeps no buffer, nor do we
        for key, value in their_state.items():
            if key == "step":
                assert our_state[key] == int(value)
            else:
                np.testing.assert_allclose(our_state[key], value.numpy(), rtol=rtol, atol=atol, err_msg=f"{key} of parameter {index}")


def one_param(values, grad, **kwargs) -> tuple[Tensor, np.ndarray]:
    param = Tensor(np.array(values), requires_grad=True, dtype=np.float64)
    param.grad = Tensor(np.array(grad), dtype=np.float64)
    return param, np.array(values, dtype=np.float64)


def test_sgd_is_the_tutorials_update():
    param, theta = one_param([1.0, -2.0, 0.5], [0.3, 0.1, -0.4])
    optim.SGD([param], lr=0.1).step()
    np.testing.assert_allclose(param.array, theta - 0.1 * np.array([0.3, 0.1, -0.4]), rtol=0, atol=1e-15)


def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    param, theta = one_param([1.0, -2.0], [0.5, 0.5])
    optim.SGD([param], lr=0.1, weight_decay=0.2).step()
    np.testing.assert_allclose(param.array, theta - 0.1 * (np.array([0.5, 0.5]) + 0.2 * theta), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(param.grad.array, [0.5, 0.5])  # .grad is left as dE/dθ


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_over_two_steps(nesterov):
    g1, g2, mu, lr = np.array([1.0, -1.0]), np.array([0.5, 2.0]), 0.9, 0.1
    param, theta = one_param([0.0, 0.0], g1)
    optimizer = optim.SGD([param], lr=lr, momentum=mu, nesterov=nesterov)
    optimizer.step()
    param.grad = Tensor(g2, dtype=np.float64)
    optimizer.step()
    b1 = g1
    b2 = mu * b1 + g2
    step1 = g1 + mu * b1 if nesterov else b1
    step2 = g2 + mu * b2 if nesterov else b2
    np.testing.assert_allclose(param.array, theta - lr * step1 - lr * step2, rtol=1e-14)
    np.testing.assert_allclose(optimizer.state[param]["momentum_buffer"], b2, rtol=1e-14)


def test_adam_first_step_moves_each_parameter_by_lr():
    # m̂ = g and v̂ = g² after one step, so the step is lr · g / (|g| + ε): lr times the sign.
    grad = np.array([1e-3, -5.0, 200.0])
    param, theta = one_param([1.0, 1.0, 1.0], grad)
    optim.Adam([param], lr=0.01, eps=1e-8).step()
    np.testing.assert_allclose(param.array, theta - 0.01 * grad / (np.abs(grad) + 1e-8), rtol=1e-12)


def test_adam_second_step_uses_bias_corrected_moments():
    g1, g2, lr, b1, b2, eps = np.array([0.5]), np.array([-1.5]), 0.1, 0.9, 0.999, 1e-8
    param, theta = one_param([2.0], g1)
    optimizer = optim.Adam([param], lr=lr, betas=(b1, b2), eps=eps)
    optimizer.step()
    param.grad = Tensor(g2, dtype=np.float64)
    optimizer.step()
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    theta1 = theta - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    theta2 = theta1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(param.array, theta2, rtol=1e-12)
    assert optimizer.state[param]["step"] == 2


@pytest.mark.parametrize("name, kwargs", CASES)
def test_updates_in_place_and_skips_params_without_grad(name, kwargs):
    params = [Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(2), requires_grad=True)]
    arrays = [param.array for param in params]
    optimizer = getattr(optim, name)(params, **kwargs)
    params[0].grad = Tensor(np.full(3, 0.5))
    optimizer.step()
    buffers = {key: value for key, value in optimizer.state[params[0]].items() if isinstance(value, np.ndarray)}
    optimizer.step()
    assert params[0].array is arrays[0] and params[1].array is arrays[1]
    assert all(optimizer.state[params[0]][key] is buffer for key, buffer in buffers.items())
    assert not np.array_equal(params[0].array, np.ones(3))
    np.testing.assert_array_equal(params[1].array, np.ones(2))
    assert params[1] not in optimizer.state


def test_zero_grad():
    param = Tensor(np.ones(3), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1)
    param.grad = Tensor(np.ones(3))
    grad_array = param.grad.array
    optimizer.zero_grad(set_to_none=False)
    assert param.grad.array is grad_array
    np.testing.assert_array_equal(param.grad.array, 0)
    optimizer.zero_grad()
    assert param.grad is None


@pytest.mark.parametrize("name, kwargs", CASES)
def test_state_dict_resumes_training_exactly(name, kwargs, tmp_path):
    params, optimizer = run_ours(name, kwargs, np.float32, steps=3)
    tg.save(optimizer.state_dict(), tmp_path / "optimizer.npz")
    copies = [Tensor(param.array, requires_grad=True) for param in params]
    factory = getattr(optim, name)
    resumed = factory(copies, **{**kwargs, "lr": 123.0})  # the saved lr must win
    resumed.load_state_dict(tg.load(tmp_path / "optimizer.npz"))
    assert resumed.param_groups[0]["lr"] == kwargs["lr"]
    _, grads = schedule()
    for step_grads in grads[3:]:
        for group in (params, copies):
            for param, grad in zip(group, step_grads):
                param.grad = None if grad is None else Tensor(grad)
        optimizer.step()
        resumed.step()
    for param, copy in zip(params, copies):
        np.testing.assert_array_equal(param.array, copy.array)


def test_state_dict_is_a_copy():
    params, optimizer = run_ours("SGD", dict(lr=0.1, momentum=0.9), np.float64, steps=2)
    saved = optimizer.state_dict()
    before = saved["state"][0]["momentum_buffer"].copy()
    params[0].grad = Tensor(np.ones(SHAPES[0]), dtype=np.float64)
    optimizer.step()
    np.testing.assert_array_equal(saved["state"][0]["momentum_buffer"], before)


def broken(state, path: tuple, value):
    """A deep copy of an optimizer state_dict with one entry replaced (None: deleted)."""
    if isinstance(state, list):
        copy = [broken(item, (), None) if isinstance(item, (dict, list)) else item for item in state]
    else:
        copy = {key: (broken(item, (), None) if isinstance(item, (dict, list)) else item) for key, item in state.items()}
    if path:
        node = copy
        for key in path[:-1]:
            node = node[key]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return copy


@pytest.mark.parametrize(
    "path, value, message",
    [
        (("state", 0, "exp_avg"), np.zeros((4, 3)), "exp_avg of parameter 0 has shape (4, 3), but the parameter has shape (3, 4)"),
        (("state", 7), {"step": 1, "exp_avg": np.zeros(5), "exp_avg_sq": np.zeros(5)}, "state for parameter 7"),
        (("state", 1, "exp_avg_sq"), None, "state of parameter 1 has keys"),
        (("state", 0, "step"), -1, "step of parameter 0 must be a non-negative whole number"),
        (("state", 0, "step"), 2.5, "step of parameter 0 must be a non-negative whole number"),
        (("param_groups",), [], "loaded state dict has a different number of parameter groups (Adam.load_state_dict: 0 in the state dict, 1 in this optimizer)"),
        (("param_groups", 0, "params"), [0], "doesn't match the size of optimizer's group (Adam.load_state_dict: parameter group 0 has 1 parameters in the state dict, 2"),
        (("param_groups", 0, "eps"), -1.0, "Invalid epsilon value: -1.0"),
        (("param_groups", 0, "betas"), (1.5, 0.9), "Invalid beta parameter at index 0: 1.5"),
        (("hyperparameters",), {}, "expected a dict with keys 'state' and 'param_groups'"),
    ],
)
def test_load_state_dict_errors_leave_the_optimizer_unchanged(path, value, message):
    _, optimizer = run_ours("Adam", dict(lr=0.01), np.float32, steps=3)
    good = optimizer.state_dict()
    with pytest.raises(ValueError) as error:
        optimizer.load_state_dict(broken(good, path, value))
    assert message in str(error.value)
    after = optimizer.state_dict()
    assert after["param_groups"] == good["param_groups"]
    for index, entry in good["state"].items():
        for key, item in entry.items():
            np.testing.assert_array_equal(after["state"][index][key], item)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda p: optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError, "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
        (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "should be an iterable of Tensors or dicts, but got tinygrad_edu.tensor.Tensor"),
        (lambda p: optim.SGD([p[0], np.ones(2)], lr=0.1), TypeError, "optimizer can only optimize Tensors, but one of the params is numpy.ndarray"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
        (lambda p: optim.SGD([Tensor([1, 2])], lr=0.1), TypeError, "dtype int64"),
    ],
)
def test_bad_arguments_are_named(make, error, message):
    params = [Tensor(np.ones(2), requires_grad=True)]
    with pytest.raises(error) as raised:
        make(params)
    assert message in str(raised.value)


@pytest.mark.parametrize("name, kwargs", CASES)
def test_a_grad_of_the_wrong_shape_is_refused_naming_both_shapes_and_nothing_moves(name, kwargs):
    # Before: broadcast into the parameter, a silently wrong update.
    params = [Tensor(np.ones(3), requires_grad=True), Tensor(np.ones((2, 3)), requires_grad=True)]
    params[0].grad, params[1].grad = Tensor(np.full(3, 0.5)), Tensor(np.full(3, 0.5))
    optimizer = getattr(optim, name)(params, **kwargs)
    with pytest.raises(RuntimeError) as raised:
        optimizer.step()
    assert "(2, 3)" in str(raised.value) and "(3,)" in str(raised.value)
    np.testing.assert_array_equal(params[0].array, np.ones(3))  # not even the well-shaped one
    np.testing.assert_array_equal(params[1].array, np.ones((2, 3)))
    assert not optimizer.state


# ---- in-place updates where BLAS cannot go ------------------------------------------------
def test_sgd_updates_a_big_endian_parameter():
    param = Tensor.from_numpy(np.ones(3, dtype=">f4")).requires_grad_()
    param.grad = Tensor(np.full(3, 2.0, dtype=np.float32))
    optim.SGD([param], lr=0.1).step()
    np.testing.assert_allclose(param.numpy(), [0.8, 0.8, 0.8], rtol=1e-6)


def test_sgd_refuses_to_write_into_a_read_only_parameter():
    array = np.ones(3, dtype=np.float32)
    array.flags.writeable = False
    param = Tensor.from_numpy(array).requires_grad_()
    param.grad = Tensor(np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="read-only"):
        optim.SGD([param], lr=0.1).step()
    np.testing.assert_array_equal(array, [1.0, 1.0, 1.0])
