"""Dims as torch takes them: an int in [-ndim, ndim) (a 0-d tensor takes 0 and -1), wrapped
to [0, ndim). One check, used by every op that takes a dim, so a dim out of range is always
torch's IndexError, never a silent wrap or a raw numpy error."""
from __future__ import annotations

from typing import Any

import numpy as np


class DimensionError(IndexError, ValueError):
    """A dim out of range: an IndexError as torch raises, and a ValueError as before."""


def wrap_dim(dim: Any, ndim: int, name: str) -> int:
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: a dim must be an int; got {dim!r}")
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise DimensionError(
            f"{name}: Dimension out of range (expected to be in range of [{-span}, {span - 1}], "
            f"but got {dim}) for a tensor with {ndim} dims"
        )
    return int(dim) % span
