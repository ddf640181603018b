"""Classification losses, as torch.nn.functional's: nll_loss, cross_entropy (class indices or
probabilities, label smoothing, ignore_index, class weights, logits (N, C, d1, ...)) and the
binary cross-entropies.

With log-probabilities L = log_softmax(Y) along the class dim C, class weights w:
    nll:            −w_t L_t per element;  mean = Σ (−w_t L_t) / Σ w_t over non-ignored targets
    cross_entropy:  nll(log_softmax(Y)); with label smoothing ε:
                    (1 − ε) nll + ε/C · Σ_c (−w_c L_c)   (same normalizer as nll)
                    with probability targets P: −Σ_c w_c P_c L_c, mean over N·d1·...
    bce:            −w (y max(log x, −100) + (1 − y) max(log(1 − x), −100))
    bce_with_logits: (1 − y) x + (1 + (p − 1) y) softplus(−x), p the pos_weight
                    (= bce(σ(x), y) without σ's rounding: stable for any x)

The common case, logits (N, C) and class indices with no weight, no smoothing and no ignored
target, goes to the fused CrossEntropy op (ops/loss.py); the rest is composed of
differentiable Tensor ops, so every loss here has double backward.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..api.elementwise import where
from ..errors import ShapeError, TargetDtypeError, TargetIndexError
from ..ops import loss as fused
from ..tensor import Tensor
from .activation_functions import _stable_softplus
from .regression_losses import as_tensor, check_reduction, legacy_reduction, reduce_losses


def _constant(array: np.ndarray) -> Tensor:
    # from_numpy keeps the dtype (Tensor(array) would make float64 weights float32).
    return Tensor.from_numpy(np.asarray(array))


def _class_dim(input: Tensor, name: str) -> int:
    if input.ndim == 0:
        raise ShapeError(f"{name}: input must have a class dim (shape (C,), (N, C) or (N, C, d1, ...)); got a 0-d tensor")
    return 0 if input.ndim == 1 else 1


def _class_weights(weight: Any, classes: int, name: str) -> np.ndarray | None:
    if weight is None:
        return None
    weights = np.asarray(as_tensor(weight).array)
    if weights.shape != (classes,):
        raise ShapeError(f"{name}: weight must hold one value per class, shape ({classes},); got shape {weights.shape}")
    return weights


def _picked(input: Tensor, target: np.ndarray, weight: Any, ignore_index: int, name: str) -> tuple[Tensor, np.ndarray]:
    """(L_t per element, the weight w_t of each element: 0 where ignored), for input of
    log-probabilities and integer targets."""
    dim = _class_dim(input, name)
    expected = input.shape[:dim] + input.shape[dim + 1 :]
    if target.shape != expected:
        raise ShapeError(f"{name}: target of shape {target.shape} does not fit input of shape {input.shape} (expected {expected})")
    classes = input.shape[dim]
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= classes):
        bad = safe[(safe < 0) | (safe >= classes)].flat[0]
        raise TargetIndexError(f"{name}: Target {bad} is out of bounds (labels must be in 0..{classes - 1} or ignore_index={ignore_index})")
    weights = _class_weights(weight, classes, name)
    element_weights = (weights[safe] if weights is not None else np.ones(safe.shape)) * valid
    picked = input.gather(dim, Tensor(np.expand_dims(safe, dim).astype(np.int64))).squeeze(dim)
    return picked, element_weights.astype(input.array.dtype)


def _reduce_weighted(losses: Tensor, element_weights: np.ndarray, reduction: str) -> Tensor:
    if reduction == "mean":
        total = element_weights.sum()
        if total == 0:
            # Every target ignored: the loss is 0/0 = nan and the gradient 0, as torch's
            # (dividing by 0 here would make the gradient nan as well).
            return losses.sum() * 0.0 + float("nan")
        return losses.sum() / total
    return reduce_losses(losses, reduction)


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """−w_t L_t for log-probabilities L (shape (C,), (N, C) or (N, C, d1, ...)) and class
    indices t; "mean" divides by Σ w_t over the targets that are not ignore_index."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "nll_loss")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"nll_loss: not implemented for {input.array.dtype} log-probabilities (give it floats)")
    target = np.asarray(as_tensor(target).array)
    fused.check_index_dtype(target.dtype, "nll_loss")
    picked, element_weights = _picked(input, target, weight, ignore_index, "nll_loss")
    return _reduce_weighted(-picked * _constant(element_weights), element_weights, reduction)


def _class_broadcast(values: np.ndarray, ndim: int, dim: int) -> Tensor:
    # (C,) → shaped to broadcast along the class dim of an ndim-dim input.
    return _constant(values.reshape((-1,) + (1,) * (ndim - dim - 1)))


def _probability_cross_entropy(log_probs: Tensor, target: Tensor, weights: np.ndarray | None, reduction: str, label_smoothing: float, dim: int) -> Tensor:
    classes = log_probs.shape[dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    products = log_probs * target
    if weights is not None:
        products = products * _class_broadcast(weights.astype(log_probs.array.dtype), log_probs.ndim, dim)
    losses = -products.sum(dim)
    if reduction == "mean":
        return losses.sum() / (log_probs.numel() // classes if classes else 0)
    return reduce_losses(losses, reduction)


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits (C,), (N, C) or (N, C, d1, ...) against class indices (one per
    element, ignore_index skipped) or class probabilities (input's shape)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1]; got {label_smoothing}")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"cross_entropy: not implemented for {input.array.dtype} logits (log_softmax needs floats)")
    target = as_tensor(target)
    # torch's rule: a target of the input's shape holds class probabilities, any other one
    # class indices (int64 or uint8).
    indices = target.shape != input.shape
    if indices:
        fused.check_index_dtype(target.array.dtype, "cross_entropy")
    elif target.array.dtype.kind != "f":
        raise TargetDtypeError(f"cross_entropy: expected floating point type for target with class probabilities, got {target.array.dtype}")
    if (indices and input.ndim == 2 and target.ndim == 1 and weight is None and label_smoothing == 0
            and not (target.array == ignore_index).any()):
        return fused.CrossEntropy.apply(input, target, reduction)
    dim = _class_dim(input, "cross_entropy")
    log_probs = input.log_softmax(dim)
    if not indices:
        weights = _class_weights(weight, input.shape[dim], "cross_entropy")
        return _probability_cross_entropy(log_probs, target, weights, reduction, label_smoothing, dim)
    picked, element_weights = _picked(log_probs, np.asarray(target.array), weight, ignore_index, "cross_entropy")
    nll = _reduce_weighted(-picked * _constant(element_weights), element_weights, reduction)
    if label_smoothing == 0:
        return nll
    weights = _class_weights(weight, input.shape[dim], "cross_entropy")
    weighted = log_probs if weights is None else log_probs * _class_broadcast(weights.astype(input.array.dtype), input.ndim, dim)
    valid = _constant((np.asarray(target.array) != ignore_index).astype(input.array.dtype))
    smooth = -weighted.sum(dim) * valid
    return nll * (1 - label_smoothing) + _reduce_weighted(smooth, element_weights, reduction) * (label_smoothing / input.shape[dim])


def _check_float_target(target: Tensor, name: str) -> None:
    # torch refuses integer or bool targets here (a label tensor needs .float() first).
    if target.array.dtype.kind != "f":
        raise TargetDtypeError(f"{name}: Found dtype {target.array.dtype} but expected a floating-point target (use target.float())")


def _check_same_shape(input: Tensor, target: Tensor, name: str) -> None:
    if target.shape != input.shape:
        raise ValueError(f"{name}: Target size ({target.shape}) must be the same as input size ({input.shape})")


def _clamped_log(x: Tensor) -> Tensor:
    # max(log x, −100) as torch; log is taken of 1 where x = 0, so no −∞ (or 0 · ∞) arises.
    positive = x > 0
    return where(positive, where(positive, x, 1.0).log(), -100.0).clamp(min=-100.0)


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
                         reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """−w (y log x + (1 − y) log(1 − x)) for probabilities x in [0, 1], logs clamped at −100."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "binary_cross_entropy")
    target = as_tensor(target)
    _check_float_target(target, "binary_cross_entropy")
    _check_same_shape(input, target, "binary_cross_entropy")
    values = input.array
    if values.size and (values.min() < 0 or values.max() > 1):
        raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1")
    losses = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    if weight is not None:
        losses = losses * as_tensor(weight)
    return reduce_losses(losses, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """bce(σ(x), y) computed from the logits x: (1 − y) x + (1 + (p − 1) y) softplus(−x), with
    pos_weight p weighting the positive class (broadcast along the last dim)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    target = as_tensor(target)
    _check_float_target(target, "binary_cross_entropy_with_logits")
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    log_weight = 1 if pos_weight is None else (as_tensor(pos_weight) - 1) * target + 1
    losses = (1 - target) * input + _stable_softplus(-input) * log_weight
    if weight is not None:
        losses = losses * as_tensor(weight)
    return reduce_losses(losses, reduction)
