"""Finite-difference checks of backward, as torch.autograd.gradcheck and gradgradcheck.

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

from ..autograd import grad
from ..tensor import Tensor


class GradcheckError(AssertionError):
    """backward disagrees with finite differences; the message says where."""


def _as_float64(value: Any) -> Any:
    if isinstance(value, Tensor) and value.dtype.kind == "f":
        return Tensor(value.array, requires_grad=value.requires_grad, dtype=np.float64)
    return value


def _outputs(result: Any) -> list[Tensor | None]:
    """fn's result as a list: one Tensor, or a tuple/list of Tensors (None for "no output")."""
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    for position, output in enumerate(outputs):
        if output is not None and not isinstance(output, Tensor):
            raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors; output {position} is a {type(output).__name__}")
    return outputs


def _directional_sum(result: Any, directions: list[np.ndarray | None]) -> float:
    return float(sum(np.sum(output.array * direction) for output, direction in zip(_outputs(result), directions) if output is not None))


def numerical_gradient(fn: Callable[..., Any], inputs: Sequence[Any], index: int, direction: Any, eps: float = 1e-6) -> np.ndarray:
    """∂/∂inputs[index] of Σ direction ⊙ fn(*inputs), by central differences (for an fn with
    several outputs, `direction` is a list, one per output).

    inputs[index] must be a float64 Tensor; its data is perturbed in place and restored.
    """
    directions = direction if isinstance(direction, list) else [direction]
    values = inputs[index].array
    gradient = np.zeros_like(values)
    # Grad mode stays on: fn may itself differentiate (a gradient penalty, gradgradcheck's
    # first derivative), and that needs its graph.
    for position in np.ndindex(values.shape):
        original = values[position]
        values[position] = original + eps
        plus = _directional_sum(fn(*inputs), directions)
        values[position] = original - eps
        minus = _directional_sum(fn(*inputs), directions)
        values[position] = original
        gradient[position] = (plus - minus) / (2 * eps)
    return gradient


def gradcheck(fn: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """Check fn's backward against central differences for every input that requires grad.

    fn takes the inputs (Tensors, or anything else it needs) and returns a Tensor or a tuple
    of Tensors. Float inputs are copied to float64 first. Returns True, or raises
    GradcheckError naming the input, the element, the analytic and the numeric value.
    """
    inputs = tuple(_as_float64(value) for value in inputs)
    return _check(fn, inputs, eps, atol, rtol, seed, "gradcheck")


def _check(fn: Callable[..., Any], inputs: tuple[Any, ...], eps: float, atol: float, rtol: float, seed: int, name: str) -> bool:
    checked = [k for k, value in enumerate(inputs) if isinstance(value, Tensor) and value.requires_grad]
    if not checked:
        raise ValueError(f"{name}: no input requires grad, so there is nothing to check")
    outputs = _outputs(fn(*inputs))
    for output in outputs:
        if output is not None and output.dtype != np.float64:
            raise TypeError(f"{name}: fn returned {output.dtype} from float64 inputs; the check needs float64 throughout")
    rng = np.random.default_rng(seed)
    directions = [None if output is None else rng.standard_normal(output.shape) for output in outputs]
    with_graph = [(output, direction) for output, direction in zip(outputs, directions) if output is not None and output.requires_grad]
    analytic_grads: tuple[Any, ...] = (None,) * len(checked)
    if with_graph:
        analytic_grads = grad(
            [output for output, _ in with_graph], [inputs[k] for k in checked],
            [direction for _, direction in with_graph], allow_unused=True,
        )
    for k, analytic_grad in zip(checked, analytic_grads):
        tensor = inputs[k]
        analytic = analytic_grad.array if analytic_grad is not None else np.zeros_like(tensor.array)
        numeric = numerical_gradient(fn, inputs, k, directions, eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        # NaN or inf on either side fails: a NaN difference would compare as "not too large".
        not_finite = ~(np.isfinite(analytic) & np.isfinite(numeric))
        if not_finite.any() or (excess > 0).any():
            worst = np.unravel_index(np.argmax(np.where(not_finite, np.inf, excess)), excess.shape)
            element = tuple(int(i) for i in worst)
            raise GradcheckError(
                f"{name}: gradient of input {k} (shape {tuple(tensor.shape)}) is wrong at element "
                f"{element}: analytic {analytic[worst]:.6g}, numeric {numeric[worst]:.6g} "
                f"(allowed difference atol {atol} + rtol {rtol} × |numeric|)"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Any], *inputs: Any, grad_outputs: Any = None,
    eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0,
) -> bool:
    """Check second derivatives: finite differences of the analytic first derivative.

    The first derivative is the function (inputs, v) ↦ vᵀ ∂fn/∂inputs, computed by backward
    with create_graph=True; its own backward (the second derivative, for every input and for
    v) is checked against central differences, as torch.autograd.gradgradcheck. `grad_outputs`
    (v, one per output of fn) is drawn at random unless given. Raises GradcheckError naming
    the input (inputs first, then the v's) and the element.
    """
    inputs = tuple(_as_float64(value) for value in inputs)
    differentiable = [k for k, value in enumerate(inputs) if isinstance(value, Tensor) and value.requires_grad]
    if not differentiable:
        raise ValueError("gradgradcheck: no input requires grad, so there is nothing to check")
    outputs = _outputs(fn(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(seed + 1)
        grad_outputs = [None if output is None else Tensor(rng.standard_normal(output.shape), requires_grad=True, dtype=np.float64) for output in outputs]
    else:
        grad_outputs = [_as_float64(v) for v in (grad_outputs if isinstance(grad_outputs, (tuple, list)) else [grad_outputs])]
    count = len(inputs)

    def first_derivative(*values: Any) -> tuple[Tensor | None, ...]:
        point, vs = values[:count], values[count:]
        pairs = [(output, v) for output, v in zip(_outputs(fn(*point)), vs) if output is not None and output.requires_grad]
        if not pairs:
            return (None,) * len(differentiable)
        return grad(
            [output for output, _ in pairs], [point[k] for k in differentiable], [v for _, v in pairs],
            create_graph=True, allow_unused=True,
        )

    return _check(first_derivative, inputs + tuple(grad_outputs), eps, atol, rtol, seed, "gradgradcheck")
