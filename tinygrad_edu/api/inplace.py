"""In-place ops with PyTorch's rules: `add_ sub_ mul_ div_ pow_ clamp_ zero_ fill_ copy_
normal_ uniform_ masked_fill_ index_put_`, `x[idx] = v`, and `+= -= *= /=`.

Each computes the new values with the out-of-place op, then writes them into the tensor's own
memory (so views of it, and every name bound to it, see the change) and records the write
(versions.py): a backward that saved those numbers before the write refuses to run.

The rules, as in torch: an in-place op on a leaf that requires grad is an error outside
`no_grad` (an update must not be recorded); under `no_grad` it is how parameters are updated
by hand (`w -= lr * w.grad`). The result's dtype must be castable to the tensor's without
changing kind (float values into an int tensor are refused). One difference from torch: an
in-place op on a tensor computed by an op that records its graph (a non-leaf requiring grad)
is refused with a clear error here, where torch rewrites that tensor's history; write it out
of place (`x = x + y`) instead.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend, ops  # ops: the package; its modules are imported once Tensor exists
from ..grad_mode import is_grad_enabled, no_grad
from ..random import numpy_generator
from ..versions import mark_written


class InplaceMethods:
    """Tensor's in-place methods; `Tensor` inherits them."""

    __slots__ = ()

    def _check_inplace(self: Any, name: str) -> None:
        if not (self.requires_grad and is_grad_enabled()):
            return
        if self._ctx is None:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place "
                f"operation. Update it under `with tg.no_grad():`, or write out of place"
            )
        raise RuntimeError(
            f"{name}: in-place operations on a tensor that is part of a recorded graph are not "
            f"supported (PyTorch would rewrite its history); write it out of place, x = x {name} y"
        )

    def _write(self: Any, values: Any, name: str) -> Any:
        """Write `values` (an array, a Tensor or a number, broadcast to this tensor's shape)
        into this tensor's memory, and record the write."""
        array = values.data if hasattr(values, "data") and not isinstance(values, np.ndarray) else np.asarray(values)
        if array.ndim > self.data.ndim or np.broadcast_shapes(array.shape, self.data.shape) != self.data.shape:
            raise RuntimeError(
                f"{name}: the result of shape {tuple(array.shape)} does not fit the tensor of "
                f"shape {self.data.shape} that it would be written into"
            )
        if not np.can_cast(array.dtype, self.data.dtype, casting="same_kind"):
            raise RuntimeError(f"{name}: result type {array.dtype} can't be cast to the desired output type {self.data.dtype}")
        np.copyto(self.data, array, casting="same_kind")
        mark_written(self.data)
        return self

    def _apply_inplace(self: Any, name: str, compute: Any) -> Any:
        self._check_inplace(name)
        with no_grad():
            return self._write(compute(), name)

    def add_(self: Any, other: Any, *, alpha: Any = 1) -> Any:
        return self._apply_inplace("add_", lambda: self + (other if alpha == 1 else other * alpha))

    def sub_(self: Any, other: Any, *, alpha: Any = 1) -> Any:
        return self._apply_inplace("sub_", lambda: self - (other if alpha == 1 else other * alpha))

    def mul_(self: Any, other: Any) -> Any:
        return self._apply_inplace("mul_", lambda: self * other)

    def div_(self: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
        if rounding_mode is None:
            return self._apply_inplace("div_", lambda: self / other)
        return self._apply_inplace("div_", lambda: self.div(other, rounding_mode=rounding_mode))

    def pow_(self: Any, exponent: Any) -> Any:
        return self._apply_inplace("pow_", lambda: self**exponent)

    def clamp_(self: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (torch's names)
        return self._apply_inplace("clamp_", lambda: self.clamp(min, max))

    clip_ = clamp_

    def zero_(self: Any) -> Any:
        return self._apply_inplace("zero_", lambda: 0)

    def fill_(self: Any, value: Any) -> Any:
        return self._apply_inplace("fill_", lambda: value)

    def copy_(self: Any, src: Any) -> Any:
        return self._apply_inplace("copy_", lambda: src)

    def masked_fill_(self: Any, mask: Any, value: Any) -> Any:
        mask = backend.as_data(getattr(mask, "data", mask))
        if mask.dtype != np.bool_:
            raise TypeError(f"masked_fill_: mask must be a bool tensor; got dtype {mask.dtype}")
        return self._apply_inplace("masked_fill_", lambda: np.where(mask, getattr(value, "data", value), self.data))

    def normal_(self: Any, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        return self._apply_inplace("normal_", lambda: numpy_generator(generator).normal(mean, std, self.data.shape))

    def uniform_(self: Any, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        return self._apply_inplace("uniform_", lambda: numpy_generator(generator).uniform(a, b, self.data.shape))

    def index_put_(self: Any, indices: tuple[Any, ...], values: Any, accumulate: bool = False) -> Any:
        self._check_inplace("index_put_")
        index = tuple(getattr(i, "data", i) for i in indices)
        values = getattr(values, "data", values)
        with no_grad():
            updated = self.data.copy()
            if accumulate:
                np.add.at(updated, index, values)  # repeated indices add up, as torch's accumulate=True
            else:
                updated[index] = values
            return self._write(updated, "index_put_")

    def __setitem__(self: Any, index: Any, value: Any) -> None:
        """x[index] = value: a write into x's memory, selecting as x[index] reads (torch's
        indexing rules), with torch's in-place rules."""
        self._check_inplace("__setitem__")
        value = np.asarray(getattr(value, "data", value))
        if not np.can_cast(value.dtype, self.data.dtype, casting="same_kind"):
            raise RuntimeError(f"index put requires the source and destination dtypes match: got {value.dtype} for a {self.data.dtype} tensor")
        first, then = ops.movement.torch_index(index)
        try:
            if then is None:
                self.data[first] = value
            else:  # two-step selection: find the places it reads, and write there
                places = np.arange(self.data.size).reshape(self.data.shape)[first][then]
                self.data.flat[places] = np.broadcast_to(value, places.shape)
        except (ValueError, IndexError) as error:
            raise type(error)(f"x[{index!r}] = value: {error} (tensor of shape {self.data.shape})") from None
        mark_written(self.data)

    def __iadd__(self: Any, other: Any) -> Any:
        return self.add_(other)

    def __isub__(self: Any, other: Any) -> Any:
        return self.sub_(other)

    def __imul__(self: Any, other: Any) -> Any:
        return self.mul_(other)

    def __itruediv__(self: Any, other: Any) -> Any:
        return self.div_(other)
