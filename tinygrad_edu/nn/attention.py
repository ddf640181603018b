"""Attention: softmax(Q Kᵀ · scale + M) V, as torch's scaled_dot_product_attention (the heads'
projections around it, MultiheadAttention, are in nn/multihead_attention.py).

Everything is composed of differentiable Tensor ops (matmul, softmax, masked_fill, dropout),
so backward, and double backward, come from those ops' own formulas."""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F


def _as_array(value: Any) -> np.ndarray:
    return np.asarray(value.array if isinstance(value, Tensor) else value)


@functools.lru_cache(maxsize=32)
def _future_keys(length: int, source: int) -> np.ndarray:
    """(length, source) bool, True above the diagonal: the keys after each query, which
    is_causal hides. Made once per size (read-only, as it is shared)."""
    mask = np.triu(np.ones((length, source), dtype=bool), k=1)
    mask.flags.writeable = False
    return mask


def _attention_weights(query: Tensor, key: Tensor, attn_mask: Any, is_causal: bool, scale: float | None) -> Tensor:
    """A = softmax(Q Kᵀ · scale + M) over the key axis; a bool mask keeps the True
    positions (the others get −∞, so weight 0), a float mask is added to the scores."""
    query_shape, key_shape = query.array.shape, key.array.shape  # plain tuples: read on every step
    if query_shape[-1] != key_shape[-1]:
        raise ShapeError(f"scaled_dot_product_attention: query and key need the same embedding size; got {query_shape} and {key_shape}")
    scale = 1.0 / math.sqrt(query_shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: pass either attn_mask or is_causal=True, not both")
        if key_shape[-2] > 0:  # every query sees key 0 at least, so no row is masked whole
            future = Tensor(_future_keys(query_shape[-2], key_shape[-2]))
            return scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        attn_mask = np.ones((query_shape[-2], 0), dtype=bool)
    if attn_mask is None:
        return scores.softmax(dim=-1)
    mask = attn_mask if isinstance(attn_mask, Tensor) else Tensor(np.asarray(attn_mask))
    try:
        np.broadcast_shapes(mask.shape, scores.shape)
    except ValueError:
        raise ShapeError(f"scaled_dot_product_attention: attn_mask of shape {mask.shape} does not broadcast to the scores' shape {scores.shape}") from None
    mask_values = np.broadcast_to(_as_array(mask), scores.shape)
    if mask.dtype.kind == "b":
        keep = mask_values
        scores = scores.masked_fill(Tensor(~keep), float("-inf"))
    else:
        keep = ~np.isneginf(mask_values)
        scores = scores + mask
    # A query that may attend to no key gets weights 0, as torch's (not softmax(−∞, ...) = NaN);
    # its scores are made finite first, so no NaN reaches the gradient either.
    no_key = ~keep.any(axis=-1, keepdims=True)
    if not no_key.any():
        return scores.softmax(dim=-1)
    return scores.masked_fill(Tensor(np.broadcast_to(no_key, scores.shape)), 0.0).softmax(dim=-1).masked_fill(Tensor(no_key), 0.0)


def _shared_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Grouped-query attention: Hq query heads share Hkv key/value heads (dim −3), each used
    by Hq / Hkv consecutive query heads, so K and V are repeated to Hq heads."""
    query_heads, kv_heads = query.shape[-3], key.shape[-3]
    if query_heads % kv_heads or value.shape[-3] != kv_heads:
        raise ShapeError(f"scaled_dot_product_attention: with enable_gqa, query heads ({query_heads}) must be a multiple of "
                         f"the key and value heads ({kv_heads}, {value.shape[-3]})")
    groups = query_heads // kv_heads
    return key.repeat_interleave(groups, dim=-3), value.repeat_interleave(groups, dim=-3)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None, enable_gqa: bool = False) -> Tensor:
    """softmax(Q Kᵀ · scale + M) V for Q (..., L, E), K (..., S, E), V (..., S, Ev), leading
    dims broadcast. scale defaults to 1/√E. attn_mask: bool (True = may attend) or float
    (added to the scores), broadcast to (..., L, S); is_causal=True masks the upper triangle
    (query i sees keys 0..i); a query the mask lets see no key gets weights 0.
    dropout_p > 0 drops attention weights (always, as torch). enable_gqa: K and V may have
    fewer heads (dim −3) than Q, each shared by a group of query heads."""
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        key, value = _shared_heads(query, key, value)
    weights = _attention_weights(query, key, attn_mask, is_causal, scale)
    if dropout_p > 0:
        weights = F.dropout(weights, dropout_p, training=True)
    return weights @ value
