"""Reading a checkpoint written by PyTorch's torch.save, without PyTorch.

Since torch 1.6, torch.save writes a zip archive under one top folder (named after the file,
or "archive"):

    model/data.pkl         the object, pickled; each tensor names its storage by a key
    model/data/0, 1, ...   each storage's raw bytes
    model/byteorder        "little" or "big" (absent in older files: little)
    model/version, ...     bookkeeping

data.pkl is read by the restricted TorchUnpickler (no code from the file runs); each storage
is read whole, CRC-checked, and must hold exactly the elements the pickle says. The older,
pickle-only format (torch < 1.6, or _use_new_zipfile_serialization=False) is not read.
"""
from __future__ import annotations

import io
import pickletools
from typing import Any

import numpy as np

from .archive import Archive
from .errors import CheckpointError
from .map_location import Storage
from .torch_unpickler import StorageType, TorchUnpickler

# A legacy torch file starts with a pickled magic number (protocol 2, a 10-byte long).
LEGACY_MAGIC = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"
_BYTE_ORDERS = {b"little": "<", b"big": ">"}


def top_folder(names: list[str]) -> str | None:
    """The folder of a torch.save archive (the one holding data.pkl), or None if the
    archive is not one."""
    folders = {name.split("/", 1)[0] for name in names}
    folder = folders.pop() if len(folders) == 1 else None
    return folder if f"{folder}/data.pkl" in names else None


def read(archive: Archive, folder: str) -> tuple[Any, list[tuple[Storage, str]]]:
    """The object torch.save wrote in `archive` (whose top folder is `folder`), and each of
    its storages with the location it was saved at (for map_location)."""
    source = archive.source
    byte_order = "<"
    if f"{folder}/byteorder" in archive.names:
        written = archive.read_bytes(f"{folder}/byteorder")
        if written not in _BYTE_ORDERS:
            raise CheckpointError(source, f"its byteorder member says {written[:20]!r}, not little or big")
        byte_order = _BYTE_ORDERS[written]
    storages: dict[str, bytes] = {}  # views of one storage share its bytes
    placed: list[tuple[Storage, str]] = []

    def load_storage(storage_type: StorageType, key: str, location: str, count: int) -> Storage:
        if key not in storages:
            storages[key] = archive.read_bytes(f"{folder}/data/{key}")
        data = storages[key]
        dtype = storage_type.dtype.newbyteorder(byte_order)
        if len(data) != count * dtype.itemsize:
            raise CheckpointError(source, f"storage {key!r} holds {len(data)} bytes, its data.pkl says "
                                          f"{count} elements of {storage_type.dtype}")
        storage = Storage(np.frombuffer(data, dtype))
        placed.append((storage, location))
        return storage

    pickled = archive.read_bytes(f"{folder}/data.pkl")
    try:
        # pickletools reads the opcodes without running any: a length that runs past the end
        # is refused here, before the unpickler allocates the bytes a damaged length claims.
        for _ in pickletools.genops(pickled):
            pass
        obj = TorchUnpickler(io.BytesIO(pickled), source, load_storage).load()
    except CheckpointError:
        raise
    except Exception as error:  # any other failure of the unpickler means a damaged or crafted file
        raise CheckpointError(source, f"its data.pkl is not a pickle torch.save writes "
                                      f"({type(error).__name__}: {error})") from None
    return obj, placed
