"""Watching a tensor's gradient, as torch: `register_hook(fn)` and `retain_grad()`.

A hook is called with the tensor's complete gradient during backward (a Tensor, before it is
added into `.grad` or passed on to the op that made the tensor); returning a Tensor replaces the
gradient. `retain_grad()` makes a non-leaf keep its gradient in `.grad`, as leaves do.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

from ..observers import tensor_hooks_in_use

_hook_ids = itertools.count()


class RemovableHandle:
    """What `register_hook` returns: `handle.remove()` takes the hook off again."""

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self.hooks, self.id = hooks, key

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


class HookMethods:
    """Tensor's hook methods; `Tensor` inherits them."""

    __slots__ = ()

    def register_hook(self: Any, hook: Callable[[Any], Any]) -> RemovableHandle:
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            hooks = self._hooks = {}
        key = next(_hook_ids)
        hooks[key] = hook
        tensor_hooks_in_use[0] = True
        return RemovableHandle(hooks, key)

    def retain_grad(self: Any) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._ctx is not None:  # a leaf keeps its gradient anyway
            self._retains_grad = True
            tensor_hooks_in_use[0] = True

    @property
    def retains_grad(self: Any) -> bool:
        """True for a non-leaf whose .grad backward fills (after retain_grad())."""
        return self._ctx is not None and getattr(self, "_retains_grad", False)
