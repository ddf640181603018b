"""In-place ops with PyTorch's rules: `add_ sub_ mul_ div_ pow_ clamp_ clamp_min_ clamp_max_
addcmul_ addcdiv_ lerp_ square_ reciprocal_ floor_ ceil_ round_ relu_ sigmoid_ tanh_ exp_ log_
sqrt_ abs_ neg_ zero_ fill_ copy_ normal_ uniform_ bernoulli_ exponential_ masked_fill_
scatter_ scatter_add_ index_add_ index_put_`,
`x[idx] = v`, and `+= -= *= /=`.

Each computes the new values with the out-of-place op, then writes them into the tensor's own
memory (so views of it, and every name bound to it, see the change) and records the write
(versions.py): a backward that saved those numbers before the write refuses to run.

The rules, as in torch: an in-place op on a leaf that requires grad is an error outside
`no_grad` (an update must not be recorded); under `no_grad` it is how parameters are updated
by hand (`w -= lr * w.grad`). On a tensor computed inside a recorded graph (a non-leaf that
requires grad: `out += identity` in a residual block, `h.relu_()`, `h[:, 0] = v`), or with a
source that requires grad (`buf[0] = w * 2` into a plain buffer), the op is recorded and the
tensor takes its place in the graph, as torch rewrites its history (see `_rebase`). A write by
index is computed by differentiable ops (ops/index_put.py): the overwritten places get no
gradient, the written values get theirs. A write into a view of a graph tensor (`x[0][1] = v`,
`x[i] += v`, `x.t().mul_(2)`) rewrites the viewed tensor's history too (ops/views.py). The
result's dtype must be castable to the tensor's without changing kind (float values into an int
tensor are refused).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend, ops  # ops: the package; its modules are imported once Tensor exists
from ..grad_mode import is_grad_enabled, no_grad
from .. import torch_random
from ..random import get as generator_of, numpy_generator
from ..versions import mark_written


def _draw_dtype(dtype: np.dtype) -> np.dtype:
    """The float dtype random fills are drawn in: the tensor's own, float32 for float16 (and
    for integer tensors, whose fills are then cast)."""
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


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
        array = self._check_fits(values, name)
        np.copyto(self.array, array, casting="same_kind")
        if not getattr(self, "_untracked", False):  # writes through `.data` are not recorded, as torch's
            mark_written(self.array)
        return self

    def _records_write(self: Any, name: str, *sources: Any) -> bool:
        """Whether the write must be recorded: into a graph tensor (see _records_inplace), or
        of a source that requires grad (grad mode on), which makes the destination a graph
        tensor, as in torch (`buf[0] = w * 2` gives w a gradient through buf)."""
        if self._records_inplace(name):
            return True
        return any(getattr(source, "_requires_grad", False) for source in sources) and is_grad_enabled()

    def _check_fits(self: Any, values: Any, name: str) -> np.ndarray:
        """values' array, if it can be written into this tensor (it broadcasts to its shape,
        and casts to its dtype without changing kind); else the error torch gives."""
        array = values.array if hasattr(values, "array") else np.asarray(values)
        if array.ndim > self.array.ndim or np.broadcast_shapes(array.shape, self.array.shape) != self.array.shape:
            raise RuntimeError(
                f"{name}: the result of shape {tuple(array.shape)} does not fit the tensor of "
                f"shape {self.array.shape} that it would be written into"
            )
        if not np.can_cast(array.dtype, self.array.dtype, casting="same_kind"):
            raise RuntimeError(f"{name}: result type {array.dtype} can't be cast to the desired output type {self.array.dtype}")
        return array

    def _apply_inplace(self: Any, name: str, compute: Any, *sources: Any) -> Any:
        """compute(base) gives the new values from the tensor's current ones (base); `sources`
        are the other operands, which may bring the write into the graph."""
        if self._records_write(name, *sources):
            return self._rebase(name, compute)
        with no_grad():
            return self._write(compute(self), name)

    def _rebase(self: Any, name: str, compute: Any) -> Any:
        """An in-place op inside a recorded graph, as torch does it: the tensor's current
        version is kept as a node of its own (a copy of its values), the op is recorded on that
        version, and the tensor takes the op's place in the graph. Ops recorded before the write
        still reach the version they used (the engine finds it by creation order, see
        engine._version_used); one that saved the overwritten values refuses to run.
        A view of another graph tensor (x[0], x.t()) is written through: see _rebase_view."""
        view = self._view(name)
        if view is not None:
            return self._rebase_view(name, compute, view)
        before = self._keep_version()
        result = compute(before)
        self._write(result, name)
        self._ctx, self._order = result._ctx, result._order
        self._requires_grad = result._ctx is not None
        return self

    def _keep_version(self: Any) -> Any:
        """The tensor as it is now (a copy of its values, its place in the graph), kept in its
        history for the ops that used it before the write."""
        from ..tensor import Tensor

        before = Tensor._from_op(self.array.copy(), self._ctx)
        before._order = self._order
        history = getattr(self, "_history", None)
        if history is None:
            history = self._history = []
        history.append(before)
        return before

    def _view(self: Any, name: str) -> Any:
        """How this tensor views another of the graph (ops.views.View), or None if it owns its
        memory. A view made without a graph (buf[0] of a tensor that does not require grad)
        records no base to write through: refused."""
        try:
            view = ops.views.view_of(self)
        except RuntimeError as error:
            raise RuntimeError(f"{name}: {error}") from None
        if view is None and self._ctx is None and self.array.base is not None:
            raise RuntimeError(
                f"{name}: this tensor is a view of another (like buf[0] of a tensor that does "
                f"not require grad), and writing a value that requires grad into it would "
                f"change the other's values but not its graph (torch records it on both; not "
                f"supported here). Write into the tensor that owns the memory (buf[0, 1] = v "
                f"rather than buf[0][1] = v), or clone() the view first"
            )
        return view

    def _rebase_view(self: Any, name: str, compute: Any, view: Any) -> Any:
        """An in-place op on a view V = view(X) of a graph tensor X, as torch records it: X's
        history is rewritten (X' = X with V's region replaced by the op's result, see
        ops/views.py), and V becomes the view of X' (its memory, already written, stays)."""
        base = view.base
        if base._ctx is None:
            raise RuntimeError(
                f"{name}: a view of a leaf Variable that requires grad is being used in an "
                f"in-place operation. Update it under `with tg.no_grad():`, or write out of place"
            )

        def put_back(base_before: Any) -> Any:
            result = compute(view.view(base_before))
            self._check_fits(result, name)
            return view.put_back(base_before, result)

        base._rebase(name, put_back)
        self._keep_version()
        new_view = view.view(base)
        self._ctx, self._order, self._requires_grad = new_view._ctx, new_view._order, True
        return self

    def _filled(self: Any, base: Any, values: Any, mask: Any = None) -> Any:
        """`values` where `mask` (everywhere if None), else base: with a graph, the gradient
        reaches `values` there and `base` elsewhere."""
        condition = np.ones(self.array.shape, dtype=bool) if mask is None else mask
        return ops.elementwise.Where.apply(condition, values, base)

    def add_(self: Any, other: Any, *, alpha: Any = 1) -> Any:
        return self._apply_inplace("add_", lambda base: base + (other if alpha == 1 else other * alpha), other)

    def sub_(self: Any, other: Any, *, alpha: Any = 1) -> Any:
        return self._apply_inplace("sub_", lambda base: base - (other if alpha == 1 else other * alpha), other)

    def mul_(self: Any, other: Any) -> Any:
        return self._apply_inplace("mul_", lambda base: base * other, other)

    def div_(self: Any, other: Any, *, rounding_mode: str | None = None) -> Any:
        if rounding_mode is None:
            return self._apply_inplace("div_", lambda base: base / other, other)
        return self._apply_inplace("div_", lambda base: base.div(other, rounding_mode=rounding_mode), other)

    def pow_(self: Any, exponent: Any) -> Any:
        return self._apply_inplace("pow_", lambda base: base**exponent, exponent)

    def clamp_(self: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (torch's names)
        return self._apply_inplace("clamp_", lambda base: base.clamp(min, max), min, max)

    clip_ = clamp_

    def clamp_min_(self: Any, min: Any) -> Any:  # noqa: A002
        return self._apply_inplace("clamp_min_", lambda base: base.clamp(min, None), min)

    def clamp_max_(self: Any, max: Any) -> Any:  # noqa: A002
        return self._apply_inplace("clamp_max_", lambda base: base.clamp(None, max), max)

    def addcmul_(self: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return self._apply_inplace("addcmul_", lambda base: base.addcmul(tensor1, tensor2, value=value), tensor1, tensor2)

    def addcdiv_(self: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return self._apply_inplace("addcdiv_", lambda base: base.addcdiv(tensor1, tensor2, value=value), tensor1, tensor2)

    def lerp_(self: Any, end: Any, weight: Any) -> Any:
        return self._apply_inplace("lerp_", lambda base: base.lerp(end, weight), end, weight)

    def square_(self: Any) -> Any:
        return self._apply_inplace("square_", lambda base: base.square())

    def reciprocal_(self: Any) -> Any:
        return self._apply_inplace("reciprocal_", lambda base: base.reciprocal())

    def floor_(self: Any) -> Any:
        return self._apply_inplace("floor_", lambda base: base.floor())

    def ceil_(self: Any) -> Any:
        return self._apply_inplace("ceil_", lambda base: base.ceil())

    def round_(self: Any, *, decimals: int = 0) -> Any:
        return self._apply_inplace("round_", lambda base: base.round(decimals=decimals))

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
        return self._apply_inplace("fill_", lambda base: self._filled(base, value), value)

    def copy_(self: Any, src: Any) -> Any:
        return self._apply_inplace("copy_", lambda base: self._filled(base, src), src)

    def masked_fill_(self: Any, mask: Any, value: Any) -> Any:
        mask = backend.as_data(getattr(mask, "array", mask))
        if mask.dtype != np.bool_:
            raise TypeError(f"masked_fill_: mask must be a bool tensor; got dtype {mask.dtype}")
        return self._apply_inplace("masked_fill_", lambda base: self._filled(base, value, mask), value)

    def normal_(self: Any, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with normal draws, torch's numbers (torch_random.py)."""
        draw = torch_random.normal(generator_of(generator), self.array.size, _draw_dtype(self.array.dtype), mean, std)
        return self._apply_inplace("normal_", lambda base: self._filled(base, draw.reshape(self.array.shape).astype(self.array.dtype)))

    def uniform_(self: Any, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with draws uniform on [a, b), torch's numbers (torch_random.py)."""
        draw = torch_random.uniform(generator_of(generator).bit_generator, self.array.size, _draw_dtype(self.array.dtype), a, b)
        return self._apply_inplace("uniform_", lambda base: self._filled(base, draw.reshape(self.array.shape).astype(self.array.dtype)))

    def scatter_(self: Any, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Any:
        """self.scatter(...) written in place (the one-hot idiom `zeros.scatter_(1, labels, 1)`)."""
        source = value if src is None else src
        return self._apply_inplace("scatter_", lambda base: base.scatter(dim, index, src, value=value, reduce=reduce), source)

    def scatter_add_(self: Any, dim: int, index: Any, src: Any) -> Any:
        return self._apply_inplace("scatter_add_", lambda base: base.scatter_add(dim, index, src), src)

    def index_add_(self: Any, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Any:
        return self._apply_inplace("index_add_", lambda base: base.index_add(dim, index, source, alpha=alpha), source)

    def bernoulli_(self: Any, p: Any = 0.5, *, generator: Any = None) -> Any:
        """Fill with 1 at probability p (a number, or a tensor of probabilities broadcast to
        this shape), else 0."""
        probabilities = np.broadcast_to(getattr(p, "array", p), self.array.shape)
        if not np.all((probabilities >= 0) & (probabilities <= 1)):
            raise RuntimeError("bernoulli_: expects all probabilities p to be in [0, 1] (0 <= p <= 1)")
        draw = numpy_generator(generator).random(self.array.shape) < probabilities
        return self._apply_inplace("bernoulli_", lambda base: self._filled(base, draw.astype(self.array.dtype)))

    def exponential_(self: Any, lambd: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with draws from the exponential distribution of rate `lambd`."""
        if lambd <= 0:
            raise RuntimeError(f"exponential_ expects lambd > 0.0, but found lambd={lambd}")
        draw = torch_random.exponential(generator_of(generator).bit_generator, self.array.size, lambd, _draw_dtype(self.array.dtype))
        return self._apply_inplace("exponential_", lambda base: self._filled(base, draw.reshape(self.array.shape).astype(self.array.dtype)))

    def bernoulli(self: Any, p: float | None = None, *, generator: Any = None) -> Any:
        """tg.bernoulli(self): 1 with probability self (elementwise), else 0."""
        from ..random_tensors import bernoulli

        return bernoulli(self, p, generator=generator)

    def multinomial(self: Any, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Any:
        """tg.multinomial(self, ...): category indices drawn with probabilities ∝ self's rows."""
        from ..random_tensors import multinomial

        return multinomial(self, num_samples, replacement, generator=generator)

    def index_put_(self: Any, indices: tuple[Any, ...], values: Any, accumulate: bool = False) -> Any:
        """self[indices] = values (accumulate=True: +=, repeated places adding up); `indices`
        a tuple of index tensors, one per leading dim."""
        index = tuple(getattr(i, "array", i) for i in indices)
        if (self._requires_grad or getattr(values, "_requires_grad", False)) and self._records_write("index_put_", values):
            return self._rebase("index_put_", lambda base: ops.index_put.index_put(base, index, values, accumulate, "index_put_"))
        values = getattr(values, "array", values)
        with no_grad():
            updated = self.array.copy()
            if accumulate:
                np.add.at(updated, index, values)  # repeated indices add up, as torch's accumulate=True
            else:
                updated[index] = values
            return self._write(updated, "index_put_")

    def __setitem__(self: Any, index: Any, value: Any) -> None:
        """x[index] = value: a write into x's memory, selecting as x[index] reads (torch's
        indexing rules), with torch's in-place rules."""
        array = np.asarray(getattr(value, "array", value))
        if not np.can_cast(array.dtype, self.array.dtype, casting="same_kind"):
            raise RuntimeError(f"index put requires the source and destination dtypes match: got {array.dtype} for a {self.array.dtype} tensor")
        if (self._requires_grad or getattr(value, "_requires_grad", False)) and self._records_write("__setitem__", value):
            places = ops.index_put.numpy_index(index, self.array.shape)
            self._rebase("__setitem__", lambda base: ops.index_put.index_put(base, places, value, False, f"x[{index!r}] = value"))
            return
        value = array
        first, then = ops.movement.torch_index(index)
        try:
            if then is None:
                self.array[first] = value
            else:  # two-step selection: find the places it reads, and write there
                places = np.arange(self.array.size).reshape(self.array.shape)[first][then]
                self.array.flat[places] = np.broadcast_to(value, places.shape)
        except (ValueError, IndexError) as error:
            raise type(error)(f"x[{index!r}] = value: {error} (tensor of shape {self.array.shape})") from None
        if not getattr(self, "_untracked", False):
            mark_written(self.array)

    def __iadd__(self: Any, other: Any) -> Any:
        return self.add_(other)

    def __isub__(self: Any, other: Any) -> Any:
        return self.sub_(other)

    def __imul__(self: Any, other: Any) -> Any:
        return self.mul_(other)

    def __itruediv__(self: Any, other: Any) -> Any:
        return self.div_(other)
