"""What a tensor is, and new tensors like it: dim ndimension nelement element_size
is_floating_point tolist detach_ new_tensor new_zeros new_ones new_full new_empty (the
`Tensor` methods, InfoMethods), and tg.numel, tg.is_tensor, tg.is_floating_point.
(shape, size, numel, item, numpy, detach, requires_grad_, is_leaf and grad_fn are Tensor's
own, in tensor.py.)"""
from __future__ import annotations

from typing import Any

__all__: list[str] = ["numel", "is_tensor", "is_floating_point"]


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

    def tolist(self) -> Any:
        """Nested Python lists of Python numbers (a number for a 0-d tensor)."""
        return self.data.tolist()

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
