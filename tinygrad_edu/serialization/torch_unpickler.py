"""The restricted unpickler that reads torch.save's data.pkl: it rebuilds tensors, storages,
OrderedDicts and plain containers, and nothing else.

A pickle is a small program: its GLOBAL opcodes fetch any importable function (os.system,
builtins.eval) and REDUCE calls it, so unpickling a file runs whatever code it holds. Every
global goes through `find_class`, and every storage through `persistent_load`; overriding
both, as torch's `weights_only=True` does, keeps the file from reaching anything but the
few functions in ALLOWED_GLOBALS, and those only build tensors from the archive's bytes.
"""
from __future__ import annotations

import math
import pickle
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from .errors import CheckpointError
from .map_location import Storage

# torch's legacy storage classes name the dtype of the values a storage holds.
STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
    "ByteStorage": np.uint8, "BoolStorage": np.bool_, "UntypedStorage": np.uint8,
}
_NOT_IN_NUMPY = {"BFloat16Storage": "bfloat16", "ComplexFloatStorage": "complex64",
                 "ComplexDoubleStorage": "complex128"}
# Torch views share storage; here each tensor gets its own copy of its values (a learner's
# in-place update must not change another tensor). A view can hold more elements than its
# storage (stride 0: an expanded tensor); copying those is capped so a small crafted file
# cannot ask for terabytes.
MAX_EXPANDED_BYTES = 1 << 30


class StorageType:
    """What the global torch.FloatStorage (etc.) stands for here: the dtype of a storage."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype: np.dtype):
        self.name, self.dtype = name, np.dtype(dtype)

    def __setstate__(self, state: Any) -> None:
        raise pickle.UnpicklingError(f"the pickle sets attributes on torch.{self.name}")


class _Allowed:
    """A function the pickle may call. It refuses BUILD (pickle's way of setting attributes
    on an object), so a file cannot change these functions for later loads."""

    __slots__ = ("name", "function")

    def __init__(self, name: str, function: Callable[..., Any]):
        self.name, self.function = name, function

    def __call__(self, *args: Any) -> Any:
        return self.function(*args)

    def __setstate__(self, state: Any) -> None:
        raise pickle.UnpicklingError(f"the pickle sets attributes on {self.name}")


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any,
                    backward_hooks: Any, metadata: Any = None) -> Tensor:
    """torch._utils._rebuild_tensor_v2: the tensor of shape `size` and `stride` (in elements)
    starting at element `offset` of `storage`. requires_grad and hooks are not kept: a loaded
    tensor is plain data, as after torch.load(...).detach()."""
    if not isinstance(storage, Storage):
        raise pickle.UnpicklingError("a tensor is rebuilt from something other than a storage")
    if not (_is_index(offset) and isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)
            and len(size) <= 64 and all(map(_is_index, size + stride))):
        raise pickle.UnpicklingError(f"a tensor with offset {offset!r}, size {size!r}, stride {stride!r}")
    values = storage.array
    if math.prod(size) > 0:
        last = offset + sum((length - 1) * step for length, step in zip(size, stride))
        if last >= values.size:
            raise pickle.UnpicklingError(f"a tensor of size {size}, stride {stride} reaches element {last} "
                                         f"of a storage of {values.size}")
        if math.prod(size) * values.itemsize > max(values.nbytes, MAX_EXPANDED_BYTES):
            raise pickle.UnpicklingError(f"a tensor of size {size} expands its {values.nbytes}-byte storage "
                                         f"past {MAX_EXPANDED_BYTES} bytes")
    view = np.lib.stride_tricks.as_strided(
        values[offset:], shape=size, strides=[step * values.itemsize for step in stride], writeable=False
    )
    return Tensor.from_numpy(np.array(view, dtype=values.dtype.newbyteorder("="), order="C"))


def _rebuild_parameter(data: Any, requires_grad: Any, backward_hooks: Any, state: Any = None) -> Tensor:
    """torch._utils._rebuild_parameter(_with_state): a Parameter's tensor, as a plain Tensor."""
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("a Parameter is rebuilt from something other than a tensor")
    return data


def _size(dims: Any) -> tuple[int, ...]:
    """torch.Size(dims): a tuple of sizes."""
    if not (isinstance(dims, (tuple, list)) and all(map(_is_index, dims))):
        raise pickle.UnpicklingError(f"torch.Size of {dims!r}")
    return tuple(dims)


def _is_index(value: Any) -> bool:
    return type(value) is int and value >= 0


ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): _Allowed("collections.OrderedDict", OrderedDict),
    ("torch._utils", "_rebuild_tensor_v2"): _Allowed("torch._utils._rebuild_tensor_v2", _rebuild_tensor),
    ("torch._utils", "_rebuild_parameter"): _Allowed("torch._utils._rebuild_parameter", _rebuild_parameter),
    ("torch._utils", "_rebuild_parameter_with_state"):
        _Allowed("torch._utils._rebuild_parameter_with_state", _rebuild_parameter),
    ("torch", "Size"): _Allowed("torch.Size", _size),
    **{("torch", name): StorageType(name, dtype) for name, dtype in STORAGE_DTYPES.items()},
}


class TorchUnpickler(pickle.Unpickler):
    """Unpickles torch.save's data.pkl with only ALLOWED_GLOBALS; `load_storage(type, key,
    location, numel)` gives the Storage that a persistent id names."""

    def __init__(self, file: Any, source: str, load_storage: Callable[[StorageType, str, str, int], Storage]):
        super().__init__(file)
        self.source = source
        self.load_storage = load_storage

    def find_class(self, module: str, name: str) -> Any:
        allowed = ALLOWED_GLOBALS.get((module, name))
        if allowed is not None:
            return allowed
        if module == "torch" and name in _NOT_IN_NUMPY:
            raise CheckpointError(self.source, f"it holds {_NOT_IN_NUMPY[name]} tensors, which tinygrad_edu "
                                               f"cannot hold; convert them (.float()) before torch.save")
        raise CheckpointError(
            self.source, f"refuses global '{module}.{name}': a torch file may only hold tensors, "
                         f"dicts, lists, tuples, numbers, strings and None (as torch.load(weights_only=True))"
        )

    def persistent_load(self, pid: Any) -> Storage:
        # torch.save writes ("storage", storage type, key, location, element count).
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], StorageType) and isinstance(pid[2], str)
                and isinstance(pid[3], str) and _is_index(pid[4])):
            raise CheckpointError(self.source, f"its data.pkl names a storage it cannot hold: {str(pid)[:120]}")
        return self.load_storage(pid[1], pid[2], pid[3], pid[4])
