"""Adam, step for step as torch.optim.Adam's documented algorithm (L2 weight decay, not AdamW):

    g ← ∇θ + λ θ
    m ← β₁ m + (1 − β₁) g                  (first moment: a running mean of g)
    v ← β₂ v + (1 − β₂) g²                 (second moment: a running mean of g²)
    m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)  (bias correction: m and v start at 0)
    θ ← θ − lr m̂ / (√v̂ + ε)

Each parameter moves by about lr per step whatever the scale of its gradient, because the
step is divided by the gradient's running root mean square. t counts the steps this
parameter has had a gradient for.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_non_negative


class Adam(Optimizer):
    hyperparameter_names = ("lr", "beta1", "beta2", "eps", "weight_decay")
    array_state = ("exp_avg", "exp_avg_sq")
    count_state = ("step",)

    lr: float
    beta1: float
    beta2: float
    eps: float
    weight_decay: float

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        if len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2); got {betas!r}")
        super().__init__(params, lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay)

    def check_hyperparameters(self, hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
        checked = {name: check_non_negative(hyperparameters[name], name, "Adam") for name in self.hyperparameter_names}
        for name in ("beta1", "beta2"):
            if not checked[name] < 1:
                raise ValueError(f"Adam: {name} must be in [0, 1); got {checked[name]}")
        return checked

    def step(self) -> None:
        for param, state, grad, work in self.gradients():
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(param.data), exp_avg_sq=np.zeros_like(param.data))
            state["step"] += 1
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            step_size = self.lr / (1 - self.beta1 ** state["step"])
            bias_correction2_sqrt = math.sqrt(1 - self.beta2 ** state["step"])
            # Every update is in place, through one scratch array kept from step to step.
            np.multiply(grad, 1 - self.beta1, out=work)
            exp_avg *= self.beta1
            exp_avg += work  # m ← β₁ m + (1 − β₁) g
            np.multiply(grad, grad, out=work)
            work *= 1 - self.beta2
            exp_avg_sq *= self.beta2
            exp_avg_sq += work  # v ← β₂ v + (1 − β₂) g²
            np.sqrt(exp_avg_sq, out=work)
            work /= bias_correction2_sqrt
            work += self.eps  # √v̂ + ε
            np.divide(exp_avg, work, out=work)
            work *= step_size
            param.data -= work  # θ ← θ − lr m̂ / (√v̂ + ε)
