"""Reading checkpoints in format version 1 (tinygrad_edu before its JSON header).

Version 1 named each zip member after its key path ("model/0.weight.npy") and kept a JSON
list of [name, kind] entries in a 0-d string array, "__tinygrad_edu__.npy". Two keys could
map to one member name ("x" and "x.npy"): such files (duplicate member names) are refused.
"""
from __future__ import annotations

import json
from typing import Any

from .archive import Archive
from .errors import CheckpointError
from .npy import NUMBER_KINDS

HEADER_NAME = "__tinygrad_edu__.npy"
_KINDS = ("array", "scalar", "empty")


def read(archive: Archive) -> dict[str, Any]:
    """The nested dict saved in `archive`, a version-1 archive (it has a HEADER_NAME member)."""
    source = archive.source
    entries = _entries(archive)
    result: dict[str, Any] = {}
    for name, kind in entries:
        value = {} if kind == "empty" else archive.read_array(f"{name}.npy", NUMBER_KINDS)
        if kind == "scalar":
            if value.ndim != 0:
                raise CheckpointError(source, f"corrupt archive: the scalar {name!r} has shape {value.shape}")
            value = value.item()
        *parents, key = name.split("/")
        node = result
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise CheckpointError(source, f"corrupt header: {name!r} nests under a non-dict entry")
        if key in node:
            raise CheckpointError(source, f"corrupt header: {name!r} appears twice")
        node[key] = value
    return result


def _entries(archive: Archive) -> list[tuple[str, str]]:
    raw = archive.read_array(HEADER_NAME, "U")
    try:
        header = json.loads(str(raw[()])) if raw.ndim == 0 else None
    except (ValueError, RecursionError):
        header = None
    if not (isinstance(header, dict) and header.get("format") == "tinygrad_edu" and header.get("version") == 1):
        raise CheckpointError(archive.source, f"its {HEADER_NAME!r} member is not a tinygrad_edu header")
    entries = header.get("entries")
    if not (isinstance(entries, list) and all(
            isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and entry[1] in _KINDS
            for entry in entries)):
        raise CheckpointError(archive.source, "corrupt header: its entry list is malformed")
    return [(name, kind) for name, kind in entries]
