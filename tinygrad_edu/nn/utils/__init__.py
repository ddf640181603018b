"""torch.nn.utils: gradient clipping and flattening parameters into one vector; `rnn` (its own
file, nn/utils/rnn.py) packs and pads batches of sequences of different lengths.

Clipping by norm rescales all gradients together, so their direction is kept:
    total = ‖(‖g_1‖_p, ‖g_2‖_p, ...)‖_p   (the p-norm of all gradients as one vector)
    g_i ← g_i · min(1, max_norm / (total + 1e-6))
It tames the rare huge step (an exploding RNN, a transformer's first steps) without changing
ordinary ones. Gradients are modified in place, as torch does.
"""
from __future__ import annotations

import math
import warnings
from typing import Iterable

import numpy as np

from ...api.joining import cat
from ...tensor import Tensor
from . import rnn

Parameters = Tensor | Iterable[Tensor]


def _as_list(parameters: Parameters) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _grads(parameters: Parameters) -> list[np.ndarray]:
    return [p.grad.array for p in _as_list(parameters) if p.grad is not None]


def get_total_norm(tensors: Parameters, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """‖(‖t_1‖_p, ‖t_2‖_p, ...)‖_p of the given tensors (gradients, say: torch's first half of
    clip_grad_norm_); norm_type any p > 0, or inf for the largest |t|. foreach is accepted and
    ignored."""
    arrays = [t.array for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return Tensor(np.float32(0.0))
    if norm_type == math.inf:
        total = max(np.abs(a).max(initial=0.0) for a in arrays)
    else:
        norms = [np.sum(np.abs(a.astype(np.float64)) ** norm_type) ** (1.0 / norm_type) for a in arrays]
        total = float(np.sum(np.asarray(norms) ** norm_type) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor.from_numpy(np.asarray(total, dtype=arrays[0].dtype))


def clip_grads_with_norm_(parameters: Parameters, max_norm: float, total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scale the gradients by min(1, max_norm / (total_norm + 1e-6)), in place (torch's second
    half of clip_grad_norm_, for a total norm computed by get_total_norm)."""
    total = float(total_norm.item() if isinstance(total_norm, Tensor) else total_norm)
    coefficient = min(float(max_norm) / (total + 1e-6), 1.0)
    for g in _grads(parameters):
        g *= g.dtype.type(coefficient)


def clip_grad_norm_(parameters: Parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients so that their total norm is at most max_norm; returns the total
    norm before clipping (norm_type: any p > 0, or inf for the largest |g|). foreach is
    accepted and ignored."""
    parameters = _as_list(parameters)  # a generator is read twice below
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters: Parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated spelling of clip_grad_norm_ (which it calls, with torch's warning)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [−clip_value, clip_value], in place."""
    for g in _grads(parameters):
        np.clip(g, -clip_value, clip_value, out=g)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in _as_list(parameters)])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D vec into the parameters (the inverse of
    parameters_to_vector), in place."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    parameters = _as_list(parameters)
    needed = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != needed:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {needed} elements (the parameters' total); got shape {vec.shape}")
    offset = 0
    for p in parameters:
        p.array[...] = vec.array[offset:offset + p.numel()].reshape(p.shape)
        offset += p.numel()
