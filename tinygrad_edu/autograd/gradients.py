"""`backward()` and `grad()`: the two ways to run the engine, with torch.autograd's signatures.

    backward(tensors, grad_tensors)          adds dE/dleaf into every leaf's .grad
    grad(outputs, inputs, grad_outputs)      returns (dE/dinput, ...) and touches no .grad

With `create_graph=True` the gradients are Tensors with a graph of their own: differentiate
them again for second (and higher) derivatives, Hessian-vector products, gradient penalties.
"""
from __future__ import annotations

from typing import Any, Sequence

from .. import backend
from ..engine import run_backward
from ..ops.elementwise import Cast
from ..tensor import Tensor

Tensors = Tensor | Sequence[Tensor]


def _as_list(value: Any, name: str) -> list[Any]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(f"{name} must be a Tensor or a sequence of Tensors; got {type(value).__name__}")


def _seeds(outputs: Tensors, grad_outputs: Any, create_graph: bool, caller: str) -> tuple[list[Tensor], list[Any]]:
    """The outputs as a list, and dE/doutput for each: the given gradients (arrays, or Tensors
    when they are to be differentiated too), or 1 for a scalar output."""
    single = isinstance(outputs, Tensor)
    outputs = _as_list(outputs, "outputs")
    if grad_outputs is None:
        given = [None] * len(outputs)
    else:
        given = [grad_outputs] if single else _as_list(grad_outputs, "grad_outputs")
    if len(given) != len(outputs):
        raise ValueError(f"{caller}: {len(given)} grad_outputs for {len(outputs)} outputs")
    seeds = []
    for position, (output, gradient) in enumerate(zip(outputs, given)):
        if not isinstance(output, Tensor):
            raise TypeError(f"{caller}: output {position} is a {type(output).__name__}, not a Tensor")
        if not output.requires_grad:
            raise RuntimeError(
                f"{caller}: output {position} (shape {tuple(output.shape)}) does not require grad: none of "
                f"its inputs has requires_grad=True (or it was computed under no_grad())"
            )
        if gradient is None:
            if output.array.size != 1:
                raise RuntimeError(
                    f"{caller}: output {position} has shape {tuple(output.shape)}; a gradient can be implied "
                    f"only for a scalar: pass gradient= (dE/dY, of that shape), or reduce it first "
                    f"(.sum(), .mean())"
                )
            seed = backend.ones_like(output.array)
        else:
            data = gradient.array if isinstance(gradient, Tensor) else backend.as_data(gradient, output.dtype)
            if data.shape != output.shape:
                raise ValueError(
                    f"{caller}: the gradient for output {position} has shape {data.shape} but the "
                    f"output has shape {tuple(output.shape)}"
                )
            if create_graph and isinstance(gradient, Tensor):
                # Kept as it is, with its graph: a v that itself requires grad (a double-backward trick).
                seeds.append(gradient if gradient.dtype == output.dtype else Cast.apply(gradient, output.dtype))
                continue
            seed = backend.cast(data, output.dtype)
        seeds.append(Tensor._from_op(seed, None) if create_graph else seed)
    return outputs, seeds


def backward(
    tensors: Tensors,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensors | None = None,
) -> None:
    """Add the gradients of `tensors` (weighted by `grad_tensors`) into the `.grad` of the
    leaves they depend on (only of `inputs`, if given), as torch.autograd.backward."""
    roots, seeds = _seeds(tensors, grad_tensors, create_graph, "backward()")
    only = None if inputs is None else _as_list(inputs, "inputs")
    run_backward(
        roots, seeds, retain_graph=create_graph if retain_graph is None else retain_graph,
        create_graph=create_graph, inputs=only,
    )


def grad(
    outputs: Tensors,
    inputs: Tensors,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to each of `inputs`, as a tuple; no `.grad` is
    touched. An input the outputs do not depend on is an error, or None with
    `allow_unused=True` (zeros with `materialize_grads=True`)."""
    targets = _as_list(inputs, "inputs")
    for position, tensor in enumerate(targets):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"grad(): input {position} is a {type(tensor).__name__}, not a Tensor")
        if not tensor.requires_grad:
            raise RuntimeError(f"grad(): input {position} (shape {tuple(tensor.shape)}) does not require grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    roots, seeds = _seeds(outputs, grad_outputs, create_graph, "grad()")
    found = run_backward(
        roots, seeds, retain_graph=create_graph if retain_graph is None else retain_graph,
        create_graph=create_graph, inputs=targets, accumulate=False,
    )
    result = []
    for position, (tensor, gradient) in enumerate(zip(targets, found)):
        if gradient is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad(): input {position} (shape {tuple(tensor.shape)}) was not used to compute the "
                    f"outputs, so it has no gradient; pass allow_unused=True to get None for it"
                )
            if materialize_grads:
                gradient = Tensor._from_op(backend.zeros_like(tensor.array), None)
        result.append(gradient)
    return tuple(result)
