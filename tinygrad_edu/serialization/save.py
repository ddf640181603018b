"""`tg.save(obj, f)`: a checkpoint in a format that holds no code, written atomically."""
from __future__ import annotations

import io
import os
from typing import IO, Any

import numpy as np

from . import own_format, tree
from .atomic_write import write_atomically


def save(obj: Any, f: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write `obj` to `f`, with torch.save's signature.

    `obj` is any nesting of dicts (OrderedDicts stay OrderedDicts), lists, tuples, Tensors,
    numpy arrays, ints, floats, bools, strings and None: a state_dict, an optimizer's, or a
    checkpoint dict of them. `f` is a path (any name: model.pth, model.ckpt, model.npz) or a
    binary file object opened for writing.

    Everything is checked before anything is written: a value that cannot be saved, a
    container that contains itself or one nested deeper than 100 is an error naming where it
    is. A path is written atomically (see atomic_write): on any failure the old file stays
    as it was. A file object is written in place, as torch.save writes it.
    """
    arrays: list[np.ndarray] = []
    root = tree.encode(obj, arrays)
    if isinstance(f, io.TextIOBase):
        raise TypeError("tg.save: the file object is open in text mode; open it with 'wb'")
    if hasattr(f, "write"):
        own_format.write(f, root, arrays)
    else:
        write_atomically(f, lambda file: own_format.write(file, root, arrays))
