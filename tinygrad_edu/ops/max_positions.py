"""Where each pooling window's maximum lies: the indices `return_indices=True` hands back, and
the places adaptive max pooling reads its output from.

torch scans a window in row-major order and keeps the first maximum (a NaN counts as larger
than anything, so the first NaN wins); so do these. An index is the maximum's flat position
h·W + w in its (H, W) plane of the unpadded input, as torch's.

Adaptive max pooling's windows differ in size (start = ⌊a·H/OH⌋, end = ⌈(a+1)·H/OH⌉), so they
are not strided views: each window is gathered as a (KH, KW) block, KH being the largest window
size, a shorter window repeating its last row or column (a repeat comes after the original in
row-major order, so it never becomes the first maximum). Its output is then X gathered at the
maxima, Y = X[rows, cols], a linear op whose backward adds dE/dY back at those places (and
whose backward is a gather again, so double backward comes free).
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from . import movement
from .conv import Pair
from .pool import offset_views
from .resampling import adaptive_windows


def window_members(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(windows, largest size): the input positions of each window, a shorter window's last
    position repeated to fill its row."""
    largest = int((ends - starts).max(initial=1))
    return np.minimum(starts[:, None] + np.arange(largest), (ends - 1)[:, None])


def adaptive_max_positions(x: np.ndarray, out_hw: Pair) -> tuple[np.ndarray, np.ndarray]:
    """The row and column of each adaptive window's first maximum, each (..., OH, OW)."""
    (height, width), (out_h, out_w) = x.shape[-2:], out_hw
    if out_hw == (1, 1):  # one window, the whole plane: no gather needed
        best = np.argmax(x.reshape(*x.shape[:-2], height * width), axis=-1)[..., None, None]
        return np.divmod(best, width)
    rows = window_members(*adaptive_windows(height, out_h))  # (OH, KH)
    cols = window_members(*adaptive_windows(width, out_w))  # (OW, KW)
    blocks = x[..., rows[:, None, :, None], cols[None, :, None, :]]  # (..., OH, OW, KH, KW)
    best = np.argmax(blocks.reshape(*blocks.shape[:-2], -1), axis=-1)  # the first maximum (or NaN)
    best_row, best_col = np.divmod(best, cols.shape[1])
    return rows[np.arange(out_h)[:, None], best_row], cols[np.arange(out_w), best_col]


def gather_plane_positions(x: Tensor, rows: np.ndarray, cols: np.ndarray) -> Tensor:
    """Y[..., a, b] = X[..., rows[..., a, b], cols[..., a, b]]  (dE/dX: dE/dY added back there)."""
    leading = np.ogrid[tuple(slice(0, size) for size in x.shape[:-2])]
    leading = [index[(...,) + (None,) * 2] for index in leading]  # broadcast against (OH, OW)
    return movement.Index.apply(x, (*leading, rows, cols))


def strided_max_indices(padded: np.ndarray, output: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair, padding: Pair, width: int) -> np.ndarray:
    """torch's indices of max_pool2d: for each window of `padded` (the input with `padding`
    cells of −∞ on each side), the flat position h·width + w of its first maximum in the
    unpadded input, int64."""
    out_h, out_w = output.shape[-2:]
    row_starts = np.arange(out_h)[:, None] * stride[0] - padding[0]
    col_starts = np.arange(out_w) * stride[1] - padding[1]
    indices = np.zeros(output.shape, dtype=np.int64)
    unfound = np.ones(output.shape, dtype=bool)
    views = offset_views(padded, kernel, stride, (out_h, out_w), dilation)
    offsets = [(i * dilation[0], j * dilation[1]) for i in range(kernel[0]) for j in range(kernel[1])]
    for view, (i, j) in zip(views, offsets):
        is_first_max = ((view == output) | np.isnan(view)) & unfound
        unfound &= ~is_first_max
        np.copyto(indices, (row_starts + i) * width + col_starts + j, where=is_first_max)
    return indices
