"""`Dropout`: zero each element with probability p while training, scaling the survivors by
1/(1 − p); the identity in eval mode (`model.eval()`)."""
from __future__ import annotations

from ..ops.dropout import check_probability
from ..tensor import Tensor
from . import functional as F
from .module import Module


class Dropout(Module):
    """Y = X ⊙ M / (1 − p) in training, Y = X in eval;  dE/dX = dE/dY ⊙ M / (1 − p)."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        check_probability(p, "Dropout")
        self.p = p
        self.inplace = inplace  # accepted as torch's; the output is computed out of place

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
