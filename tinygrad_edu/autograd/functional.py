"""torch.autograd.functional: derivatives of a whole function at a point, built on `grad`.

    jacobian(f, x)      d f(x) / d x, of shape f(x).shape + x.shape
    hessian(f, x)       d² f(x) / d x², f returning one number
    vjp(f, x, v)        (f(x), vᵀ · J)
    hvp(f, x, v)        (f(x), H · v)

Inputs and outputs are a Tensor or a tuple of Tensors, and the results nest as torch's do
(a tuple per output, holding one per input). The Jacobian is built one output element at a
time (torch's default reverse mode without `vectorize`); an output that does not depend on an
input gives zeros there (`strict=True` makes that an error). With `create_graph=True` the
results can be differentiated again.
"""
from __future__ import annotations

from typing import Any, Callable

from ..creation import zeros
from ..grad_mode import enable_grad
from ..tensor import Tensor
from .gradients import grad

__all__ = ["jacobian", "hessian", "vjp", "hvp"]


def _as_tuple(value: Any, what: str, name: str) -> tuple[bool, tuple[Tensor, ...]]:
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    if not all(isinstance(item, Tensor) for item in values):
        raise TypeError(f"The {what} given to {name} must be either a Tensor or a tuple of Tensors")
    return is_tuple, values


def _leaves(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Inputs to differentiate with respect to: the given tensors themselves when the result
    must stay in their graph, else fresh leaves sharing their numbers."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True) for x in inputs)


def _gradients(output: Tensor, inputs: tuple[Tensor, ...], grad_output: Any, create_graph: bool, strict: bool, name: str) -> list[Tensor]:
    """d(output · grad_output)/d input for each input; zeros where the output does not depend on it."""
    if output.requires_grad:
        found = grad(output, inputs, grad_output, retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        found = (None,) * len(inputs)
    if strict and any(g is None for g in found):
        raise RuntimeError(f"{name}: an output of the function does not depend on an input (strict=True)")
    return [zeros(x.shape, dtype=x.dtype) if g is None else g for g, x in zip(found, inputs)]


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """d func(*inputs) / d inputs: for output i and input j, a tensor of shape
    outputs[i].shape + inputs[j].shape (torch.autograd.functional.jacobian)."""
    if strategy != "reverse-mode":
        raise NotImplementedError(f"jacobian: strategy {strategy!r} is not supported by tinygrad_edu; use 'reverse-mode'")
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _leaves(inputs, create_graph)
    with enable_grad():
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
        blocks = []
        for output in outputs:
            flat = output.reshape(-1)
            rows = [_gradients(flat[k], inputs, None, create_graph, strict, "jacobian") for k in range(flat.numel())]
            blocks.append(tuple(_stack_rows([row[j] for row in rows], output, x) for j, x in enumerate(inputs)))
    if not create_graph:
        blocks = [tuple(block.detach() for block in per_input) for per_input in blocks]
    per_output = [block if inputs_tuple else block[0] for block in blocks]
    return tuple(per_output) if outputs_tuple else per_output[0]


def _stack_rows(rows: list[Tensor], output: Tensor, input: Tensor) -> Tensor:
    """The rows d output[k] / d input, as one tensor of shape output.shape + input.shape."""
    from ..api.joining import stack

    if not rows:
        return zeros(tuple(output.shape) + tuple(input.shape), dtype=input.dtype)
    return stack(rows).reshape(tuple(output.shape) + tuple(input.shape))


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """d² func(*inputs) / d inputs², func returning one number: for inputs i and j, a tensor of
    shape inputs[i].shape + inputs[j].shape (torch.autograd.functional.hessian)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs: Tensor) -> tuple[Tensor, ...]:
        output = func(*xs)
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with one element")
        return tuple(_gradients(output.reshape(()), xs, None, True, strict, "hessian"))

    # rows: one per input i (gradient's outputs), each a tuple over inputs j
    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy)
    return result if inputs_tuple else result[0][0]


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(*inputs), vᵀ · J): the gradient of Σ v · outputs; v may be omitted for a
    one-element output (torch.autograd.functional.vjp)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _leaves(inputs, create_graph)
    with enable_grad():
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("vjp: v can be omitted only for a function returning one single-element Tensor")
            vs: tuple[Any, ...] = (None,)
        else:
            vs = _as_tuple(v, "v", "vjp")[1]
        total = None
        for output, weight in zip(outputs, vs):
            term = (output if weight is None else output * weight).sum()
            total = term if total is None else total + term
        products = _gradients(total, inputs, None, create_graph, strict, "vjp")
    if not create_graph:
        outputs = tuple(output.detach() for output in outputs)
        products = [product.detach() for product in products]
    return (outputs if outputs_tuple else outputs[0]), (tuple(products) if inputs_tuple else products[0])


def hvp(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool = False, strict: bool = False) -> tuple[Any, Any]:
    """(func(*inputs), H · v), func returning one number (torch.autograd.functional.hvp)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
    vs = _as_tuple(v, "v", "hvp")[1]
    inputs = _leaves(inputs, True)
    with enable_grad():
        output = func(*inputs)
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("The function given to hvp should return a single Tensor with one element")
        gradients = _gradients(output.reshape(()), inputs, None, True, strict, "hvp")
        inner = sum((g * weight).sum() for g, weight in zip(gradients, vs))
        products = _gradients(inner, inputs, None, create_graph, strict, "hvp")
    if not create_graph:
        output, products = output.detach(), [product.detach() for product in products]
    return output, (tuple(products) if inputs_tuple else products[0])
