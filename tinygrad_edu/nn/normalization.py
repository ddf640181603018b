"""Normalization layers, as torch.nn: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, and their
functions (F.batch_norm, F.layer_norm, F.group_norm, F.normalize).

All of them standardise X over some dims and then scale and shift it:

    μ = mean(X),  σ² = mean((X − μ)²)  (biased),  X̂ = (X − μ) / √(σ² + ε),  Y = γ ⊙ X̂ + β

They differ only in the dims the statistics run over: BatchNorm over the batch and every dim
after the channels (one μ per channel), LayerNorm over the last dims, GroupNorm over each
group of channels of one sample. Standardising is one op (ops/standardise.py: its backward
formula, run on Tensors, gives double backward); scaling and shifting are Tensor ops. BatchNorm
in training mode, the hot spot of a ResNet's step, is one op with its scale and shift
(ops/batch_norm.py), which takes the batch's statistics from the caller that also updates the
running estimates with them.

BatchNorm also keeps running estimates for eval mode, updated in training mode as torch does:
    running_mean ← (1 − m) running_mean + m μ,  running_var ← (1 − m) running_var + m σ²·n/(n − 1)
(the running variance is the unbiased one, n values per channel). These are buffers, not
parameters: state_dict saves them, no optimizer sees them.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from ..errors import ShapeError
from ..ops.batch_norm import BatchNormTraining
from ..ops.standardise import Standardise
from ..tensor import Tensor
from .linear import check_positive
from .module import Module
from .parameter import Parameter


def _factory_dtype(device: Any, dtype: Any) -> np.dtype:
    """torch's factory arguments of a layer: the device must be the CPU; the dtype defaults to
    the default float dtype."""
    cpu_device(device)
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def _standardise(input: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """(X − μ) / √(σ² + ε) over `dims` (non-negative, sorted)."""
    return Standardise.apply(input, dims, eps)


def _per_channel(values: Tensor, ndim: int) -> Tensor:
    """A (C,) tensor shaped (1, C, 1, ...) to broadcast against an (N, C, ...) input."""
    return values.reshape((1, -1) + (1,) * (ndim - 2))


def _scale_and_shift(normalized: Tensor, weight: Tensor | None, bias: Tensor | None, shape: Any) -> Tensor:
    output = normalized if weight is None else normalized * weight.reshape(shape)
    return output if bias is None else output + bias.reshape(shape)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) of an (N, C, ...) input: with the batch's statistics when
    training (then the running buffers, if given, move towards them by `momentum`), with
    running_mean and running_var otherwise."""
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C, ...), got {tuple(input.shape)}")
    channels = input.shape[1]
    per_channel_shape = (1, channels) + (1,) * (input.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are required when training=False")
        mean, variance = _per_channel(running_mean, input.ndim), _per_channel(running_var, input.ndim)
        normalized = (input - mean) * (variance + eps).rsqrt()
        return _scale_and_shift(normalized, weight, bias, per_channel_shape)
    values_per_channel = input.numel() // channels
    if values_per_channel <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}")
    # The op computes the batch's statistics, uses them (its backward accounts for their
    # dependence on X), and moves the running estimates towards them.
    tracked = running_mean is not None and running_var is not None
    return BatchNormTraining.apply(input, weight, bias, running_mean.array if tracked else None,
                                   running_var.array if tracked else None, momentum, eps)


def _last_dims(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    return (int(normalized_shape),) if isinstance(normalized_shape, (int, np.integer)) else tuple(int(side) for side in normalized_shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the last len(normalized_shape) dims, which must equal normalized_shape."""
    last = _last_dims(normalized_shape)
    if input.array.shape[input.ndim - len(last):] != last or input.ndim < len(last):
        raise ShapeError(f"layer_norm: normalized_shape {list(last)} does not match the last dims of input of shape {tuple(input.shape)}")
    normalized = _standardise(input, tuple(range(input.ndim - len(last), input.ndim)), eps)
    return _scale_and_shift(normalized, weight, bias, last)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Split the C channels of an (N, C, ...) input into num_groups groups and normalize each
    group of each sample over its channels and positions."""
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise ShapeError(f"group_norm: Expected number of channels in input to be divisible by num_groups, "
                         f"but got input of shape {tuple(input.shape)} and num_groups={num_groups}")
    grouped = input.reshape(input.shape[0], num_groups, -1)
    normalized = _standardise(grouped, (2,), eps)
    return _scale_and_shift(normalized.reshape(input.shape), weight, bias, (1, input.shape[1]) + (1,) * (input.ndim - 2))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """X / max(‖X‖_p, ε) along `dim`: unit vectors, except that ε guards against dividing by 0."""
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps)


def _reset_affine(weight: Tensor | None, bias: Tensor | None) -> None:
    """A normalization layer's γ back to 1 and β to 0 (torch's reset_parameters)."""
    if weight is not None:
        weight.array[...] = 1
    if bias is not None:
        bias.array[...] = 0


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d; they differ only in the input shapes they accept."""

    _optional_state = ("num_batches_tracked",)  # absent from old state_dicts: kept, as torch

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *, bias: bool = True):
        super().__init__()
        self.num_features = check_positive(num_features, "num_features", type(self).__name__)
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        dtype = _factory_dtype(device, dtype)
        self.weight = Parameter(np.ones(self.num_features), dtype=dtype) if affine else None
        self.bias = Parameter(np.zeros(self.num_features), dtype=dtype) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features), dtype=dtype))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features), dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        _reset_affine(self.weight, self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array[...] += 1
            if self.momentum is None:  # cumulative moving average: the k-th batch gets weight 1/k
                momentum = 1.0 / float(self.num_batches_tracked.array)
        # Batch statistics while training, and also in eval mode when no running ones are kept.
        use_batch_statistics = self.training or self.running_mean is None
        tracked = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if tracked else None, self.running_var if tracked else None,
                          self.weight, self.bias, use_batch_statistics, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, one μ and σ² per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim not in (2, 3):
            raise ShapeError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, one μ and σ² per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 4:
            raise ShapeError(f"expected 4D input (got {input.ndim}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) inputs, one μ and σ² per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim != 5:
            raise ShapeError(f"expected 5D input (got {input.ndim}D input)")


class LayerNorm(Module):
    """Normalize each sample over its last dims (normalized_shape); γ and β have that shape."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__()
        self.normalized_shape = _last_dims(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dtype = _factory_dtype(device, dtype)
        self.weight = Parameter(np.ones(self.normalized_shape), dtype=dtype) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape), dtype=dtype) if elementwise_affine and bias else None

    def reset_parameters(self) -> None:
        """γ = 1, β = 0, as at construction."""
        _reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"


class GroupNorm(Module):
    """Normalize each group of num_channels // num_groups channels of each sample; γ, β per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True):
        super().__init__()
        self.num_groups = check_positive(num_groups, "num_groups", "GroupNorm")
        self.num_channels = check_positive(num_channels, "num_channels", "GroupNorm")
        if self.num_channels % self.num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.eps, self.affine = eps, affine
        dtype = _factory_dtype(device, dtype)
        self.weight = Parameter(np.ones(self.num_channels), dtype=dtype) if affine else None
        self.bias = Parameter(np.zeros(self.num_channels), dtype=dtype) if affine and bias else None

    def reset_parameters(self) -> None:
        """γ = 1, β = 0, as at construction."""
        _reset_affine(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"
