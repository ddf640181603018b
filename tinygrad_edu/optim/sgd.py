"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay,
step for step as torch.optim.SGD's documented algorithm:

    g ← ∇θ + λ θ                        (weight decay λ)
    b ← g at the first step, else μ b + (1 − τ) g        (momentum μ, dampening τ)
    g ← g + μ b  (Nesterov)  or  g ← b  (plain momentum)
    θ ← θ − lr g

With μ = 0 this is the tutorial's update, θ ← θ − lr ∇θ.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative


class SGD(Optimizer):
    hyperparameter_names = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    array_state = ("momentum_buffer",)

    lr: float
    momentum: float
    dampening: float
    weight_decay: float
    nesterov: bool

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)

    def check_hyperparameters(self, hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
        numbers = ("lr", "momentum", "dampening", "weight_decay")
        checked: dict[str, Any] = {name: check_non_negative(hyperparameters[name], name, "SGD") for name in numbers}
        checked["nesterov"] = bool(hyperparameters["nesterov"])
        if checked["nesterov"] and (checked["momentum"] == 0 or checked["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        return checked

    def step(self) -> None:
        for param, state, grad, work in self.gradients():
            if self.momentum != 0:
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = grad.copy()
                else:
                    buffer *= self.momentum
                    buffer += np.multiply(grad, 1 - self.dampening, out=work)
                grad = grad + self.momentum * buffer if self.nesterov else buffer
            param.data -= np.multiply(grad, self.lr, out=work)  # in place, no new array
