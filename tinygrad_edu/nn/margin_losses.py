"""Margin and embedding losses, as torch.nn.functional's, composed of differentiable Tensor ops
(so they have double backward). With y ∈ {1, −1} the target and m the margin:

    margin_ranking:        max(0, −y (x1 − x2) + m)
    hinge_embedding:       x where y = 1,   max(0, m − x) where y = −1
    soft_margin:           log(1 + e^(−y x))
    cosine_embedding:      1 − cos(x1, x2) where y = 1,   max(0, cos(x1, x2) − m) where y = −1
    multilabel_soft_margin: −mean_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)]   (y_c ∈ {0, 1})
    multi_margin:          Σ_{i ≠ t} max(0, m − x_t + x_i)^p / C            (t the class index)
    multilabel_margin:     Σ_{j ∈ T} Σ_{i ∉ T} max(0, 1 − (x_j − x_i)) / C   (T the classes listed
                           in the target row, up to its first −1)
    triplet_margin:        max(0, d(a, p) − d(a, n) + m), d(u, v) = ‖u − v + ε‖_p
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..api.elementwise import minimum, where
from ..errors import ShapeError
from ..tensor import Tensor
from .activation_functions import logsigmoid
from .regression_losses import as_tensor, check_reduction, legacy_reduction, reduce_losses

__all__ = [
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]

# torch's guard in cosine_embedding_loss: added to each squared norm, so cos of a zero vector is 0.
_COSINE_EPSILON = 1e-12


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str, name: str) -> str:
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, name)
    return reduction


def _hinge(x: Tensor) -> Tensor:
    """max(0, x)."""
    return x.clamp(min=0.0)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, −y (x1 − x2) + margin): x1 should rank above x2 where y = 1, below where y = −1."""
    reduction = _reduction(size_average, reduce, reduction, "margin_ranking_loss")
    target = as_tensor(target)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                         f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return reduce_losses(_hinge(-target * (input1 - input2) + margin), reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin − x) where y = −1 (x typically a distance)."""
    reduction = _reduction(size_average, reduce, reduction, "hinge_embedding_loss")
    target = as_tensor(target)
    # As torch: each term is kept where the target is not the other label.
    losses = where(target != 1, _hinge(margin - input), 0.0) + where(target != -1, input, 0.0)
    return reduce_losses(losses, reduction)


def soft_margin_loss(input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + e^(−y x)), the logistic loss for labels y ∈ {1, −1}."""
    reduction = _reduction(size_average, reduce, reduction, "soft_margin_loss")
    return reduce_losses(-logsigmoid(input * as_tensor(target)), reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0, size_average: bool | None = None,
                          reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """1 − cos(x1, x2) where y = 1, max(0, cos(x1, x2) − margin) where y = −1; x1, x2 (N, D)
    or (D,), cos along the last dim."""
    reduction = _reduction(size_average, reduce, reduction, "cosine_embedding_loss")
    target = as_tensor(target)
    if input1.shape != input2.shape or input1.ndim not in (1, 2) or target.shape != input1.shape[:-1]:
        raise ShapeError(f"cosine_embedding_loss: expected inputs (N, D) or (D,) of one shape and a target (N,) or (); "
                         f"got {input1.shape}, {input2.shape} and {target.shape}")
    products = (input1 * input2).sum(-1)
    squares1 = (input1 * input1).sum(-1) + _COSINE_EPSILON
    squares2 = (input2 * input2).sum(-1) + _COSINE_EPSILON
    cos = products / (squares1 * squares2).sqrt()
    losses = where(target == 1, 1 - cos, 0.0) + where(target == -1, _hinge(cos - margin), 0.0)
    return reduce_losses(losses, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
                                reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """−mean over classes (last dim) of y log σ(x) + (1 − y) log σ(−x), optionally weighted
    per class: one value per sample, then reduced."""
    reduction = _reduction(size_average, reduce, reduction, "multilabel_soft_margin_loss")
    target = as_tensor(target)
    losses = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        losses = losses * as_tensor(weight)
    return reduce_losses(losses.sum(-1) / input.shape[-1], reduction)


def _class_rows(input: Tensor, target: np.ndarray, name: str) -> tuple[Tensor, np.ndarray]:
    """input as (N, C) rows and target's class indices as (N,)."""
    if input.ndim not in (1, 2) or target.shape != input.shape[:-1]:
        raise ShapeError(f"{name}: expected input (N, C) or (C,) and a target (N,) or (); got {input.shape} and {target.shape}")
    if target.size and (target.min() < 0 or target.max() >= input.shape[-1]):
        raise RuntimeError(f"{name}: target out of range: class indices must be in 0..{input.shape[-1] - 1}")
    return input.reshape(-1, input.shape[-1]), target.reshape(-1)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Σ_{i ≠ t} w_t max(0, margin − x_t + x_i)^p / C per sample, t its class index (p 1 or 2):
    the multi-class hinge loss."""
    reduction = _reduction(size_average, reduce, reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    labels = np.asarray(as_tensor(target).array)
    rows, labels = _class_rows(input, labels, "multi_margin_loss")
    classes = rows.shape[-1]
    picked = rows.gather(1, Tensor(labels[:, None].astype(np.int64)))
    others = Tensor(np.arange(classes) != labels[:, None])  # the target class itself adds nothing
    margins = where(others, _hinge(margin - picked + rows), 0.0)
    if p == 2:
        margins = margins * margins
    if weight is not None:
        margins = margins * as_tensor(weight)[Tensor(labels.astype(np.int64))].reshape(-1, 1)
    losses = margins.sum(1) / classes
    return reduce_losses(losses.reshape(input.shape[:-1]), reduction)


def multilabel_margin_loss(input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
                           reduction: str = "mean") -> Tensor:
    """Σ_{j ∈ T} Σ_{i ∉ T} max(0, 1 − (x_j − x_i)) / C per sample, T the class indices at the
    start of its target row (int64, of the input's shape), up to the first −1."""
    reduction = _reduction(size_average, reduce, reduction, "multilabel_margin_loss")
    labels = np.asarray(as_tensor(target).array)
    if labels.shape != input.shape or input.ndim not in (1, 2):
        raise ShapeError(f"multilabel_margin_loss: expected input (N, C) or (C,) and a target of its shape; got {input.shape} and {labels.shape}")
    rows, labels = input.reshape(-1, input.shape[-1]), labels.reshape(-1, input.shape[-1])
    classes = rows.shape[-1]
    listed = np.cumprod(labels != -1, axis=1).astype(bool)  # the entries before the first −1
    if (labels[listed] < 0).any() or (labels[listed] >= classes).any():
        raise RuntimeError(f"multilabel_margin_loss: target out of range: class indices must be in 0..{classes - 1}")
    is_target = np.zeros(rows.shape, dtype=bool)
    row_index = np.nonzero(listed)[0]
    is_target[row_index, labels[listed]] = True
    # pairs[n, j, i]: 1 − (x_j − x_i), counted where j is a target class and i is not.
    pairs = _hinge(1 - rows.unsqueeze(2) + rows.unsqueeze(1))
    counted = Tensor(is_target[:, :, None] & ~is_target[:, None, :])
    losses = where(counted, pairs, 0.0).sum((1, 2)) / classes
    return reduce_losses(losses.reshape(input.shape[:-1]), reduction)


def _pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6) -> Tensor:
    """‖x1 − x2 + ε‖_p along the last dim, as torch.pairwise_distance."""
    return (x1 - x2 + eps).norm(p, dim=-1)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) − d(a, n) + margin) with any distance d (default the pairwise L2); swap:
    d(a, n) becomes min(d(a, n), d(p, n)), the harder negative."""
    check_reduction(reduction, "triplet_margin_with_distance_loss")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
                         f"but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = _pairwise_distance if distance_function is None else distance_function
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    if swap:
        to_negative = minimum(to_negative, distance(positive, negative))
    return reduce_losses(_hinge(margin + to_positive - to_negative), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) − d(a, n) + margin), d(u, v) = ‖u − v + eps‖_p along the last dim."""
    reduction = _reduction(size_average, reduce, reduction, "triplet_margin_loss")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
                         f"but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    distance = lambda u, v: _pairwise_distance(u, v, p, eps)  # noqa: E731
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    if swap:
        to_negative = minimum(to_negative, distance(positive, negative))
    return reduce_losses(_hinge(margin + to_positive - to_negative), reduction)
