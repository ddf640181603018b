"""`Sequential`: modules applied one after the other, Y = f_n(… f_2(f_1(X))), the tutorial's
`Network` as a module. Its children are named "0", "1", … (or by an OrderedDict's keys)."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterator

from .module import Module


class Sequential(Module):
    """Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)): indexable, sliceable, len()."""

    def __init__(self, *modules: Module | OrderedDict[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(index), module) for index, module in enumerate(modules)]
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: item {name!r} is a {type(module).__name__}, not a Module")
            setattr(self, name, module)

    def forward(self, input: Any) -> Any:
        # The children straight from the attributes, in order: no generator chain per call.
        for module in vars(self).values():
            if isinstance(module, Module):
                input = module(input)
        return input

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self) -> Iterator[Module]:
        return self.children()

    def __getitem__(self, index: int | slice) -> Module:
        named = list(self.named_children())
        if isinstance(index, slice):
            return Sequential(OrderedDict(named[index]))
        if not -len(named) <= index < len(named):
            raise IndexError(f"Sequential index {index} is out of range for {len(named)} modules")
        return named[index][1]
