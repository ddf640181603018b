"""The Transformer as torch.nn's TransformerEncoderLayer, TransformerEncoder,
TransformerDecoderLayer, TransformerDecoder and Transformer: self-attention (and, in the
decoder, attention over the encoder's output, the memory) and a two-layer feed-forward block,
each with a residual connection and LayerNorm, with torch's submodule names (so state_dicts
are interchangeable with torch's)."""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .multihead_attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .factory import apply_factory_kwargs
from .linear import Linear, check_positive
from .module import Module
from .normalization import LayerNorm
from .parameter import Parameter

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


def _activation(activation: str | Callable[[Tensor], Tensor], layer: str) -> Callable[[Tensor], Tensor]:
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise RuntimeError(f"{layer}: activation should be relu/gelu, not {activation}")
        return _ACTIVATIONS[activation]
    return activation


class TransformerEncoderLayer(Module):
    """Post-norm (norm_first=False, torch's default):
        X ← norm1(X + dropout1(SelfAttention(X)));  X ← norm2(X + dropout2(FF(X)))
    pre-norm (norm_first=True):
        X ← X + dropout1(SelfAttention(norm1(X)));  X ← X + dropout2(FF(norm2(X)))
    with FF(X) = linear2(dropout(activation(linear1(X))))."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__()
        check_positive(dim_feedforward, "dim_feedforward", "TransformerEncoderLayer")
        activation = _activation(activation, "TransformerEncoderLayer")
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
        apply_factory_kwargs(self, device, dtype)

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


class TransformerDecoderLayer(Module):
    """Post-norm (norm_first=False, torch's default), with memory M the encoder's output:
        X ← norm1(X + dropout1(SelfAttention(X)))
        X ← norm2(X + dropout2(Attention(X, M, M)))
        X ← norm3(X + dropout3(FF(X)))
    pre-norm (norm_first=True): X ← X + dropout1(SelfAttention(norm1(X))), and so on;
    FF(X) = linear2(dropout(activation(linear1(X))))."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str | Callable[[Tensor], Tensor] = F.relu, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__()
        check_positive(dim_feedforward, "dim_feedforward", "TransformerDecoderLayer")
        activation = _activation(activation, "TransformerDecoderLayer")
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = activation
        apply_factory_kwargs(self, device, dtype)

    def _self_attention(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal)
        return self.dropout1(out)

    def _memory_attention(self, x: Tensor, memory: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out, _ = self.multihead_attn(x, memory, memory, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                     need_weights=False, is_causal=is_causal)
        return self.dropout2(out)

    def _feed_forward(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        """tgt (T, N, E) and memory (S, N, E) ((N, ·, E) with batch_first, or unbatched); the
        masks as MultiheadAttention's: tgt_* for the self-attention, memory_* over the memory."""
        x = tgt
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._memory_attention(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._feed_forward(self.norm3(x))
        x = self.norm1(x + self._self_attention(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._memory_attention(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._feed_forward(x))


class TransformerDecoder(Module):
    """num_layers independent copies of decoder_layer applied in turn (each attending to the
    same memory), then `norm` if given."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = ModuleList([_clone(decoder_layer) for _ in range(check_positive(num_layers, "num_layers", "TransformerDecoder"))])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None, memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=bool(tgt_is_causal),
                           memory_is_causal=memory_is_causal)
        return self.norm(output) if self.norm is not None else output


class Transformer(Module):
    """The encoder-decoder of "Attention Is All You Need": memory = encoder(src), then
    output = decoder(tgt, memory), each a stack of layers ending in a LayerNorm (or the
    custom_encoder / custom_decoder given). Every weight matrix is initialised by
    xavier_uniform_, as torch's."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = F.relu,
                 custom_encoder: Any | None = None, custom_decoder: Any | None = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__()
        layer_options = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
            self.encoder = TransformerEncoder(TransformerEncoderLayer(*layer_options), num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
            self.decoder = TransformerDecoder(TransformerDecoderLayer(*layer_options), num_decoder_layers, norm)
        for parameter in self.parameters():
            if parameter.ndim > 1:
                init.xavier_uniform_(parameter)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        apply_factory_kwargs(self, device, dtype)

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None, memory_mask: Any = None,
                src_key_padding_mask: Any = None, tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """src (S, N, E), tgt (T, N, E) ((N, ·, E) with batch_first, or unbatched): the
        decoder's output, shaped as tgt."""
        batch_dim = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise ShapeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ShapeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The (sz, sz) float causal mask: −∞ above the diagonal (position i may not attend to
        j > i), 0 elsewhere; added to the attention scores."""
        cpu_device(device)
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        return Tensor.from_numpy(np.triu(np.full((sz, sz), -np.inf), k=1).astype(dtype))
