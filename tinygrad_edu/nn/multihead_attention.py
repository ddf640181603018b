"""Multi-head attention, as torch.nn.functional.multi_head_attention_forward and
torch.nn.MultiheadAttention (which calls it), with torch's parameter names and state_dict layout.

With E = embed_dim, H heads of size D = E / H, inputs in torch's (L, N, E) layout:

    Q, K, V = query W_qᵀ + b_q, key W_kᵀ + b_k, value W_vᵀ + b_v       (W_q, W_k, W_v the rows
              0..E, E..2E, 2E..3E of in_proj_weight, or q/k/v_proj_weight)
    head h:   A_h = softmax(Q_h K_hᵀ / √D + M),   O_h = A_h V_h        (M the masks, below)
    output    = concat_h(O_h) W_outᵀ + b_out

Masks: a bool attn_mask or key_padding_mask marks with True the positions **not** to attend
(the opposite of scaled_dot_product_attention's), which become −∞; float masks are added.
bias_k / bias_v append a learned key and value, add_zero_attn a zero one; the masks then get a
column (attend) for each.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..api.joining import cat
from ..errors import ArgumentAssertionError, ShapeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .attention import _as_array, _attention_weights
from .factory import apply_factory_kwargs
from .linear import Linear, check_positive
from .module import Module
from .parameter import Parameter

__all__ = ["multi_head_attention_forward", "MultiheadAttention"]


def _as_mask_tensor(mask: Any) -> Tensor:
    return mask if isinstance(mask, Tensor) else Tensor(np.asarray(mask))


def _float_mask(mask: Any, dtype: Any) -> Tensor:
    """A bool mask (True = do not attend) as 0 / −∞; a float mask as it is."""
    mask = _as_mask_tensor(mask)
    if mask.dtype.kind == "b":
        return Tensor(np.where(_as_array(mask), -np.inf, 0.0).astype(dtype))
    return mask


def _combined_mask(attn_mask: Any, key_padding_mask: Any, batch: int, heads: int, length: int, source: int,
                   extra: int, dtype: Any) -> Tensor | None:
    """One float mask broadcastable to the scores (N, H, L, S + extra), or None."""
    total = None
    if attn_mask is not None:
        total = _float_mask(attn_mask, dtype)
        if total.shape == (batch * heads, length, source):
            total = total.reshape(batch, heads, length, source)
        elif total.shape != (length, source):
            raise ShapeError(f"MultiheadAttention: attn_mask must be ({length}, {source}) or "
                             f"({batch * heads}, {length}, {source}); got {tuple(total.shape)}")
    if key_padding_mask is not None:
        padding = _float_mask(key_padding_mask, dtype)
        if padding.shape != (batch, source):
            raise ShapeError(f"MultiheadAttention: key_padding_mask must be ({batch}, {source}); got {tuple(padding.shape)}")
        padding = padding.reshape(batch, 1, 1, source)
        total = padding if total is None else total + padding
    if total is not None and extra:
        total = F.pad(total, (0, extra))  # the appended positions may always be attended to
    return total


def _split_heads(x: Tensor, weight: Tensor, bias: Tensor | None, heads: int) -> Tensor:
    """(N, L, E_in) projected by x Wᵀ + b to (N, L, E), then split into (N, H, L, D)."""
    y = F.linear(x, weight, bias)
    batch, length, embed = y.shape
    return y.reshape(batch, length, heads, embed // heads).transpose(1, 2)


def _appended(heads: Tensor, bias: Tensor | None, add_zero_attn: bool) -> Tensor:
    """Keys or values (N, H, S, D) with bias_k/bias_v's learned position and add_zero_attn's
    zero position appended along S."""
    batch, num_heads, _, head_dim = heads.shape
    if bias is not None:
        heads = cat([heads, bias.reshape(1, num_heads, 1, head_dim).expand(batch, num_heads, 1, head_dim)], 2)
    if add_zero_attn:
        heads = cat([heads, Tensor(np.zeros((batch, num_heads, 1, head_dim), dtype=heads.dtype))], 2)
    return heads


def _static(projected: Tensor, batch: int, heads: int) -> Tensor:
    """static_k / static_v, given already projected as (N·H, S, D), as (N, H, S, D)."""
    if projected.ndim != 3 or projected.shape[0] != batch * heads:
        raise ShapeError(f"multi_head_attention_forward: static keys and values must be ({batch * heads}, S, D); got {tuple(projected.shape)}")
    return projected.reshape(batch, heads, projected.shape[1], projected.shape[2])


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
                                 bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
                                 out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Any = None,
                                 need_weights: bool = True, attn_mask: Any = None, use_separate_proj_weight: bool = False,
                                 q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
                                 v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
                                 static_v: Tensor | None = None, average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of query (L, N, E) over key and value (S, N, ·) (or unbatched
    (L, E), (S, ·)) with the given projections: (output (L, N, E), weights (N, L, S) averaged
    over heads, (N, H, L, S), or None when need_weights=False). is_causal is torch's hint that
    attn_mask is the causal mask: the mask is required and used. Dropout on the weights only
    when training."""
    if is_causal and attn_mask is None:
        raise RuntimeError("MultiheadAttention: need attn_mask if specifying the is_causal hint. You may use "
                           "`nn.Transformer.generate_square_subsequent_mask` to create this mask.")
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = _as_mask_tensor(key_padding_mask).unsqueeze(0)
    if use_separate_proj_weight:
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
        if any(w is None for w in weights):
            raise ArgumentAssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None")
    else:
        if in_proj_weight is None:
            raise ArgumentAssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = in_proj_weight.chunk(3, 0)
    biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3, 0)
    embed, kdim, vdim = embed_dim_to_check, weights[1].shape[1], weights[2].shape[1]
    if (query.ndim != 3 or query.shape[-1] != embed or key.shape[-1] != kdim or value.shape[-1] != vdim
            or key.shape[:-1] != value.shape[:-1] or key.shape[1] != query.shape[1]):
        raise ShapeError(f"MultiheadAttention: expected query (L, N, {embed}), key (S, N, {kdim}) and value (S, N, {vdim}); "
                         f"got {tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    if embed % num_heads:
        raise ArgumentAssertionError(f"embed_dim {embed} not divisible by num_heads {num_heads}")
    # From here on the layout is (N, L, E): batch first.
    query, key, value = (t.transpose(0, 1) for t in (query, key, value))
    batch, length = query.shape[0], query.shape[1]
    queries = _split_heads(query, weights[0], biases[0], num_heads)
    keys = _static(static_k, batch, num_heads) if static_k is not None else _split_heads(key, weights[1], biases[1], num_heads)
    values = _static(static_v, batch, num_heads) if static_v is not None else _split_heads(value, weights[2], biases[2], num_heads)
    extra = (bias_k is not None) + add_zero_attn
    mask = _combined_mask(attn_mask, key_padding_mask, batch, num_heads, length, keys.shape[2], extra, query.dtype)
    keys, values = _appended(keys, bias_k, add_zero_attn), _appended(values, bias_v, add_zero_attn)
    attention = _attention_weights(queries, keys, mask, False, None)
    attention = F.dropout(attention, dropout_p, training=training)
    heads = attention @ values
    output = F.linear(heads.transpose(1, 2).reshape(batch, length, embed), out_proj_weight, out_proj_bias)
    output = output.squeeze(0) if unbatched else output.transpose(0, 1)
    if not need_weights:
        return output, None
    if average_attn_weights:
        attention = attention.mean(dim=1)
    return output, attention.squeeze(0) if unbatched else attention


class NonDynamicallyQuantizableLinear(Linear):
    """torch's name for MultiheadAttention's output projection: a Linear (the name only
    matters to torch's quantization), kept so reprs match torch's."""


class MultiheadAttention(Module):
    """Attention over num_heads heads (see the module docstring) with torch's parameters:
    in_proj_weight (3E, E) holding W_q, W_k, W_v one under the other and in_proj_bias (3E,);
    with kdim or vdim ≠ embed_dim, as torch, separate q_proj_weight (E, E), k_proj_weight
    (E, kdim), v_proj_weight (E, vdim) instead; out_proj; with add_bias_kv, bias_k and bias_v
    (1, 1, E). Weights initialised as torch's: xavier_uniform_ projections, zero biases,
    xavier_normal_ bias_k and bias_v."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True, add_bias_kv: bool = False,
                 add_zero_attn: bool = False, kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = None):
        super().__init__()
        self.embed_dim = check_positive(embed_dim, "embed_dim", "MultiheadAttention")
        self.num_heads = check_positive(num_heads, "num_heads", "MultiheadAttention")
        if embed_dim % num_heads:
            raise ArgumentAssertionError(f"MultiheadAttention: embed_dim must be divisible by num_heads; got embed_dim={embed_dim}, num_heads={num_heads}")
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
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, embed_dim), dtype=np.float32))
            self.bias_v = Parameter(np.empty((1, 1, embed_dim), dtype=np.float32))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()
        apply_factory_kwargs(self, device, dtype)

    def _reset_parameters(self) -> None:
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        for bias in (self.bias_k, self.bias_v):
            if bias is not None:
                init.xavier_normal_(bias)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None, need_weights: bool = True,
                attn_mask: Any = None, average_attn_weights: bool = True, is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """query (L, N, E), key and value (S, N, E) — (N, L, E) with batch_first, or (L, E)
        unbatched. Returns (output shaped as query, weights (N, L, S) averaged over heads, or
        (N, H, L, S), or None when need_weights=False)."""
        batch_first = self.batch_first and query.ndim == 3
        if batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        output, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias, self.bias_k,
            self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        return (output.transpose(0, 1) if batch_first else output), weights
