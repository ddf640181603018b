"""What `x.to(...)`, `x.type(...)` and `module.to(...)` ask for, and how a tensor changes dtype.

torch's `.to` takes its arguments in several shapes: `to(dtype)`, `to(device)`,
`to(device, dtype)`, `to(other_tensor)`, each also as keywords. `to_arguments` reads all of
them into one (device, dtype) pair; `cast` then makes the tensor of that dtype.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import backend
from .devices import cpu_device, device
from .dtypes import TENSOR_TYPE_NAMES, is_floating, to_dtype
from .ops.elementwise import Cast
from .tensor import Tensor


class _ToArguments(NamedTuple):
    device: device | None
    dtype: np.dtype | None


def to_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> _ToArguments:
    """(device, dtype) from any of torch's `.to(...)` forms; the device is checked to be the
    CPU (CPUOnlyError otherwise). `non_blocking` is accepted and means nothing on the CPU."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"to() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    wanted_device, wanted_dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, bool):  # non_blocking given by position
            continue
        if isinstance(arg, Tensor):
            wanted_device, wanted_dtype = device("cpu"), arg.dtype
        elif isinstance(arg, (str, device, int)):
            wanted_device = arg
        elif arg is not None:
            wanted_dtype = arg
    return _ToArguments(
        None if wanted_device is None else cpu_device(wanted_device),
        None if wanted_dtype is None else to_dtype(wanted_dtype),
    )


def cast(tensor: Tensor, dtype: Any, copy: bool = False) -> Tensor:
    """`tensor` as `dtype`: itself if it already is (unless `copy`). Between float dtypes the
    gradient flows back (Cast); to an integer or bool dtype it cannot, as in torch, so the
    result is a new tensor outside the graph."""
    dtype = to_dtype(dtype)
    if dtype == tensor.dtype and not copy:
        return tensor
    if is_floating(dtype) and is_floating(tensor.dtype):
        result = Cast.apply(tensor, dtype)
    else:
        result = Tensor._from_op(backend.cast(tensor.array, dtype), None)
    if copy and np.shares_memory(result.array, tensor.array):
        # Cast to the same dtype is a view; Cast's backward never reads its output, so the
        # output's array can be swapped for a copy without touching the gradient.
        result.array = backend.copy(result.array)
    return result


def tensor_type_name(tensor: Tensor) -> str:
    """torch's legacy type name for x.type(): "torch.FloatTensor", "torch.LongTensor", ..."""
    return TENSOR_TYPE_NAMES.get(tensor.dtype, f"tinygrad_edu.{tensor.dtype}")
