"""`ParameterList` and `ParameterDict`, as torch.nn's: hold a variable number of Parameters
so the owning module registers them ("params.0", "params.scale" in its state_dict).

A plain Tensor put in one becomes a Parameter, as in torch. The parameters are ordinary
attributes named "0", "1", … (or by the keys), which is how Module finds parameters.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _as_parameter(container: Module, name: str, value: Any) -> Parameter:
    if "." in name or name == "":
        raise KeyError(f"parameter name can't contain \".\" or be empty; got {name!r}")
    if hasattr(container, name) and not isinstance(vars(container).get(name), Parameter):
        raise KeyError(f"attribute '{name}' already exists")
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value.array)
    raise TypeError(f"{type(container).__name__} holds Parameters or Tensors; {name!r} is a {type(value).__name__}")


# torch.typename's names, which ParameterDict's repr uses where ParameterList's shows the dtype.
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _describe(value: Parameter, by_type_name: bool = False) -> str:
    """torch's line for one entry: "Parameter containing: [float32 of size 2x3]"."""
    size = "x".join(str(dimension) for dimension in value.shape)
    kind = _TYPE_NAMES.get(str(value.dtype), str(value.dtype)) if by_type_name else value.dtype
    return f"Parameter containing: [{kind} of size {size}]"


class ParameterList(Module):
    """A list of Parameters: `nn.ParameterList([nn.Parameter(tg.randn(3)) for _ in range(4)])`."""

    def __init__(self, values: Iterable[Any] | None = None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _values(self) -> list[Parameter]:
        return [value for _, value in self._own_parameters()]

    def __len__(self) -> int:
        return len(self._values())

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._values())

    def __getitem__(self, index: int | slice) -> Any:
        values = self._values()
        if isinstance(index, slice):
            return ParameterList(values[index])
        if not -len(values) <= index < len(values):
            raise IndexError(f"index {index} is out of range for ParameterList of {len(values)}")
        return values[index]

    def __setitem__(self, index: int, value: Any) -> None:
        position = index % len(self) if -len(self) <= index < len(self) else None
        if position is None:
            raise IndexError(f"index {index} is out of range for ParameterList of {len(self)}")
        object.__setattr__(self, str(position), _as_parameter(self, str(position), value))

    def append(self, value: Any) -> ParameterList:
        name = str(len(self))
        object.__setattr__(self, name, _as_parameter(self, name, value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def extra_repr(self) -> str:
        return "\n".join(f"  ({index}): {_describe(value)}" for index, value in enumerate(self))


class ParameterDict(Module):
    """A dict of Parameters: `nn.ParameterDict({"scale": ...})`. Keys keep the order given by an
    OrderedDict, a ParameterDict or a list of pairs; a plain dict's keys are sorted, as torch's
    (so its state_dict order does not depend on how the dict was built)."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        if not isinstance(vars(self).get(key), Parameter):
            raise KeyError(key)
        return vars(self)[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"parameter name should be a string. Got {type(key).__name__}")
        object.__setattr__(self, key, _as_parameter(self, key, value))

    def __delitem__(self, key: str) -> None:
        self[key]  # a KeyError for a missing key
        object.__delattr__(self, key)

    def __len__(self) -> int:
        return len(self.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and isinstance(vars(self).get(key), Parameter)

    def keys(self) -> list[str]:
        return [name for name, _ in self._own_parameters()]

    def values(self) -> list[Parameter]:
        return [value for _, value in self._own_parameters()]

    def items(self) -> list[tuple[str, Parameter]]:
        return list(self._own_parameters())

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def pop(self, key: str) -> Parameter:
        value = self[key]
        del self[key]
        return value

    def update(self, parameters: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs: Iterable[tuple[str, Any]] = parameters.items()
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = parameters
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(f"  ({key}): {_describe(value, by_type_name=True)}" for key, value in self.items())
