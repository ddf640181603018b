"""What a tensor is, and new tensors like it: dim ndimension nelement element_size
is_floating_point tolist detach_ new_tensor new_zeros new_ones new_full new_empty (the
`Tensor` methods, InfoMethods), and tg.numel, tg.is_tensor, tg.is_floating_point.
(shape, size, numel, item, numpy, detach, requires_grad_ and is_leaf are Tensor's own, in
tensor.py), and `grad_fn`: the graph node that made a tensor, with torch's `next_functions`."""
from __future__ import annotations

from typing import Any

__all__: list[str] = ["numel", "is_tensor", "is_floating_point"]


class BackwardNode:
    """A tensor's `grad_fn`, as torch's: the op that made it (`name()`, `function`), and
    `next_functions`, one `(node, 0)` pair per tensor input: that input's own grad_fn, an
    AccumulateGrad node for a leaf that requires grad (its `.variable`), or None. The inputs
    are released with the graph after backward, and next_functions is then empty."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: Any):
        self._ctx = ctx

    @property
    def function(self) -> Any:
        """The Function subclass whose backward this node runs."""
        return self._ctx.function

    def name(self) -> str:
        return self._ctx.function.__name__

    @property
    def __name__(self) -> str:  # type: ignore[override]
        return self.name()

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        from ..tensor import Tensor

        return tuple((_node(value), 0) for value in self._ctx.inputs if isinstance(value, Tensor))

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, BackwardNode) and other._ctx is self._ctx

    def __hash__(self) -> int:
        return id(self._ctx)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self._ctx):#x}>"


class AccumulateGrad:
    """The node where a leaf's gradient is added into its .grad (torch's AccumulateGrad)."""

    __slots__ = ("variable",)
    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, variable: Any):
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self.variable):#x}>"


def _node(tensor: Any) -> Any:
    if tensor._ctx is not None:
        return BackwardNode(tensor._ctx)
    return AccumulateGrad(tensor) if tensor.requires_grad else None


def numel(input: Any) -> int:
    return input.numel()


def is_tensor(obj: Any) -> bool:
    from ..tensor import Tensor

    return isinstance(obj, Tensor)


def is_floating_point(input: Any) -> bool:
    return input.dtype.kind == "f"


class InfoMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    @property
    def grad_fn(self) -> BackwardNode | None:
        """The node of the op that made this tensor (None for a leaf, or outside the graph)."""
        return None if self._ctx is None else BackwardNode(self._ctx)

    def dim(self) -> int:
        return self.ndim

    ndimension = dim

    def nelement(self) -> int:
        return self.numel()

    def element_size(self) -> int:
        """Bytes per element (4 for float32)."""
        return self.dtype.itemsize

    def is_floating_point(self) -> bool:
        return is_floating_point(self)

    def is_complex(self) -> bool:
        return False  # numeric dtypes here are bool, int and float

    def is_signed(self) -> bool:
        """Whether the dtype holds negative numbers (not for uint8 and bool)."""
        return self.dtype.kind in "if"

    @property
    def itemsize(self) -> int:
        """Bytes per element, as element_size()."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes of all elements."""
        return self.numel() * self.dtype.itemsize

    @property
    def is_cpu(self) -> bool:
        return True  # every tensor lives on the CPU here

    def get_device(self) -> int:
        """-1, torch's answer for a CPU tensor."""
        return -1

    def type_as(self, tensor: Any) -> Any:
        """This tensor as `tensor`'s dtype (itself if it already is)."""
        return self.to(tensor.dtype)

    def ravel(self) -> Any:
        """The elements as one dimension (reshape(-1))."""
        return self.reshape(-1)

    def tolist(self) -> Any:
        """Nested Python lists of Python numbers (a number for a 0-d tensor)."""
        return self.array.tolist()

    def detach_(self) -> Any:
        """Cut this tensor from the graph in place: it becomes a leaf that needs no grad."""
        self._ctx = None
        self._requires_grad = False
        return self

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        """A new tensor of `data`, with this tensor's dtype unless given."""
        from .. import creation

        return creation.tensor(data, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        from .. import creation

        return creation.zeros(*size, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        from .. import creation

        return creation.ones(*size, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        from .. import creation

        return creation.empty(*size, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        from .. import creation

        return creation.full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)
