"""Rprop (resilient backpropagation), step for step as torch.optim.Rprop's documented algorithm:
each coordinate has its own step size, grown while its gradient keeps its sign and shrunk when
the sign flips; only the gradient's sign is used, never its size.

    g ← ∇θ   (−∇θ with maximize)
    s = sign(g · g_prev)
    η ← clamp(η · (η₊ if s > 0, η₋ if s < 0, 1 if s = 0), step_size_min, step_size_max)
    g ← 0 where s < 0                     (after a sign flip: no move, and no flip next time)
    θ ← θ − η · sign(g),  g_prev ← g
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_flags, check_option, loss_of


class Rprop(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False):
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_option(options["lr"], "learning rate")
        etas = options["etas"]
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_flags(options, "Rprop")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("prev", "step_size")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            (eta_minus, eta_plus), (step_size_min, step_size_max) = group["etas"], group["step_sizes"]
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, prev=np.zeros_like(param.array), step_size=np.full_like(param.array, group["lr"]))
                state["step"] += 1
                prev, step_size = state["prev"], state["step_size"]
                sign = np.sign(grad * prev)
                flipped = sign < 0
                factor = np.where(sign > 0, eta_plus, np.where(flipped, eta_minus, 1)).astype(param.array.dtype)
                step_size *= factor
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                np.copyto(prev, grad)
                prev[flipped] = 0  # g ← 0 where the sign flipped
                np.sign(prev, out=work)
                work *= step_size
                param.array -= work
        return loss
