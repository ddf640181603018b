"""The tutorial's API on the engine (tinygrad_edu.network): each layer's closed form, the
Functions made from a user's pairs, and `fit` reproducing the tutorial's training exactly.

The tutorial's own algorithm is re-expressed here in plain numpy (`TutorialFC` ... below,
test-only), one sample at a time and with hand-written backward passes, so that "exactly the
tutorial" is checked against the tutorial's arithmetic, not against the engine itself.
"""
import re

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.network import (
    ActivationLayer,
    ConvLayer,
    FCLayer,
    FlattenLayer,
    Network,
    elementwise_from_pair,
    loss_from_pair,
    mse,
    mse_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)
from tinygrad_edu.testing import GradcheckError, gradcheck
from tinygrad_edu.testing import references as ref

TIGHT = dict(rtol=1e-10, atol=1e-12)
EPOCH_LINE = re.compile(r"^epoch (\d+)/(\d+)   error=(\d+\.\d{6})$")


# ---- the tutorial's algorithm in plain numpy (test-only reference) ---------------------------
class TutorialFC:
    def __init__(self, input_size, output_size):
        self.weights = np.random.rand(input_size, output_size) - 0.5
        self.bias = np.random.rand(1, output_size) - 0.5

    def forward_propagation(self, x):
        self.input = x
        return np.dot(x, self.weights) + self.bias

    def backward_propagation(self, output_error, learning_rate):
        input_error = np.dot(output_error, self.weights.T)
        self.weights -= learning_rate * np.dot(self.input.T, output_error)
        self.bias -= learning_rate * output_error
        return input_error


class TutorialActivation:
    def __init__(self, f, f_prime):
        self.f, self.f_prime = f, f_prime

    def forward_propagation(self, x):
        self.input = x
        return self.f(x)

    def backward_propagation(self, output_error, learning_rate):
        return self.f_prime(self.input) * output_error


class TutorialConv:
    """The tutorial's ConvLayer, via the transcribed loops in testing.references."""

    def __init__(self, input_shape, kernel_shape, layer_depth):
        self.weights = np.random.rand(kernel_shape[0], kernel_shape[1], input_shape[2], layer_depth) - 0.5
        self.bias = np.random.rand(layer_depth) - 0.5

    def forward_propagation(self, x):
        self.input = x
        return ref.tutorial_conv_forward(x, self.weights, self.bias)

    def backward_propagation(self, output_error, learning_rate):
        input_error, kernel_grad, bias_grad = ref.tutorial_conv_backward(self.input, self.weights, output_error)
        self.weights -= learning_rate * kernel_grad
        self.bias -= learning_rate * bias_grad
        return input_error


class TutorialFlatten:
    def forward_propagation(self, x):
        self.input = x
        return x.flatten().reshape((1, -1))

    def backward_propagation(self, output_error, learning_rate):
        return output_error.reshape(self.input.shape)


def tutorial_fit(layers, x_train, y_train, epochs, learning_rate):
    for i in range(epochs):
        err = 0
        for j in range(len(x_train)):
            output = x_train[j]
            for layer in layers:
                output = layer.forward_propagation(output)
            err += np.mean(np.power(y_train[j] - output, 2))
            error = 2 * (output - y_train[j]) / y_train[j].size
            for layer in reversed(layers):
                error = layer.backward_propagation(error, learning_rate)
        print("epoch %d/%d   error=%f" % (i + 1, epochs, err / len(x_train)))


# ---- helpers ------------------------------------------------------------------------------
def make_network(layers, loss=mse, loss_prime=mse_prime):
    net = Network()
    for layer in layers:
        net.add(layer)
    net.use(loss, loss_prime)
    return net


def mlp_pair(seed, sizes):
    """The same fully connected tanh net twice: ours and the reference, from one seed."""
    def build(fc, activation):
        np.random.seed(seed)
        layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            layers += [fc(n_in, n_out), activation(tanh, tanh_prime)]
        return layers
    return build(FCLayer, ActivationLayer), build(TutorialFC, TutorialActivation)


# ---- fully connected: Y = XW + B, dE/dX = dE/dY Wᵀ, W -= lr Xᵀ dE/dY, B -= lr dE/dY ------------
def test_fc_layer_forward_and_backward_by_hand_follow_the_closed_form():
    rng = np.random.default_rng(0)
    layer = FCLayer(4, 3)
    w0, b0 = layer.weights.array.copy(), layer.bias.array.copy()
    x, grad_output, lr = rng.standard_normal((1, 4)), rng.standard_normal((1, 3)), 0.05

    y = layer.forward_propagation(x)
    np.testing.assert_allclose(y, x @ w0 + b0, **TIGHT)
    input_error = layer.backward_propagation(grad_output, lr)

    np.testing.assert_allclose(input_error, grad_output @ w0.T, **TIGHT)
    np.testing.assert_allclose(layer.weights.array, w0 - lr * x.T @ grad_output, **TIGHT)
    np.testing.assert_allclose(layer.bias.array, b0 - lr * grad_output, **TIGHT)
    assert layer.weights.grad is None and layer.bias.grad is None


def test_fc_layer_initialises_weights_as_the_tutorial():
    np.random.seed(3)
    layer = FCLayer(5, 2)
    np.random.seed(3)
    weights = np.random.rand(5, 2) - 0.5
    bias = np.random.rand(1, 2) - 0.5
    assert layer.weights.dtype == np.float64 and layer.weights.shape == (5, 2) and layer.bias.shape == (1, 2)
    np.testing.assert_array_equal(layer.weights.array, weights)
    np.testing.assert_array_equal(layer.bias.array, bias)


def test_fc_layer_on_a_batch_sums_the_parameter_gradients_over_samples():
    rng = np.random.default_rng(1)
    layer = FCLayer(4, 3)
    x, grad_output = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    inputs = Tensor(x, requires_grad=True, dtype=np.float64)
    output = layer.forward(inputs)
    output.backward(grad_output)
    input_grad, weight_grad, bias_grad = ref.fc_backward(x, layer.weights.array, grad_output)
    np.testing.assert_allclose(output.array, ref.fc_forward(x, layer.weights.array, layer.bias.array), **TIGHT)
    np.testing.assert_allclose(inputs.grad.array, input_grad, **TIGHT)
    np.testing.assert_allclose(layer.weights.grad.array, weight_grad, **TIGHT)
    np.testing.assert_allclose(layer.bias.grad.array, bias_grad[None, :], **TIGHT)


# ---- activation from any pair (f, f') -------------------------------------------------------
def test_activation_layer_with_a_custom_pair_uses_f_forward_and_f_prime_backward():
    def cube(x):
        return x**3

    def cube_prime(x):
        return 3 * x**2

    rng = np.random.default_rng(2)
    x, grad_output = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    layer = ActivationLayer(cube, cube_prime)
    np.testing.assert_allclose(layer.forward_propagation(x), x**3, **TIGHT)
    np.testing.assert_allclose(layer.backward_propagation(grad_output, 0.1), grad_output * 3 * x**2, **TIGHT)
    assert layer.forward(Tensor(x, requires_grad=True)).grad_fn.__name__ == "Activation(cube)"


def test_the_pair_is_trusted_as_given_so_a_wrong_derivative_gives_a_wrong_gradient():
    # The engine cannot know f'; gradcheck is how a user catches a wrong one.
    wrong = elementwise_from_pair(tanh, lambda x: 1 + np.tanh(x) ** 2)
    x = Tensor(np.linspace(-2, 2, 7), requires_grad=True, dtype=np.float64)
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(wrong.apply, x)


@pytest.mark.parametrize(
    "pair, points",
    [
        ((tanh, tanh_prime), np.linspace(-3, 3, 13)),
        ((sigmoid, sigmoid_prime), np.linspace(-6, 6, 13)),
        ((relu, relu_prime), np.array([-2.0, -0.7, -0.1, 0.2, 0.9, 3.0])),  # away from the kink at 0
    ],
    ids=["tanh", "sigmoid", "relu"],
)
def test_the_shipped_activation_pairs_have_the_right_derivatives(pair, points):
    function = elementwise_from_pair(*pair)
    assert gradcheck(function.apply, Tensor(points.reshape(1, -1), requires_grad=True, dtype=np.float64))


def test_an_activation_that_is_not_elementwise_is_a_clear_error():
    layer = ActivationLayer(lambda x: x.sum(axis=-1), lambda x: np.ones_like(x))
    with pytest.raises(ValueError, match=r"activation <lambda>: returned shape \(1, 1\) for an input of shape \(1, 1, 3\).*elementwise"):
        layer.forward_propagation(np.ones((1, 3)))


# ---- loss from any pair (loss, loss') -------------------------------------------------------
def half_sum_of_squares(y_true, y_pred):
    return 0.5 * np.sum((y_pred - y_true) ** 2)


def half_sum_of_squares_prime(y_true, y_pred):
    return y_pred - y_true


def test_a_loss_from_a_pair_is_the_batch_mean_of_the_per_sample_loss_and_gradient():
    rng = np.random.default_rng(4)
    prediction, target = rng.standard_normal((3, 1, 4)), rng.standard_normal((3, 1, 4))
    loss = loss_from_pair(half_sum_of_squares, half_sum_of_squares_prime)
    predicted = Tensor(prediction, requires_grad=True, dtype=np.float64)
    error = loss.apply(predicted, Tensor(target, dtype=np.float64))
    error.backward()
    per_sample = [half_sum_of_squares(t, p) for t, p in zip(target, prediction)]
    np.testing.assert_allclose(error.item(), np.mean(per_sample), **TIGHT)
    np.testing.assert_allclose(predicted.grad.array, (prediction - target) / 3, **TIGHT)
    assert error.grad_fn.__name__ == "Loss(half_sum_of_squares)"


def test_network_use_trains_on_a_custom_loss():
    rng = np.random.default_rng(5)
    x, y, lr = rng.standard_normal((2, 1, 3)), rng.standard_normal((2, 1, 2)), 0.1
    layer = FCLayer(3, 2)
    w, b = layer.weights.array.copy(), layer.bias.array.copy()
    net = make_network([layer], half_sum_of_squares, half_sum_of_squares_prime)
    net.fit(x, y, epochs=1, learning_rate=lr)
    for sample, target in zip(x, y):  # the per-sample updates, by the closed form
        grad_output = (sample @ w + b) - target
        w, b = w - lr * sample.T @ grad_output, b - lr * grad_output
    np.testing.assert_allclose(layer.weights.array, w, **TIGHT)
    np.testing.assert_allclose(layer.bias.array, b, **TIGHT)


def test_a_loss_that_returns_more_than_one_number_is_a_clear_error():
    net = make_network([FCLayer(2, 2)], lambda t, p: (p - t) ** 2, mse_prime)
    with pytest.raises(ValueError, match="one number per sample"):
        net.fit(np.ones((1, 1, 2)), np.ones((1, 1, 2)), epochs=1, learning_rate=0.1)


def test_a_loss_derivative_of_the_wrong_shape_is_a_clear_error():
    net = make_network([FCLayer(2, 2)], mse, lambda t, p: np.sum(p - t))
    with pytest.raises(ValueError, match=r"returned shape \(\) for a prediction of shape \(1, 2\)"):
        net.fit(np.ones((1, 1, 2)), np.ones((1, 1, 2)), epochs=1, learning_rate=0.1)


# ---- flatten and conv -----------------------------------------------------------------------
def test_flatten_layer_lays_a_sample_out_as_one_row_and_reshapes_the_error_back():
    x = np.arange(24.0).reshape(2, 4, 3)
    layer = FlattenLayer()
    np.testing.assert_array_equal(layer.forward_propagation(x), ref.flatten_forward(x))
    grad_output = np.arange(24.0).reshape(1, 24) * 0.5
    np.testing.assert_array_equal(layer.backward_propagation(grad_output, 0.1), ref.flatten_backward(grad_output, x.shape))


def test_conv_layer_matches_scipy_correlate2d_per_channel():
    rng = np.random.default_rng(6)
    layer = ConvLayer((6, 5, 2), (3, 2), 3)
    kernels, bias = layer.weights.array.copy(), layer.bias.array.copy()
    assert kernels.shape == (3, 2, 2, 3) and bias.shape == (3,) and layer.output_shape == (4, 4, 3)
    x, grad_output, lr = rng.standard_normal((6, 5, 2)), rng.standard_normal((4, 4, 3)), 0.05

    np.testing.assert_allclose(layer.forward_propagation(x), ref.conv_forward(x, kernels, bias), **TIGHT)
    input_error = layer.backward_propagation(grad_output, lr)
    input_grad, kernel_grad, bias_grad = ref.conv_backward(x, kernels, grad_output)
    np.testing.assert_allclose(input_error, input_grad, **TIGHT)
    np.testing.assert_allclose(layer.weights.array, kernels - lr * kernel_grad, **TIGHT)
    np.testing.assert_allclose(layer.bias.array, bias - lr * bias_grad, **TIGHT)


def test_conv_layer_on_a_batch_equals_each_sample_alone():
    rng = np.random.default_rng(7)
    layer = ConvLayer((5, 5, 2), (3, 3), 2)
    batch = rng.standard_normal((3, 5, 5, 2))
    together = layer.forward(Tensor(batch, dtype=np.float64)).array
    for sample, output in zip(batch, together):
        np.testing.assert_allclose(output, ref.conv_forward(sample, layer.weights.array, layer.bias.array), **TIGHT)


def test_layers_name_the_shape_they_expected():
    with pytest.raises(ValueError, match=r"FCLayer\(3, 2\): input of shape \(1, 1, 4\).*input_size = 3"):
        FCLayer(3, 2).forward_propagation(np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"input of shape \(1, 5, 5, 2\).*input_shape \(5, 5, 1\)"):
        ConvLayer((5, 5, 1), (3, 3), 1).forward_propagation(np.ones((5, 5, 2)))
    with pytest.raises(ValueError, match="kernel .* is larger than the input"):
        ConvLayer((2, 2, 1), (3, 3), 1)
    with pytest.raises(ValueError, match="output_size must be a positive int"):
        FCLayer(3, 0)


def test_backward_propagation_needs_a_forward_and_an_error_of_the_output_shape():
    layer = FCLayer(2, 2)
    with pytest.raises(RuntimeError, match="call forward_propagation first"):
        layer.backward_propagation(np.ones((1, 2)), 0.1)
    layer.forward_propagation(np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"output_error has shape \(1, 3\) but the layer's output has shape \(1, 2\)"):
        layer.backward_propagation(np.ones((1, 3)), 0.1)


# ---- fit: the tutorial's training, exactly ----------------------------------------------------
def test_fit_reproduces_the_tutorials_per_sample_training_and_printed_errors(capsys):
    rng = np.random.default_rng(8)
    x, y = rng.random((12, 1, 5)), rng.random((12, 1, 3))
    ours, tutorial = mlp_pair(seed=11, sizes=(5, 4, 3))
    make_network(ours).fit(x, y, epochs=3, learning_rate=0.2)
    our_lines = capsys.readouterr().out
    tutorial_fit(tutorial, x, y, epochs=3, learning_rate=0.2)
    assert our_lines == capsys.readouterr().out
    for mine, theirs in zip(ours[::2], tutorial[::2]):
        np.testing.assert_allclose(mine.weights.array, theirs.weights, **TIGHT)
        np.testing.assert_allclose(mine.bias.array, theirs.bias, **TIGHT)


def test_fit_reproduces_the_tutorials_conv_training_where_its_bias_quirk_is_silent(capsys):
    # With input and output depth 1 the tutorial's ConvLayer bias matches the standard one.
    rng = np.random.default_rng(9)
    x, y = rng.random((3, 6, 6, 1)), rng.random((3, 1, 2))

    def build(conv, activation, flatten, fc):
        np.random.seed(12)
        return [conv((6, 6, 1), (3, 3), 1), activation(tanh, tanh_prime), flatten(), fc(16, 2), activation(tanh, tanh_prime)]

    ours = build(ConvLayer, ActivationLayer, FlattenLayer, FCLayer)
    tutorial = build(TutorialConv, TutorialActivation, TutorialFlatten, TutorialFC)
    make_network(ours).fit(x, y, epochs=2, learning_rate=0.3)
    our_lines = capsys.readouterr().out
    tutorial_fit(tutorial, x, y, epochs=2, learning_rate=0.3)
    assert our_lines == capsys.readouterr().out
    for index in (0, 3):
        np.testing.assert_allclose(ours[index].weights.array, tutorial[index].weights, **TIGHT)
        np.testing.assert_allclose(ours[index].bias.array, tutorial[index].bias, **TIGHT)


def test_targets_shaped_like_the_tutorials_mnist_labels_broadcast_per_sample():
    # The tutorial's MNIST targets are (10,) per sample while the net outputs (1, 10).
    rng = np.random.default_rng(10)
    x, y = rng.random((4, 1, 6)), np.eye(3)[[0, 2, 1, 2]]
    ours, tutorial = mlp_pair(seed=13, sizes=(6, 3))
    make_network(ours).fit(x, y, epochs=2, learning_rate=0.1)
    tutorial_fit(tutorial, x, y, epochs=2, learning_rate=0.1)
    np.testing.assert_allclose(ours[0].weights.array, tutorial[0].weights, **TIGHT)


def test_layers_chained_by_hand_train_exactly_like_fit():
    rng = np.random.default_rng(14)
    x, y = rng.random((5, 1, 3)), rng.random((5, 1, 2))
    by_fit, _ = mlp_pair(seed=15, sizes=(3, 4, 2))
    by_hand, _ = mlp_pair(seed=15, sizes=(3, 4, 2))
    make_network(by_fit).fit(x, y, epochs=1, learning_rate=0.1)
    for sample, target in zip(x, y):
        output = sample
        for layer in by_hand:
            output = layer.forward_propagation(output)
        error = mse_prime(target, output)
        for layer in reversed(by_hand):
            error = layer.backward_propagation(error, 0.1)
    for mine, theirs in zip(by_hand[::2], by_fit[::2]):
        np.testing.assert_allclose(mine.weights.array, theirs.weights.array, **TIGHT)


def test_fit_prints_one_tutorial_line_per_epoch_with_the_mean_loss(capsys):
    rng = np.random.default_rng(16)
    x, y = rng.random((6, 1, 2)), rng.random((6, 1, 1))
    net = make_network([FCLayer(2, 1)])
    weights, bias = net.layers[0].weights.array.copy(), net.layers[0].bias.array.copy()
    net.fit(x, y, epochs=4, learning_rate=0.05, batch_size=6)
    lines = capsys.readouterr().out.splitlines()
    assert [EPOCH_LINE.match(line).group(1, 2) for line in lines] == [(str(i), "4") for i in range(1, 5)]
    first_error = np.mean([mse(t, s @ weights + bias) for s, t in zip(x, y)])
    assert EPOCH_LINE.match(lines[0]).group(3) == "%f" % first_error


# ---- batches --------------------------------------------------------------------------------
def test_batched_fit_steps_along_the_mean_gradient_of_each_batch_including_a_short_last_one():
    rng = np.random.default_rng(17)
    x, y, lr = rng.standard_normal((5, 1, 3)), rng.standard_normal((5, 1, 2)), 0.1
    layer = FCLayer(3, 2)
    w, b = layer.weights.array.copy(), layer.bias.array.copy()
    make_network([layer]).fit(x, y, epochs=1, learning_rate=lr, batch_size=2)
    for start in (0, 2, 4):  # batches of 2, 2 and 1
        grads = []
        for sample, target in zip(x[start : start + 2], y[start : start + 2]):
            grad_output = mse_prime(target, sample @ w + b)
            grads.append((sample.T @ grad_output, grad_output))
        w = w - lr * np.mean([g[0] for g in grads], axis=0)
        b = b - lr * np.mean([g[1] for g in grads], axis=0)
    np.testing.assert_allclose(layer.weights.array, w, **TIGHT)
    np.testing.assert_allclose(layer.bias.array, b, **TIGHT)


def test_batched_fit_learns_a_linear_map(capsys):
    rng = np.random.default_rng(18)
    x = rng.standard_normal((64, 1, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    np.random.seed(0)
    net = make_network([FCLayer(3, 1)])
    net.fit(x, y, epochs=60, learning_rate=0.3, batch_size=16)
    errors = [float(EPOCH_LINE.match(line).group(3)) for line in capsys.readouterr().out.splitlines()]
    assert errors[-1] < 1e-3 < errors[0]
    np.testing.assert_allclose(net.layers[0].weights.array.ravel(), [1.0, -2.0, 0.5], atol=0.02)


# ---- predict and errors -----------------------------------------------------------------------
def test_predict_returns_one_output_per_sample_as_the_tutorial():
    np.random.seed(19)
    net = make_network([FCLayer(2, 3), ActivationLayer(tanh, tanh_prime)])
    x = np.random.rand(300, 1, 2)  # more than one predict chunk
    out = net.predict(x)
    assert isinstance(out, list) and len(out) == 300 and all(o.shape == (1, 3) for o in out)
    layer = net.layers[0]
    np.testing.assert_allclose(out[299], np.tanh(x[299] @ layer.weights.array + layer.bias.array), **TIGHT)


def test_network_errors_say_what_to_do():
    net = Network()
    with pytest.raises(TypeError, match="expected a Layer"):
        net.add(np.tanh)
    net.add(FCLayer(2, 1))
    with pytest.raises(RuntimeError, match=r"net.use\(loss, loss_prime\)"):
        net.fit(np.ones((2, 1, 2)), np.ones((2, 1, 1)), epochs=1, learning_rate=0.1)
    net.use(mse, mse_prime)
    with pytest.raises(ValueError, match="same number"):
        net.fit(np.ones((3, 1, 2)), np.ones((2, 1, 1)), epochs=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        net.fit(np.ones((2, 1, 2)), np.ones((2, 1, 1)), epochs=1, learning_rate=0.1, batch_size=0)
    with pytest.raises(ValueError, match="every sample must have the same shape"):
        net.predict([np.ones((1, 2)), np.ones((1, 3))])


@pytest.mark.parametrize("learning_rate", [float("nan"), -0.1], ids=["nan", "negative"])
def test_fit_refuses_a_nan_or_negative_learning_rate_and_leaves_the_weights(learning_rate):
    # Before: NaN trained every weight to NaN, a negative rate climbed the loss; both silently.
    net = make_network([FCLayer(2, 1)])
    weights = net.layers[0].weights.array.copy()
    with pytest.raises(ValueError, match="learning_rate"):
        net.fit(np.ones((4, 1, 2)), np.ones((4, 1, 1)), epochs=1, learning_rate=learning_rate)
    np.testing.assert_array_equal(net.layers[0].weights.array, weights)
