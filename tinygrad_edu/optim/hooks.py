"""An optimizer's hooks, as torch's: functions called around `step()`, `state_dict()` and
`load_state_dict()`, each registration returning a handle whose `remove()` takes it off.

    register_step_pre_hook(hook)                hook(optimizer, args, kwargs) -> None or (args, kwargs)
    register_step_post_hook(hook)               hook(optimizer, args, kwargs)
    register_state_dict_pre_hook(hook)          hook(optimizer)
    register_state_dict_post_hook(hook)         hook(optimizer, state_dict) -> None or a state_dict
    register_load_state_dict_pre_hook(hook)     hook(optimizer, state_dict) -> None or a state_dict
    register_load_state_dict_post_hook(hook)    hook(optimizer)

As torch's, a step hook's `args` start with the optimizer itself. A step costs nothing extra
until a step hook is registered: only then is the optimizer's class's `step` wrapped.
"""
from __future__ import annotations

import functools
import itertools
from collections import OrderedDict
from typing import Any, Callable

from ..api.hooks import RemovableHandle

_hook_ids = itertools.count()


class OptimizerHooks:
    """The registration methods Optimizer inherits; the hooks live in per-instance OrderedDicts
    named as torch's (`_optimizer_step_pre_hooks`, ...), made at the first registration."""

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        _run_step_hooks(type(self))
        return _register(self, "_optimizer_step_pre_hooks", hook, prepend=False)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        _run_step_hooks(type(self))
        return _register(self, "_optimizer_step_post_hooks", hook, prepend=False)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        return _register(self, "_optimizer_state_dict_pre_hooks", hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        return _register(self, "_optimizer_state_dict_post_hooks", hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        return _register(self, "_optimizer_load_state_dict_pre_hooks", hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any], prepend: bool = False) -> RemovableHandle:
        return _register(self, "_optimizer_load_state_dict_post_hooks", hook, prepend)


def hooks_of(optimizer: Any, name: str) -> list[Callable[..., Any]]:
    """The hooks registered under `name`, in calling order (a copy: a hook may remove itself)."""
    hooks = optimizer.__dict__.get(name)
    return list(hooks.values()) if hooks else []


def _register(optimizer: Any, name: str, hook: Callable[..., Any], prepend: bool) -> RemovableHandle:
    hooks = optimizer.__dict__.setdefault(name, OrderedDict())
    key = next(_hook_ids)
    hooks[key] = hook
    if prepend:
        hooks.move_to_end(key, last=False)
    return RemovableHandle(hooks, key)


def _run_step_hooks(cls: type) -> None:
    """Wrap `cls.step` (once) so that it calls the instance's step hooks around the step."""
    step = cls.__dict__.get("step", cls.step)
    if getattr(step, "_runs_step_hooks", False):
        return

    @functools.wraps(step)
    def hooked_step(*args: Any, **kwargs: Any) -> Any:
        optimizer = args[0]
        for pre_hook in hooks_of(optimizer, "_optimizer_step_pre_hooks"):
            result = pre_hook(optimizer, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
                args, kwargs = result
        out = step(*args, **kwargs)
        for post_hook in hooks_of(optimizer, "_optimizer_step_post_hooks"):
            post_hook(optimizer, args, kwargs)
        return out

    hooked_step._runs_step_hooks = True  # type: ignore[attr-defined]
    cls.step = hooked_step  # type: ignore[method-assign]
