"""Proof 1, closed form: for every layer of the tutorial, autograd's gradients equal the
tutorial's formulas (tinygrad_edu.testing.references), in float64, for shapes and values
drawn by Hypothesis.

Both sides compute the same sums in a different order, so they agree to rounding:
rtol 1e-10, with atol 1e-12 for entries that cancel to (nearly) zero.
"""
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import references as ref
from tinygrad_edu.testing.strategies import arrays, floats

TIGHT = dict(rtol=1e-10, atol=1e-12)


def leaf(array: np.ndarray) -> Tensor:
    return Tensor(array, requires_grad=True, dtype=np.float64)


def constant(array: np.ndarray) -> Tensor:
    return Tensor(array, dtype=np.float64)


# ---- fully connected --------------------------------------------------------------------
@st.composite
def fc_cases(draw):
    batch, n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return (
        draw(arrays((batch, n_in))),
        draw(arrays((n_in, n_out))),
        draw(arrays((n_out,))),
        draw(arrays((batch, n_out))),
    )


@given(fc_cases())
def test_linear_matches_fc_formulas(case):
    """F.linear with weight Wᵀ (PyTorch's (out, in) layout) is the tutorial's Y = XW + B."""
    x_data, w_data, b_data, grad_output = case
    x, weight_t, b = leaf(x_data), leaf(w_data.T), leaf(b_data)
    y = F.linear(x, weight_t, b)
    np.testing.assert_allclose(y.numpy(), ref.fc_forward(x_data, w_data, b_data), **TIGHT)
    y.backward(grad_output)
    input_grad, weight_grad, bias_grad = ref.fc_backward(x_data, w_data, grad_output)
    np.testing.assert_allclose(x.grad.numpy(), input_grad, **TIGHT)
    np.testing.assert_allclose(weight_t.grad.numpy().T, weight_grad, **TIGHT)
    np.testing.assert_allclose(b.grad.numpy(), bias_grad, **TIGHT)


@pytest.mark.parametrize("bias_rows", [False, True], ids=["bias (out,)", "bias (1, out)"])
@given(case=fc_cases())
def test_matmul_plus_bias_matches_fc_formulas(case, bias_rows):
    """x @ W + b, the tutorial's own spelling (its bias is (1, out)): broadcasting the bias
    over the batch makes autograd sum dE/dY over the batch, as the formula says."""
    x_data, w_data, b_data, grad_output = case
    if bias_rows:
        b_data = b_data[None, :]
    x, w, b = leaf(x_data), leaf(w_data), leaf(b_data)
    y = x @ w + b
    np.testing.assert_allclose(y.numpy(), ref.fc_forward(x_data, w_data, b_data), **TIGHT)
    y.backward(grad_output)
    input_grad, weight_grad, bias_grad = ref.fc_backward(x_data, w_data, grad_output)
    np.testing.assert_allclose(x.grad.numpy(), input_grad, **TIGHT)
    np.testing.assert_allclose(w.grad.numpy(), weight_grad, **TIGHT)
    np.testing.assert_allclose(b.grad.numpy(), bias_grad.reshape(b_data.shape), **TIGHT)


# ---- activation, loss, flatten ------------------------------------------------------------
@given(st.data())
def test_tanh_matches_tanh_prime(data):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 5)))
    x_data, grad_output = data.draw(arrays(shape)), data.draw(arrays(shape))
    x = leaf(x_data)
    y = x.tanh()
    np.testing.assert_allclose(y.numpy(), ref.tanh(x_data), **TIGHT)
    y.backward(grad_output)
    np.testing.assert_allclose(x.grad.numpy(), ref.activation_backward(x_data, grad_output, ref.tanh_prime), **TIGHT)


MSE_SPELLINGS = {
    "F.mse_loss": lambda y, target: F.mse_loss(y, target),
    "((Y* - Y) ** 2).mean()": lambda y, target: ((target - y) ** 2).mean(),
}


@pytest.mark.parametrize("spelling", list(MSE_SPELLINGS))
@given(data=st.data())
def test_mse_matches_mse_prime(spelling, data):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 5)))
    target, prediction = data.draw(arrays(shape)), data.draw(arrays(shape))
    y = leaf(prediction)
    loss = MSE_SPELLINGS[spelling](y, constant(target))
    np.testing.assert_allclose(loss.item(), ref.mse(target, prediction), **TIGHT)
    loss.backward()
    np.testing.assert_allclose(y.grad.numpy(), ref.mse_prime(target, prediction), **TIGHT)


@given(st.data())
def test_flatten_backward_reshapes_back(data):
    shape = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)))
    x_data = data.draw(arrays(shape))
    grad_output = data.draw(arrays((1, x_data.size)))
    x = leaf(x_data)
    y = x.reshape(1, -1)
    np.testing.assert_array_equal(y.numpy(), ref.flatten_forward(x_data))
    y.backward(grad_output)
    np.testing.assert_array_equal(x.grad.numpy(), ref.flatten_backward(grad_output, shape))


@given(fc_cases(), st.data())
def test_tutorial_network_backprop(case, data):
    """FC → tanh → FC → tanh → MSE, the tutorial's XOR network: the layer-by-layer chain of
    the formulas (what the tutorial's backward_propagation calls do) equals autograd."""
    x_data, w1_data, b1_data, _ = case
    n_hidden, batch = w1_data.shape[1], x_data.shape[0]
    w2_data = data.draw(arrays((n_hidden, 2)))
    b2_data, target = data.draw(arrays((2,))), data.draw(arrays((batch, 2)))

    hidden_in = ref.fc_forward(x_data, w1_data, b1_data)
    hidden = ref.tanh(hidden_in)
    out_in = ref.fc_forward(hidden, w2_data, b2_data)
    out = ref.tanh(out_in)
    grad_out_in = ref.activation_backward(out_in, ref.mse_prime(target, out))
    grad_hidden, w2_grad, b2_grad = ref.fc_backward(hidden, w2_data, grad_out_in)
    x_grad, w1_grad, b1_grad = ref.fc_backward(x_data, w1_data, ref.activation_backward(hidden_in, grad_hidden))

    x, w1, b1, w2, b2 = (leaf(a) for a in (x_data, w1_data, b1_data, w2_data, b2_data))
    loss = F.mse_loss(((x @ w1 + b1).tanh() @ w2 + b2).tanh(), constant(target))
    loss.backward()
    expected = {"x": (x, x_grad), "W1": (w1, w1_grad), "B1": (b1, b1_grad), "W2": (w2, w2_grad), "B2": (b2, b2_grad)}
    for name, (tensor, formula_grad) in expected.items():
        np.testing.assert_allclose(tensor.grad.numpy(), formula_grad, **TIGHT, err_msg=name)


# ---- convolution --------------------------------------------------------------------------
def to_nchw(image_hwc: np.ndarray) -> np.ndarray:
    return image_hwc.transpose(2, 0, 1)[None]


def from_nchw(batch_nchw: np.ndarray) -> np.ndarray:
    return batch_nchw[0].transpose(1, 2, 0)


def to_oihw(kernels: np.ndarray) -> np.ndarray:
    """The tutorial's kernels (kh, kw, D, K) in PyTorch's weight layout (K, D, kh, kw)."""
    return kernels.transpose(3, 2, 0, 1)


@st.composite
def conv_cases(draw, max_depth=3, depth=None, out_depth=None, grad_output_elements=None):
    """The tutorial's conv: x (H, W, D), kernels (kh, kw, D, K), bias (K,), and dE/dY;
    depths D and K drawn up to max_depth unless given."""
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kernel_h, kernel_w = draw(st.integers(1, height)), draw(st.integers(1, width))
    depth = depth or draw(st.integers(1, max_depth))
    out_depth = out_depth or draw(st.integers(1, max_depth))
    out_shape = (height - kernel_h + 1, width - kernel_w + 1, out_depth)
    return (
        draw(arrays((height, width, depth))),
        draw(arrays((kernel_h, kernel_w, depth, out_depth))),
        draw(arrays((out_depth,))),
        draw(arrays(out_shape, elements=grad_output_elements)),
    )


def check_conv_against_formulas(case):
    x_data, kernels, bias_data, grad_output = case
    x, weight, bias = leaf(to_nchw(x_data)), leaf(to_oihw(kernels)), leaf(bias_data)
    y = F.conv2d(x, weight, bias)
    np.testing.assert_allclose(from_nchw(y.numpy()), ref.conv_forward(x_data, kernels, bias_data), **TIGHT)
    y.backward(to_nchw(grad_output))
    input_grad, kernel_grad, bias_grad = ref.conv_backward(x_data, kernels, grad_output)
    np.testing.assert_allclose(from_nchw(x.grad.numpy()), input_grad, **TIGHT, err_msg="dE/dX")
    np.testing.assert_allclose(weight.grad.numpy(), to_oihw(kernel_grad), **TIGHT, err_msg="dE/dK")
    np.testing.assert_allclose(bias.grad.numpy(), bias_grad, **TIGHT, err_msg="dE/dB")


@given(conv_cases(max_depth=1))
def test_conv_single_channel_matches_formulas(case):
    check_conv_against_formulas(case)


@given(conv_cases(max_depth=3))
def test_conv_multi_channel_matches_formulas(case):
    check_conv_against_formulas(case)


# ---- the tutorial's ConvLayer bias quirk ---------------------------------------------------
def numeric_bias_grad(forward, x, kernels, bias, grad_output, eps=1e-6):
    """dE/dB by central differences, E = Σ dE/dY ⊙ forward(x, kernels, B)."""
    grad = np.zeros_like(bias)
    for k in range(bias.size):
        step = np.zeros_like(bias)
        step[k] = eps
        plus = np.sum(grad_output * forward(x, kernels, bias + step))
        minus = np.sum(grad_output * forward(x, kernels, bias - step))
        grad[k] = (plus - minus) / (2 * eps)
    return grad


def autograd_conv_forward(x_hwc, kernels, bias):
    with no_grad():
        y = F.conv2d(constant(to_nchw(x_hwc)), constant(to_oihw(kernels)), constant(bias))
    return from_nchw(y.numpy())


# dE/dY drawn positive, so that no Σ dE/dY_k is zero and a wrong scale factor cannot hide.
positive_grads = floats(0.1, 2.0)
# A central difference of a function affine in B has only rounding error (measured worst
# relative error over 300 random cases: 1.4e-9), far below this and far below the ≥ 1/3
# relative gap between the tutorial's scaling and the true one.
FD = dict(rtol=1e-6, atol=1e-6)


@given(conv_cases(grad_output_elements=positive_grads))
def test_tutorial_conv_bias_grad_disagrees_with_its_own_forward(case):
    """With input depth D ≠ output depth K, the tutorial's dE/dB (K·Σ dE/dY_k) is not the
    gradient of its own forward (which adds B_k D times, so the true one is D·Σ dE/dY_k)."""
    x_data, kernels, bias, grad_output = case
    depth, out_depth = kernels.shape[2], kernels.shape[3]
    assume(depth != out_depth)
    numeric = numeric_bias_grad(ref.tutorial_conv_forward, x_data, kernels, bias, grad_output)
    tutorial = ref.tutorial_conv_backward(x_data, kernels, grad_output)[2]
    np.testing.assert_allclose(numeric, depth * grad_output.sum(axis=(0, 1)), **FD)
    np.testing.assert_allclose(tutorial, out_depth * grad_output.sum(axis=(0, 1)), **TIGHT)
    assert not np.allclose(tutorial, numeric, rtol=1e-3, atol=0)


@given(conv_cases(grad_output_elements=positive_grads))
def test_our_conv_bias_grad_agrees_with_finite_differences(case):
    """Autograd's dE/dB_k = Σ dE/dY_k matches finite differences of our forward, at any depth."""
    x_data, kernels, bias_data, grad_output = case
    bias = leaf(bias_data)
    F.conv2d(constant(to_nchw(x_data)), constant(to_oihw(kernels)), bias).backward(to_nchw(grad_output))
    numeric = numeric_bias_grad(autograd_conv_forward, x_data, kernels, bias_data, grad_output)
    np.testing.assert_allclose(bias.grad.numpy(), numeric, **FD)


@given(st.data())
def test_tutorial_conv_equal_depths_self_consistent_but_not_the_standard_layer(data):
    """With D = K > 1 the two scalings cancel: the tutorial's dE/dB is the gradient of its own
    forward; but that forward is not Y_k = B_k + Σ_d X_d ⋆ K_dk, it adds (D − 1)·B_k more."""
    depth = data.draw(st.integers(2, 3))
    case = data.draw(conv_cases(depth=depth, out_depth=depth, grad_output_elements=positive_grads))
    x_data, kernels, bias, grad_output = case
    numeric = numeric_bias_grad(ref.tutorial_conv_forward, x_data, kernels, bias, grad_output)
    np.testing.assert_allclose(ref.tutorial_conv_backward(x_data, kernels, grad_output)[2], numeric, **FD)
    offset = ref.tutorial_conv_forward(x_data, kernels, bias) - ref.conv_forward(x_data, kernels, bias)
    np.testing.assert_allclose(offset, np.broadcast_to((depth - 1) * bias, offset.shape), **TIGHT)


@given(conv_cases(max_depth=1))
def test_tutorial_conv_coincides_with_ours_at_depth_one(case):
    """D = K = 1: the tutorial's layer is the formulas (which autograd matches, above), and
    its bias gradient agrees with finite differences."""
    x_data, kernels, bias_data, grad_output = case
    tutorial_output = ref.tutorial_conv_forward(x_data, kernels, bias_data)
    np.testing.assert_allclose(tutorial_output, ref.conv_forward(x_data, kernels, bias_data), **TIGHT)
    tutorial_grads = ref.tutorial_conv_backward(x_data, kernels, grad_output)
    formula_grads = ref.conv_backward(x_data, kernels, grad_output)
    for name, tutorial, ours in zip(("dE/dX", "dE/dK", "dE/dB"), tutorial_grads, formula_grads):
        np.testing.assert_allclose(tutorial, ours, **TIGHT, err_msg=name)
    numeric = numeric_bias_grad(ref.tutorial_conv_forward, x_data, kernels, bias_data, grad_output)
    np.testing.assert_allclose(tutorial_grads[2], numeric, **FD)


@given(conv_cases())
def test_tutorial_conv_input_and_kernel_grads_are_right(case):
    """Only the bias is off: the tutorial's dE/dX and dE/dK (its own loops, transcribed)
    are the formulas at any depth."""
    x_data, kernels, _, grad_output = case
    tutorial_grads = ref.tutorial_conv_backward(x_data, kernels, grad_output)
    ours = ref.conv_backward(x_data, kernels, grad_output)
    np.testing.assert_allclose(tutorial_grads[0], ours[0], **TIGHT)
    np.testing.assert_allclose(tutorial_grads[1], ours[1], **TIGHT)
