"""Adam and AdamW, step for step as torch.optim.Adam's and AdamW's documented algorithms:

    g ← ∇θ + λ θ    (Adam's L2 weight decay; −∇θ with maximize)
    θ ← θ (1 − lr λ) (AdamW's decoupled weight decay, instead of the line above)
    m ← β₁ m + (1 − β₁) g                  (first moment: a running mean of g)
    v ← β₂ v + (1 − β₂) g²                 (second moment: a running mean of g²)
    v_max ← max(v_max, v), used for v      (amsgrad only)
    m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)  (bias correction: m and v start at 0)
    θ ← θ − lr m̂ / (√v̂ + ε)

Each parameter moves by about lr per step whatever the scale of its gradient, because the
step is divided by the gradient's running root mean square. t counts the steps this
parameter has had a gradient for. AdamW's decay shrinks θ whatever its gradient, which with
Adam's L2 term the division by √v̂ would undo for parameters with large gradients.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_adam_options, loss_of


class Adam(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                                      foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @property
    def l2_weight_decay(self) -> bool:  # type: ignore[override]
        return not self.defaults["decoupled_weight_decay"]

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_adam_options(options, type(self).__name__, self.defaults["decoupled_weight_decay"])

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if group["amsgrad"] else ("exp_avg", "exp_avg_sq")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, (beta1, beta2), eps, amsgrad = group["lr"], group["betas"], group["eps"], group["amsgrad"]
            decay = 1 - lr * group["weight_decay"] if group["decoupled_weight_decay"] else 1.0
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, exp_avg=np.zeros_like(param.array), exp_avg_sq=np.zeros_like(param.array))
                    if amsgrad:
                        state["max_exp_avg_sq"] = np.zeros_like(param.array)
                state["step"] += 1
                if decay != 1.0:
                    param.array *= decay  # θ ← θ (1 − lr λ), AdamW
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                step_size = lr / (1 - beta1 ** state["step"])
                bias_correction2_sqrt = math.sqrt(1 - beta2 ** state["step"])
                # Every update is in place, through one scratch array kept from step to step.
                np.multiply(grad, 1 - beta1, out=work)
                exp_avg *= beta1
                exp_avg += work  # m ← β₁ m + (1 − β₁) g
                np.multiply(grad, grad, out=work)
                work *= 1 - beta2
                exp_avg_sq *= beta2
                exp_avg_sq += work  # v ← β₂ v + (1 − β₂) g²
                if amsgrad:
                    np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
                np.sqrt(state["max_exp_avg_sq"] if amsgrad else exp_avg_sq, out=work)
                work /= bias_correction2_sqrt
                work += eps  # √v̂ + ε
                np.divide(exp_avg, work, out=work)
                work *= step_size
                param.array -= work  # θ ← θ − lr m̂ / (√v̂ + ε)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (θ ← θ (1 − lr λ) before the Adam step), torch's default λ = 0.01."""

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


def update_moments(exp_avg: np.ndarray, exp_avg_sq: np.ndarray, grad: np.ndarray, work: np.ndarray,
                   beta1: float, beta2: float) -> None:
    """m ← β₁ m + (1 − β₁) g and v ← β₂ v + (1 − β₂) g², in place (`work` is scratch): the
    moments NAdam and RAdam keep as Adam does."""
    exp_avg *= beta1
    exp_avg += np.multiply(grad, 1 - beta1, out=work)
    exp_avg_sq *= beta2
    np.multiply(grad, grad, out=work)
    work *= 1 - beta2
    exp_avg_sq += work
