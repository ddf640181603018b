"""SGD's two paths: a group without momentum takes the plain update θ ← θ − lr g
(`sgd._descend`), a group with momentum the general one. Which path a group takes is read
from the group at every step, so writes to `param_groups` (a scheduler's lr, a user's
momentum) and groups added later take effect at the next step. Expected values are computed
here in numpy, in the parameter's dtype, so the float32 results must match to the bit."""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, optim
from tinygrad_edu.optim.lr_scheduler import StepLR

GRAD = np.array([0.3, -1.7, 2.9], np.float32)


def param_with_grad(values, grad=GRAD, dtype=np.float32) -> Tensor:
    param = Tensor(np.array(values), requires_grad=True, dtype=dtype)
    param.grad = Tensor(np.array(grad), dtype=dtype)
    return param


def plain_update(values: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """θ − lr g in θ's dtype, lr rounded to that dtype first (numpy's and torch's rule)."""
    return values - grad * values.dtype.type(lr)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_plain_steps_are_theta_minus_lr_g_in_the_parameters_dtype(dtype):
    param = param_with_grad([1.0, 2.0, 3.0], dtype=dtype)
    before = param.array.copy()
    optimizer = optim.SGD([param], lr=0.1)
    optimizer.step()
    optimizer.step()
    expected = plain_update(plain_update(before, param.grad.array, 0.1), param.grad.array, 0.1)
    np.testing.assert_array_equal(param.array, expected)
    np.testing.assert_array_equal(param.grad.array, GRAD.astype(dtype))  # .grad is left as it was


def test_parameters_of_two_dtypes_in_one_group_each_get_lr_in_their_own():
    params = [param_with_grad([1.0, 2.0, 3.0], dtype=dtype) for dtype in (np.float32, np.float64, np.float32)]
    before = [param.array.copy() for param in params]
    optim.SGD(params, lr=0.1).step()
    for param, values in zip(params, before):
        assert param.dtype == values.dtype
        np.testing.assert_array_equal(param.array, plain_update(values, param.grad.array, 0.1))
    # the float64 parameter after a float32 one: lr at float64 precision, not float32's
    lr_as_float32 = float(np.float32(0.1))
    assert not np.array_equal(params[1].array, before[1] - params[1].grad.array * lr_as_float32)


def test_an_integer_gradient_gets_numpys_promotion_not_a_truncated_lr():
    param = Tensor(np.zeros(3, np.float32), requires_grad=True)
    param.grad = Tensor(np.array([1, 2, 3]))
    optim.SGD([param], lr=0.5).step()
    np.testing.assert_array_equal(param.array, [-0.5, -1.0, -1.5])


def test_a_scheduler_changing_lr_between_plain_steps():
    param = param_with_grad([1.0, 2.0, 3.0])
    optimizer = optim.SGD([param], lr=0.5)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.1)
    expected = param.array.copy()
    for lr in (0.5, 0.05, 0.005):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(lr)
        optimizer.step()
        expected = plain_update(expected, GRAD, optimizer.param_groups[0]["lr"])
        scheduler.step()
    np.testing.assert_array_equal(param.array, expected)


def test_momentum_set_in_param_groups_after_construction_takes_effect_and_can_be_turned_off():
    param = param_with_grad([0.0, 0.0, 0.0], grad=[1.0, 1.0, 1.0], dtype=np.float64)
    optimizer = optim.SGD([param], lr=0.1)
    optimizer.step()  # plain: θ = −0.1
    assert "momentum_buffer" not in optimizer.state[param]
    optimizer.param_groups[0]["momentum"] = 0.5
    optimizer.step()  # the first momentum step: b = g, θ = −0.2
    optimizer.step()  # b = 0.5 b + g = 1.5, θ = −0.35
    np.testing.assert_allclose(param.array, [-0.35] * 3, rtol=1e-15)
    np.testing.assert_array_equal(optimizer.state[param]["momentum_buffer"], [1.5] * 3)
    optimizer.param_groups[0]["momentum"] = 0.0
    optimizer.step()  # plain again: the buffer is neither used nor changed
    np.testing.assert_allclose(param.array, [-0.45] * 3, rtol=1e-15)
    np.testing.assert_array_equal(optimizer.state[param]["momentum_buffer"], [1.5] * 3)


@pytest.mark.parametrize("option, value, expected", [
    ("weight_decay", 0.5, [1.0 - 0.1 * (1.0 + 0.5 * 1.0)] * 3),  # g + λθ
    ("maximize", True, [1.0 + 0.1] * 3),  # −g
])
def test_weight_decay_and_maximize_set_in_param_groups_change_the_plain_update(option, value, expected):
    param = param_with_grad([1.0, 1.0, 1.0], grad=[1.0, 1.0, 1.0], dtype=np.float64)
    optimizer = optim.SGD([param], lr=0.1)
    optimizer.param_groups[0][option] = value
    optimizer.step()
    np.testing.assert_allclose(param.array, expected, rtol=1e-15)
    np.testing.assert_array_equal(param.grad.array, [1.0] * 3)  # .grad stays ∇θ


def test_groups_on_both_paths_in_one_optimizer_and_one_added_later():
    plain, with_momentum, added = (param_with_grad([0.0] * 3, grad=[1.0] * 3, dtype=np.float64) for _ in range(3))
    optimizer = optim.SGD([{"params": [plain]}, {"params": [with_momentum], "momentum": 0.9}], lr=0.1)
    optimizer.step()
    optimizer.add_param_group({"params": [added], "lr": 1.0})
    optimizer.step()
    np.testing.assert_allclose(plain.array, [-0.2] * 3, rtol=1e-15)
    np.testing.assert_allclose(with_momentum.array, [-0.1 - 0.1 * 1.9] * 3, rtol=1e-15)  # b = 0.9 · 1 + 1
    np.testing.assert_allclose(added.array, [-1.0] * 3, rtol=1e-15)
    assert "momentum_buffer" not in optimizer.state[plain] and "momentum_buffer" in optimizer.state[with_momentum]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_a_refused_gradient_in_a_later_group_leaves_every_group_unmoved(momentum):
    first, second = param_with_grad([1.0, 2.0, 3.0]), param_with_grad([1.0, 2.0, 3.0], grad=[1.0, 2.0])
    optimizer = optim.SGD([{"params": [first]}, {"params": [second]}], lr=0.1, momentum=momentum)
    with pytest.raises(RuntimeError, match=r"parameter 1 has shape \(3,\) but its .grad has shape \(2,\)"):
        optimizer.step()
    np.testing.assert_array_equal(first.array, [1.0, 2.0, 3.0])
    assert dict(optimizer.state) == {}
