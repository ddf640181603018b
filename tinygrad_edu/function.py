"""`Function`: the base class of every differentiable op.

A Function is the tutorial's layer contract reduced to one op: `forward` turns inputs X into
an output Y, `backward` turns dE/dY into dE/dX, one gradient per input. Both work on plain
arrays; `apply` wraps them so that the output is a `Tensor` that remembers how it was made.
"""
from __future__ import annotations

from typing import Any

from . import backend
from .grad_mode import _state, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor

__all__ = ["Function", "Context", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]

class Context:
    """What an op's forward leaves for its backward, and the op's place in the graph.

    `save_for_backward(*arrays)` / `saved_tensors` hold what backward needs: save the op's
    inputs and its output there (double backward hands them to backward as Tensors with their
    graph). A constant that backward needs (a mask, a shape, an axis) goes in any other
    attribute. `cache` holds what forward computed that the first-order backward may reuse
    (conv's im2col columns, say); double backward recomputes it from the Tensors, and it is
    dropped with the graph. `needs_input_grad[i]` says whether input i wants a gradient, so backward can
    skip work.
    """

    # Slots for the engine's own fields (one Context per op: faster to make and read);
    # __dict__ keeps the ops' own attributes possible.
    __slots__ = ("function", "inputs", "needs_input_grad", "saved_tensors", "cache", "freed", "__dict__")

    def __init__(self, function: type[Function], inputs: tuple[Any, ...], needs_input_grad: tuple[bool, ...]):
        self.function = function
        self.inputs = inputs
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple[Any, ...] = ()
        self.cache: Any = None
        self.freed = False

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved_tensors = arrays

    def free(self) -> None:
        """Drop what backward needed, so the graph's memory goes once backward is done."""
        self.saved_tensors = ()
        self.inputs = ()
        self.cache = None
        self.freed = True

    def backward_on_tensors(self, output: Tensor, grad_output: Tensor) -> Any:
        """The Function's backward run on Tensors (create_graph=True): dE/dY and the saved
        inputs and output arrive as Tensors, so the gradients it returns carry a graph.

        A backward that cannot run that way (it calls numpy on what it is given, or it saved
        an array made in forward, whose dependence on the inputs no graph records) still
        gives the exact first derivative, computed on arrays; differentiating that gradient
        again raises an error naming the Function, never a silently wrong number.
        """
        arrays = self.saved_tensors
        traced = self._saved_with_graph(output)
        if traced is None:
            problem = (
                "it saved an array computed in forward (neither an input nor the output), "
                "whose dependence on the inputs no graph records"
            )
        else:
            self.saved_tensors = traced
            try:
                input_grads = self.function.backward(self, grad_output)
                single = type(input_grads) is not tuple
                if all(grad is None or isinstance(grad, Tensor) for grad in ((input_grads,) if single else input_grads)):
                    return input_grads
                problem = "it returned an array where a Tensor was expected"
            except Exception as error:  # anything: the array run below decides if it was real
                problem = f"it does not run on Tensors ({type(error).__name__}: {error})"
            finally:
                self.saved_tensors = arrays
        input_grads = self.function.backward(self, grad_output.array)
        single = type(input_grads) is not tuple
        dependencies = [grad_output, *(value for value in self.inputs if isinstance(value, Tensor))]
        wrapped = tuple(
            None if grad is None else NotDifferentiableTwice.apply(grad, self.function.__name__, problem, *dependencies)
            for grad in ((input_grads,) if single else input_grads)
        )
        return wrapped[0] if single else wrapped

    def _saved_with_graph(self, output: Tensor) -> tuple[Any, ...] | None:
        """saved_tensors with each input's and the output's array replaced by its Tensor;
        constants (non-float arrays, non-Tensor inputs) kept. None if some saved float array
        is none of these."""
        tensors = {id(value.array): value for value in self.inputs if isinstance(value, Tensor)}
        tensors[id(output.array)] = output
        constants = {id(value) for value in self.inputs if not isinstance(value, Tensor)}
        traced = []
        for value in self.saved_tensors:
            if id(value) in tensors:
                traced.append(tensors[id(value)])
            elif id(value) in constants or not backend.is_float_array(value):
                traced.append(value)
            else:
                return None
        return tuple(traced)


class Function:
    """Subclass this, write `forward(ctx, *inputs)` and `backward(ctx, grad_output)` as
    static methods, and call `YourOp.apply(*inputs)` with Tensors.

    forward works on arrays. backward works on arrays for first-order gradients, and on
    Tensors when a gradient is to be differentiated again (`create_graph=True`): a backward
    written with operators and Tensor-compatible calls (the built-in ops use
    `tinygrad_edu.ops.xp`) serves both. Non-Tensor inputs (an axis, a stride, None) are passed
    to forward as they are; backward returns one gradient per forward input (None for those
    that need none), or a single gradient when forward has one input.
    """

    @staticmethod
    def forward(ctx: Context, *inputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *inputs: Any) -> Tensor:
        # One pass over the inputs: this runs once per op, so it is the engine's overhead.
        arrays, needs_input_grad = [], []
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value.array)
                needs_input_grad.append(value._requires_grad)
            else:
                arrays.append(value)
                needs_input_grad.append(False)
        ctx = Context(cls, inputs, tuple(needs_input_grad))
        output = cls.forward(ctx, *arrays)
        if type(output) is not backend.ARRAY_TYPE:
            output = _as_output_array(cls, ctx, output)
        return Tensor._from_op(output, ctx if _state.enabled and True in needs_input_grad else None)


def _as_output_array(function: type[Function], ctx: Context, output: Any) -> Any:
    """forward's result as an array: numpy turns 0-d results into scalars (a loss, say)."""
    if isinstance(output, Tensor):
        raise TypeError(
            f"{function.__name__}.forward returned a Tensor; forward works on arrays and must "
            f"return an array (return its .array, or compose Tensor ops outside a Function)"
        )
    array = backend.ensure_array(output)
    if id(output) in set(map(id, ctx.saved_tensors)):  # a saved output must be the output's array, to be traced
        ctx.saved_tensors = tuple(array if value is output else value for value in ctx.saved_tensors)
    return array


class NotDifferentiableTwice(Function):
    """A gradient that a Function's backward computed outside the graph: its value is exact,
    but differentiating through it again is refused, naming the Function and why."""

    @staticmethod
    def forward(ctx: Context, gradient: Any, function_name: str, problem: str, *dependencies: Any) -> Any:
        ctx.function_name, ctx.problem = function_name, problem
        return gradient

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        raise RuntimeError(
            f"cannot differentiate {ctx.function_name}'s gradient again: {ctx.function_name}."
            f"backward is not differentiable because {ctx.problem}. Write its backward with "
            f"operators and Tensor-compatible calls (see 'Gradients of gradients' in the README)"
        )
