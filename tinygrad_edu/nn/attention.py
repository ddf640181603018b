"""Attention: softmax(Q Kᵀ · scale + M) V, as a function (torch's scaled_dot_product_attention)
and as torch.nn.MultiheadAttention, with torch's parameter names and state_dict layout.

Everything is composed of differentiable Tensor ops (matmul, softmax, masked_fill, dropout),
so backward, and double backward, come from those ops' own formulas."""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import init
from . import functional as F
from .linear import Linear, check_positive
from .module import Module
from .parameter import Parameter


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
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(f"scaled_dot_product_attention: query and key need the same embedding size; got {query.shape} and {key.shape}")
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: pass either attn_mask or is_causal=True, not both")
        if key.shape[-2] > 0:  # every query sees key 0 at least, so no row is masked whole
            future = Tensor(_future_keys(query.shape[-2], key.shape[-2]))
            return scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        attn_mask = np.ones((query.shape[-2], 0), dtype=bool)
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


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Tensor:
    """softmax(Q Kᵀ · scale + M) V for Q (..., L, E), K (..., S, E), V (..., S, Ev), leading
    dims broadcast. scale defaults to 1/√E. attn_mask: bool (True = may attend) or float
    (added to the scores), broadcast to (..., L, S); is_causal=True masks the upper triangle
    (query i sees keys 0..i); a query the mask lets see no key gets weights 0.
    dropout_p > 0 drops attention weights (always, as torch)."""
    weights = _attention_weights(query, key, attn_mask, is_causal, scale)
    if dropout_p > 0:
        weights = F.dropout(weights, dropout_p, training=True)
    return weights @ value


class NonDynamicallyQuantizableLinear(Linear):
    """torch's name for MultiheadAttention's output projection: a Linear (the name only
    matters to torch's quantization), kept so reprs match torch's."""


class MultiheadAttention(Module):
    """Attention over num_heads heads of size D = embed_dim / num_heads:
    [Q, K, V] = inputs · in_proj_weight[rows]ᵀ + in_proj_bias[rows] (rows 0..E, E..2E, 2E..3E),
    head h: A_h = softmax(Q_h K_hᵀ / √D + M), out = concat_h(A_h V_h) · out_projᵀ.
    With kdim or vdim ≠ embed_dim, keys and values have their own sizes and, as torch, the
    three projections are separate parameters q_proj_weight (E, E), k_proj_weight (E, kdim),
    v_proj_weight (E, vdim) instead of in_proj_weight.
    Weights initialised as torch's: xavier_uniform_ projections, zero biases."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True, add_bias_kv: bool = False,
                 add_zero_attn: bool = False, kdim: int | None = None, vdim: int | None = None, batch_first: bool = False):
        super().__init__()
        self.embed_dim = check_positive(embed_dim, "embed_dim", "MultiheadAttention")
        self.num_heads = check_positive(num_heads, "num_heads", "MultiheadAttention")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not supported")
        self.kdim = embed_dim if kdim is None else check_positive(kdim, "kdim", "MultiheadAttention")
        self.vdim = embed_dim if vdim is None else check_positive(vdim, "vdim", "MultiheadAttention")
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=np.float32))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype=np.float32))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype=np.float32))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype=np.float32))
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dtype=np.float32)) if bias else None
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)

    def _project(self, x: Tensor, part: int) -> Tensor:
        """(N, L, E) → (N, H, L, D): rows part·E..(part+1)·E of the input projection, split into heads."""
        rows = slice(part * self.embed_dim, (part + 1) * self.embed_dim)
        if self._qkv_same_embed_dim:
            weight = self.in_proj_weight[rows]
        else:
            weight = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)[part]
        y = x @ weight.transpose(0, 1)
        if self.in_proj_bias is not None:
            y = y + self.in_proj_bias[rows]
        batch, length = x.shape[0], x.shape[1]
        return y.reshape(batch, length, self.num_heads, self.head_dim).transpose(1, 2)

    def _mask(self, attn_mask: Any, key_padding_mask: Any, batch: int, length: int, source: int, dtype: Any) -> Tensor | None:
        """One float mask (N, H, L, S) or broadcastable to it: bool True means *do not attend*
        here (the opposite of scaled_dot_product_attention), becoming −∞; floats are added."""
        def as_float(mask: Any) -> Tensor:
            mask = mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))
            if mask.dtype.kind == "b":
                return Tensor(np.where(_as_array(mask), -np.inf, 0.0).astype(dtype))
            return mask
        total = None
        if attn_mask is not None:
            total = as_float(attn_mask)
            if total.shape == (length, source):
                pass
            elif total.shape == (batch * self.num_heads, length, source):
                total = total.reshape(batch, self.num_heads, length, source)
            else:
                raise ShapeError(f"MultiheadAttention: attn_mask must be ({length}, {source}) or "
                                 f"({batch * self.num_heads}, {length}, {source}); got {tuple(total.shape)}")
        if key_padding_mask is not None:
            padding = as_float(key_padding_mask)
            if padding.shape != (batch, source):
                raise ShapeError(f"MultiheadAttention: key_padding_mask must be ({batch}, {source}); got {tuple(padding.shape)}")
            padding = padding.reshape(batch, 1, 1, source)
            total = padding if total is None else total + padding
        return total

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None, need_weights: bool = True,
                attn_mask: Any = None, average_attn_weights: bool = True, is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """query (L, N, E), key and value (S, N, E) — (N, L, E) with batch_first, or (L, E)
        unbatched. Returns (output shaped as query, weights (N, L, S) averaged over heads, or
        (N, H, L, S), or None when need_weights=False). is_causal is torch's hint that
        attn_mask is the causal mask: the mask is required and used."""
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the is_causal hint")
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = (key_padding_mask if isinstance(key_padding_mask, Tensor) else Tensor(np.asarray(key_padding_mask))).unsqueeze(0)
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if (query.ndim != 3 or query.shape[-1] != self.embed_dim or key.shape[-1] != self.kdim or value.shape[-1] != self.vdim
                or key.shape[:-1] != value.shape[:-1] or key.shape[1] != query.shape[1]):
            raise ShapeError(f"MultiheadAttention: expected query (L, N, {self.embed_dim}), key (S, N, {self.kdim}) and value (S, N, {self.vdim}); "
                             f"got {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
        # From here on the layout is (N, L, E): batch first.
        query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        batch, length, source = query.shape[0], query.shape[1], key.shape[1]
        mask = self._mask(attn_mask, key_padding_mask, batch, length, source, query.dtype)
        weights = _attention_weights(self._project(query, 0), self._project(key, 1), mask, False, None)
        weights = F.dropout(weights, self.dropout, training=self.training)
        heads = weights @ self._project(value, 2)
        output = self.out_proj(heads.transpose(1, 2).reshape(batch, length, self.embed_dim))
        output = output.squeeze(0) if unbatched else output if self.batch_first else output.transpose(0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(dim=1)
        return output, weights.squeeze(0) if unbatched else weights
