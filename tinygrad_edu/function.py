"""`Function`: the base class of every differentiable op, and the switch that turns graph
recording off (`no_grad`).

A Function is the tutorial's layer contract reduced to one op: `forward` turns inputs X into
an output Y, `backward` turns dE/dY into dE/dX, one gradient per input. Both work on plain
arrays; `apply` wraps them so that the output is a `Tensor` that remembers how it was made.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from . import backend
from .tensor import Tensor

_grad_enabled = True

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that sets whether ops record the graph."""

    enabled: bool

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Ops run inside `with no_grad():` (or a function decorated with `@no_grad()`) build no
    graph, and what they save for backward is dropped at once: evaluation keeps no memory."""

    enabled = False


class enable_grad(_GradMode):
    """Turns graph recording back on inside a `no_grad` block."""

    enabled = True


class Context:
    """What an op's forward leaves for its backward, and the op's place in the graph.

    `save_for_backward(*arrays)` / `saved_tensors` hold the arrays backward needs;
    `needs_input_grad[i]` says whether input i wants a gradient, so backward can skip work.
    Any other attribute (a shape, a stride) may be set on it freely.
    """

    # Slots for the engine's own fields (one Context per op: faster to make and read);
    # __dict__ keeps the ops' own attributes possible.
    __slots__ = ("function", "inputs", "needs_input_grad", "saved_tensors", "freed", "__dict__")

    def __init__(self, function: type[Function], inputs: tuple[Any, ...], needs_input_grad: tuple[bool, ...]):
        self.function = function
        self.inputs = inputs
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple[Any, ...] = ()
        self.freed = False

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved_tensors = arrays

    def free(self) -> None:
        """Drop what backward needed, so the graph's memory goes once backward is done."""
        self.saved_tensors = ()
        self.inputs = ()
        self.freed = True


class Function:
    """Subclass this, write `forward(ctx, *inputs)` and `backward(ctx, grad_output)` as
    static methods on arrays, and call `YourOp.apply(*inputs)` with Tensors.

    Non-Tensor inputs (an axis, a stride, None) are passed to forward as they are; backward
    returns one gradient per forward input (None for those that need none), or a single
    array when forward has one input.
    """

    @staticmethod
    def forward(ctx: Context, *inputs: Any) -> Any:
        raise NotImplementedError(f"a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        raise NotImplementedError(f"a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *inputs: Any) -> Tensor:
        # One pass over the inputs: this runs once per op, so it is the engine's overhead.
        arrays, needs_input_grad = [], []
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value.data)
                needs_input_grad.append(value.requires_grad)
            else:
                arrays.append(value)
                needs_input_grad.append(False)
        ctx = Context(cls, inputs, tuple(needs_input_grad))
        output = backend.ensure_array(cls.forward(ctx, *arrays))
        return Tensor._from_op(output, ctx if _grad_enabled and True in needs_input_grad else None)
