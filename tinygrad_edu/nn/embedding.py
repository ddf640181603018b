"""`Embedding`: a lookup table, Y[i...] = W[index[i...]], as torch.nn.Embedding, and F.embedding.

Looking rows up is indexing, so dE/dW adds each output row's gradient into the row it came
from (rows picked twice get both). A padding row (padding_idx) is looked up like any other
but gets no gradient, so it stays what it is (zeros after the default initialisation).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .linear import check_positive
from .module import Module
from .parameter import Parameter
from .random import generator


def _padding_row(padding_idx: int | None, num_embeddings: int) -> int | None:
    """padding_idx as a row number (negative counts from the end, as torch), checked in range."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"padding_idx must be within num_embeddings ({num_embeddings}); got {padding_idx}")
    return padding_idx % num_embeddings


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of weight (num_embeddings, embedding_dim) at an integer index tensor of any shape:
    the output has shape (*input.shape, embedding_dim)."""
    index = input.data if isinstance(input, Tensor) else np.asarray(input)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected an integer index tensor (Long or Int); got {index.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim); got shape {tuple(weight.shape)}")
    if index.size and (index.min() < 0 or index.max() >= weight.shape[0]):
        raise IndexError(f"embedding: index out of range for {weight.shape[0]} embeddings (got {int(index.min())}..{int(index.max())})")
    row = _padding_row(padding_idx, weight.shape[0])
    if row is not None and weight.requires_grad:
        # Same values, but the padding row is read through a detached copy: its gradient is 0.
        learned = np.ones((weight.shape[0], 1), dtype=weight.dtype)
        learned[row] = 0
        weight = weight * Tensor(learned) + weight.detach() * Tensor(1 - learned)
    return weight[Tensor(index.astype(np.int64))]


class Embedding(Module):
    """A table of num_embeddings vectors of size embedding_dim, W ~ N(0, 1) (padding row zero)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False, _weight: Tensor | None = None,
                 _freeze: bool = False, dtype: Any = None):
        super().__init__()
        if max_norm is not None:
            raise NotImplementedError("Embedding: max_norm (renormalising looked-up rows in place) is not supported; use max_norm=None")
        if scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: scale_grad_by_freq and sparse gradients are not supported")
        self.num_embeddings = check_positive(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = check_positive(embedding_dim, "embedding_dim", "Embedding")
        self.padding_idx = _padding_row(padding_idx, self.num_embeddings)
        self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse = max_norm, norm_type, scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(np.zeros((self.num_embeddings, self.embedding_dim)), dtype=dtype or np.float32)  # not np.empty: casting its garbage warns of overflow
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected {(self.num_embeddings, self.embedding_dim)}")
            self.weight = Parameter(_weight.data, requires_grad=not _freeze, dtype=dtype)

    def reset_parameters(self) -> None:
        self.weight.data[...] = generator().standard_normal(self.weight.shape)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose table is `embeddings` (2-D), frozen (no gradient) unless freeze=False.
        The padding row keeps its given values, as torch."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional; got shape {tuple(embeddings.shape)}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings, _freeze=freeze)
