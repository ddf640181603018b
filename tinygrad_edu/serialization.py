"""`tg.save(obj, path)` and `tg.load(path)`: checkpoints as .npz files that can never run code.

An .npz file is a zip archive of .npy files, one per array. `save` flattens a (nested) dict
into such entries, joining nested keys with "/":

    {"model": {"0.weight": W, "0.bias": b}, "epoch": 3}
        → entries "model/0.weight", "model/0.bias", "epoch"

plus one entry, "__tinygrad_edu__", holding a small JSON header: the format version and,
in order, every entry's name and kind (array, Python scalar, or empty dict), so that `load`
gives back the same nesting, order and types (ints stay ints; Tensors come back as arrays).

Safety: PyTorch's and numpy's pickle-based formats run code from the file when loading. We
write only numeric arrays and read with `allow_pickle=False`, so an object array (the only
way pickle gets into an .npz) is an error, not a call.

Atomicity: the archive is written to a temporary file in the target's directory, flushed to
disk, and then renamed over the target with `os.replace`, which is atomic: a crash at any
moment leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import json
import os
import secrets
import zipfile
from pathlib import Path
from typing import IO, Any, Mapping

import numpy as np

from .tensor import Tensor

HEADER_NAME = "__tinygrad_edu__"
FORMAT_VERSION = 1
SEPARATOR = "/"
_NUMERIC_KINDS = "biufc"  # bool, int, unsigned, float, complex: arrays that need no pickle


def save(obj: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a dict (of dicts) of arrays, Tensors, ints, floats and bools to `path`, atomically."""
    if not isinstance(obj, Mapping):
        raise TypeError(f"tg.save: expected a dict (a state_dict, say); got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    entries: list[tuple[str, str]] = []
    _flatten(obj, (), arrays, entries)
    header = {"format": "tinygrad_edu", "version": FORMAT_VERSION, "entries": entries}

    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"tg.save: directory {str(directory)!r} does not exist (saving {str(path)!r})")
    temporary = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "xb") as file:
            _write_npz(file, header, arrays)
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it the checkpoint
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a file written by `save`: the same nested dict, with arrays for arrays and Tensors."""
    path = Path(path)
    if not path.is_file():
        problem = "is a directory" if path.is_dir() else "no such file"
        raise FileNotFoundError(f"tg.load: {problem}: {str(path)!r}")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"tg.load: {str(path)!r} is not a tinygrad_edu checkpoint: not a readable .npz file ({error})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"tg.load: {str(path)!r} is a single .npy array, not a tinygrad_edu checkpoint; read it with np.load")
    with archive:
        entries = _read_header(archive, path)
        result: dict[str, Any] = {}
        for name, kind in entries:
            value = {} if kind == "empty" else _read_entry(archive, name, path)
            if kind == "scalar":
                value = value.item()
            _insert(result, name, value, path)
    return result


def _flatten(obj: Mapping[str, Any], parents: tuple[str, ...], arrays: dict[str, np.ndarray], entries: list[tuple[str, str]]) -> None:
    for key, value in obj.items():
        where = SEPARATOR.join(parents) or "the top level"
        if not isinstance(key, str):
            raise TypeError(f"tg.save: keys must be strings; got {key!r} ({type(key).__name__}) in {where}")
        if key == "" or SEPARATOR in key:
            raise ValueError(f"tg.save: key {key!r} in {where} is empty or contains {SEPARATOR!r}, which separates nested keys")
        name = SEPARATOR.join((*parents, key))
        if name == HEADER_NAME:
            raise ValueError(f"tg.save: the key {HEADER_NAME!r} is reserved for the file's header")
        if isinstance(value, Mapping):
            if value:
                _flatten(value, (*parents, key), arrays, entries)
            else:
                entries.append((name, "empty"))
            continue
        if isinstance(value, (bool, int, float)):
            kind, array = "scalar", np.asarray(value)
        elif isinstance(value, Tensor):
            kind, array = "array", value.data
        elif isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array__"):
            kind, array = "array", np.asarray(value)
        else:
            raise TypeError(
                f"tg.save: {name!r} is a {type(value).__name__}; only dicts, arrays, Tensors, ints, "
                f"floats and bools can be saved"
            )
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(
                f"tg.save: {name!r} has dtype {array.dtype}; only numeric arrays can be saved "
                f"(anything else would need pickle, which tg.load refuses)"
            )
        arrays[name] = array
        entries.append((name, kind))


def _write_npz(file: IO[bytes], header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """The .npz layout np.savez writes (a zip of name.npy members). We write the zip here
    because np.savez takes the names as keyword arguments, where a key such as "file"
    would collide with its own parameters."""
    members = [(HEADER_NAME, np.array(json.dumps(header)))] + list(arrays.items())
    with zipfile.ZipFile(file, "w") as archive:
        for name, array in members:
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)


def _read_header(archive: Any, path: Path) -> list[tuple[str, str]]:
    not_ours = f"tg.load: {str(path)!r} is an .npz file but not a tinygrad_edu checkpoint"
    if HEADER_NAME not in archive.files:
        raise ValueError(f"{not_ours} (it has no {HEADER_NAME!r} entry); read it with np.load")
    raw = _read_entry(archive, HEADER_NAME, path)
    try:
        header = json.loads(str(raw[()])) if raw.dtype.kind == "U" and raw.ndim == 0 else None
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != "tinygrad_edu" or not isinstance(header.get("version"), int):
        raise ValueError(f"{not_ours} (its {HEADER_NAME!r} entry is not a tinygrad_edu header)")
    if header["version"] > FORMAT_VERSION:
        raise ValueError(
            f"tg.load: {str(path)!r} has format version {header['version']}, newer than this "
            f"tinygrad_edu reads ({FORMAT_VERSION}); upgrade tinygrad_edu"
        )
    entries = header.get("entries")
    valid = isinstance(entries, list) and all(
        isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and entry[1] in ("array", "scalar", "empty")
        for entry in entries
    )
    if not valid:
        raise ValueError(f"tg.load: {str(path)!r} has a corrupt header (its entry list is malformed)")
    return [(name, kind) for name, kind in entries]


def _read_entry(archive: Any, name: str, path: Path) -> np.ndarray:
    if name not in archive.files:
        raise ValueError(f"tg.load: {str(path)!r} is corrupt: its header lists {name!r}, which the archive lacks")
    try:
        return archive[name]
    except ValueError as error:  # numpy refuses object (pickled) arrays under allow_pickle=False
        raise ValueError(f"tg.load: entry {name!r} of {str(path)!r} cannot be loaded without pickle, which is refused: {error}") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"tg.load: entry {name!r} of {str(path)!r} is corrupt or truncated ({error})") from None


def _insert(result: dict[str, Any], name: str, value: Any, path: Path) -> None:
    *parents, key = name.split(SEPARATOR)
    node = result
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ValueError(f"tg.load: {str(path)!r} is corrupt: {name!r} nests under a non-dict entry")
    if key in node:
        raise ValueError(f"tg.load: {str(path)!r} is corrupt: {name!r} appears twice")
    node[key] = value
