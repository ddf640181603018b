"""Distances between batches of vectors, as torch.nn.CosineSimilarity / PairwiseDistance and
F.cosine_similarity / F.pairwise_distance (siamese and contrastive models compare embeddings
with them). Both are Tensor ops, so they have gradients of gradients.

    cosine_similarity(x₁, x₂) = Σ_dim (x₁ / max(‖x₁‖, ε)) ⊙ (x₂ / max(‖x₂‖, ε))
    pairwise_distance(x₁, x₂) = ‖x₁ − x₂ + ε‖_p  along the last dim

(torch's formulas: ε keeps a zero vector from dividing by 0, and the distance between equal
vectors differentiable). x₁ and x₂ broadcast against each other.
"""
from __future__ import annotations

from ..tensor import Tensor
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance", "cosine_similarity", "pairwise_distance"]


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along dim, each norm at least eps."""
    unit1 = x1 / x1.norm(2, dim, keepdim=True).clamp(min=eps)
    unit2 = x2 / x2.norm(2, dim, keepdim=True).clamp(min=eps)
    return (unit1 * unit2).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The p-norm of x1 − x2 + eps along the last dim."""
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


class CosineSimilarity(Module):
    """cosine_similarity(x1, x2, dim, eps) as a module."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """pairwise_distance(x1, x2, p, eps, keepdim) as a module."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim  # torch keeps p as `norm`

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
