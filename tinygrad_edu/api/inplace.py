"""In-place ops with PyTorch's rules: `add_ sub_ mul_ div_ pow_ clamp_ relu_ sigmoid_ tanh_
exp_ log_ sqrt_ abs_ neg_ zero_ fill_ copy_ normal_ uniform_ masked_fill_ index_put_`,
`x[idx] = v`, and `+= -= *= /=`.

Each computes the new values with the out-of-place op, then writes them into the tensor's own
memory (so views of it, and every name bound to it, see the change) and records the write
(versions.py): a backward that saved those numbers before the write refuses to run.

The rules, as in torch: an in-place op on a leaf that requires grad is an error outside
`no_grad` (an update must not be recorded); under `no_grad` it is how parameters are updated
by hand (`w -= lr * w.grad`). On a tensor computed inside a recorded graph (a non-leaf that
requires grad: `out += identity` in a residual block, `h.relu_()`), the op is recorded and the
tensor takes its place in the graph, as torch rewrites its history (see `_rebase`). The
result's dtype must be castable to the tensor's without changing kind (float values into an
int tensor are refused). Not yet: a write by index (`x[i] = v`, `index_put_`) into a tensor of
a recorded graph is a clear error.
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

    def _records_inplace(self: Any, name: str) -> bool:
        """Whether the write must be recorded in the graph (a non-leaf that requires grad, grad
        mode on); a leaf that requires grad is refused there, as in torch."""
        if not (self.requires_grad and is_grad_enabled()):
            return False
        if self._ctx is None:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place "
                f"operation. Update it under `with tg.no_grad():`, or write out of place"
            )
        return True

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
        """compute(base) gives the new values from the tensor's current ones (base)."""
        if self._records_inplace(name):
            return self._rebase(name, compute)
        with no_grad():
            return self._write(compute(self), name)

    def _rebase(self: Any, name: str, compute: Any) -> Any:
        """An in-place op inside a recorded graph, as torch does it: the tensor's current
        version is kept as a node of its own (a copy of its values), the op is recorded on that
        version, and the tensor takes the op's place in the graph. Ops recorded before the write
        still reach the version they used (the engine finds it by creation order, see
        engine._version_used); one that saved the overwritten values refuses to run."""
        from ..tensor import Tensor

        before = Tensor._from_op(self.data.copy(), self._ctx)
        before._order = self._order
        history = getattr(self, "_history", None)
        if history is None:
            history = self._history = []
        history.append(before)
        result = compute(before)
        self._write(result, name)
        self._ctx, self._order = result._ctx, result._order
        self._requires_grad = result._ctx is not None
        return self

    def _filled(self: Any, base: Any, values: Any, mask: Any = None) -> Any:
        """`values` where `mask` (everywhere if None), else base: with a graph, the gradient
        reaches `values` there and `base` elsewhere."""
        condition = np.ones(self.data.shape, dtype=bool) if mask is None else mask
        return ops.elementwise.Where.apply(condition, values, base)

    def add_(self: Any, other: Any, *, alpha: Any = 1) -> Any:
        return self._apply_inplace("add_", lambda base: base + (other if alpha == 1 else other * alpha))

    def sub_(self: Any, other: Any, *, alpha: Any = 1) -> Any:
        return self._apply_inplace("sub_", lambda base: base - (other if alpha == 1 else other * alpha))

    def mul_(self: Any, other: Any) -> Any:
        return self._apply_inplace("mul_", lambda base: base * other)

    def div_(self: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
        if rounding_mode is None:
            return self._apply_inplace("div_", lambda base: base / other)
        return self._apply_inplace("div_", lambda base: base.div(other, rounding_mode=rounding_mode))

    def pow_(self: Any, exponent: Any) -> Any:
        return self._apply_inplace("pow_", lambda base: base**exponent)

    def clamp_(self: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (torch's names)
        return self._apply_inplace("clamp_", lambda base: base.clamp(min, max))

    clip_ = clamp_

    def relu_(self: Any) -> Any:
        return self._apply_inplace("relu_", lambda base: base.relu())

    def sigmoid_(self: Any) -> Any:
        return self._apply_inplace("sigmoid_", lambda base: base.sigmoid())

    def tanh_(self: Any) -> Any:
        return self._apply_inplace("tanh_", lambda base: base.tanh())

    def exp_(self: Any) -> Any:
        return self._apply_inplace("exp_", lambda base: base.exp())

    def log_(self: Any) -> Any:
        return self._apply_inplace("log_", lambda base: base.log())

    def sqrt_(self: Any) -> Any:
        return self._apply_inplace("sqrt_", lambda base: base.sqrt())

    def abs_(self: Any) -> Any:
        return self._apply_inplace("abs_", lambda base: base.abs())

    def neg_(self: Any) -> Any:
        return self._apply_inplace("neg_", lambda base: -base)

    def zero_(self: Any) -> Any:
        return self._apply_inplace("zero_", lambda base: self._filled(base, 0))

    def fill_(self: Any, value: Any) -> Any:
        return self._apply_inplace("fill_", lambda base: self._filled(base, value))

    def copy_(self: Any, src: Any) -> Any:
        return self._apply_inplace("copy_", lambda base: self._filled(base, src))

    def masked_fill_(self: Any, mask: Any, value: Any) -> Any:
        mask = backend.as_data(getattr(mask, "data", mask))
        if mask.dtype != np.bool_:
            raise TypeError(f"masked_fill_: mask must be a bool tensor; got dtype {mask.dtype}")
        return self._apply_inplace("masked_fill_", lambda base: self._filled(base, value, mask))

    def normal_(self: Any, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        draw = numpy_generator(generator).normal(mean, std, self.data.shape)
        return self._apply_inplace("normal_", lambda base: self._filled(base, draw.astype(self.data.dtype)))

    def uniform_(self: Any, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        draw = numpy_generator(generator).uniform(a, b, self.data.shape)
        return self._apply_inplace("uniform_", lambda base: self._filled(base, draw.astype(self.data.dtype)))

    def index_put_(self: Any, indices: tuple[Any, ...], values: Any, accumulate: bool = False) -> Any:
        self._refuse_recorded_index_write("index_put_")
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
        self._refuse_recorded_index_write("__setitem__")
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

    def _refuse_recorded_index_write(self: Any, name: str) -> None:
        if self._records_inplace(name):
            raise RuntimeError(
                f"{name}: writing by index into a tensor that is part of a recorded graph is not "
                f"supported yet (torch records it); build the result out of place (torch.where, "
                f"index_add, scatter)"
            )

    def __iadd__(self: Any, other: Any) -> Any:
        return self.add_(other)

    def __isub__(self: Any, other: Any) -> Any:
        return self.sub_(other)

    def __imul__(self: Any, other: Any) -> Any:
        return self.mul_(other)

    def __itruediv__(self: Any, other: Any) -> Any:
        return self.div_(other)
