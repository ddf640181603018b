"""Module hooks, as torch: see a layer's inputs and outputs in forward, and its gradients in
backward, without changing its code.

    register_forward_pre_hook(hook(module, args))                  may return new args
    register_forward_hook(hook(module, args, output))               may return a new output
    register_full_backward_hook(hook(module, grad_input, grad_output))  may return new grad_input

As torch's: `prepend=True` runs a hook before those already registered; `with_kwargs=True`
passes the call's keyword arguments too (a pre-hook `hook(module, args, kwargs)` may return
new (args, kwargs); a forward hook is `hook(module, args, kwargs, output)`).

grad_input is the gradient with respect to the module's input (dE/dX), grad_output with
respect to its output (dE/dY): the tutorial's backward_propagation, seen from outside. The
backward hook works through tensor hooks: the input passes through an identity op whose
gradient is dE/dX. It supports modules called with one tensor (every layer in nn), and
returns grad_input (None,) when the input does not require grad, as torch does.
A module without hooks pays one attribute lookup per call.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

from ..api.hooks import RemovableHandle
from ..function import Context, Function
from ..tensor import Tensor

_hook_ids = itertools.count()


class _BackwardHookInput(Function):
    """Y = X: marks where a module's input enters it, so that dE/dX can be seen there."""

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        return x

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> Any:
        return grad_output


class ModuleHooks:
    """Module's hook methods and its hooked call; `Module` inherits them."""

    _hooks: dict[str, dict[int, Callable[..., Any]]] | None = None  # per instance, once used
    _hooks_with_kwargs: set[int] | None = None  # the keys of hooks registered with_kwargs=True

    def _add_hook(self, kind: str, hook: Callable[..., Any], prepend: bool = False,
                  with_kwargs: bool = False) -> RemovableHandle:
        if self._hooks is None:
            object.__setattr__(self, "_hooks", {"forward_pre": {}, "forward": {}, "backward": {}})
            object.__setattr__(self, "_hooks_with_kwargs", set())
        key = next(_hook_ids)
        hooks = self._hooks[kind]
        earlier = list(hooks.items()) if prepend else []
        for old_key, _ in earlier:  # reorder in place: the handles hold this very dict
            del hooks[old_key]
        hooks[key] = hook
        hooks.update(earlier)
        if with_kwargs:
            self._hooks_with_kwargs.add(key)  # type: ignore[union-attr]
        return RemovableHandle(hooks, key)

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        return self._add_hook("forward_pre", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        return self._add_hook("forward", hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        return self._add_hook("backward", hook, prepend)

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        hooks, with_kwargs = self._hooks, self._hooks_with_kwargs
        for key, hook in list(hooks["forward_pre"].items()):
            if key in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        watched = bool(hooks["backward"])
        if watched:
            tensors = [value for value in args if isinstance(value, Tensor)]
            if len(tensors) != 1:
                raise NotImplementedError(
                    f"register_full_backward_hook on {type(self).__name__}: tinygrad_edu supports "
                    f"modules called with one tensor; this call has {len(tensors)}"
                )
            if tensors[0].requires_grad:
                args = tuple(_BackwardHookInput.apply(value) if value is tensors[0] else value for value in args)
        output = self.forward(*args, **kwargs)  # type: ignore[attr-defined]
        for key, hook in list(hooks["forward"].items()):
            result = hook(self, args, kwargs, output) if key in with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        if watched and isinstance(output, Tensor) and output.requires_grad:
            self._watch_backward(next(value for value in args if isinstance(value, Tensor)), output)
        return output

    def _watch_backward(self, entry: Tensor, output: Tensor) -> None:
        """Catch dE/dY at the output and dE/dX where the input entered; call the hooks with
        both once dE/dX is known (or at once, with dE/dX None, if the input needs none)."""
        seen: dict[str, Any] = {}

        def call_hooks(grad_input: Any) -> Any:
            for hook in list(self._hooks["backward"].values()):
                result = hook(self, (grad_input,), (seen["grad_output"],))
                if result is not None:
                    grad_input = result[0] if isinstance(result, tuple) else result
            return grad_input

        def at_output(grad: Tensor) -> None:
            seen["grad_output"] = grad
            if not entry.requires_grad:
                call_hooks(None)

        output.register_hook(at_output)
        if entry.requires_grad:
            entry.register_hook(call_hooks)
