"""Finite-difference checks of backward, as torch.autograd.gradcheck.

Checking a Jacobian J (output × input) element by element costs one backward per output
element. We check vᵀJ for a random direction v instead: one backward for the analytic side,
and for the numeric side central differences of the scalar f(x) = Σ v ⊙ fn(x):

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / 2ε        (error O(ε²))

A wrong backward passes only if its error happens to be orthogonal to a random v, which
has probability zero. Everything runs in float64, where ε = 1e-6 leaves about 1e-10 of
rounding error against O(1) gradients.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..function import no_grad
from ..tensor import Tensor


class GradcheckError(AssertionError):
    """backward disagrees with finite differences; the message says where."""


def _as_float64(value: Any) -> Any:
    if isinstance(value, Tensor) and value.dtype.kind == "f":
        return Tensor(value.data, requires_grad=value.requires_grad, dtype=np.float64)
    return value


def _directional_sum(output: Tensor, direction: np.ndarray) -> float:
    return float(np.sum(output.data * direction))


def numerical_gradient(fn: Callable[..., Tensor], inputs: Sequence[Any], index: int, direction: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂/∂inputs[index] of Σ direction ⊙ fn(*inputs), by central differences.

    inputs[index] must be a float64 Tensor; its data is perturbed in place and restored.
    """
    values = inputs[index].data
    gradient = np.zeros_like(values)
    with no_grad():
        for position in np.ndindex(values.shape):
            original = values[position]
            values[position] = original + eps
            plus = _directional_sum(fn(*inputs), direction)
            values[position] = original - eps
            minus = _directional_sum(fn(*inputs), direction)
            values[position] = original
            gradient[position] = (plus - minus) / (2 * eps)
    return gradient


def gradcheck(fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check fn's backward against central differences for every input that requires grad.

    fn takes the inputs (Tensors, or anything else it needs) and returns a Tensor. Float
    inputs are copied to float64 first. Returns True, or raises GradcheckError naming the
    input, the element, the analytic and the numeric value.
    """
    inputs = tuple(_as_float64(value) for value in inputs)
    checked = [k for k, value in enumerate(inputs) if isinstance(value, Tensor) and value.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor; it returned {type(output).__name__}")
    if output.dtype != np.float64:
        raise TypeError(f"gradcheck: fn returned {output.dtype} from float64 inputs; the check needs float64 throughout")
    direction = np.random.default_rng(seed).standard_normal(output.shape)
    if output.requires_grad:
        output.backward(gradient=direction)
    for k in checked:
        tensor = inputs[k]
        analytic = tensor.grad.data if tensor.grad is not None else np.zeros_like(tensor.data)
        numeric = numerical_gradient(fn, inputs, k, direction, eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        # NaN or inf on either side fails: a NaN difference would compare as "not too large".
        not_finite = ~(np.isfinite(analytic) & np.isfinite(numeric))
        if not_finite.any() or (excess > 0).any():
            worst = np.unravel_index(np.argmax(np.where(not_finite, np.inf, excess)), excess.shape)
            element = tuple(int(i) for i in worst)
            raise GradcheckError(
                f"gradcheck: gradient of input {k} (shape {tensor.shape}) is wrong at element "
                f"{element}: analytic {analytic[worst]:.6g}, numeric {numeric[worst]:.6g} "
                f"(allowed difference atol {atol} + rtol {rtol} × |numeric|)"
            )
    return True
