"""Containers of modules, as torch.nn's: `Sequential` (applied one after the other,
Y = f_n(… f_2(f_1(X))), the tutorial's `Network` as a module), `ModuleList` and `ModuleDict`
(hold modules so their parameters are registered; you write the forward).

Their children are ordinary attributes named "0", "1", … (or by the keys given), so
`named_parameters()`, `state_dict()` and `repr()` see them as torch does ("layers.0.weight").
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping

from .module import Module


def _check_child(container: Module, name: str, module: Any) -> None:
    """Refuse what torch's add_module refuses: non-modules, dotted names, and names that
    would hide an attribute (a ModuleDict key "train" would hide the method train())."""
    if not isinstance(module, Module):
        raise TypeError(f"{type(container).__name__}: item {name!r} is a {type(module).__name__}, not a Module")
    if "." in name or name == "":
        raise KeyError(f"module name can't contain \".\" or be empty; got {name!r}")
    if hasattr(container, name) and not isinstance(vars(container).get(name), Module):
        raise KeyError(f"attribute '{name}' already exists")


class _Indexed(Module):
    """What Sequential and ModuleList share: children named by their position."""

    def _check(self, name: str, module: Any) -> None:
        _check_child(self, name, module)

    def _named(self) -> list[tuple[str, Module]]:
        return list(self.named_children())

    def _set_children(self, named: Iterable[tuple[str, Module]]) -> None:
        """Replace all children by `named`, in this order."""
        named = list(named)
        for name, _ in self._named():
            object.__delattr__(self, name)
        for name, module in named:
            self._check(name, module)
            object.__setattr__(self, name, module)

    def _renumbered(self, modules: Iterable[Module]) -> None:
        self._set_children((str(index), module) for index, module in enumerate(modules))

    def _position(self, index: int) -> int:
        count = len(self)
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"{type(self).__name__} indices must be integers or slices, not {type(index).__name__}")
        if not -count <= index < count:
            raise IndexError(f"{type(self).__name__} index {index} is out of range for {count} modules")
        return index % count

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self) -> Iterator[Module]:
        return iter([module for _, module in self._named()])

    def __setitem__(self, index: int, module: Module) -> None:
        name = self._named()[self._position(index)][0]
        self._check(name, module)
        object.__setattr__(self, name, module)

    def __delitem__(self, index: int | slice) -> None:
        modules = [module for _, module in self._named()]
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._position(index)]
        self._renumbered(modules)  # torch renumbers too: "0", "1", … stay contiguous

    def append(self, module: Module) -> _Indexed:
        self._check(str(len(self)), module)
        object.__setattr__(self, str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> _Indexed:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> _Indexed:
        modules = [module for _, module in self._named()]
        self._check(str(len(modules)), module)
        modules.insert(index, module)
        self._renumbered(modules)
        return self

    def pop(self, index: int = -1) -> Module:
        module = self[index]
        del self[index]
        return module


class Sequential(_Indexed):
    """Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)) or Sequential(OrderedDict(...)):
    indexable, sliceable (a slice is a Sequential), len(), append/insert/extend."""

    def __init__(self, *modules: Module | OrderedDict[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            self._set_children(modules[0].items())
        else:
            self._set_children((str(index), module) for index, module in enumerate(modules))

    def forward(self, input: Any) -> Any:
        # The children straight from the attributes, in order: no generator chain per call.
        for module in vars(self).values():
            if isinstance(module, Module):
                input = module(input)
        return input

    def __getitem__(self, index: int | slice) -> Module:
        named = self._named()
        if isinstance(index, slice):
            return Sequential(OrderedDict(named[index]))  # torch keeps the keys of a slice
        return named[self._position(index)][1]

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise TypeError(f"add operator supports only objects of Sequential class, but {type(other).__name__} is given")
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise TypeError(f"add operator supports only objects of Sequential class, but {type(other).__name__} is given")
        return self.extend(list(other))  # type: ignore[return-value]

    def __mul__(self, repeats: int) -> Sequential:
        """The modules `repeats` times over: the same objects, so the copies share parameters (torch's)."""
        if not isinstance(repeats, int) or isinstance(repeats, bool):
            raise TypeError(f"unsupported operand type(s) for *: 'Sequential' and '{type(repeats).__name__}'")
        if repeats <= 0:
            raise ValueError(f"Non-positive multiplication factor {repeats} for Sequential")
        return Sequential(*(list(self) * repeats))

    __rmul__ = __mul__


class ModuleList(_Indexed):
    """A list of modules whose parameters the owner registers: `nn.ModuleList([Block() for _ in
    range(4)])`, then `for block in self.blocks: x = block(x)` in forward."""

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: int | slice) -> Any:
        named = self._named()
        if isinstance(index, slice):
            return ModuleList(module for _, module in named[index])
        return named[self._position(index)][1]

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def __iadd__(self, other: Iterable[Module]) -> ModuleList:
        return self.extend(other)  # type: ignore[return-value]

    def __repr__(self) -> str:
        """torch's: runs of equal modules shown once, as "(0-2): 3 x Linear(...)"."""
        texts = [repr(module).replace("\n", "\n  ") for module in self]
        if not texts:
            return "ModuleList()"
        lines, start = [], 0
        for end in range(1, len(texts) + 1):
            if end == len(texts) or texts[end] != texts[start]:
                if end - start == 1:
                    lines.append(f"({start}): {texts[start]}")
                else:
                    lines.append(f"({start}-{end - 1}): {end - start} x {texts[start]}")
                start = end
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules whose parameters the owner registers, keys kept in insertion order."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if not isinstance(vars(self).get(key), Module):
            raise KeyError(key)
        return vars(self)[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"module name should be a string. Got {type(key).__name__}")
        _check_child(self, key, module)
        object.__setattr__(self, key, module)

    def __delitem__(self, key: str) -> None:
        self[key]  # a KeyError for a missing key
        object.__delattr__(self, key)

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and isinstance(vars(self).get(key), Module)

    def keys(self) -> list[str]:
        return [name for name, _ in self.named_children()]

    def values(self) -> list[Module]:
        return [module for _, module in self.named_children()]

    def items(self) -> list[tuple[str, Module]]:
        return list(self.named_children())

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in self.keys():
            del self[key]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else modules
        for pair in pairs:
            key, module = pair
            self[key] = module
