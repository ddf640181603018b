"""`tg.save(obj, path)`: a checkpoint written atomically, in a format that holds no code."""
from __future__ import annotations

import os
from typing import Any, Mapping

import numpy as np

from . import own_format, tree
from .atomic_write import write_atomically


def save(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a dict (of dicts) of arrays, Tensors, ints, floats and bools to `path`.

    Everything is checked before the file is touched: a value that cannot be saved, a dict
    that contains itself or one nested deeper than 100 is an error naming where it is, and
    the old file (if any) stays as it was. See atomic_write for what a failed write leaves.
    """
    if not isinstance(obj, Mapping):
        raise TypeError(f"tg.save: expected a dict (a state_dict, say); got {type(obj).__name__}")
    arrays: list[np.ndarray] = []
    root = tree.encode(obj, arrays)
    write_atomically(path, lambda file: own_format.write(file, root, arrays))
