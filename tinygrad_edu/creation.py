"""Making tensors, as torch makes them: `tg.tensor`, `tg.zeros`, `tg.arange`, `tg.eye`, ...

Every function takes torch's keywords: `dtype=` (None means torch's default for that
function), `device=` (the CPU only: see devices.py) and `requires_grad=`. Sizes come as
varargs or as one tuple or list: `tg.zeros(2, 3)` and `tg.zeros((2, 3))` are the same.
The random ones are in random_tensors.py.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import backend
from .devices import cpu_device
from .dtypes import bool_, int64, to_dtype
from .ops.movement import Expand, Reshape
from .tensor import Tensor

Number = int | float | bool


# ---- the arguments every creation function shares ------------------------------------------
def size_from_args(size: Sequence[Any], name: str, size_keyword: Any = None) -> tuple[int, ...]:
    """(2, 3) from `f(2, 3)`, `f((2, 3))`, `f([2, 3])`, `f(x.shape)` or `f(size=(2, 3))`."""
    if size_keyword is not None:
        if size:
            raise TypeError(f"{name}(): size given both by position and as size=")
        size = (size_keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in size):
        raise TypeError(f"{name}(): size must be ints, given as varargs or one tuple; got {tuple(size)!r}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"{name}(): negative dimension in size {tuple(size)}")
    return tuple(int(n) for n in size)


def wrap(array: np.ndarray, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new leaf Tensor over `array` (no copy): the last step of every creation function."""
    cpu_device(device)
    tensor = Tensor._from_op(array, None)
    if requires_grad:
        tensor.requires_grad = True  # refuses non-float dtypes, with the reason
    return tensor


def dtype_or(dtype: Any, default: Any) -> np.dtype:
    return to_dtype(default if dtype is None else dtype)


def _dtype_of_number(value: Any) -> np.dtype:
    """What torch makes of a Python number: bool → bool, int → int64, float → default float."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return backend.DEFAULT_FLOAT


# ---- from data -------------------------------------------------------------------------------
def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data`, as torch.tensor.

    Without `dtype`, Python data is inferred as torch infers it (floats → the default float
    dtype, ints → int64, bools → bool), while a numpy array or a Tensor keeps its dtype.
    A Tensor's graph is not copied: the result is a new leaf.
    """
    data = _arrays_for_tensors(data)
    if dtype is not None:
        dtype = to_dtype(dtype)
    elif isinstance(data, (np.ndarray, np.generic)):
        dtype = data.dtype
    array = backend.as_data(data, dtype)  # a checked copy: ragged or non-numeric data refused
    if dtype is None and array.dtype.kind in "iu":
        array = backend.cast(array, int64)  # Python ints are int64 on every platform, as in torch
    return wrap(array, device, requires_grad)


def _arrays_for_tensors(data: Any) -> Any:
    """`data` with every Tensor in it replaced by its array: `tensor([x.sum(), y.sum()])`
    works as in torch (numpy cannot read a list of 0-d Tensors by itself)."""
    if isinstance(data, Tensor):
        return data.array
    if isinstance(data, (list, tuple)):
        return [_arrays_for_tensors(item) for item in data]
    return data


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """`data` as a tensor, sharing memory where it can (as torch.as_tensor): a Tensor of the
    asked dtype is returned as it is, a numpy array of it is wrapped without a copy."""
    cpu_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or to_dtype(dtype) == data.dtype):
        return Tensor.from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor over `array` itself (no copy, dtype kept), as torch.from_numpy."""
    return Tensor.from_numpy(array)


# ---- filled with one value -------------------------------------------------------------------
def zeros(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return wrap(np.zeros(size_from_args(sizes, "zeros", size), dtype_or(dtype, backend.DEFAULT_FLOAT)), device, requires_grad)


def ones(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return wrap(np.ones(size_from_args(sizes, "ones", size), dtype_or(dtype, backend.DEFAULT_FLOAT)), device, requires_grad)


def empty(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised memory, as torch.empty: write into it before reading it."""
    return wrap(np.empty(size_from_args(sizes, "empty", size), dtype_or(dtype, backend.DEFAULT_FLOAT)), device, requires_grad)


def full(size: Any, fill_value: Number, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """`size` filled with `fill_value`; without `dtype`, the value's (bool, int64 or float)."""
    fill_value = as_number(fill_value)
    dtype = dtype_or(dtype, _dtype_of_number(fill_value))
    return wrap(np.full(size_from_args((size,), "full"), fill_value, dtype), device, requires_grad)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(input.shape, dtype=dtype_or(dtype, input.dtype), device=device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(input.shape, dtype=dtype_or(dtype, input.dtype), device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return empty(input.shape, dtype=dtype_or(dtype, input.dtype), device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Number, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype_or(dtype, input.dtype), device=device, requires_grad=requires_grad)


# ---- ranges and grids ------------------------------------------------------------------------
def as_number(value: Any) -> Number:
    """A Python number from a number or a one-element tensor (torch accepts both)."""
    return value.item() if isinstance(value, (Tensor, np.ndarray, np.generic)) else value


def arange(start: Number, end: Number | None = None, step: Number = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to (not including) end; `arange(n)` is 0..n-1.

    Without `dtype`: int64 when every argument is an int, else the default float dtype.
    """
    if end is None:
        start, end = 0, start
    start, end, step = as_number(start), as_number(end), as_number(step)
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign (start={start}, end={end}, step={step})")
    all_ints = all(isinstance(value, (int, np.integer)) for value in (start, end, step))
    dtype = dtype_or(dtype, int64 if all_ints else backend.DEFAULT_FLOAT)
    # Floats are stepped in float64 and rounded once at the end, as torch computes them.
    values = np.arange(start, end, step, dtype=np.int64 if all_ints else np.float64)
    return wrap(backend.cast(values, dtype), device, requires_grad)


def linspace(start: Number, end: Number, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative; got {steps}")
    values = np.linspace(as_number(start), as_number(end), steps, dtype=np.float64)
    return wrap(backend.cast(values, dtype_or(dtype, backend.DEFAULT_FLOAT)), device, requires_grad)


def logspace(start: Number, end: Number, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    if steps < 0:
        raise RuntimeError(f"logspace: number of steps must be non-negative; got {steps}")
    values = np.logspace(as_number(start), as_number(end), steps, base=base, dtype=np.float64)
    return wrap(backend.cast(values, dtype_or(dtype, backend.DEFAULT_FLOAT)), device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """An n×m matrix (n×n without m) with ones on the diagonal."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be non-negative; got n={n}, m={m}")
    return wrap(np.eye(n, m, dtype=dtype_or(dtype, backend.DEFAULT_FLOAT)), device, requires_grad)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row×col matrix, row by row;
    `offset` moves the diagonal up (> 0) or down (< 0)."""
    rows, cols = np.tril_indices(row, offset, col)
    return wrap(backend.cast(np.stack([rows, cols]), dtype_or(dtype, int64)), device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """As tril_indices, for the upper triangle."""
    rows, cols = np.triu_indices(row, offset, col)
    return wrap(backend.cast(np.stack([rows, cols]), dtype_or(dtype, int64)), device)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors, as torch.meshgrid: with indexing="ij" output k varies
    along dim k; "xy" swaps the first two dims (numpy's and matplotlib's convention).
    Gradients flow back to the inputs (each grid is a broadcast view of its input)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f'meshgrid: indexing must be "ij" or "xy"; got {indexing!r}')
    if any(not isinstance(t, Tensor) or t.ndim > 1 for t in tensors):
        raise RuntimeError("meshgrid: expects 0-D or 1-D tensors")
    sizes = [t.numel() for t in tensors]
    # "xy" is "ij" with the first two inputs' dims swapped in the output.
    dims = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        dims[0], dims[1] = 1, 0
    shape = tuple(sizes[d] for d in dims)
    grids = []
    for k, t in enumerate(tensors):
        position = dims.index(k)
        own_shape = tuple(sizes[k] if i == position else 1 for i in range(len(tensors)))
        grids.append(Expand.apply(Reshape.apply(t, own_shape), shape))
    return tuple(grids)
