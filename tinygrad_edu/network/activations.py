"""The tutorial's activation functions and their derivatives.

Pass a pair to `ActivationLayer(f, f_prime)`: f gives Y = f(X), f_prime gives the f'(X) in
dE/dX = dE/dY ⊙ f'(X). Each takes an array, as in the tutorial, or a Tensor: written with
operators and `tanh`, the derivatives are differentiable themselves, so a network built from
them supports second derivatives (`create_graph=True`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def tanh(x: Any) -> Any:
    return x.tanh() if isinstance(x, Tensor) else np.tanh(x)


def tanh_prime(x: Any) -> Any:
    """tanh'(X) = 1 − tanh²(X)."""
    return 1 - tanh(x) ** 2


def sigmoid(x: Any) -> Any:
    """σ(X) = 1 / (1 + e⁻ˣ), computed as (1 + tanh(X/2)) / 2: equal, and no overflow in e⁻ˣ."""
    return 0.5 * (1 + tanh(0.5 * x))


def sigmoid_prime(x: Any) -> Any:
    """σ'(X) = σ(X) (1 − σ(X))."""
    s = sigmoid(x)
    return s * (1 - s)


def relu(x: Any) -> Any:
    return x.relu() if isinstance(x, Tensor) else np.maximum(x, 0)


def relu_prime(x: Any) -> Any:
    """relu'(X) = 1 where X > 0, else 0 (0 at X = 0, as PyTorch): a constant almost everywhere."""
    mask = np.asarray(x.array if isinstance(x, Tensor) else x) > 0
    return Tensor(mask, dtype=x.dtype) if isinstance(x, Tensor) else mask.astype(x.dtype)
