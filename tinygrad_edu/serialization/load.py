"""`tg.load(f)`: read a checkpoint (tinygrad_edu's or torch.save's), refusing any file that is
damaged or not one, and never running code from it."""
from __future__ import annotations

import io
import os
from typing import IO, Any, BinaryIO

from . import format_v1, own_format, torch_format
from .archive import Archive
from .errors import CheckpointError
from .map_location import Storage, apply_map_location, check_map_location
from .npy import MAGIC as NPY_MAGIC
from .regular_file import open_regular_file

_ZIP_MAGIC = b"PK"
_PICKLE_PROTOCOL_OPCODE = b"\x80"


def load(f: str | os.PathLike[str] | IO[bytes], map_location: Any = None, weights_only: bool | None = True) -> Any:
    """The object saved in `f`, with torch.load's signature.

    `f` is a path or a binary file object (read from its start) holding a checkpoint written
    by `tg.save` (this format or version 1) or by PyTorch's `torch.save`. Tensors come back
    as Tensors (requires_grad False; a torch Parameter too), numpy arrays as arrays, and
    containers, numbers, strings and None as they were saved.

    `map_location`: None, "cpu", a device whose str() is "cpu", a dict or a function, as in
    torch; every tensor lands on the CPU, and asking for another device is a RuntimeError.
    `weights_only` is accepted for torch's signature; loading is always weights-only: a
    torch file may hold only tensors, containers and plain values, and any other global is
    refused by name.

    A file that is damaged, crafted or not a checkpoint is a CheckpointError naming it; a
    path that is missing or not a regular file is an OSError naming it.
    """
    check_map_location(map_location)
    if weights_only not in (True, False, None):
        raise TypeError(f"tg.load: weights_only must be a bool; got {weights_only!r}")
    if hasattr(f, "read"):
        obj, storages = _read(_seekable(f), _name_of(f))
    else:
        with open_regular_file(f) as file:
            obj, storages = _read(file, os.fspath(f))
    apply_map_location(map_location, storages)
    return obj


def _read(file: BinaryIO, source: str) -> tuple[Any, list[tuple[Storage, str]]]:
    file.seek(0)
    start = file.read(len(torch_format.LEGACY_MAGIC))
    if not isinstance(start, bytes):
        raise TypeError(f"tg.load: {source} is open in text mode; open it with 'rb'")
    if start.startswith(_ZIP_MAGIC):
        with Archive(file, source) as archive:
            return _read_archive(archive)
    if start.startswith(NPY_MAGIC):
        raise CheckpointError(source, "a single .npy array, not a checkpoint; read it with np.load")
    if start.startswith(torch_format.LEGACY_MAGIC):
        raise CheckpointError(source, "a PyTorch file in the legacy format (torch < 1.6, or "
                                      "_use_new_zipfile_serialization=False), which tg.load does not read; "
                                      "save it again with a current torch.save")
    if start.startswith(_PICKLE_PROTOCOL_OPCODE):
        raise CheckpointError(source, "a pickle file, not a checkpoint: tg.load never unpickles "
                                      "outside a torch.save archive, since unpickling can run any code the file holds")
    what = "an empty file" if not start else "not a zip archive"
    raise CheckpointError(source, f"not a tinygrad_edu or PyTorch checkpoint ({what})")


def _read_archive(archive: Archive) -> tuple[Any, list[tuple[Storage, str]]]:
    names = archive.names
    if own_format.HEADER_NAME in names:
        return own_format.read(archive)
    if format_v1.HEADER_NAME in names:
        return format_v1.read(archive), []
    folder = torch_format.top_folder(names)
    if folder is not None:
        return torch_format.read(archive, folder)
    if names and all(name.endswith(".npy") for name in names):
        raise CheckpointError(archive.source, "an .npz file of numpy arrays, not a checkpoint "
                                              f"(it has no {own_format.HEADER_NAME!r} header); read it with np.load")
    raise CheckpointError(archive.source, "a zip archive, but neither a tinygrad_edu nor a PyTorch checkpoint")


def _seekable(file: IO[bytes]) -> IO[bytes]:
    """`file` itself if it can seek (zipfile needs to), else its contents in memory."""
    return file if getattr(file, "seekable", lambda: False)() else io.BytesIO(file.read())


def _name_of(file: IO[bytes]) -> str:
    name = getattr(file, "name", None)
    return os.fspath(name) if isinstance(name, (str, os.PathLike)) else f"<{type(file).__name__}>"
