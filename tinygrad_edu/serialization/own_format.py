"""tinygrad_edu's checkpoint format (version 2): a zip archive holding a JSON header and one
.npy file per array.

    __tinygrad_edu__.json   {"format": "tinygrad_edu", "version": 2, "root": <tree>}
    0.npy, 1.npy, ...       the arrays, numbered as the tree numbers them (see tree.py)

Every member is stored uncompressed, so `unzip -p model.npz __tinygrad_edu__.json` shows the
header and numpy's np.load opens the file as an .npz (tg.load gives back the structure).
Nothing in the file is ever unpickled.
"""
from __future__ import annotations

import json
import zipfile
from typing import IO, Any

import numpy as np

from ..tensor import Tensor
from . import tree
from .archive import Archive
from .errors import CheckpointError
from .map_location import Storage

HEADER_NAME = "__tinygrad_edu__.json"
FORMAT_VERSION = 2
TENSOR_KINDS = "biuf"  # a Tensor holds bools, ints and floats (an array may also be complex)


def write(file: IO[bytes], root: Any, arrays: list[np.ndarray]) -> None:
    """Write the archive of a tree made by tree.encode and its arrays to `file`."""
    header = {"format": "tinygrad_edu", "version": FORMAT_VERSION, "root": root}
    with zipfile.ZipFile(file, "w") as archive:
        # ensure_ascii: a key with a lone surrogate cannot be UTF-8, but \udXXX is JSON.
        archive.writestr(HEADER_NAME, json.dumps(header, ensure_ascii=True))
        for index, array in enumerate(arrays):
            # force_zip64: the size of a member written as a stream is not known in advance.
            with archive.open(f"{index}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def read(archive: Archive) -> tuple[Any, list[tuple[Storage, str]]]:
    """The object saved in `archive`, a tinygrad_edu archive (it has a HEADER_NAME member),
    and the storage of each of its Tensors (for map_location; all saved on the CPU)."""
    source = archive.source
    try:
        header = json.loads(archive.read_bytes(HEADER_NAME).decode("utf-8"))
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep for json
        raise CheckpointError(source, f"its header is not valid JSON ({type(error).__name__}: {error})") from None
    if not (isinstance(header, dict) and header.get("format") == "tinygrad_edu"
            and type(header.get("version")) is int and "root" in header):
        raise CheckpointError(source, f"its {HEADER_NAME!r} member is not a tinygrad_edu header")
    if header["version"] > FORMAT_VERSION:
        raise CheckpointError(
            source, f"format version {header['version']} is newer than this tinygrad_edu reads "
                    f"({FORMAT_VERSION}); upgrade tinygrad_edu"
        )
    if header["version"] != FORMAT_VERSION:
        raise CheckpointError(source, f"its header says format version {header['version']}, which keeps no JSON header")
    array_names = sorted(set(archive.names) - {HEADER_NAME})
    if array_names != sorted(f"{index}.npy" for index in range(len(array_names))):
        raise CheckpointError(source, f"corrupt archive: members other than {HEADER_NAME!r} and 0.npy, 1.npy, ...")
    storages: list[tuple[Storage, str]] = []

    def read_value(index: int, kind: str) -> Any:
        array = archive.read_array(f"{index}.npy")
        if kind == "array":
            return array
        if array.dtype.kind not in TENSOR_KINDS:
            raise CheckpointError(source, f"corrupt header: a Tensor of dtype {array.dtype} (member {index}.npy)")
        storages.append((Storage(array), "cpu"))
        return Tensor.from_numpy(array)

    root, arrays_used = tree.decode(header["root"], read_value, source)
    if arrays_used != len(array_names):
        raise CheckpointError(source, f"corrupt archive: it holds {len(array_names)} arrays, its header uses {arrays_used}")
    return root, storages
