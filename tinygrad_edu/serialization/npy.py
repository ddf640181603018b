"""One .npy array inside a checkpoint, read with every field checked before anything is
allocated.

A .npy file is the magic string "\\x93NUMPY", a version (1.0, 2.0 or 3.0), the length of a
text header, the header itself, then the values:

    {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }      (padded with spaces)

numpy's own reader trusts that header: it evaluates it as a Python literal (a crafted one
raises SyntaxError, TokenError or RecursionError), allocates whatever shape it declares, and
stops reading once it has that many bytes, so bytes it never reads are never checked. Here
the header must have exactly the form numpy writes, its declared size must be the member's
size to the byte, and the member is read to its end, which makes zipfile check its CRC-32.
"""
from __future__ import annotations

import math
import re
from typing import IO, Callable

import numpy as np

from .errors import CheckpointError

MAGIC = b"\x93NUMPY"
NUMBER_KINDS = "biufc"  # bool, int, unsigned, float, complex: arrays that need no pickle
_LENGTH_FIELD_BYTES = {(1, 0): 2, (2, 0): 4, (3, 0): 4}  # version -> size of the header length
_MAX_HEADER_BYTES = 10_000  # numpy's own limit on a header it parses
_MAX_DIMS = 64  # numpy's limit on the number of dimensions
_CHUNK_BYTES = 1 << 22
_SIZE = r"\d{1,19}"  # below 10**19: every int64 size fits, and int() of it stays cheap
Refusal = Callable[[str], CheckpointError]
_HEADER_FORM = re.compile(
    rf"\{{'descr': '(?P<descr>[<>|=]?[A-Za-z]\d{{0,4}})', 'fortran_order': (?P<fortran>True|False), "
    rf"'shape': \((?P<shape>|{_SIZE},|{_SIZE}(?:, {_SIZE})+)\), \}} *\n"
)


def read_npy(member: IO[bytes], member_size: int, kinds: str, source: str, name: str) -> np.ndarray:
    """The array stored in `member` (an open zip member of `member_size` bytes) whose dtype
    kind is one of `kinds`; any other content is a CheckpointError naming `source` and `name`."""

    def refuse(problem: str) -> CheckpointError:
        return CheckpointError(source, f"member {name!r}: {problem}")

    prefix = member.read(10)
    if len(prefix) < 10 or prefix[:6] != MAGIC:
        raise refuse("not a .npy array (it does not start with the .npy magic string)")
    version = (prefix[6], prefix[7])
    if version not in _LENGTH_FIELD_BYTES:
        raise refuse(f".npy format version {version[0]}.{version[1]} is not one numpy writes (1.0, 2.0, 3.0)")
    length_field = prefix[8:10] + member.read(_LENGTH_FIELD_BYTES[version] - 2)
    header_length = int.from_bytes(length_field, "little")
    if header_length > _MAX_HEADER_BYTES:
        raise refuse(f"its .npy header claims {header_length} bytes, more than numpy ever writes")
    header = member.read(header_length)
    dtype, fortran_order, shape = _parse_header(header, kinds, refuse)

    # All sizes are Python ints: no overflow, whatever the header says.
    data_size = dtype.itemsize * math.prod(shape)
    declared = 8 + len(length_field) + header_length + data_size
    if declared != member_size:
        raise refuse(
            f"its .npy header declares shape {shape} of {dtype} ({declared} bytes with the header), "
            f"but the member holds {member_size} bytes"
        )
    flat = np.empty(math.prod(shape), dtype)
    _read_into(member, flat.view(np.uint8), refuse)
    if member.read(1):  # reading to the end is what makes zipfile check the CRC-32
        raise refuse("bytes after the array")
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _parse_header(header: bytes, kinds: str, refuse: Refusal) -> tuple[np.dtype, bool, tuple[int, ...]]:
    match = _HEADER_FORM.fullmatch(header.decode("latin-1"))
    if match is None:
        raise refuse(f"its .npy header is not of the form numpy writes: {header[:120]!r}")
    descr = match["descr"]
    if "O" in descr:
        raise refuse("an array of Python objects, which cannot be loaded without pickle (refused: it can run code)")
    try:
        dtype = np.dtype(descr)
    except TypeError:
        raise refuse(f"unknown dtype {descr!r} in its .npy header") from None
    if dtype.kind not in kinds:
        raise refuse(f"dtype {dtype} is not one a checkpoint holds")
    shape = tuple(int(size) for size in match["shape"].replace(",", " ").split())
    if len(shape) > _MAX_DIMS:
        raise refuse(f"{len(shape)} dimensions; numpy allows at most {_MAX_DIMS}")
    return dtype, match["fortran"] == "True", shape


def _read_into(member: IO[bytes], target: np.ndarray, refuse: Refusal) -> None:
    """Fill `target` (bytes) from `member`, a chunk at a time, so no second copy is made."""
    position = 0
    while position < target.size:
        chunk = member.read(min(_CHUNK_BYTES, target.size - position))
        if not chunk:
            raise refuse(f"the array is cut off after {position} of its {target.size} bytes")
        target[position:position + len(chunk)] = np.frombuffer(chunk, np.uint8)
        position += len(chunk)
