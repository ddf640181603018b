"""The few functions backward formulas call besides operators, each taking an ndarray or a
Tensor: the first-order backward runs on arrays (plain numpy, no graph, full speed), and the
same formula run on Tensors (`create_graph=True`) records a graph, because here each call on a
Tensor is itself a differentiable op. (`xp` is the array API's usual name for "the array
namespace"; HIPS autograd writes its derivatives with its own differentiable numpy alike.)

Most of these are linear maps, and a linear map's backward is its adjoint (transpose):
sum ↔ broadcast, reshape ↔ reshape back, permute ↔ inverse permute, index ↔ add at the
index. Each is the other's backward, which is why gradients can be differentiated to any order.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor

Axes = tuple[int, ...]


def is_tensor(value: Any) -> bool:
    return isinstance(value, Tensor)


def values(x: Any) -> np.ndarray:
    """x's numbers, outside any graph: for conditions and masks, which are constants."""
    return x.array if isinstance(x, Tensor) else np.asarray(x)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001 (numpy's name)
    if isinstance(x, Tensor):
        return reduce.Sum.apply(x, axis, keepdims)
    if keepdims:
        return np.add.reduce(x, axis=axis, keepdims=True)
    return np.add.reduce(x, axis=axis)  # no keepdims argument: numpy parses one keyword fewer


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(x, Tensor):
        return movement.Expand.apply(x, tuple(shape))
    return np.broadcast_to(x, shape)


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum `grad` down to `shape`: over the leading axes broadcasting added, and over the
    axes where the input had size 1 (each input element fed several output elements)."""
    if tuple(grad.shape) == tuple(shape):
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(range(leading)) + tuple(
        leading + axis for axis, size in enumerate(shape) if size == 1 and grad.shape[leading + axis] != 1
    )
    return sum(grad, stretched, keepdims=True).reshape(tuple(shape))


def expand_dims(x: Any, axes: Axes) -> Any:
    """x with size-1 dims inserted at `axes` (positions in the result), as np.expand_dims."""
    shape = list(x.shape)
    for axis in sorted(a % (x.ndim + len(axes)) for a in axes):
        shape.insert(axis, 1)
    return x.reshape(tuple(shape))


def permute(x: Any, axes: Axes) -> Any:
    if isinstance(x, Tensor):
        return movement.Permute.apply(x, tuple(axes))
    return x.transpose(axes)


def swapaxes(x: Any, axis0: int, axis1: int) -> Any:
    axes = list(range(x.ndim))
    axes[axis0], axes[axis1] = axes[axis1], axes[axis0]
    return permute(x, tuple(axes))


def exp(x: Any) -> Any:
    return elementwise.Exp.apply(x) if isinstance(x, Tensor) else np.exp(x)


def log(x: Any) -> Any:
    return elementwise.Log.apply(x) if isinstance(x, Tensor) else np.log(x)


def where(condition: np.ndarray, x: Any, y: Any) -> Any:
    """x where `condition` (a constant boolean array), else y; x or y may be a number."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return elementwise.Where.apply(condition, x, y)
    return np.where(condition, x, y)


def cast(x: Any, dtype: Any) -> Any:
    return elementwise.Cast.apply(x, dtype) if isinstance(x, Tensor) else x.astype(dtype, copy=False)


def index(x: Any, index: Any) -> Any:
    return movement.Index.apply(x, index) if isinstance(x, Tensor) else x[index]


def index_add(values: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of `shape` with `values` added at `index` (repeated indices add up): the adjoint
    of x[index]."""
    if isinstance(values, Tensor):
        return movement.IndexAdd.apply(values, index, tuple(shape))
    return movement.index_add(values, index, shape)


def stack(values: list[Any], axis: int = 0) -> Any:
    if any(isinstance(value, Tensor) for value in values):
        return movement.Stack.apply(axis, *values)
    return np.stack(values, axis=axis)


def contiguous(x: Any) -> Any:
    """An array in C order (the graph needs no such thing: Tensors pass through)."""
    return x if isinstance(x, Tensor) else np.ascontiguousarray(x)


# Imported last: these modules import this one for their own backward formulas.
from . import elementwise, movement, reduce  # noqa: E402
