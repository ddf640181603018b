"""A module's state: buffers, `state_dict()` and `load_state_dict()`, as torch.nn.Module's.

A *buffer* is a Tensor a module keeps but does not learn: BatchNorm's running_mean and
running_var are the classic case. `register_buffer(name, tensor)` makes it an attribute that
`.to()`/`.double()` cast with the parameters and that `state_dict()` saves (unless
`persistent=False`), while `parameters()` (and so every optimizer) never sees it.

state_dict keys and order are torch's: per module, its parameters, then its persistent
buffers, then each child's, prefixed "child.". Its values are torch's too: detached Tensors
over the module's own arrays (an in-place optimizer step shows in a state_dict taken before
it; `copy.deepcopy(model.state_dict())` keeps a snapshot), so `.clone()`, `.shape`,
`.numel()` and `np.asarray(value)` all work on them.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator, Mapping, NamedTuple

import numpy as np

from .. import backend
from ..tensor import Tensor
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped (torch's `_IncompatibleKeys`)."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # torch's text for a clean load
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


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
    # Entries a state_dict may leave out: they keep their values and are not reported missing
    # (torch's BatchNorm so loads state_dicts older than num_batches_tracked).
    _optional_state: tuple[str, ...] = ()

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
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)  # type: ignore[attr-defined]
                   if recurse else [(prefix, self)])
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

    def state_dict(self, *args: Any, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """An OrderedDict name → Tensor, in torch's order: each parameter and persistent buffer
        detached but sharing its array (keep_vars=True: the Parameters themselves). Keys start
        with `prefix`; `destination` (positionally too, as torch's old form) is filled and
        returned instead of a new dict."""
        if args:  # torch's deprecated positional form: state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (*args, *(destination, prefix, keep_vars)[len(args):])[:3]
        result: dict[str, Any] = OrderedDict() if destination is None else destination
        for name, tensor in self._state_items(prefix):
            result[name] = tensor if keep_vars else tensor.detach()
        return result

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy values (Tensors, ndarrays, torch tensors, ...) into the parameters and persistent
        buffers, in place (assign=True: the module takes the values themselves, as torch,
        keeping each parameter's requires_grad); returns (missing_keys, unexpected_keys).

        Everything is checked before anything is written: on any error the module is left as
        it was, and one RuntimeError in torch's words lists every missing key (strict),
        unexpected key (strict) and key whose shape differs. Values are cast to each tensor's
        dtype.
        """
        own = dict(self._state_items())
        optional = {f"{prefix}.{name}" if prefix else name
                    for prefix, module in self.named_modules() for name in module._optional_state}  # type: ignore[attr-defined]
        missing = [name for name in own if name not in state_dict and name not in optional]
        unexpected = [name for name in state_dict if name not in own]
        problems = []
        if strict and missing:
            problems.append(f"Missing key(s) in state_dict: {_quoted(missing)}. ")
        if strict and unexpected:
            problems.append(f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
        values = {}
        for name, tensor in own.items():
            if name not in state_dict:
                continue
            value = _as_array(state_dict[name])
            if value is None or value.dtype.kind not in "biuf":
                problems.append(f"While copying the parameter named \"{name}\", expected an array of numbers, got {type(state_dict[name]).__name__}.")
            elif value.shape != tensor.shape:
                problems.append(
                    f"size mismatch for {name}: copying a param with shape {tuple(value.shape)} from "
                    f"checkpoint, the shape in current model is {tuple(tensor.shape)}."
                )
            else:
                values[name] = value
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(problems))
        for name, value in values.items():
            if assign:
                self._assign_state(name, own[name], value)
            else:
                own[name].array[...] = value
        return IncompatibleKeys(missing, unexpected)

    def _assign_state(self, name: str, current: Tensor, value: np.ndarray) -> None:
        """load_state_dict(assign=True) for one entry: the owner's attribute becomes a tensor
        over `value` itself (a Parameter again if it was one, with its requires_grad)."""
        module_path, _, attribute = name.rpartition(".")
        owner = self.get_submodule(module_path)  # type: ignore[attr-defined]
        if isinstance(current, Parameter):
            replacement: Tensor = Parameter(value, requires_grad=current.requires_grad)
        else:
            replacement = Tensor(value)
        object.__setattr__(owner, attribute, replacement)


def _quoted(keys: list[str]) -> str:
    """Keys as torch's load error lists them: "a", "b"."""
    return ", ".join(f'"{key}"' for key in keys)


def _as_array(value: Any) -> np.ndarray | None:
    """A state_dict value as an array (no copy where possible), or None if it is not one."""
    if isinstance(value, Tensor):
        return value.array
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach()  # a torch tensor, perhaps a Parameter (numpy() refuses one that requires grad)
    try:
        return np.asarray(value)
    except (ValueError, TypeError, RuntimeError):  # ragged lists
        return None
