"""RMSprop, step for step as torch.optim.RMSprop's documented algorithm:

    g ← ∇θ + λ θ                          (weight decay λ; −∇θ with maximize)
    v ← α v + (1 − α) g²                  (a running mean of g²)
    ḡ ← α ḡ + (1 − α) g,  s = √(v − ḡ²) + ε    (centered: divide by the running standard deviation)
    s = √v + ε                            (otherwise)
    b ← μ b + g / s,  θ ← θ − lr b        (momentum μ > 0)
    θ ← θ − lr g / s                      (otherwise)

Like Adam it scales each parameter's step by the root mean square of its recent gradients,
without Adam's first moment or bias correction.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_flags, check_option, loss_of


class RMSprop(Optimizer):
    count_state = ("step",)

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable))

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        check_option(options["lr"], "learning rate")
        check_option(options["eps"], "epsilon value")
        check_option(options["momentum"], "momentum value")
        check_option(options["weight_decay"], "weight_decay value")
        check_option(options["alpha"], "alpha value")
        check_flags(options, "RMSprop")

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...]:
        return ("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ()) + (("grad_avg",) if group["centered"] else ())

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = loss_of(closure)
        for group, steps in self.gradients():
            lr, alpha, eps, momentum, centered = group["lr"], group["alpha"], group["eps"], group["momentum"], group["centered"]
            for param, grad, work in steps:
                state = self.state[param]
                if not state:
                    state.update(step=0, **{name: np.zeros_like(param.array) for name in self.state_keys(group)})
                state["step"] += 1
                square_avg = state["square_avg"]
                square_avg *= alpha
                square_avg += np.multiply(np.multiply(grad, grad, out=work), 1 - alpha, out=work)  # v ← α v + (1 − α) g²
                if centered:
                    grad_avg = state["grad_avg"]
                    grad_avg *= alpha
                    grad_avg += np.multiply(grad, 1 - alpha, out=work)  # ḡ ← α ḡ + (1 − α) g
                    np.multiply(grad_avg, grad_avg, out=work)
                    np.subtract(square_avg, work, out=work)
                    np.sqrt(work, out=work)
                else:
                    np.sqrt(square_avg, out=work)
                work += eps  # s
                np.divide(grad, work, out=work)  # g / s
                if momentum > 0:
                    buffer = state["momentum_buffer"]
                    buffer *= momentum
                    buffer += work
                    param.array -= np.multiply(buffer, lr, out=work)
                else:
                    param.array -= np.multiply(work, lr, out=work)
        return loss
