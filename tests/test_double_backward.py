"""Gradients of gradients: the API (PyTorch's), what a user's own Function gets, and the
tutorial's API. The per-op second derivatives are proven in test_finite_differences.py
(gradgradcheck on every op) and against PyTorch in test_torch_oracle_second_order.py."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, autograd
from tinygrad_edu.network import ActivationLayer, FCLayer, Network
from tinygrad_edu.nn import functional as F
from tinygrad_edu.ops import xp
from tinygrad_edu.network.activations import tanh, tanh_prime
from tinygrad_edu.network.losses import mse, mse_prime
from tinygrad_edu.testing import GradcheckError, gradcheck, gradgradcheck


def vector(*values: float) -> Tensor:
    return Tensor(np.array(values), requires_grad=True, dtype=np.float64)


# ---- backward(create_graph=True) and autograd.grad ----------------------------------------
def test_create_graph_puts_a_differentiable_gradient_in_grad():
    x = vector(1.0, 2.0)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    np.testing.assert_allclose(x.grad.array, [3.0, 12.0])  # 3x²
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad.array, [6.0, 12.0])  # 6x


def test_without_create_graph_gradients_carry_no_graph_and_the_graph_is_freed():
    x = vector(1.0, 2.0)
    y = (x * x).sum()
    y.backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None
    with pytest.raises(RuntimeError, match="freed graph"):
        y.backward()


def test_retain_graph_defaults_to_create_graph():
    x = vector(1.0, 2.0)
    y = (x * x).sum()
    y.backward(create_graph=True)
    y.backward()  # the graph was kept: create_graph implies retain_graph
    np.testing.assert_allclose(x.grad.array, [4.0, 8.0])


def test_grad_returns_a_tuple_and_touches_no_grad():
    x, w = vector(1.0, -2.0), vector(0.5, 3.0)
    gx, gw = autograd.grad((x * w).sum(), [x, w])
    np.testing.assert_allclose(gx.array, w.array)
    np.testing.assert_allclose(gw.array, x.array)
    assert x.grad is None and w.grad is None
    (only,) = autograd.grad((x * x).sum(), x)  # a Tensor for inputs works too
    np.testing.assert_allclose(only.array, 2 * x.array)


def test_grad_of_an_unused_input_is_an_error_naming_it_or_none_when_allowed():
    x, unused = vector(1.0), vector(2.0, 3.0)
    with pytest.raises(RuntimeError, match=r"input 1 \(shape \(2,\)\) was not used"):
        autograd.grad((x * x).sum(), [x, unused])
    gx, gu = autograd.grad((x * x).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx is not None


def test_grad_with_grad_outputs_and_several_outputs():
    x = vector(1.0, 2.0, 3.0)
    (g,) = autograd.grad([x * 2, x * x], [x], [np.ones(3), np.array([1.0, 0.0, 1.0])])
    np.testing.assert_allclose(g.array, [2 + 2, 2, 2 + 6])


def test_grad_of_a_non_leaf_input():
    x = vector(1.0, 2.0)
    hidden = x * 3
    (g,) = autograd.grad((hidden * hidden).sum(), [hidden])
    np.testing.assert_allclose(g.array, 2 * hidden.array)


def test_hessian_vector_product_of_a_quadratic_form():
    """f(x) = ½ xᵀAx has Hessian (A + Aᵀ)/2 = A for symmetric A: Hv = Av."""
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x, v = vector(0.3, -0.7), np.array([1.0, 2.0])
    (g,) = autograd.grad(0.5 * (x @ Tensor(a, dtype=np.float64) @ x), [x], create_graph=True)
    (hv,) = autograd.grad(g, [x], grad_outputs=v)
    np.testing.assert_allclose(hv.array, a @ v)


def test_third_derivative_of_a_scalar_function():
    """f(x) = x⁵: f'''(x) = 60 x²."""
    x = vector(1.5)
    (d1,) = autograd.grad((x**5).sum(), [x], create_graph=True)
    (d2,) = autograd.grad(d1.sum(), [x], create_graph=True)
    (d3,) = autograd.grad(d2.sum(), [x])
    np.testing.assert_allclose(d3.array, [60 * 1.5**2])


def test_gradient_penalty_reaches_the_weights():
    """WGAN-GP's idea: a loss on the norm of dE/dinput; its gradient must reach the weights
    through the backward pass (it would be zero if the backward pass were not differentiated)."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True, dtype=np.float64)
    weight = Tensor(rng.standard_normal((1, 3)), requires_grad=True, dtype=np.float64)

    def penalty(w: Tensor) -> Tensor:
        (gx,) = autograd.grad(F.linear(x, w, None).tanh().sum(), [x], create_graph=True)
        return (((gx * gx).sum(1).sqrt() - 1) ** 2).mean()

    penalty(weight).backward()
    assert np.abs(weight.grad.array).max() > 1e-6
    assert gradcheck(penalty, weight)


# ---- a user's own Function ----------------------------------------------------------------
class Cube(tg.Function):
    """Y = X³, with a backward written with operators: it works on arrays and on Tensors."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x * x


class CubeWithNumpyBackward(Cube):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * np.square(x)  # np.square refuses a Tensor


class CubeSavingAnIntermediate(tg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(3 * x * x)  # made in forward: no graph knows it depends on x
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (slope,) = ctx.saved_tensors
        return grad_output * slope


def test_a_function_with_an_operator_backward_gets_double_backward_for_free():
    x = vector(0.5, -1.5, 2.0)
    assert gradgradcheck(Cube.apply, x)
    (g,) = autograd.grad(Cube.apply(x).sum(), [x], create_graph=True)
    (h,) = autograd.grad(g.sum(), [x])
    np.testing.assert_allclose(h.array, 6 * x.array)


@pytest.mark.parametrize("function", [CubeWithNumpyBackward, CubeSavingAnIntermediate])
def test_a_function_whose_backward_cannot_be_differentiated_says_so(function):
    x = vector(0.5, -1.5)
    (g,) = autograd.grad(function.apply(x).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.array, 3 * x.array**2)  # the first derivative is still exact
    with pytest.raises(RuntimeError, match=f"cannot differentiate {function.__name__}'s gradient"):
        g.sum().backward()
    with pytest.raises(RuntimeError, match=function.__name__):
        gradgradcheck(function.apply, x)
    assert gradcheck(function.apply, x)  # first order: nothing changed


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongSlope(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x * xp.values(x)  # right value; one x taken as a constant

    x = vector(0.5, -1.5)
    assert gradcheck(WrongSlope.apply, x)
    with pytest.raises(GradcheckError, match="gradgradcheck: gradient of input 0"):
        gradgradcheck(WrongSlope.apply, x)


def test_forward_returning_a_tensor_is_refused_naming_the_function():
    class ReturnsTensor(tg.Function):
        @staticmethod
        def forward(ctx, x):
            return Tensor(x)

    with pytest.raises(TypeError, match="ReturnsTensor.forward returned a Tensor"):
        ReturnsTensor.apply(vector(1.0))


# ---- the tutorial's API -------------------------------------------------------------------
def test_the_tutorials_activation_and_loss_pairs_differentiate_twice():
    """tanh_prime and mse_prime take Tensors too, so a network of the tutorial's layers has
    second derivatives: the gradient of the input gradient's norm reaches the weights."""
    np.random.seed(0)
    net = Network()
    net.add(FCLayer(2, 3))
    net.add(ActivationLayer(tanh, tanh_prime))
    net.add(FCLayer(3, 1))
    net.use(mse, mse_prime)
    x = Tensor(np.array([[0.0, 1.0], [1.0, 1.0]]), requires_grad=True)
    loss = net.loss_function.apply(net.forward(x), Tensor(np.array([[1.0], [0.0]])))
    (gx,) = autograd.grad(loss, [x], create_graph=True)
    weights = net.layers[0].weights
    (gw,) = autograd.grad((gx * gx).sum(), [weights])
    assert np.abs(gw.array).max() > 0


def test_a_numpy_only_derivative_pair_gives_a_clear_error_on_the_second_derivative():
    net = Network()
    net.add(ActivationLayer(np.tanh, lambda x: 1 - np.tanh(x) ** 2))
    x = Tensor(np.array([[0.5, -0.5]]), requires_grad=True)
    (gx,) = autograd.grad(net.forward(x).sum(), [x], create_graph=True)
    np.testing.assert_allclose(gx.array, 1 - np.tanh(x.array) ** 2, rtol=1e-6)
    with pytest.raises(RuntimeError, match=r"cannot differentiate Activation\(tanh\)'s gradient"):
        gx.sum().backward()


def test_dropout_differentiates_twice_through_its_mask():
    """Dropout's backward multiplies by its (constant) mask: a second derivative through it
    is the same mask again, on dE/dY and on whatever came before."""

    def dropout_then_square(x):
        tg.manual_seed(5)  # the same mask at every call, as finite differences need
        return F.dropout(x * x, 0.4)

    x = Tensor(np.random.default_rng(0).uniform(1, 2, (4, 6)), requires_grad=True, dtype=np.float64)
    assert gradgradcheck(dropout_then_square, x)
