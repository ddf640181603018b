"""Adamax, step for step as torch.optim.Adamax's documented algorithm (Adam with the infinity
norm in place of the root mean square):

    g ← ∇θ + λ θ                           (weight decay λ; −∇θ with maximize)
    m ← β₁ m + (1 − β₁) g                  (first moment, as Adam's)
    u ← max(β₂ u, |g| + ε)                 (a decaying maximum of |g|)
    θ ← θ − lr / (1 − β₁ᵗ) · m / u
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_adam_options, loss_of


class Adamax(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_adam_options(options, "Adamax")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_inf")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(param.array), exp_inf=np.zeros_like(param.array))
                state["step"] += 1
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg *= beta1
                exp_avg += np.multiply(grad, 1 - beta1, out=work)  # m ← β₁ m + (1 − β₁) g
                exp_inf *= beta2
                np.abs(grad, out=work)
                work += eps
                np.maximum(exp_inf, work, out=exp_inf)  # u ← max(β₂ u, |g| + ε)
                np.divide(exp_avg, exp_inf, out=work)
                work *= lr / (1 - beta1 ** state["step"])
                param.array -= work
        return loss
