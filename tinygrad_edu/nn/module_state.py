"""A module's state: buffers, `state_dict()` and `load_state_dict()`, as torch.nn.Module's.

A *buffer* is a Tensor a module keeps but does not learn: BatchNorm's running_mean and
running_var are the classic case. `register_buffer(name, tensor)` makes it an attribute that
`.to()`/`.double()` cast with the parameters and that `state_dict()` saves (unless
`persistent=False`), while `parameters()` (and so every optimizer) never sees it.

state_dict keys and order are torch's: per module, its parameters, then its persistent
buffers, then each child's, prefixed "child.".
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, NamedTuple

import numpy as np

from .. import backend
from ..tensor import Tensor
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped (torch's `_IncompatibleKeys`)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _check_name(kind: str, owner: Any, name: Any) -> None:
    """torch's rules for a registered name: a string, no dot, not empty, not an attribute
    of another kind (it would hide a method or a setting)."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name or name == "":
        raise KeyError(f"{kind} name can't contain \".\" or be empty; got {name!r}")
    if hasattr(owner, name) and name not in vars(owner):
        raise KeyError(f"attribute '{name}' already exists")


class ModuleState:
    """Module's registration, buffer and state_dict methods; `Module` inherits them."""

    # name -> persistent, per instance once a buffer is registered (absent: no buffers). Not
    # torch's `_buffers` (name -> tensor): the buffers themselves are ordinary attributes.
    _buffer_persistence: dict[str, bool] | None = None

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Keep `tensor` as attribute `name`: saved in state_dict (if persistent), cast by
        `.to()`, never a parameter. `None` reserves the name (nothing saved until set)."""
        _check_name("buffer", self, name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)")
        if isinstance(tensor, Parameter) or isinstance(vars(self).get(name), Parameter):
            raise KeyError(f"attribute '{name}' already exists as a parameter; a buffer is not learned")
        if name in vars(self) and name not in (self._buffer_persistence or {}):
            raise KeyError(f"attribute '{name}' already exists")
        if self._buffer_persistence is None:
            object.__setattr__(self, "_buffer_persistence", {})
        self._buffer_persistence[name] = persistent
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """`self.name = param`, with torch's checks (what assigning an attribute does anyway)."""
        _check_name("parameter", self, name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' (nn.Parameter or None required)")
        if name in (self._buffer_persistence or {}):
            raise KeyError(f"attribute '{name}' already exists as a buffer")
        setattr(self, name, param)

    def add_module(self, name: str, module: Any) -> None:
        """`self.name = module`, with torch's checks; for names made at run time."""
        _check_name("module", self, name)
        if module is not None and not isinstance(module, ModuleState):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        setattr(self, name, module)

    register_module = add_module

    def _own_buffers(self, persistent_only: bool = False) -> Iterator[tuple[str, Tensor]]:
        for name, persistent in (self._buffer_persistence or {}).items():
            value = vars(self).get(name)
            if value is not None and (persistent or not persistent_only):
                yield name, value

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """("bn.running_mean", Tensor) pairs, module by module as named_modules."""
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]  # type: ignore[attr-defined]
        seen: set[int] = set()
        for module_name, module in modules:
            for name, buffer in module._own_buffers():
                if remove_duplicate and id(buffer) in seen:
                    continue
                seen.add(id(buffer))
                yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _state_items(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Every (name, tensor) torch's state_dict holds, a shared one under each of its names."""
        for name, parameter in self._own_parameters():  # type: ignore[attr-defined]
            yield prefix + name, parameter
        for name, buffer in self._own_buffers(persistent_only=True):
            yield prefix + name, buffer
        for name, child in self.named_children():  # type: ignore[attr-defined]
            yield from child._state_items(f"{prefix}{name}.")

    def state_dict(self) -> dict[str, np.ndarray]:
        """name → a copy of the parameter's or persistent buffer's array, in torch's order."""
        return {name: backend.copy(tensor.data) for name, tensor in self._state_items()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (ndarrays, Tensors, torch tensors, ...) into the parameters and
        persistent buffers, in place; returns (missing_keys, unexpected_keys) as torch.

        Everything is checked before anything is written: on any error the module is left as
        it was, and the error lists every missing key (strict), unexpected key (strict) and
        key whose shape differs. Values are cast to each tensor's dtype.
        """
        own = dict(self._state_items())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        problems = []
        if strict and missing:
            problems.append(f"missing key(s) in state_dict: {', '.join(map(repr, missing))}")
        if strict and unexpected:
            problems.append(f"unexpected key(s) in state_dict: {', '.join(map(repr, unexpected))}")
        values = {}
        for name, tensor in own.items():
            if name not in state_dict:
                continue
            value = _as_array(state_dict[name])
            if value is None or value.dtype.kind not in "biuf":
                problems.append(f"value for {name!r} is not an array of numbers: {type(state_dict[name]).__name__}")
            elif value.shape != tensor.shape:
                problems.append(
                    f"size mismatch for {name!r}: this module's "
                    f"{'parameter' if isinstance(tensor, Parameter) else 'buffer'} has shape "
                    f"{tuple(tensor.shape)}, the state_dict's value has shape {value.shape}"
                )
            else:
                values[name] = value
        if problems:
            raise RuntimeError(f"error(s) loading state_dict into {type(self).__name__}:\n  " + "\n  ".join(problems))
        for name, value in values.items():
            own[name].data[...] = value
        return IncompatibleKeys(missing, unexpected)


def _as_array(value: Any) -> np.ndarray | None:
    """A state_dict value as an array (no copy where possible), or None if it is not one."""
    if isinstance(value, Tensor):
        return value.data
    try:
        return np.asarray(value)
    except (ValueError, TypeError, RuntimeError):  # ragged lists; a torch tensor that requires grad
        return None
