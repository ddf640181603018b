"""PyTorch's shape, movement and indexing: view reshape expand squeeze unsqueeze flatten permute transpose cat stack split chunk gather scatter sort topk einsum mm bmm ...: the `tg.` functions and the `Tensor` methods (ShapeMethods)."""
from __future__ import annotations

from .. import ops  # the package only: its modules are imported once Tensor exists (tensor.py)

__all__: list[str] = []


class ShapeMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()
