"""Instance normalization, as torch.nn.InstanceNorm1d / InstanceNorm2d and F.instance_norm.

Each channel of each sample is standardised over its own positions (L, or H and W):

    μ_nc = mean(X_nc),  σ²_nc = mean((X_nc − μ_nc)²),  Y_nc = γ_c (X_nc − μ_nc) / √(σ²_nc + ε) + β_c

the style-transfer normalization (BatchNorm of a batch of one, per sample). torch's defaults
differ from BatchNorm's: no γ, β (affine=False) and no running estimates
(track_running_stats=False). With track_running_stats=True, training moves running_mean and
running_var towards the batch's average of the per-instance μ and unbiased σ², as torch's
(momentum=None is taken as 0 there, and num_batches_tracked is not counted, also as torch), and
eval mode normalizes with them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from .normalization import _BatchNorm, _scale_and_shift, _standardise, batch_norm

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "instance_norm"]


def _move_running_statistics(input: np.ndarray, dims: tuple[int, ...], running_mean: Tensor, running_var: Tensor,
                             momentum: float) -> None:
    """running ← (1 − m) running + m · (the batch's average of the per-instance statistic)."""
    mean = input.mean(axis=dims).mean(axis=0)
    variance = input.var(axis=dims, ddof=1).mean(axis=0)  # unbiased, as BatchNorm's running_var
    running_mean.array[...] = (1 - momentum) * running_mean.array + momentum * mean
    running_var.array[...] = (1 - momentum) * running_var.array + momentum * variance


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample of an (N, C, ...) input over its positions
    (use_input_stats=False: with running_mean and running_var, as batch_norm in eval mode)."""
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    dims = tuple(range(2, input.ndim))
    if int(np.prod(input.shape[2:])) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(input.shape)}")
    if running_mean is not None and running_var is not None:
        _move_running_statistics(input.array, dims, running_mean, running_var, momentum)
    per_channel_shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    return _scale_and_shift(_standardise(input, dims, eps), weight, bias, per_channel_shape)


class _InstanceNorm(_BatchNorm):
    """BatchNorm's parameters and buffers with InstanceNorm's defaults and statistics."""

    unbatched_ndim = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (self.unbatched_ndim, self.unbatched_ndim + 1):
            raise ShapeError(f"expected {self.unbatched_ndim}D or {self.unbatched_ndim + 1}D input (got {input.ndim}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        unbatched = input.ndim == self.unbatched_ndim
        batch = input.unsqueeze(0) if unbatched else input
        output = instance_norm(batch, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               0.0 if self.momentum is None else self.momentum, self.eps)
        return output.squeeze(0) if unbatched else output


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization of (N, C, L) or unbatched (C, L) inputs."""


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of (N, C, H, W) or unbatched (C, H, W) inputs."""

    unbatched_ndim = 3
