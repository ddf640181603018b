"""`ActivationLayer`: Y = f(X) for any pair (f, f'), as one op in the graph."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from .from_pair import elementwise_from_pair
from .layer import Layer


class ActivationLayer(Layer):
    """Y = f(X);  dE/dX = dE/dY ⊙ f'(X). No parameters, so nothing to update.

    `activation` and `activation_prime` are plain functions on arrays (`tanh`, `tanh_prime`
    or your own); together they become one engine Function (see `from_pair`).
    """

    def __init__(self, activation: Callable[[np.ndarray], Any], activation_prime: Callable[[np.ndarray], Any]):
        super().__init__()
        for argument, name in ((activation, "activation"), (activation_prime, "activation_prime")):
            if not callable(argument):
                raise TypeError(f"ActivationLayer: {name} must be a function of an array; got {argument!r}")
        self.activation = activation
        self.activation_prime = activation_prime
        self.function = elementwise_from_pair(activation, activation_prime)

    def forward(self, input: Tensor) -> Tensor:
        return self.function.apply(input)

    def __repr__(self) -> str:
        return f"ActivationLayer({getattr(self.activation, '__name__', self.activation)})"
