"""NAdam (Adam with Nesterov momentum), step for step as torch.optim.NAdam's documented algorithm:

    g ← ∇θ + λ θ   (L2 weight decay; −∇θ with maximize)  or  θ ← θ (1 − lr λ)  (decoupled)
    μₜ = β₁ (1 − ½ · 0.96^(t ψ)),  μₜ₊₁ likewise         (ψ: momentum_decay, a momentum warmup)
    Πₜ = μ₁ ⋯ μₜ                                          (state "mu_product", float32 as torch's)
    m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
    d = √(v / (1 − β₂ᵗ)) + ε
    θ ← θ − lr (1 − μₜ)/(1 − Πₜ) · g / d − lr μₜ₊₁/(1 − Πₜ μₜ₊₁) · m / d

The second term looks one step ahead with the next momentum: Nesterov's trick inside Adam.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .adam import update_moments
from .optimizer import Optimizer, check_adam_options, check_option, loss_of


class NAdam(Optimizer):
    count_state = ("step",)
    scalar_state = ("mu_product",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False, differentiable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable))

    @property
    def l2_weight_decay(self) -> bool:  # type: ignore[override]
        return not self.defaults["decoupled_weight_decay"]

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_adam_options(options, "NAdam", self.defaults["decoupled_weight_decay"])
        check_option(options["momentum_decay"], "momentum_decay value")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, (beta1, beta2), eps, momentum_decay = group["lr"], group["betas"], group["eps"], group["momentum_decay"]
            decay = 1 - lr * group["weight_decay"] if group["decoupled_weight_decay"] else 1.0
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, mu_product=np.float32(1.0), exp_avg=np.zeros_like(param.array),
                                 exp_avg_sq=np.zeros_like(param.array))
                state["step"] += 1
                step = state["step"]
                if decay != 1.0:
                    param.array *= decay
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                mu_product = state["mu_product"] = np.float32(state["mu_product"] * mu)  # float32, as torch keeps it
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                update_moments(exp_avg, exp_avg_sq, grad, work, beta1, beta2)
                np.divide(exp_avg_sq, 1 - beta2**step, out=work)
                np.sqrt(work, out=work)
                work += eps  # d
                param.array -= np.divide(grad, work) * (lr * (1.0 - mu) / (1.0 - float(mu_product)))
                np.divide(exp_avg, work, out=work)
                work *= lr * mu_next / (1.0 - float(mu_product) * mu_next)
                param.array -= work
        return loss
