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
built with torch.nn (after torch.from_numpy(value.numpy()) on each value), and back.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from .. import backend
from ..conversion import to_arguments
from ..devices import cpu_device
from ..dtypes import float16, float32, float64, is_floating, to_dtype
from ..tensor import Tensor
from .hooks import ModuleHooks
from .module_state import IncompatibleKeys, ModuleState
from .module_views import ModuleView
from .parameter import Parameter

__all__ = ["Module", "IncompatibleKeys"]


class Module(ModuleHooks, ModuleState):
    """Subclass it, call `super().__init__()`, assign Parameters and Modules as attributes,
    and define `forward`. Calling the module calls forward (and its hooks, if any: nn/hooks.py).
    Buffers and state_dict: nn/module_state.py."""

    def __init__(self) -> None:
        self.training = True

    def __setattr__(self, name: str, value: Any) -> None:
        # Replacing a Parameter by a plain Tensor would silently unregister it (and leave an
        # optimizer updating the old one): refuse, as PyTorch does.
        if isinstance(self.__dict__.get(name), Parameter) and value is not None and not isinstance(value, Parameter):
            raise TypeError(
                f"cannot assign {type(value).__name__} to parameter {name!r} of "
                f"{type(self).__name__}: expected a Parameter or None (to change its values, "
                f"write into {name}.data, e.g. {name}.data.copy_(values))"
            )
        if name in (self._buffer_persistence or {}) and value is not None and not isinstance(value, Tensor):
            raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in (self._buffer_persistence or {}):
            del self._buffer_persistence[name]  # type: ignore[index]
        object.__delattr__(self, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._hooks is None:
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    # ---- what the module holds -----------------------------------------------------------
    @property
    def _parameters(self) -> ModuleView:
        """torch's registry of this module's own parameters (a live view: nn/module_views.py)."""
        return ModuleView(self, "parameters")

    @property
    def _buffers(self) -> ModuleView:
        return ModuleView(self, "buffers")

    @property
    def _modules(self) -> ModuleView:
        return ModuleView(self, "modules")

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and all below it, parents before children ("" is self); a module
        reachable twice is listed once unless remove_duplicate=False."""
        seen: set[int] = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
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

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """("fc1.weight", Parameter) pairs: each module's own parameters, then its children's,
        depth first, as torch. A parameter shared by two modules is listed once."""
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, parameter in module._own_parameters():
                if not remove_duplicate or id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path ("encoder.layers.0"; "" is self), as torch."""
        module = self
        walked = []
        for name in target.split(".") if target else []:
            child = vars(module).get(name)
            if not isinstance(child, Module):
                where = ".".join(walked) or type(self).__name__
                raise AttributeError(f"{where} has no submodule {name!r} (looking up {target!r})")
            walked.append(name)
            module = child
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put `module` at a dotted path ("encoder.0"), replacing a submodule there or (unless
        strict) adding it, as torch; never over an attribute that is not a module."""
        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path ("encoder.0.weight"), as torch."""
        module_path, _, name = target.rpartition(".")
        parameter = vars(self.get_submodule(module_path)).get(name)
        if not isinstance(parameter, Parameter):
            raise AttributeError(f"{target!r} is not a parameter of {type(self).__name__}")
        return parameter

    def get_buffer(self, target: str) -> Any:
        """The buffer at a dotted path ("bn.running_mean"), as torch."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in (module._buffer_persistence or {}):
            raise AttributeError(f"{target!r} is not a buffer of {type(self).__name__}")
        return getattr(module, name)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every submodule, children first, then on self (as torch: the usual way
        to initialise weights, `model.apply(init_weights)`); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradients on or off for every parameter (freeze a part of a model)."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (backward adds into .grad otherwise)."""
        for parameter in self.parameters():
            if set_to_none or parameter.grad is None:
                parameter.grad = None
            else:
                parameter.grad.array[...] = 0

    # ---- modes ---------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set `.training` on this module and every module below it (Dropout reads it)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    # ---- dtype and device ------------------------------------------------------------------
    def _cast_parameters(self, dtype: Any, floating_only: bool) -> Module:
        """Cast every parameter (and its .grad) and every buffer in place: the objects stay
        the same, so an optimizer built before keeps updating them, as in torch."""
        dtype = to_dtype(dtype)
        for tensor in [*self.parameters(), *self.buffers()]:
            if floating_only and not backend.is_float(tensor.array):
                continue  # torch too keeps num_batches_tracked int64 under .double()
            tensor.array = backend.cast(tensor.array, dtype)
            if tensor.grad is not None:
                tensor.grad.array = backend.cast(tensor.grad.array, dtype)
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

    def to_empty(self, *, device: Any = None, recurse: bool = True) -> Module:
        """torch moves storage-less (meta) parameters to `device`; here every array is already
        on the CPU, so this checks the device and returns the module."""
        cpu_device(device)
        return self

    def share_memory(self) -> Module:
        """torch moves the storage to shared memory for multiprocessing; numpy arrays stay where
        they are, so this returns the module unchanged."""
        return self

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """torch.compile's in-place form. There is no compiler here: the module runs as it is."""

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

    # ---- printing ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr (its settings)."""
        return ""

    def _get_name(self) -> str:
        """The class name repr starts with (torch's hook for wrappers to rename themselves)."""
        return type(self).__name__

    def __repr__(self) -> str:
        """torch's layout: settings on one line, or one line per setting and child, each
        child's own repr indented by two spaces."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        children = [f"({name}): {child!r}".replace("\n", "\n  ") for name, child in self.named_children()]
        if not children and len(extra_lines) <= 1:
            return f"{self._get_name()}({extra})"
        return f"{self._get_name()}(\n  " + "\n  ".join(extra_lines + children) + "\n)"

