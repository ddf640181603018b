"""Channel dropout (`Dropout1d`, `Dropout2d`): zero whole channels, not single elements.

Neighbouring elements of a feature map are strongly correlated, so dropping single pixels
barely regularizes a convolutional network; dropping a whole channel does (Tompson et al.,
2015). One mask value per (sample, channel), broadcast over the spatial dims:

    Y[n, c, ...] = X[n, c, ...] · M[n, c] / (1 − p),   M[n, c] ~ Bernoulli(1 − p)
    dE/dX = dE/dY ⊙ M / (1 − p)

Built as X times a constant mask tensor, so it has double backward for free. Masks come from
the generator `tg.manual_seed` seeds.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..ops.dropout import check_probability
from ..tensor import Tensor
from .module import Module
from .random import generator


def _channel_dropout(input: Tensor, p: float, training: bool, batched_ndim: int, name: str) -> Tensor:
    check_probability(p, name)
    if input.ndim not in (batched_ndim - 1, batched_ndim):
        raise ValueError(
            f"{name}: expected a {batched_ndim - 1}-D (unbatched) or {batched_ndim}-D (batched) "
            f"input; got shape {input.shape}"
        )
    if not training or p == 0:
        return input
    channel_dims = input.ndim - (batched_ndim - 2)  # (C,) unbatched or (N, C) batched
    mask_shape = input.shape[:channel_dims] + (1,) * (input.ndim - channel_dims)
    keep = generator().random(mask_shape) >= p
    scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0  # p = 1 keeps nothing
    return input * Tensor.from_numpy(keep.astype(input.array.dtype) * input.array.dtype.type(scale))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel dropout of (N, C, L) or (C, L) inputs (inplace=True computes out of place)."""
    return _channel_dropout(input, p, training, 3, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel dropout of (N, C, H, W) or (C, H, W) inputs (inplace=True computes out of
    place). A 3-D input is read as (C, H, W); torch currently reads it as (N, C, L), with a
    warning. Other inputs of at least 2 dims are read as (N, C, ...) with torch's deprecation
    warning (a 2-D input: elementwise dropout)."""
    if input.ndim >= 2 and input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
                      UserWarning, stacklevel=2)
        return _channel_dropout(input, p, training, input.ndim, "dropout2d")
    return _channel_dropout(input, p, training, 4, "dropout2d")


class _ChannelDropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        check_probability(p, type(self).__name__)
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_ChannelDropout):
    """Zero whole channels of (N, C, L) / (C, L) inputs while training."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training)


class Dropout2d(_ChannelDropout):
    """Zero whole channels of (N, C, H, W) / (C, H, W) inputs while training."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training)
