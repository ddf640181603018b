"""RAdam (rectified Adam), step for step as torch.optim.RAdam's documented algorithm:

    g ← ∇θ + λ θ   (L2 weight decay; −∇θ with maximize)  or  θ ← θ (1 − lr λ)  (decoupled)
    m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²      (Adam's moments)
    m̂ = m / (1 − β₁ᵗ)
    ρ∞ = 2 / (1 − β₂) − 1,  ρₜ = ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)   (length of the moving average)
    ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ)),
             θ ← θ − lr m̂ · r · √(1 − β₂ᵗ) / (√v + ε)
    else:    θ ← θ − lr m̂                                      (SGD with momentum, early on)

The first steps, where v is an unreliable estimate, are plain momentum steps: Adam's warmup
without a schedule.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .adam import update_moments
from .optimizer import Optimizer, check_adam_options, loss_of


class RAdam(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                                      capturable=capturable, decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    @property
    def l2_weight_decay(self) -> bool:  # type: ignore[override]
        return not self.defaults["decoupled_weight_decay"]

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_adam_options(options, "RAdam", self.defaults["decoupled_weight_decay"])

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            decay = 1 - lr * group["weight_decay"] if group["decoupled_weight_decay"] else 1.0
            rho_inf = 2 / (1 - beta2) - 1
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(param.array), exp_avg_sq=np.zeros_like(param.array))
                state["step"] += 1
                step = state["step"]
                if decay != 1.0:
                    param.array *= decay
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                update_moments(exp_avg, exp_avg_sq, grad, work, beta1, beta2)
                bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
                rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
                if rho_t > 5.0:
                    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                    np.sqrt(exp_avg_sq, out=work)
                    work += eps
                    np.divide(exp_avg, work, out=work)  # m / (√v + ε)
                    work *= lr * rect * math.sqrt(bias_correction2) / bias_correction1
                else:
                    np.multiply(exp_avg, lr / bias_correction1, out=work)
                param.array -= work
        return loss
