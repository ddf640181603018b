"""The Transformer encoder as torch.nn.TransformerEncoderLayer and TransformerEncoder: self-
attention and a two-layer feed-forward block, each with a residual connection and LayerNorm,
with torch's submodule names (so state_dicts are interchangeable with torch's)."""
from __future__ import annotations

import copy
from typing import Any, Callable

from ..tensor import Tensor
from . import functional as F
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear, check_positive
from .module import Module
from .normalization import LayerNorm
from .parameter import Parameter

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(Module):
    """Post-norm (norm_first=False, torch's default):
        X ← norm1(X + dropout1(SelfAttention(X)));  X ← norm2(X + dropout2(FF(X)))
    pre-norm (norm_first=True):
        X ← X + dropout1(SelfAttention(norm1(X)));  X ← X + dropout2(FF(norm2(X)))
    with FF(X) = linear2(dropout(activation(linear1(X))))."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True):
        super().__init__()
        check_positive(dim_feedforward, "dim_feedforward", "TransformerEncoderLayer")
        if isinstance(activation, str):
            if activation not in _ACTIVATIONS:
                raise RuntimeError(f"TransformerEncoderLayer: activation should be relu/gelu, not {activation}")
            activation = _ACTIVATIONS[activation]
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = activation

    def _self_attention(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal)
        return self.dropout1(out)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool = False) -> Tensor:
        """src (S, N, E), (N, S, E) with batch_first, or (S, E); masks as MultiheadAttention's."""
        x = src
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._self_attention(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._feed_forward(x))


def _clone(layer: Module) -> Module:
    """An independent copy, as torch's copy.deepcopy. The copy's parameters are made anew:
    deepcopy would also copy each tensor's creation order, which backward uses to order the
    graph, so two copies would tie there."""
    clone = copy.deepcopy(layer)
    for module in clone.modules():
        for name, parameter in list(module._own_parameters()):
            setattr(module, name, Parameter(parameter.array, requires_grad=parameter.requires_grad, dtype=parameter.dtype))
    return clone


class TransformerEncoder(Module):
    """num_layers independent copies of encoder_layer applied in turn, then `norm` if given.

    enable_nested_tensor and mask_check are stored as torch stores them; they steer torch's
    inference fast path (nested tensors that skip padded positions), which does not exist
    here, so they change nothing: use_nested_tensor is always False."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        self.layers = ModuleList([_clone(encoder_layer) for _ in range(check_positive(num_layers, "num_layers", "TransformerEncoder"))])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool | None = None) -> Tensor:
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return self.norm(output) if self.norm is not None else output
