"""ASGD (averaged stochastic gradient descent), step for step as torch.optim.ASGD's
documented algorithm:

    g ← ∇θ + λ θ                   (weight decay λ; −∇θ with maximize)
    θ ← θ (1 − lambd · η) − η g    (η: this parameter's current step size, state "eta")
    ax ← ax + μ (θ − ax)           (the running average of θ; ax ← θ while μ = 1)
    η ← lr / (1 + lambd · lr · t)^alpha,  μ ← 1 / max(1, t − t0)

`ax` is the averaged parameter the method is named for (averaging starts after t0 steps); the
optimizer moves θ, not ax. eta and mu are float32 numbers, as torch keeps them.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_flags, check_option, loss_of


class ASGD(Optimizer):
    count_state = ("step",)
    scalar_state = ("eta", "mu")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_option(options["lr"], "learning rate")
        check_option(options["weight_decay"], "weight_decay value")
        check_flags(options, "ASGD")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("ax",)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, eta=np.float32(lr), mu=np.float32(1.0), ax=np.zeros_like(param.array))
                state["step"] += 1
                eta = float(state["eta"])
                param.array *= 1 - lambd * eta  # decay
                param.array -= np.multiply(grad, eta, out=work)  # θ ← θ − η g
                ax = state["ax"]
                if state["mu"] != 1:
                    np.subtract(param.array, ax, out=work)
                    work *= state["mu"]
                    ax += work
                else:
                    np.copyto(ax, param.array)
                step = state["step"]
                state["eta"] = np.float32(lr / ((1 + lambd * lr * step) ** alpha))
                state["mu"] = np.float32(1 / max(1, step - t0))
        return loss
