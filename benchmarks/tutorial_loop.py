"""The tutorial's own algorithm ("Neural Network from scratch in Python"), re-implemented for
the "how far we came" row: one sample at a time, each layer updating its parameters with the
learning rate inside its backward_propagation, a Python loop over samples and layers.

Faithful in algorithm, shapes and dtypes, as in its MNIST example: samples as float32 (1, 784)
rows, weights (in, out) in float64 (its np.random.rand gives float64; ours start from the
shared initial values), tanh after every FC layer, MSE against one-hot targets.
"""
from __future__ import annotations

from typing import Callable

import numpy as np


class FCLayer:
    """Y = XW + B;  dE/dX = dE/dY Wᵀ,  dE/dW = Xᵀ dE/dY,  dE/dB = dE/dY."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray):
        self.weights = weights
        self.bias = bias

    def forward_propagation(self, input_data: np.ndarray) -> np.ndarray:
        self.input = input_data
        self.output = np.dot(self.input, self.weights) + self.bias
        return self.output

    def backward_propagation(self, output_error: np.ndarray, learning_rate: float) -> np.ndarray:
        input_error = np.dot(output_error, self.weights.T)
        weights_error = np.dot(self.input.T, output_error)
        self.weights -= learning_rate * weights_error
        self.bias -= learning_rate * output_error
        return input_error


class ActivationLayer:
    """Y = f(X);  dE/dX = f'(X) ⊙ dE/dY."""

    def __init__(self, activation: Callable[[np.ndarray], np.ndarray], activation_prime: Callable[[np.ndarray], np.ndarray]):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward_propagation(self, input_data: np.ndarray) -> np.ndarray:
        self.input = input_data
        self.output = self.activation(self.input)
        return self.output

    def backward_propagation(self, output_error: np.ndarray, learning_rate: float) -> np.ndarray:
        return self.activation_prime(self.input) * output_error


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def tanh_prime(x: np.ndarray) -> np.ndarray:
    return 1 - np.tanh(x) ** 2


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> np.floating:
    return np.mean(np.power(y_true - y_pred, 2))


def mse_prime(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return 2 * (y_pred - y_true) / y_true.size


class Network:
    def __init__(self) -> None:
        self.layers: list[FCLayer | ActivationLayer] = []

    def add(self, layer: FCLayer | ActivationLayer) -> None:
        self.layers.append(layer)

    def use(self, loss: Callable, loss_prime: Callable) -> None:
        self.loss = loss
        self.loss_prime = loss_prime

    def fit(self, x_train: np.ndarray, y_train: np.ndarray, epochs: int, learning_rate: float) -> float:
        """The tutorial's training loop. It prints each epoch's mean error; we return the last."""
        samples = len(x_train)
        err = 0.0
        for _ in range(epochs):
            err = 0.0
            for j in range(samples):
                output = x_train[j]
                for layer in self.layers:
                    output = layer.forward_propagation(output)
                err += self.loss(y_train[j], output)
                error = self.loss_prime(y_train[j], output)
                for layer in reversed(self.layers):
                    error = layer.backward_propagation(error, learning_rate)
            err /= samples
        return err


def mlp_network(weights: dict[str, np.ndarray]) -> Network:
    """784-100-50-10 with tanh after each FC layer, from PyTorch-layout weights (out, in)."""
    network = Network()
    for layer in ("fc1", "fc2", "fc3"):
        weight, bias = weights[f"{layer}.weight"], weights[f"{layer}.bias"]
        network.add(FCLayer(weight.T.astype(np.float64), bias[None, :].astype(np.float64)))
        network.add(ActivationLayer(tanh, tanh_prime))
    network.use(mse, mse_prime)
    return network


def tutorial_inputs(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's data layout: x (N, 1, 784), one-hot y (N, 1, 10)."""
    x = images.reshape(len(images), 1, -1)
    y = np.zeros((len(labels), 1, 10), dtype=np.float32)
    y[np.arange(len(labels)), 0, labels] = 1
    return x, y
