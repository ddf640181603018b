"""Average pooling (fixed or adaptive windows) and linear interpolation as two small matrices.

Each of them treats the rows of an image independently of its columns, so it is a matrix along
H and a matrix along W, applied to every (H, W) plane of the batch:

    Y = A_h X A_wᵀ              A_h: (OH, H), A_w: (OW, W)
    dE/dX = A_hᵀ dE/dY A_w      (the fully connected layer's dE/dX = dE/dY Wᵀ, once per side)

Row a of A_h holds the weights output row a takes from the input rows:
- average pooling: 1/count on the rows of window a (rows in the zero padding are simply left
  out, they add nothing), where count is the window's size along this dim as torch counts it;
- adaptive average pooling: the same, with torch's windows start = ⌊a·H/OH⌋, end = ⌈(a+1)·H/OH⌉;
- linear interpolation: 1 − λ and λ on the two input rows around the output row's source
  position (torch's formulas, with or without align_corners);
- nearest-neighbour resizing: a single 1, on the input row output row a copies.
The product of the two dims' counts is the window's area, so dividing along each dim divides by
the area. Being matmuls with constant matrices, these need no backward of their own, and their
double backward comes free.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor


def pooled_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """How many windows fit along a dim, by torch's rule: ⌊(size + 2p − d(k−1) − 1)/s⌋ + 1,
    rounded up in ceil_mode, except that the last window must start inside the input or the
    left padding (a window starting in the right padding would see padding only)."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    return count


def window_matrix(starts: np.ndarray, ends: np.ndarray, size: int, divisors: np.ndarray, dtype: Any) -> np.ndarray:
    """(len(starts), size): row a is 1/divisors[a] on input positions [starts[a], ends[a]) that
    lie inside the input, 0 elsewhere."""
    positions = np.arange(size)
    inside = (positions >= starts[:, None]) & (positions < ends[:, None])
    return (inside / divisors[:, None]).astype(dtype)


def adaptive_windows(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """torch's adaptive windows along a dim: start = ⌊a·size/out⌋, end = ⌈(a+1)·size/out⌉."""
    a = np.arange(out)
    return (a * size) // out, -((-(a + 1) * size) // out)


def adaptive_average_matrix(size: int, out: int, dtype: Any) -> np.ndarray:
    starts, ends = adaptive_windows(size, out)
    return window_matrix(starts, ends, size, (ends - starts).astype(np.float64), dtype)


def window_counts(size: int, kernel: int, stride: int, padding: int, out: int, count_include_pad: bool) -> np.ndarray:
    """How many cells each avg_pool window counts along a dim, as torch: with count_include_pad
    the padded cells too, up to the end of the right padding, never beyond it (ceil_mode's last
    window may reach past it); without, only the cells inside the input."""
    starts = np.arange(out) * stride - padding
    if count_include_pad:
        return np.minimum(starts + kernel, size + padding) - starts
    return np.minimum(starts + kernel, size) - np.maximum(starts, 0)


def average_matrix(size: int, kernel: int, stride: int, padding: int, out: int, count_include_pad: bool, dtype: Any, divisor: float | None = None) -> np.ndarray:
    """avg_pool's matrix along one dim, dividing by `divisor` if given, else by the window's count."""
    starts = np.arange(out) * stride - padding
    counts = np.full(out, divisor) if divisor is not None else window_counts(size, kernel, stride, padding, out, count_include_pad)
    return window_matrix(starts, starts + kernel, size, counts.astype(np.float64), dtype)


def source_positions(size: int, out: int, align_corners: bool, scale: float | None, cubic: bool = False) -> np.ndarray:
    """Where output position a reads from in the input, as torch's linear modes compute it:
    align_corners: a·(size−1)/(out−1) (the corner pixels' centres line up);
    otherwise: (a + ½)·r − ½, at least 0 (except for cubic, as torch), with r = 1/scale_factor
    if given, else size/out."""
    a = np.arange(out, dtype=np.float64)
    if align_corners:
        return a * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    ratio = 1.0 / scale if scale is not None else size / out
    source = (a + 0.5) * ratio - 0.5
    return source if cubic else np.maximum(source, 0.0)


def linear_matrix(size: int, out: int, align_corners: bool, scale: float | None, dtype: Any) -> np.ndarray:
    """(out, size): row a is 1 − λ at the input position i₀ = ⌊source⌋ and λ = source − i₀ at
    i₀ + 1 (at i₀ again on the last position). As torch, an output of the input's size copies
    it (the identity), whatever scale_factor says."""
    if out == size:
        return np.eye(size, dtype=dtype)
    source = source_positions(size, out, align_corners, scale)
    lower = np.minimum(np.floor(source).astype(np.int64), size - 1)
    upper = np.minimum(lower + 1, size - 1)
    weight = source - lower
    matrix = np.zeros((out, size))
    rows = np.arange(out)
    np.add.at(matrix, (rows, lower), 1.0 - weight)
    np.add.at(matrix, (rows, upper), weight)
    return matrix.astype(dtype)


CUBIC_A = -0.75  # torch's (and OpenCV's) choice of the cubic convolution's free parameter


def cubic_matrix(size: int, out: int, align_corners: bool, scale: float | None, dtype: Any) -> np.ndarray:
    """(out, size): row a holds Keys' cubic convolution weights for the four input positions
    ⌊s⌋ − 1 … ⌊s⌋ + 2 around the source position s (t = s − ⌊s⌋):
        w(x) = (A + 2)|x|³ − (A + 3)|x|² + 1 for |x| ≤ 1,  A|x|³ − 5A|x|² + 8A|x| − 4A for 1 < |x| < 2
    at x = t + 1, t, 1 − t, 2 − t; a position outside the input reads its edge, as torch's
    bicubic. An output of the input's size copies it."""
    if out == size:
        return np.eye(size, dtype=dtype)
    source = source_positions(size, out, align_corners, scale, cubic=True)
    first = np.floor(source)
    t = source - first

    def near(x: np.ndarray) -> np.ndarray:
        return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:
        return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A

    matrix = np.zeros((out, size))
    rows = np.arange(out)
    for offset, weight in zip((-1, 0, 1, 2), (far(t + 1), near(t), near(1 - t), far(2 - t))):
        np.add.at(matrix, (rows, np.clip(first.astype(np.int64) + offset, 0, size - 1)), weight)
    return matrix.astype(dtype)


def nearest_positions(size: int, out: int, scale: float | None, exact: bool = False, shortcuts: bool = True) -> np.ndarray:
    """Which input position output position a copies: ⌊a·r⌋ in "nearest" mode, ⌊(a + ½)·r⌋ in
    "nearest-exact" (at most size − 1), r = 1/scale_factor if given, else size/out. torch
    computes r and the product in float32; so do we, so that the same positions are picked.
    As torch's 2-D kernel (`shortcuts`), "nearest" copies position a to a same-size output and
    ⌊a/2⌋ to a double-size one, whatever scale_factor says (its 1-D kernel does not)."""
    if shortcuts and not exact and out in (size, 2 * size):
        return np.arange(out) * size // out
    ratio = np.float32(1.0 / scale) if scale is not None else np.float32(size) / np.float32(out)
    if exact:
        source = ((np.arange(out) + 0.5) * np.float64(ratio)).astype(np.float32)
    else:
        source = np.arange(out, dtype=np.float32) * ratio
    return np.minimum(np.floor(source).astype(np.int64), size - 1)


def selection_matrix(positions: np.ndarray, size: int, dtype: Any) -> np.ndarray:
    """(len(positions), size): row a is 1 at positions[a], 0 elsewhere (a copy as a matrix)."""
    matrix = np.zeros((len(positions), size), dtype=dtype)
    matrix[np.arange(len(positions)), positions] = 1
    return matrix


def separable(x: Tensor, rows: np.ndarray | None, columns: np.ndarray | None) -> Tensor:
    """rows @ X @ columnsᵀ on each (H, W) plane of x (..., H, W); None skips that side
    (the matrix of a 1-D input's missing dim)."""
    if rows is not None:
        x = Tensor.from_numpy(rows) @ x
    if columns is not None:
        x = x @ Tensor.from_numpy(np.ascontiguousarray(columns.T))
    return x
