"""Losses as modules: `criterion = nn.CrossEntropyLoss(); loss = criterion(logits, labels)`."""
from __future__ import annotations

from typing import Any

from ..ops.loss import REDUCTIONS
from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}; got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """E = mean((Y − Y*)²) (or the sum, or per element: reduction);  dE/dY = 2/n (Y − Y*)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """E = −mean_n log softmax(Y_n)_{t_n} for logits Y (N, C) and class indices t (N,);
    dE/dY = (softmax(Y) − onehot(t)) / N."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.reduction)
