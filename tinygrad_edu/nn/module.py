"""`Module`: the base class of every layer and network, as torch.nn.Module.

A module is a function with state. Its state is whatever Parameters and sub-Modules it holds
as attributes; nothing needs registering by hand, because `named_parameters()` finds them by
walking the attributes in the order they were assigned:

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 100)    # its parameters become "fc1.weight", "fc1.bias"
            self.fc2 = nn.Linear(100, 10)
        def forward(self, x):
            return self.fc2(self.fc1(x).tanh())

Names, order and shapes follow PyTorch, so a `state_dict()` loads into the same architecture
built with torch.nn (after torch.from_numpy on each value), and back.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping, NamedTuple

import numpy as np

from .. import backend
from ..conversion import to_arguments
from ..devices import cpu_device
from ..dtypes import float16, float32, float64, is_floating, to_dtype
from ..tensor import Tensor
from .hooks import ModuleHooks
from .parameter import Parameter


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module(ModuleHooks):
    """Subclass it, call `super().__init__()`, assign Parameters and Modules as attributes,
    and define `forward`. Calling the module calls forward (and its hooks, if any: nn/hooks.py)."""

    def __init__(self) -> None:
        self.training = True

    def __setattr__(self, name: str, value: Any) -> None:
        # Replacing a Parameter by a plain Tensor would silently unregister it (and leave an
        # optimizer updating the old one): refuse, as PyTorch does.
        if isinstance(self.__dict__.get(name), Parameter) and value is not None and not isinstance(value, Parameter):
            raise TypeError(
                f"cannot assign {type(value).__name__} to parameter {name!r} of "
                f"{type(self).__name__}: expected a Parameter or None (to change its values, "
                f"write into {name}.data)"
            )
        object.__setattr__(self, name, value)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._hooks is None:
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    # ---- what the module holds -----------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and all below it, each once, parents before children ("" is self)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{child_name}" if name else child_name, child) for child_name, child in module.named_children()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield name, value

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """("fc1.weight", Parameter) pairs: each module's own parameters, then its children's,
        depth first, as torch. A parameter shared by two modules is listed once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules():
            for name, parameter in module._own_parameters():
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self) -> Iterator[Parameter]:
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (backward adds into .grad otherwise)."""
        for parameter in self.parameters():
            if set_to_none or parameter.grad is None:
                parameter.grad = None
            else:
                parameter.grad.data[...] = 0

    # ---- modes ---------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set `.training` on this module and every module below it (Dropout reads it)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    # ---- dtype and device ------------------------------------------------------------------
    def _cast_parameters(self, dtype: Any, floating_only: bool) -> Module:
        """Cast every parameter (and its .grad) in place: the Parameter objects stay the same,
        so an optimizer built before keeps updating them, as in torch."""
        dtype = to_dtype(dtype)
        for parameter in self.parameters():
            if floating_only and not backend.is_float(parameter.data):
                continue
            parameter.data = backend.cast(parameter.data, dtype)
            if parameter.grad is not None:
                parameter.grad.data = backend.cast(parameter.grad.data, dtype)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """`to(device)`, `to(dtype)`, `to(device, dtype)`, `to(tensor)`: the CPU is the only
        device (CPUOnlyError otherwise); a dtype, which must be a float dtype, is given to every
        floating-point parameter. Returns the module itself."""
        wanted = to_arguments(args, kwargs)
        if wanted.dtype is None:
            return self
        if not is_floating(wanted.dtype):
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={wanted.dtype}")
        return self._cast_parameters(wanted.dtype, floating_only=True)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        """Always a CPUOnlyError: tinygrad_edu has no GPU."""
        cpu_device("cuda" if device is None else device)
        return self  # reached only for device="cpu"

    def float(self) -> Module:
        return self._cast_parameters(float32, floating_only=True)

    def double(self) -> Module:
        return self._cast_parameters(float64, floating_only=True)

    def half(self) -> Module:
        return self._cast_parameters(float16, floating_only=True)

    def type(self, dst_type: Any) -> Module:
        """Cast every parameter, float or not, to `dst_type` (as torch's Module.type)."""
        return self._cast_parameters(dst_type, floating_only=False)

    # ---- state ---------------------------------------------------------------------------
    def _state_items(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every (name, parameter), a shared one under each of its names, as torch's state_dict."""
        for name, parameter in self._own_parameters():
            yield prefix + name, parameter
        for name, child in self.named_children():
            yield from child._state_items(f"{prefix}{name}.")

    def state_dict(self) -> dict[str, np.ndarray]:
        """name → a copy of the parameter's array, in named_parameters order."""
        return {name: backend.copy(parameter.data) for name, parameter in self._state_items()}

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (ndarrays, Tensors, torch tensors, ...) into the parameters, in place.

        Everything is checked before anything is written: on any error the module is left as
        it was, and the error lists every missing key (strict), unexpected key (strict) and
        key whose shape differs. Values are cast to each parameter's dtype.
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
        for name, parameter in own.items():
            if name not in state_dict:
                continue
            value = _as_array(state_dict[name])
            if value is None or value.dtype.kind not in "biuf":
                problems.append(f"value for {name!r} is not an array of numbers: {type(state_dict[name]).__name__}")
            elif value.shape != parameter.shape:
                problems.append(
                    f"size mismatch for {name!r}: this module's parameter has shape "
                    f"{parameter.shape}, the state_dict's value has shape {value.shape}"
                )
            else:
                values[name] = value
        if problems:
            raise RuntimeError(f"error(s) loading state_dict into {type(self).__name__}:\n  " + "\n  ".join(problems))
        for name, value in values.items():
            own[name].data[...] = value
        return IncompatibleKeys(missing, unexpected)

    # ---- printing ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        children = [f"({name}): {child!r}".replace("\n", "\n  ") for name, child in self.named_children()]
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = ([extra] if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _as_array(value: Any) -> np.ndarray | None:
    """A state_dict value as an array (no copy where possible), or None if it is not one."""
    if isinstance(value, Tensor):
        return value.data
    try:
        return np.asarray(value)
    except (ValueError, TypeError, RuntimeError):  # ragged lists; a torch tensor that requires grad
        return None
