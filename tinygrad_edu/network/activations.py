"""The tutorial's activation functions and their derivatives, on plain arrays.

Pass a pair to `ActivationLayer(f, f_prime)`: f gives Y = f(X), f_prime gives the f'(X) in
dE/dX = dE/dY ⊙ f'(X).
"""
from __future__ import annotations

import numpy as np


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def tanh_prime(x: np.ndarray) -> np.ndarray:
    """tanh'(X) = 1 − tanh²(X)."""
    return 1 - np.tanh(x) ** 2


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(X) = 1 / (1 + e⁻ˣ), computed as (1 + tanh(X/2)) / 2: equal, and no overflow in e⁻ˣ."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def sigmoid_prime(x: np.ndarray) -> np.ndarray:
    """σ'(X) = σ(X) (1 − σ(X))."""
    s = sigmoid(x)
    return s * (1 - s)


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def relu_prime(x: np.ndarray) -> np.ndarray:
    """relu'(X) = 1 where X > 0, else 0 (0 at X = 0, as PyTorch)."""
    return (x > 0).astype(x.dtype)
