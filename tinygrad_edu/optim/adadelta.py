"""Adadelta, step for step as torch.optim.Adadelta's documented algorithm:

    g ← ∇θ + λ θ                         (weight decay λ; −∇θ with maximize)
    v ← ρ v + (1 − ρ) g²                 (a running mean of g²)
    Δ = √(u + ε) / √(v + ε) · g          (u: a running mean of Δ², the steps taken)
    u ← ρ u + (1 − ρ) Δ²
    θ ← θ − lr Δ

The ratio of the two root mean squares gives Δ the units of θ, so lr = 1 (torch's default)
works without tuning.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_flags, check_option, loss_of


class Adadelta(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                                      foreach=foreach, differentiable=differentiable))

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_option(options["lr"], "learning rate")
        check_option(options["rho"], "rho value", 1.0, upper_included=True)
        check_option(options["eps"], "epsilon value")
        check_option(options["weight_decay"], "weight_decay value")
        check_flags(options, "Adadelta")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("square_avg", "acc_delta")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, square_avg=np.zeros_like(param.array), acc_delta=np.zeros_like(param.array))
                state["step"] += 1
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                square_avg *= rho
                square_avg += np.multiply(np.multiply(grad, grad, out=work), 1 - rho, out=work)  # v ← ρ v + (1 − ρ) g²
                delta = np.sqrt(acc_delta + eps)
                delta /= np.sqrt(np.add(square_avg, eps, out=work), out=work)
                delta *= grad  # Δ
                acc_delta *= rho
                acc_delta += np.multiply(np.multiply(delta, delta, out=work), 1 - rho, out=work)  # u ← ρ u + (1 − ρ) Δ²
                param.array -= np.multiply(delta, lr, out=delta)
        return loss
