"""The backward trace and the graph's saved memory (autograd/trace.py, autograd/memory.py),
against hand-written expectations for the XOR net and a broadcasting example."""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import autograd, nn
from tinygrad_edu.network import ActivationLayer, FCLayer, Network, mse, mse_prime, tanh, tanh_prime
from tinygrad_edu.nn import functional as F


def test_broadcasting_shows_where_a_gradient_was_summed_back():
    a = tg.ones(2, 3, requires_grad=True)
    b = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with autograd.trace() as steps:
        (a * b).sum().backward()
    assert [step.op for step in steps] == ["Sum", "Mul", "AccumulateGrad", "AccumulateGrad"]
    mul = steps[1]
    assert mul.formula.startswith("dE/dA = dE/dY ⊙ B,  dE/dB = dE/dY ⊙ A")
    assert mul.grad_output.shape == (2, 3)
    assert [stats.shape for stats in mul.input_grads] == [(2, 3), (3,)]
    assert mul.summed_axes == [None, (0,)]  # b was broadcast over the rows: its gradient sums them
    assert mul.input_grads[1].values == [2.0, 2.0, 2.0]
    assert "(summed back over axes (0,))" in str(steps)


def test_the_xor_nets_backward_step_by_step():
    """The tutorial's XOR net in torch style: the steps are the tutorial's chain of
    backward_propagation calls, newest layer first, each with its formula."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Tanh())
    x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    loss = F.mse_loss(model(x), tg.tensor([[0.0], [1.0], [1.0], [0.0]]))
    with autograd.trace(model=model) as steps:
        loss.backward()
    expected = [
        ("MSELoss", None, "dE/dY = 2/n (Y − Y*)"),
        ("Tanh", None, "dE/dX = dE/dY ⊙ (1 − Y²)"),
        ("Linear", "2", "dE/dX = dE/dY W,  dE/dW = dE/dYᵀ X,  dE/dB = Σ_batch dE/dY"),
        ("Tanh", None, "dE/dX = dE/dY ⊙ (1 − Y²)"),
        ("Linear", "0", "dE/dX = dE/dY W,  dE/dW = dE/dYᵀ X,  dE/dB = Σ_batch dE/dY"),
    ]
    for step, (op, module, formula) in zip(steps, expected):
        assert (step.op, step.module) == (op, module)
        assert step.formula.startswith(formula)
    assert [step.op for step in steps[5:]] == ["AccumulateGrad"] * 4
    assert {step.formula for step in steps[5:]} == {f"{name}.grad += dE/d{name}" for name in ("0.weight", "0.bias", "2.weight", "2.bias")}
    linear = steps[2]
    np.testing.assert_allclose(linear.input_grads[1].values, model[2].weight.grad.data, atol=1e-4)
    assert linear.summed_axes[2] == (0,)  # the bias gradient sums the batch
    assert steps[0].grad_output.values == 1.0
    dot = steps.to_dot()
    assert '"1: MSELoss' in dot and '"5: Linear' in dot and "->" in dot
    assert "<table>" in steps._repr_html_()


def test_the_tutorial_api_is_traced_layer_by_layer():
    np.random.seed(0)
    net = Network()
    net.add(FCLayer(2, 3))
    net.add(ActivationLayer(tanh, tanh_prime))
    net.use(mse, mse_prime)
    with autograd.trace(model=net) as steps:
        net.fit(np.array([[[0.0, 1.0]]]), np.array([[[1.0, 0.0, 0.0]]]), epochs=1, learning_rate=0.1)
    ops = [step.op for step in steps]
    assert ops[:2] == ["Loss(mse)", "Activation(tanh)"]
    assert "MatMul" in ops and "Add" in ops
    assert {step.module for step in steps if step.op in ("MatMul", "Add")} == {"layers[0]"}
    assert steps[1].formula == "dE/dX = dE/dY ⊙ f'(X)  (the tutorial's ActivationLayer, f and f' given)."


def test_no_trace_no_steps():
    x = tg.tensor([1.0], requires_grad=True)
    with autograd.trace() as steps:
        pass
    (x * 2).sum().backward()
    assert len(steps) == 0 and str(steps) == "(no backward step was recorded)"


def test_saved_memory_lists_what_each_op_keeps():
    a = tg.tensor(np.ones((100, 10), np.float32), requires_grad=True)
    b = tg.tensor(np.ones((10,), np.float32), requires_grad=True)
    loss = (a * b).tanh().sum()
    report = autograd.saved_memory(loss)
    assert [op.op for op in report.ops] == ["Sum", "Tanh", "Mul"]
    assert report.ops[1].bytes == 100 * 10 * 4  # tanh keeps its output
    assert report.ops[2].bytes == 100 * 10 * 4 + 10 * 4  # mul keeps both inputs
    assert report.total_bytes == sum(op.bytes for op in report.ops)
    assert "total" in str(report)
    with tg.no_grad():
        assert autograd.saved_memory((a * b).tanh().sum()).total_bytes == 0
    loss.backward()
    assert autograd.saved_memory(loss).total_bytes == 0  # freed by backward
