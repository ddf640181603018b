"""`module._parameters`, `module._buffers`, `module._modules`: torch's registries, as live views.

A torch.nn.Module keeps three OrderedDicts; code written for torch reads them
(`for name, child in model._modules.items()`) and writes them (`model._modules["fc"] = head`,
`del module._parameters["bias"]`). Here a module's parameters, buffers and children are plain
attributes, so these are views over the attributes of one kind, in assignment order: reading
lists them, writing assigns (or registers) the attribute, deleting deletes it.
"""
from __future__ import annotations

from typing import Any, Iterator, MutableMapping


class ModuleView(MutableMapping):
    """The attributes of `owner` of one kind ("parameters", "buffers" or "modules")."""

    def __init__(self, owner: Any, kind: str) -> None:
        self._owner, self._kind = owner, kind

    def _names(self) -> list[str]:
        owner = self._owner
        if self._kind == "buffers":
            return list(owner._buffer_persistence or {})  # None-valued buffers too, as torch
        wanted = owner._own_parameters() if self._kind == "parameters" else owner.named_children()
        return [name for name, _ in wanted]

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        return vars(self._owner)[name]

    def __setitem__(self, name: str, value: Any) -> None:
        owner = self._owner
        if self._kind == "buffers":
            owner.register_buffer(name, value)
        elif name in self._names():
            setattr(owner, name, value)  # replaces it in place, keeping its position
        elif self._kind == "parameters":
            owner.register_parameter(name, value)
        else:
            owner.add_module(name, value)

    def __delitem__(self, name: str) -> None:
        if name not in self._names():
            raise KeyError(name)
        delattr(self._owner, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return repr(dict(self.items()))  # torch's registries are plain dicts now
