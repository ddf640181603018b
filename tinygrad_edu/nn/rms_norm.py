"""Root-mean-square normalization, as torch.nn.RMSNorm and F.rms_norm (LLaMA-style models):

    Y = X / √(mean(X²) + ε) ⊙ γ,  the mean over the last len(normalized_shape) dims

LayerNorm without centring and without β. ε defaults to the machine epsilon of the input's
dtype, as torch's. Built from Tensor ops, so it has gradients of gradients.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from .module import Module
from .normalization import _factory_dtype, _last_dims, _reset_affine
from .parameter import Parameter

__all__ = ["RMSNorm", "rms_norm"]


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """X / √(mean(X²) + ε) over the last dims (which must equal normalized_shape), times weight."""
    last = _last_dims(normalized_shape)
    if input.ndim < len(last) or tuple(input.shape[input.ndim - len(last):]) != last:
        raise ShapeError(f"rms_norm: normalized_shape {list(last)} does not match the last dims of input of shape {tuple(input.shape)}")
    eps = float(np.finfo(input.array.dtype).eps) if eps is None else eps
    dims = tuple(range(input.ndim - len(last), input.ndim))
    output = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return output if weight is None else output * weight


class RMSNorm(Module):
    """Normalize each sample's last dims (normalized_shape) by their root mean square; γ has
    that shape (elementwise_affine=True)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _last_dims(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dtype = _factory_dtype(device, dtype)
        self.weight = Parameter(np.ones(self.normalized_shape), dtype=dtype) if elementwise_affine else None

    def reset_parameters(self) -> None:
        _reset_affine(self.weight, None)

    def forward(self, input: Tensor) -> Tensor:
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
