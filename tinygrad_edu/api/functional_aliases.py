"""torch's top-level names for functions of torch.nn.functional: `torch.conv2d`,
`torch.dropout(x, p, train)`, `torch.binary_cross_entropy_with_logits(...)` (the autograd
tutorial), `torch.layer_norm`, `torch.embedding(weight, indices)`, ...

Where torch's top-level signature is nn.functional's, the name is the same function; where it
differs (the argument order of embedding and batch_norm, `train` for `training`, an int
`reduction` 0/1/2 for "none"/"mean"/"sum"), a wrapper takes torch's top-level signature.
"""
from __future__ import annotations

from typing import Any

from ..nn import functional as F

__all__: list[str] = [
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d", "group_norm", "selu", "celu",
    "threshold", "pixel_shuffle", "pixel_unshuffle", "layer_norm", "dropout", "embedding",
    "batch_norm", "binary_cross_entropy_with_logits", "kl_div",
]

conv1d, conv2d = F.conv1d, F.conv2d
conv_transpose1d, conv_transpose2d = F.conv_transpose1d, F.conv_transpose2d
max_pool1d, max_pool2d, avg_pool1d = F.max_pool1d, F.max_pool2d, F.avg_pool1d
adaptive_avg_pool1d, adaptive_max_pool1d = F.adaptive_avg_pool1d, F.adaptive_max_pool1d
selu, celu, threshold = F.selu, F.celu, F.threshold
pixel_shuffle, pixel_unshuffle = F.pixel_shuffle, F.pixel_unshuffle

# torch's enum behind the int `reduction` of its top-level loss functions
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(reduction: int) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 0 (none), 1 (mean) or 2 (sum); got {reduction!r}")
    return _REDUCTIONS[reduction]


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5, cudnn_enable: bool = True) -> Any:
    """torch.layer_norm: F.layer_norm (cudnn_enable has no effect on a CPU)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5, cudnn_enabled: bool = True) -> Any:
    """torch.group_norm: F.group_norm (cudnn_enabled has no effect on a CPU)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def dropout(input: Any, p: float, train: bool) -> Any:
    """torch.dropout(input, p, train): F.dropout with training=train."""
    return F.dropout(input, p, train)


def embedding(weight: Any, indices: Any, padding_idx: int = -1, scale_grad_by_freq: bool = False, sparse: bool = False) -> Any:
    """torch.embedding(weight, indices): the rows of weight at indices (F.embedding with its
    arguments the other way round; padding_idx -1 means none, as torch's)."""
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("torch.embedding: scale_grad_by_freq and sparse are not supported by tinygrad_edu")
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx)


def batch_norm(input: Any, weight: Any, bias: Any, running_mean: Any, running_var: Any, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = True) -> Any:
    """torch.batch_norm: F.batch_norm with torch's top-level argument order (weight and bias
    first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None, pos_weight: Any = None, reduction: int = 1) -> Any:
    """torch.binary_cross_entropy_with_logits: F's, with reduction 0, 1 or 2 for "none",
    "mean" or "sum"."""
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight)


def kl_div(input: Any, target: Any, reduction: int = 1, *, log_target: bool = False) -> Any:
    """torch.kl_div: F.kl_div, with reduction 0, 1 or 2 for "none", "mean" or "sum"."""
    return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)
