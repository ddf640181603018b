"""`Tensor`: an array that remembers how it was computed, and reverse-mode autodiff over
that record.

Every op result keeps a `Context` (`_ctx`): which `Function` made it and from which inputs.
`backward()` walks that graph from the output back to the leaves, calling each Function's
backward to turn dE/dY into dE/dX (the tutorial's chain, one op at a time) and summing the
gradients that meet at a tensor used more than once. No op's math lives here: each method
hands its work to one Function in `tinygrad_edu.ops`.
"""
from __future__ import annotations

import itertools
from typing import Any, Iterator

from . import backend
from .errors import ShapeError
from .size import Size
from .api.elementwise import ElementwiseMethods
from .api.hooks import HookMethods
from .api.inplace import InplaceMethods
from .api.reductions import ReductionMethods
from .api.shape import ShapeMethods

# Every tensor gets the next number when it is made. An op's inputs exist before its output,
# so creation order is a topological order of any graph: backward visits tensors from the
# newest down (as PyTorch's engine does with its sequence numbers).
_creation_order = itertools.count()

Scalar = int | float | bool


class Tensor(ElementwiseMethods, ReductionMethods, ShapeMethods, InplaceMethods, HookMethods):
    # `array` is the ndarray holding the values (what `.numpy()` returns, no copy); the engine,
    # ops and optimizers read and write it directly. `.data` is torch's: a Tensor (see below).
    # _hooks, _retains_grad, _history (earlier versions, see api/inplace.py) and _untracked
    # (a `.data` tensor, whose writes are not recorded) stay unset until used: a new tensor
    # pays nothing for them.
    __slots__ = ("array", "grad", "_requires_grad", "_ctx", "_order", "_hooks", "_retains_grad", "_history", "_untracked")

    def __init__(self, data: Any = (), *sizes: int, requires_grad: bool = False, dtype: Any = None):
        """Tensor(data): a copy of data (float data as the default float dtype, ints and bools
        kept). Tensor(*sizes), ints as torch.Tensor(2, 3) takes them: a tensor of that shape
        (torch leaves its values uninitialized; here they are zeros), of the default float
        dtype, which custom layers fill with nn.init afterwards."""
        if isinstance(data, Tensor):
            data = data.array
        elif type(data) is int or sizes:
            data = _zeros_of_sizes((data, *sizes), dtype)
        self.array = backend.as_data(data, None if dtype is None else dtypes.to_dtype(dtype))
        self._ctx = None
        self._requires_grad = False
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._order = next(_creation_order)

    @classmethod
    def from_numpy(cls, array: Any) -> Tensor:
        """A tensor over `array` itself, as torch.from_numpy: no copy, its dtype kept (float64
        stays float64), and a write to one shows in the other. For batches a loader has just
        cut (a fresh array), it saves the copy `Tensor(array)` makes."""
        return cls._from_op(backend.shared_array(array), None)

    @classmethod
    def _from_op(cls, data: Any, ctx: Any) -> Tensor:
        """An op's result: no copy, no checks (the op made the array). Hot path."""
        tensor = cls.__new__(cls)
        tensor.array = data
        tensor.grad = None
        tensor._ctx = ctx
        tensor._requires_grad = ctx is not None
        tensor._order = next(_creation_order)
        return tensor

    # ---- what a tensor is ---------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """torch's `.data`: a Tensor over the same memory (no copy), cut from the graph (a leaf
        that does not require grad), whose in-place writes are not recorded in the version
        counters (as torch's are not): `p.data.normal_(0, 0.02)`, `p.data.mul_(s)`. The raw
        ndarray is `.array` (or `.numpy()`)."""
        tensor = Tensor._from_op(self.array, None)
        tensor._untracked = True
        return tensor

    @data.setter
    def data(self, value: Any) -> None:
        """`t.data = other`: t's values become other's (no copy); shape and dtype may change,
        as torch's. `other` is a Tensor, or an ndarray (taken as it is)."""
        if isinstance(value, Tensor):
            value = value.array
        elif not isinstance(value, backend.ARRAY_TYPE):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and not backend.is_float(value):
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self.array = value

    @property
    def shape(self) -> Size:
        """torch.Size of the dimensions (a tuple; prints as torch.Size([2, 3]))."""
        return tuple.__new__(Size, self.array.shape)

    @property
    def dtype(self) -> Any:
        return self.array.dtype

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def size(self, dim: int | None = None) -> Size | int:
        """The shape (a torch.Size), or one dimension of it, as torch's `Tensor.size()`."""
        return tuple.__new__(Size, self.array.shape) if dim is None else self.array.shape[wrap_dim(dim, self.ndim, "size")]

    def numel(self) -> int:
        return self.array.size

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def numpy(self) -> Any:
        return self.array

    def item(self) -> Scalar:
        if self.array.size != 1:
            raise ShapeError(f"a Tensor with {self.array.size} elements cannot be converted to Scalar: item() needs one element; this one has shape {tuple(self.shape)}")
        return self.array.item()

    def __bool__(self) -> bool:
        if self.array.size != 1:
            count = "no values" if self.array.size == 0 else "more than one value"
            raise ShapeError(f"Boolean value of Tensor with {count} is ambiguous (shape {tuple(self.shape)}): reduce it with .any() or .all()")
        return bool(self.item())

    def __float__(self) -> float:
        """float(t), and "%.2f" % t, for a one-element tensor, as torch."""
        return float(self.item())

    def __int__(self) -> int:
        """int(t) for a one-element tensor (a float truncates toward zero), as torch."""
        return int(self.item())

    def __index__(self) -> int:
        """A one-element integer tensor used as an index (`names[t]`, `range(t)`), as torch."""
        if self.array.size != 1 or self.array.dtype.kind not in "biu":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __contains__(self, element: Any) -> bool:
        """`x in t`: whether any element of t equals x (a number or a tensor), as torch."""
        if not isinstance(element, (Tensor, int, float, bool)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")
        return bool((self == element).any())

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def __repr__(self) -> str:
        """torch's: `tensor([1., 2.], requires_grad=True)` (tensor_str.py); the grad_fn is
        named by its Function (`grad_fn=<Mul>`)."""
        if self._ctx is not None:
            extra = [f"grad_fn=<{self._ctx.function.__name__}>"]
        else:
            extra = ["requires_grad=True"] if self.requires_grad else []
        return tensor_str.tensor_repr(self.array, extra)

    def __format__(self, format_spec: str) -> str:
        """f"{loss:.4f}" formats a one-number (0-d) tensor as its Python number, as torch does;
        any other tensor formats as its repr (with a format spec, Python's TypeError)."""
        if self.array.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def detach(self) -> Tensor:
        """The same data, cut from the graph: no grad flows through the result."""
        return Tensor._from_op(self.array, None)

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        """copy.deepcopy of a leaf (a model's parameters, say): new memory and a new place in
        creation order, so that a copy and its original can meet in one graph (backward orders
        tensors by that number)."""
        if self._ctx is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment; use .detach() first"
            )
        copy = type(self).__new__(type(self))
        memo[id(self)] = copy
        copy.array = backend.copy(self.array)
        copy._ctx, copy._requires_grad, copy._order = None, self._requires_grad, next(_creation_order)
        copy.grad = None if self.grad is None else self.grad.__deepcopy__(memo)
        return copy

    def zero_grad(self) -> None:
        self.grad = None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        if requires_grad and not backend.is_float(self.array):
            raise TypeError(f"only floating-point tensors can require grad; got dtype {self.dtype}")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError(
                "requires_grad cannot be turned off on a tensor computed by an op (a non-leaf); "
                "use .detach() for a copy cut from the graph"
            )
        if requires_grad and getattr(self, "_untracked", False):
            del self._untracked  # a `.data` tensor made to require grad: its own writes count again
        self._requires_grad = bool(requires_grad)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        """numpy sees the numbers (np.asarray(tensor)); the graph stays behind."""
        return backend.as_numpy(self.array, dtype, copy)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy meets a Tensor as an operand (`p.array += -lr * p.grad`, say).

        `array += tensor` (any ufunc with `out=`) writes the numbers into the array, outside
        the graph and without a version bump, as torch's writes into `.data` are. `array * tensor`
        and the other operators give the Tensor `tensor.__rmul__(array)` gives, so the result
        stays in the graph instead of numpy looping over the tensor's elements. Any other ufunc
        (`np.exp(perplexity)`, say) gives a Tensor of numpy's result, as torch's do, outside
        the graph; on a tensor that requires grad it is torch's RuntimeError.
        """
        if method != "__call__":
            return NotImplemented
        arrays = [x.array if isinstance(x, Tensor) else x for x in inputs]
        if kwargs.get("out") is not None:
            return backend.apply_ufunc(ufunc, arrays, kwargs)
        name = backend.reflected_operator(ufunc)
        if name is not None and not kwargs and len(inputs) == 2 and inputs[1] is self:
            return getattr(self, name)(inputs[0])
        if any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        result = backend.apply_ufunc(ufunc, arrays, kwargs)
        if isinstance(result, tuple):
            return tuple(Tensor.from_numpy(backend.as_array(part)) for part in result)
        return Tensor.from_numpy(backend.as_array(result))

    # ---- reverse-mode autodiff (the walk itself is in engine.py) --------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False, inputs: Any = None) -> None:
        """Fill `.grad` of every leaf this tensor depends on with dE/dleaf, E being this
        tensor (a scalar) or, for a non-scalar, the dot product with `gradient` (dE/dself).

        Gradients add into `.grad` until it is zeroed. The graph is freed afterwards unless
        `retain_graph=True` (which defaults to `create_graph`). With `create_graph=True` the
        gradients are Tensors with a graph of their own, so they can be differentiated again.
        `inputs` (a Tensor or a sequence) limits which tensors' `.grad` receive gradients.
        """
        if gradient is None and not create_graph and inputs is None and self._requires_grad and self.array.size == 1 and not observers.watching():
            # The training loop's call (loss.backward()): straight to the engine's plain walk.
            engine.training_walk({id(self): backend.ones_like(self.array)}, [(-self._order, self)], bool(retain_graph))
            return
        gradients.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _accumulate(self, grad: Any, taken: set[int]) -> None:
        """Add dE/dself into .grad. A fresh array that nothing else holds becomes .grad as
        it is; a view, or an array handed to two inputs (Add's backward does), is copied, since
        the next backward adds into .grad in place. A Tensor gradient (create_graph=True)
        is added out of place, keeping its graph, as in PyTorch."""
        if isinstance(grad, Tensor):
            self.grad = grad if self.grad is None else self.grad + grad
        else:
            self._accumulate_array(grad, taken)

    def _accumulate_array(self, grad: Any, taken: set[int]) -> None:
        """`_accumulate` of a first-order gradient (an array): the training loop's case."""
        current = self.grad
        if current is None:
            if backend.owns_writable(grad) and id(grad) not in taken:
                taken.add(id(grad))
                self.grad = Tensor._from_op(grad, None)
            else:
                self.grad = Tensor._from_op(backend.copy(grad), None)
        elif current._requires_grad:  # a gradient with a graph is never written in place
            self.grad = Tensor._from_op(current.array + grad, None)
        else:
            current.array += grad

    # ---- operators: torch's type promotion (ops/promotion.py) ------------------------------
    def _operand(self, other: Any) -> Any:
        """`other` as an operand of matmul: Tensors and Python numbers as they are; an array
        takes a float tensor's dtype (a float64 array is not rounded to float32 next to a
        float64 tensor)."""
        if isinstance(other, (Tensor, int, float, bool)):
            return other
        return Tensor(other, dtype=self.dtype if backend.is_float(self.array) else None)

    def _operands(self, other: Any, subtraction: bool = False) -> tuple[Any, Any]:
        """(self, other) as an op's inputs, cast to torch's result dtype. Two tensors of one
        dtype, or a float tensor and a Python number (numpy keeps float32 + 1.5 float32, as
        torch), need no cast: the training loop's case goes straight through."""
        if isinstance(other, Tensor):
            if other.array.dtype == self.array.dtype:
                return self, other
        elif (type(other) is float or type(other) is int) and self.array.dtype.kind == "f":
            return self, other
        return promotion.promote(self, other, subtraction=subtraction)

    def __add__(self, other: Any) -> Tensor:
        return elementwise.Add.apply(*self._operands(other))

    def __radd__(self, other: Any) -> Tensor:
        x, other = self._operands(other)
        return elementwise.Add.apply(other, x)

    def __sub__(self, other: Any) -> Tensor:
        return elementwise.Sub.apply(*self._operands(other, True))

    def __rsub__(self, other: Any) -> Tensor:
        x, other = self._operands(other, True)
        return elementwise.Sub.apply(other, x)

    def __mul__(self, other: Any) -> Tensor:
        return elementwise.Mul.apply(*self._operands(other))

    def __rmul__(self, other: Any) -> Tensor:
        x, other = self._operands(other)
        return elementwise.Mul.apply(other, x)

    def __truediv__(self, other: Any) -> Tensor:
        if self.array.dtype.kind == "f":
            return elementwise.Div.apply(*self._operands(other))
        return elementwise.Div.apply(*promotion.promote(self, other, floating=True))  # int / int is float

    def __rtruediv__(self, other: Any) -> Tensor:
        if self.array.dtype.kind == "f":
            x, other = self._operands(other)
        else:
            x, other = promotion.promote(self, other, floating=True)
        return elementwise.Div.apply(other, x)

    def __pow__(self, exponent: Any) -> Tensor:
        return elementwise.Pow.apply(*self._operands(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        x, base = self._operands(base)
        return elementwise.Pow.apply(base, x)

    def __matmul__(self, other: Any) -> Tensor:
        return matmul.MatMul.apply(self, self._operand(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return matmul.MatMul.apply(self._operand(other), self)

    def __neg__(self) -> Tensor:
        return elementwise.Neg.apply(self)

    def _compare(self, other: Any, name: str) -> Tensor:
        if other is None:
            return NotImplemented  # x == None is False, as in torch (Python compares identities)
        x, other = self._operands(other)
        return Tensor._from_op(elementwise.compare(name, x.array, getattr(other, "array", other)), None)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, "lt")

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, "le")

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, "gt")

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, "ge")

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, "eq")

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, "ne")

    __hash__ = object.__hash__

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    # ---- elementwise math (exp, sin, clamp, & ...) are ElementwiseMethods: api/elementwise.py

    # ---- dtype and device (the CPU is the only device: see devices.py) -------------------
    @property
    def device(self) -> Any:
        return devices.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`: this tensor itself when
        nothing changes (as torch), else a converted copy (see conversion.cast)."""
        wanted = conversion.to_arguments(args, kwargs)
        copy = bool(kwargs.get("copy", False))
        return conversion.cast(self, self.dtype if wanted.dtype is None else wanted.dtype, copy)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Always a CPUOnlyError: tinygrad_edu has no GPU to move to."""
        devices.cpu_device("cuda" if device is None else device)
        return self  # reached only for device="cpu"

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """With no argument, torch's type name ("torch.FloatTensor"); with a dtype (or such a
        name), this tensor as that dtype."""
        if dtype is None:
            return conversion.tensor_type_name(self)
        return conversion.cast(self, dtype)

    def float(self) -> Tensor:
        return conversion.cast(self, dtypes.float32)

    def double(self) -> Tensor:
        return conversion.cast(self, dtypes.float64)

    def half(self) -> Tensor:
        return conversion.cast(self, dtypes.float16)

    def long(self) -> Tensor:
        return conversion.cast(self, dtypes.int64)

    def int(self) -> Tensor:
        return conversion.cast(self, dtypes.int32)

    def short(self) -> Tensor:
        return conversion.cast(self, dtypes.int16)

    def byte(self) -> Tensor:
        return conversion.cast(self, dtypes.uint8)

    def bool(self) -> Tensor:
        return conversion.cast(self, dtypes.bool_)

    # ---- reductions (sum mean max ... are ReductionMethods: api/reductions.py) ----------
    def log_softmax(self, dim: int = -1, dtype: Any = None) -> Tensor:
        return softmax.LogSoftmax.apply(self if dtype is None else self.to(dtype), dim)

    def softmax(self, dim: int = -1, dtype: Any = None) -> Tensor:
        return softmax.Softmax.apply(self if dtype is None else self.to(dtype), dim)

    # ---- movement -----------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return movement.Reshape.apply(self, shape)

    def view(self, *shape: Any) -> Tensor:
        """As reshape (numpy arrays can always be viewed; torch's contiguity rule is not kept)."""
        return self.reshape(*shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims start_dim..end_dim into one, as torch.flatten."""
        return movement.Reshape.apply(self, movement.flattened_shape(self.shape, start_dim, end_dim))

    def permute(self, *dims: Any) -> Tensor:
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return movement.Permute.apply(self, dims)

    def transpose(self, dim0: int = -2, dim1: int = -1) -> Tensor:
        """Swap two dims, as torch.transpose (not numpy's full-permutation transpose)."""
        return movement.Permute.apply(self, movement.swapped_dims(self.ndim, dim0, dim1))

    @property
    def T(self) -> Tensor:
        """All dims reversed (for a matrix, its transpose)."""
        return movement.Permute.apply(self, tuple(reversed(range(self.ndim))))

    def __getitem__(self, index: Any) -> Tensor:
        """Indexing as torch: basic (ints, slices with a positive step, None, ...) and advanced
        (integer or boolean Tensors, arrays, lists), an integer among advanced indices applied
        first (see movement.torch_index)."""
        first, then = movement.torch_index(index)
        selected = movement.Index.apply(self, first)
        return selected if then is None else movement.Index.apply(selected, then)


def _zeros_of_sizes(sizes: tuple[Any, ...], dtype: Any) -> Any:
    if not all(type(size) is int and size >= 0 for size in sizes):
        raise TypeError(f"Tensor(*sizes): sizes must be non-negative ints; got {sizes}")
    return backend.zeros(sizes, backend.DEFAULT_FLOAT if dtype is None else dtypes.to_dtype(dtype))


# Imported last: the ops import `Function`, which imports `Tensor` from this module.
# Every op module, not only those used here: the api/ mixins reach them as ops.<module>.
from .ops import *  # noqa: E402,F401,F403
from .ops import elementwise, matmul, movement, promotion, reduce, softmax  # noqa: E402
from . import conversion, devices, dtypes, tensor_str  # noqa: E402
from . import engine, observers  # noqa: E402
from .autograd import gradients  # noqa: E402
from .ops.dims import wrap_dim  # noqa: E402
