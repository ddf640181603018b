"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay,
step for step as torch.optim.SGD's documented algorithm:

    g ← ∇θ + λ θ                        (weight decay λ; −∇θ + λ θ with maximize)
    b ← g at the first step, else μ b + (1 − τ) g        (momentum μ, dampening τ)
    g ← g + μ b  (Nesterov)  or  g ← b  (plain momentum)
    θ ← θ − lr g

With μ = 0 this is the tutorial's update, θ ← θ − lr ∇θ.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, Step, check_flags, check_option, loss_of


class SGD(Optimizer):
    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused))

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_option(options["lr"], "learning rate")
        check_option(options["momentum"], "momentum value")
        check_option(options["dampening"], "dampening value")
        check_option(options["weight_decay"], "weight_decay value")
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_flags(options, "SGD")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = None if closure is None else loss_of(closure)
        for group, steps in self.gradients():
            if group["momentum"] == 0:  # the tutorial's update, and the common case
                _descend(steps, group["lr"])
                continue
            lr, momentum, dampening, nesterov = group["lr"], group["momentum"], group["dampening"], group["nesterov"]
            for param, grad, work in steps:
                state = self.state[param]
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = grad.copy()
                else:
                    buffer *= momentum
                    buffer += np.multiply(grad, 1 - dampening, out=work)
                grad = grad + momentum * buffer if nesterov else buffer
                param.array -= np.multiply(grad, lr, out=work)  # in place, no new array
        return loss


def _descend(steps: list[Step], lr: float) -> None:
    """θ ← θ − lr g for each (θ, g, work array): SGD without momentum."""
    dtype = rate = None
    for param, grad, work in steps:
        if grad.dtype is not dtype:
            # lr as a 0-d array of the gradient's (float) dtype, made once per group and dtype
            # instead of numpy converting the Python number at every multiply (a quarter of a
            # small parameter's update). The same value: numpy rounds a Python number to a float
            # array's dtype, as torch rounds lr to the parameter's.
            dtype = grad.dtype
            rate = np.asarray(lr, dtype) if dtype.kind == "f" else lr
        param.array -= np.multiply(grad, rate, work)  # in place, no new array
