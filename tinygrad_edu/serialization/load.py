"""`tg.load(path)`: read a checkpoint, refusing any file that is damaged or not one."""
from __future__ import annotations

import os
from typing import Any, BinaryIO

from . import format_v1, own_format
from .archive import Archive
from .errors import CheckpointError
from .npy import MAGIC as NPY_MAGIC
from .regular_file import open_regular_file

_ZIP_MAGIC = b"PK"
_PICKLE_PROTOCOL_OPCODE = b"\x80"


def load(path: str | os.PathLike[str]) -> Any:
    """The object saved at `path` by `tg.save` (this version's format or version 1).

    Arrays come back as numpy arrays, ints, floats and bools with their type, dicts in their
    order. A file that is damaged, crafted or not a checkpoint is a CheckpointError naming it;
    a path that is missing or not a regular file is an OSError naming it.
    """
    with open_regular_file(path) as file:
        return _read(file, os.fspath(path))


def _read(file: BinaryIO, source: str) -> Any:
    start = file.read(len(NPY_MAGIC))
    if start.startswith(_ZIP_MAGIC):
        with Archive(file, source) as archive:
            if own_format.HEADER_NAME in archive.names:
                return own_format.read(archive)
            if format_v1.HEADER_NAME in archive.names:
                return format_v1.read(archive)
            if archive.names and all(name.endswith(".npy") for name in archive.names):
                raise CheckpointError(source, "an .npz file of numpy arrays, not a tinygrad_edu checkpoint "
                                              f"(it has no {own_format.HEADER_NAME!r} header); read it with np.load")
            raise CheckpointError(source, "a zip archive, but not a tinygrad_edu checkpoint")
    if start == NPY_MAGIC:
        raise CheckpointError(source, "a single .npy array, not a tinygrad_edu checkpoint; read it with np.load")
    if start.startswith(_PICKLE_PROTOCOL_OPCODE):
        raise CheckpointError(source, "a pickle file, not a tinygrad_edu checkpoint: tg.load never "
                                      "unpickles, since unpickling can run any code the file holds")
    what = "an empty file" if not start else "not a zip archive"
    raise CheckpointError(source, f"not a tinygrad_edu checkpoint ({what})")
