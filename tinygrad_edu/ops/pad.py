"""Padding, as torch.nn.functional.pad: `pad` lists (before, after) pairs from the LAST dim
backwards, e.g. (1, 1, 2, 0) pads the last dim by 1 on each side and the one before it by 2
at the start.

Built from two linear ops and their adjoints, so no new backward is needed:
- constant: Y = zeros of the padded shape with X written in the middle (IndexAdd with slices),
  plus the fill value on the border;  dE/dX = dE/dY[the middle] (negative pads crop first: Index).
- reflect / replicate / circular: Y = X[i₁, i₂, …] with each padded dim's index vector from
  np.pad of an arange (reflected, edge-repeated or wrapped positions);  dE/dX = dE/dY added back
  at those positions (IndexAdd: an edge element collects the gradient of every copy).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import movement

_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pairs(pad: Sequence[int], ndim: int) -> list[tuple[int, int]]:
    """(before, after) per padded dim, in dim order (the first pair is for the last dim)."""
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > ndim:
        raise ShapeError(f"pad: the padding {tuple(pad)} must have an even length of at most 2 × {ndim} (the input's dims)")
    return [(pad[2 * k], pad[2 * k + 1]) for k in reversed(range(len(pad) // 2))]


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    pairs = _pairs(pad, x.ndim)
    first = x.ndim - len(pairs)
    if mode == "constant":
        return _constant(x, pairs, first, 0.0 if value is None else value)
    if mode not in _NUMPY_MODES:
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; use 'constant', 'reflect', 'replicate' or 'circular'")
    if value:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    vectors = []
    for (before, after), size in zip(pairs, x.shape[first:]):
        if mode == "reflect" and (before >= size or after >= size):
            raise ShapeError(f"pad: argument (pad) should be less than the dimension size in reflect mode; got padding ({before}, {after}) for a dim of size {size} in shape {x.shape}")
        if min(before, after) < 0 or size == 0 or (mode == "circular" and max(before, after) > size):
            raise ShapeError(f"pad: padding ({before}, {after}) does not fit a dim of size {size} in shape {x.shape} in {mode} mode")
        vectors.append(np.pad(np.arange(size), (before, after), mode=_NUMPY_MODES[mode]))
    # Adjacent advanced indices at the end keep their dims in place.
    return movement.Index.apply(x, (Ellipsis, *np.ix_(*vectors)))


def _constant(x: Tensor, pairs: list[tuple[int, int]], first: int, value: float) -> Tensor:
    crop = tuple(slice(max(-before, 0), size - max(-after, 0)) for (before, after), size in zip(pairs, x.shape[first:]))
    if any(before < 0 or after < 0 for before, after in pairs):
        x = movement.Index.apply(x, (Ellipsis, *crop))
    middle = tuple(slice(max(before, 0), max(before, 0) + size) for (before, _), size in zip(pairs, x.shape[first:]))
    shape = x.shape[:first] + tuple(size + max(before, 0) + max(after, 0) for (before, after), size in zip(pairs, x.shape[first:]))
    if min(shape, default=1) < 0:
        raise ShapeError(f"pad: the padding {pairs} makes a negative size from shape {x.shape}")
    padded = movement.IndexAdd.apply(x, (Ellipsis, *middle), shape)
    if value == 0:
        return padded
    border = np.full(shape, value, dtype=x.dtype)
    border[(Ellipsis, *middle)] = 0
    return padded + border
