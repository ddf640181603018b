"""Adagrad, step for step as torch.optim.Adagrad's documented algorithm:

    g ← ∇θ + λ θ                         (weight decay λ; −∇θ with maximize)
    η ← lr / (1 + (t − 1) lr_decay)      (t: this parameter's step count)
    s ← s + g²                           (s starts at initial_accumulator_value)
    θ ← θ − η g / (√s + ε)

Each coordinate's step shrinks with the sum of all its past squared gradients: rarely
updated coordinates (rare words' embeddings) keep large steps.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_flags, check_option, loss_of


class Adagrad(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False, differentiable: bool = False, fused: bool | None = None):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, fused=fused))
        # As torch's Adagrad: state from the start, s = the constructor's initial_accumulator_value
        # (a group's own value is not used); a group added later gets its state at its first step.
        for group in self.param_groups:
            for param in group["params"]:
                self._start(param)

    def _start(self, param: Tensor) -> dict[str, Any]:
        state = self.state[param]
        state.update(step=0, sum=np.full_like(param.array, self.defaults["initial_accumulator_value"]))
        return state

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_option(options["lr"], "learning rate")
        check_option(options["lr_decay"], "lr_decay value")
        check_option(options["weight_decay"], "weight_decay value")
        check_option(options["initial_accumulator_value"], "initial_accumulator_value value")
        check_option(options["eps"], "epsilon value")
        check_flags(options, "Adagrad")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("sum",)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            for param, grad, work in steps:
                state = self.state[param] or self._start(param)
                state["step"] += 1
                clr = lr / (1 + (state["step"] - 1) * lr_decay)
                state["sum"] += np.multiply(grad, grad, out=work)  # s ← s + g²
                np.sqrt(state["sum"], out=work)
                work += eps
                np.divide(grad, work, out=work)
                param.array -= np.multiply(work, clr, out=work)  # θ ← θ − η g / (√s + ε)
        return loss
