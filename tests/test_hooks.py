"""Watching backpropagation with PyTorch's API: tensor hooks, retain_grad, module hooks and
anomaly mode (api/hooks.py, nn/hooks.py, autograd/anomaly.py)."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Function, autograd, nn


def test_a_tensor_hook_sees_the_complete_gradient_and_may_replace_it():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    seen = []
    hidden.register_hook(lambda grad: seen.append(grad.array.copy()))
    hidden.register_hook(lambda grad: grad * 10)
    (hidden * hidden).sum().backward()
    np.testing.assert_allclose(seen[0], 2 * hidden.array)  # dE/dhidden, complete
    np.testing.assert_allclose(x.grad.array, 10 * 3 * 2 * hidden.array)  # the replacement flowed on


def test_a_leaf_hook_runs_before_grad_is_written_and_a_removed_hook_never_runs():
    w = tg.tensor([1.0, -1.0], requires_grad=True)
    handle = w.register_hook(lambda grad: grad * 0)
    (w * w).sum().backward()
    assert w.grad.array.tolist() == [0.0, 0.0]
    handle.remove()
    w.grad = None
    (w * w).sum().backward()
    assert w.grad.array.tolist() == [2.0, -2.0]


def test_hooks_run_in_autograd_grad_too():
    x = tg.tensor([2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda grad: calls.append(grad.item()))
    autograd.grad((x * x).sum(), [x])
    assert calls == [4.0]


def test_retain_grad_keeps_a_non_leafs_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3
    assert not hidden.retains_grad
    hidden.retain_grad()
    (hidden * hidden).sum().backward()
    assert hidden.retains_grad and not x.retains_grad
    np.testing.assert_allclose(hidden.grad.array, 2 * hidden.array)


def test_hooks_need_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        tg.tensor([1.0]).register_hook(lambda grad: None)
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        tg.tensor([1.0]).retain_grad()


def test_module_hooks_see_inputs_outputs_and_gradients():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    log = []
    model[1].register_forward_hook(lambda module, args, output: log.append(("forward", args[0].shape, output.shape)))
    model[1].register_full_backward_hook(lambda module, grad_input, grad_output: log.append(("backward", grad_input[0].array.copy(), grad_output[0].array.copy())))
    model[0].register_full_backward_hook(lambda module, grad_input, grad_output: log.append(("first", grad_input)))
    pre = model[2].register_forward_pre_hook(lambda module, args: (args[0] * 0,))
    x = tg.ones(4, 2)
    model(x).sum().backward()
    assert log[0] == ("forward", (4, 3), (4, 3))
    _, tanh_grad_input, tanh_grad_output = log[1]
    hidden = model[0](x).array
    np.testing.assert_allclose(tanh_grad_input, tanh_grad_output * (1 - np.tanh(hidden) ** 2), rtol=1e-5)
    assert log[2] == ("first", (None,))  # the data input needs no gradient: torch's (None,)
    assert not model[2].weight.grad.array.any()  # the pre-hook zeroed that layer's input
    pre.remove()
    assert model(x).array.any()


def test_module_hooks_match_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    weights = np.random.default_rng(0).standard_normal((3, 2)).astype(np.float32)
    x = np.random.default_rng(1).standard_normal((4, 2)).astype(np.float32)
    seen = {}
    for name, lib, make in (("ours", tg, lambda a: tg.tensor(a, requires_grad=True)), ("torch", torch, lambda a: torch.tensor(a, requires_grad=True))):
        layer = (nn if lib is tg else torch.nn).Linear(2, 3, bias=False)
        with (tg.no_grad() if lib is tg else torch.no_grad()):
            layer.weight.copy_(lib.tensor(weights) if lib is tg else torch.tensor(weights))
        layer.register_full_backward_hook(lambda module, gi, go, name=name: seen.__setitem__(name, (np.array(gi[0].detach().numpy() if hasattr(gi[0], "detach") else gi[0].array), np.array(go[0].detach().numpy() if hasattr(go[0], "detach") else go[0].array))))
        (layer(make(x)) ** 2).sum().backward()
    np.testing.assert_allclose(seen["ours"][0], seen["torch"][0], rtol=1e-5)
    np.testing.assert_allclose(seen["ours"][1], seen["torch"][1], rtol=1e-5)


def test_anomaly_mode_names_the_op_and_the_line_that_made_a_nan_in_forward():
    with autograd.detect_anomaly():
        assert autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match=r"Function 'Log' returned nan values in its forward output \(input shapes: \(1,\)\).*test_hooks.py.*THE_LOG_LINE"):
            tg.tensor([-1.0]).log()  # THE_LOG_LINE
    assert not autograd.is_anomaly_enabled()


def test_anomaly_mode_names_the_op_whose_backward_made_a_nan():
    with autograd.detect_anomaly():
        x = tg.tensor([0.0, 1.0], requires_grad=True)
        root = x.sqrt()  # THE_SQRT_LINE
        with pytest.raises(RuntimeError, match=r"Function 'Sqrt.backward' returned nan values in its gradient for input 0.*THE_SQRT_LINE"):
            (root * 0).sum().backward()


def test_set_detect_anomaly_and_its_cost_when_off():
    plain = Function.__dict__["apply"]
    autograd.set_detect_anomaly(True)
    try:
        assert autograd.is_anomaly_enabled() and Function.__dict__["apply"] is not plain
    finally:
        autograd.set_detect_anomaly(False)
    # Off, apply is the plain one again: no check, no stack walk per op.
    assert Function.__dict__["apply"].__func__ is plain.__func__
    with autograd.set_detect_anomaly(True):
        assert autograd.is_anomaly_enabled()
    assert not autograd.is_anomaly_enabled()
    assert (tg.tensor([-1.0]).log().array != tg.tensor([-1.0]).log().array).all()  # NaN, no error
