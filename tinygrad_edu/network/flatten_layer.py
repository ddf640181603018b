"""`FlattenLayer`: a sample of any shape laid out as one row (1, n)."""
from __future__ import annotations

from ..tensor import Tensor
from .layer import Layer


class FlattenLayer(Layer):
    """Y = X as one row of shape (1, n) per sample, in C order (for an (H, W, D) image:
    row by row, the D channels of a pixel side by side);  dE/dX = dE/dY reshaped back."""

    def forward(self, input: Tensor) -> Tensor:
        return input.reshape(input.shape[0], 1, -1)

    def __repr__(self) -> str:
        return "FlattenLayer()"
