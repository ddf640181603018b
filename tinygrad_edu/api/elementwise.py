"""PyTorch's elementwise math, comparisons, logical and bitwise ops, clamp, where, lerp: the `tg.` functions and the `Tensor` methods (ElementwiseMethods)."""
from __future__ import annotations

from .. import ops  # the package only: its modules are imported once Tensor exists (tensor.py)

__all__: list[str] = []


class ElementwiseMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()
