"""Shared by the oracle tests: the values and the first and second derivatives of a function,
computed the same way in tinygrad_edu and in PyTorch."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from tinygrad_edu import Tensor


def derivatives(tensor: Callable[..., Any], autograd_grad: Callable[..., Any], f: Callable[[Any], Any], x: np.ndarray, v1: np.ndarray, v2: np.ndarray) -> list[np.ndarray]:
    """In one framework: f(x), g = ∂⟨f, v₁⟩/∂x, and ∂⟨g, v₂⟩/∂x, ∂⟨g, v₂⟩/∂v₁."""
    leaf, direction = tensor(x, requires_grad=True), tensor(v1, requires_grad=True)
    output = f(leaf)
    (g,) = autograd_grad([output], [leaf], grad_outputs=[direction], create_graph=True)
    second = autograd_grad([(g * tensor(v2)).sum()], [leaf, direction], allow_unused=True)
    as_array = lambda t, like: np.zeros(like.shape) if t is None else t.detach().numpy()  # noqa: E731
    return [output.detach().numpy(), g.detach().numpy(), as_array(second[0], x), as_array(second[1], v1)]


def ours(x: np.ndarray, requires_grad: bool = False) -> Tensor:
    return Tensor(x, requires_grad=requires_grad, dtype=np.float64)
