"""Elementwise activations as modules, Y = f(X), dE/dX = dE/dY ⊙ f'(X): the tutorial's
ActivationLayer with f fixed."""
from __future__ import annotations

from ..tensor import Tensor
from .module import Module


class Tanh(Module):
    """Y = tanh X;  dE/dX = dE/dY ⊙ (1 − Y²)."""

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class ReLU(Module):
    """Y = max(X, 0);  dE/dX = dE/dY ⊙ [X > 0]."""

    def forward(self, input: Tensor) -> Tensor:
        return input.relu()


class Sigmoid(Module):
    """Y = 1 / (1 + e⁻ˣ);  dE/dX = dE/dY ⊙ Y (1 − Y)."""

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()
