"""`Flatten`: merge dims start_dim..end_dim into one (by default everything but the batch),
the bridge from convolutional feature maps (N, C, H, W) to a Linear layer (N, C·H·W)."""
from __future__ import annotations

from ..tensor import Tensor
from .module import Module


class Flatten(Module):
    """Y = X reshaped;  dE/dX = dE/dY reshaped back."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
