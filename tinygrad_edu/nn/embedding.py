"""`Embedding`: a lookup table, Y[i...] = W[index[i...]], as torch.nn.Embedding, and F.embedding.

Looking rows up is indexing, so dE/dW adds each output row's gradient into the row it came
from (rows picked twice get both). A padding row (padding_idx) is looked up like any other
but gets no gradient, so it stays what it is (zeros after the default initialisation).

torch's options: `max_norm` rescales, in place and before the lookup, each looked-up row whose
norm_type-norm exceeds max_norm to norm max_norm (W_i ← W_i · max_norm / (‖W_i‖ + 1e-7));
`scale_grad_by_freq` divides the gradient reaching each output row by how often its index
occurs in the batch; `sparse=True` is accepted and gives the same gradient, dense.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from ..tensor import Tensor
from .linear import check_positive
from .module import Module
from .parameter import Parameter
from .random import generator


class _EmbeddingArgumentError(ValueError, AssertionError):
    """A bad argument (ValueError), raised where torch asserts (so `except AssertionError`
    written for torch catches it too)."""


def _padding_row(padding_idx: int | None, num_embeddings: int) -> int | None:
    """padding_idx as a row number (negative counts from the end, as torch), checked in range."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise _EmbeddingArgumentError(f"Padding_idx must be within num_embeddings ({num_embeddings}); got {padding_idx}")
    return padding_idx % num_embeddings


def _renormalize_rows(weight: Tensor, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch's embedding_renorm_: in place and outside the graph, every row looked up whose
    norm exceeds max_norm is scaled down to norm max_norm (the 1e-7 is torch's)."""
    rows = np.unique(index)
    norms = np.linalg.norm(weight.array[rows].astype(np.float64), ord=norm_type, axis=1)
    too_long = norms > max_norm
    weight.array[rows[too_long]] *= (max_norm / (norms[too_long] + 1e-7))[:, None].astype(weight.array.dtype)


def _scaled_by_inverse_frequency(output: Tensor, index: np.ndarray) -> Tensor:
    """output with the same values, whose gradient at each position is divided by the number of
    times that position's index occurs in the batch (scale_grad_by_freq). The values stay exact:
    (output − output.detach()) is 0, so only its gradient is scaled."""
    _, inverse, counts = np.unique(index, return_inverse=True, return_counts=True)
    scale = (1.0 / counts[inverse]).reshape(*index.shape, 1).astype(output.array.dtype)
    frozen = output.detach()
    return frozen + (output - frozen) * Tensor(scale)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of weight (num_embeddings, embedding_dim) at an integer index tensor of any shape:
    the output has shape (*input.shape, embedding_dim). max_norm, scale_grad_by_freq and
    sparse as torch's (module docstring); `sparse` changes nothing here: gradients are dense."""
    index = input.array if isinstance(input, Tensor) else np.asarray(input)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding: expected an integer index tensor (Long or Int); got {index.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim); got shape {tuple(weight.shape)}")
    if index.size and (index.min() < 0 or index.max() >= weight.shape[0]):
        raise IndexError(f"embedding: index out of range for {weight.shape[0]} embeddings (got {int(index.min())}..{int(index.max())})")
    row = _padding_row(padding_idx, weight.shape[0])
    if max_norm is not None:
        _renormalize_rows(weight, index, max_norm, norm_type)
    if row is not None and weight.requires_grad:
        # Same values, but the padding row is read through a detached copy: its gradient is 0.
        learned = np.ones((weight.shape[0], 1), dtype=weight.dtype)
        learned[row] = 0
        weight = weight * Tensor(learned) + weight.detach() * Tensor(1 - learned)
    output = weight[Tensor(index.astype(np.int64))]
    if scale_grad_by_freq and output.requires_grad:
        output = _scaled_by_inverse_frequency(output, index)
    return output


class Embedding(Module):
    """A table of num_embeddings vectors of size embedding_dim, W ~ N(0, 1) (padding row zero)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False, _weight: Tensor | None = None,
                 _freeze: bool = False, device: Any = None, dtype: Any = None):
        super().__init__()
        cpu_device(device)
        self.num_embeddings = check_positive(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = check_positive(embedding_dim, "embedding_dim", "Embedding")
        self.padding_idx = _padding_row(padding_idx, self.num_embeddings)
        self.max_norm, self.norm_type, self.scale_grad_by_freq, self.sparse = max_norm, norm_type, scale_grad_by_freq, sparse
        if _weight is None:
            dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
            self.weight = Parameter(np.zeros((self.num_embeddings, self.embedding_dim)), dtype=dtype)  # not np.empty: casting its garbage warns of overflow
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected {(self.num_embeddings, self.embedding_dim)}")
            self.weight = Parameter(getattr(_weight, "array", _weight), requires_grad=not _freeze, dtype=dtype)

    def reset_parameters(self) -> None:
        self.weight.array[...] = generator().standard_normal(self.weight.shape)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        """torch's: the sizes, then only the options that differ from their defaults."""
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose table is `embeddings` (2-D), frozen (no gradient) unless freeze=False.
        The padding row keeps its given values, as torch."""
        if embeddings.ndim != 2:
            raise _EmbeddingArgumentError(f"Embeddings parameter is expected to be 2-dimensional; got shape {tuple(embeddings.shape)}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings, _freeze=freeze)
