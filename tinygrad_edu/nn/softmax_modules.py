"""Softmax, LogSoftmax and Softmin as modules: normalizations along one dim (`dim`).

dim=None keeps torch's legacy rule (dim 0 for 0-, 1- and 3-D inputs, dim 1 otherwise);
pass dim explicitly, as torch asks.
"""
from __future__ import annotations

from ..tensor import Tensor
from .activation_functions import _implicit_softmax_dim, softmin
from .module import Module


class _AlongDim(Module):
    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def _dim(self, input: Tensor) -> int:
        return _implicit_softmax_dim(input.ndim, type(self).__name__.lower()) if self.dim is None else self.dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """Y_i = e^(X_i) / Σ_j e^(X_j) along dim."""

    def forward(self, input: Tensor) -> Tensor:
        return input.softmax(self._dim(input))


class LogSoftmax(_AlongDim):
    """Y_i = X_i − log Σ_j e^(X_j) along dim."""

    def forward(self, input: Tensor) -> Tensor:
        return input.log_softmax(self._dim(input))


class Softmin(_AlongDim):
    """Y = softmax(−X) along dim."""

    def forward(self, input: Tensor) -> Tensor:
        return softmin(input, self._dim(input))


class Softmax2d(Module):
    """Softmax over the channels (dim −3) at each position of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return input.softmax(-3)
