"""The IDX file format (MNIST's), read with every field checked, and written atomically.

An IDX file is a 4-byte magic number, one 4-byte big-endian size per dimension, then the
values in C order, big-endian:

    byte 0, 1   0x00 0x00
    byte 2      the type of the values: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte 3      the number of dimensions
    then        ndim sizes (uint32, big-endian), then prod(sizes) values

The files are usually gzipped (`train-images-idx3-ubyte.gz`). `read_idx` checks the gzip
stream, the magic number, the type code and that exactly prod(sizes) values follow, so a
truncated, padded or corrupt file is an `IDXError` naming the file and the problem, never
an array of the wrong length. It reads the header first and then streams the values, so a
small file claiming (or decompressing to) huge sizes never takes the machine's memory.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import math
import os
import secrets
import zlib
from pathlib import Path
from typing import IO, BinaryIO, Iterator, Protocol

import numpy as np

from ..serialization.regular_file import open_regular_file

# type code -> the big-endian dtype the values are stored in
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
MAX_IDX_BYTES = 2**40  # 1 TiB: a header declaring more is damaged or crafted
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_BYTES = 1 << 20
_TRAILING_BYTES_COUNTED = 1 << 20  # trailing data is counted up to here, not decompressed to its end


class _Digest(Protocol):
    """What read_idx feeds the bytes it reads to: a hashlib object, say."""

    def update(self, data: bytes, /) -> None: ...


class IDXError(ValueError):
    """A file that is not a valid IDX file; the message names the file and what is wrong."""

    def __init__(self, path: str | os.PathLike, problem: str):
        super().__init__(f"{os.fspath(path)}: {problem}")
        self.path = os.fspath(path)
        self.problem = problem


def read_idx(path: str | os.PathLike, digest: _Digest | None = None) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array, checking every field.

    It streams: the header is read and checked first, then exactly the bytes it declares,
    so a small file that decompresses to gigabytes is refused after reading a little more
    than the declared size, and memory stays near that size. A gzip file is told by its
    first two bytes, not by its name, so a renamed file still reads. A path that is not a
    regular file (a FIFO, a device) is refused at once rather than waited on. `digest`, if
    given, is fed the IDX bytes (decompressed) as they are read.
    """
    with open_regular_file(path) as file:
        if file.read(2) != _GZIP_MAGIC:
            if os.fspath(path).endswith(".gz"):
                raise IDXError(path, "named .gz but is not gzip data (its first bytes are not 1f 8b)")
            file.seek(0)
            return _read_idx_stream(file, path, digest)
        file.seek(0)
        try:
            with gzip.GzipFile(fileobj=file, mode="rb") as stream:
                return _read_idx_stream(stream, path, digest)
        except (OSError, EOFError, zlib.error) as error:
            # gzip raises BadGzipFile (an OSError) for bad headers, CRCs and trailing junk,
            # EOFError for a cut-off stream, zlib.error for damaged compressed data.
            raise IDXError(path, f"corrupt gzip data ({type(error).__name__}: {error})") from None


def parse_idx(data: bytes, path: str | os.PathLike = "<bytes>") -> np.ndarray:
    """The array stored in IDX bytes, in native byte order. `path` only names the source
    in error messages."""
    return _read_idx_stream(io.BytesIO(data), path)


def _read_idx_stream(stream: IO[bytes], path: str | os.PathLike, digest: _Digest | None = None) -> np.ndarray:
    """The array in the IDX stream `stream`, which must end right after it; `path` names
    the source in errors."""
    magic = _read_up_to(stream, 4, digest)
    if len(magic) < 4:
        raise IDXError(path, f"only {len(magic)} bytes: too short for the 4-byte IDX magic number")
    if magic[0] != 0 or magic[1] != 0:
        raise IDXError(path, f"bad magic number 0x{magic.hex()}: an IDX file starts with two zero bytes")
    type_code, ndim = magic[2], magic[3]
    if type_code not in IDX_TYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_TYPES)
        raise IDXError(path, f"unknown IDX type code 0x{type_code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(path, "the header says 0 dimensions")
    sizes = _read_up_to(stream, 4 * ndim, digest)
    if len(sizes) < 4 * ndim:
        raise IDXError(
            path, f"truncated header: {ndim} dimensions need {4 + 4 * ndim} header bytes, "
                  f"the file has {4 + len(sizes)}"
        )
    shape = tuple(int(size) for size in np.frombuffer(sizes, dtype=">u4"))
    dtype = IDX_TYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize  # a Python int: it cannot overflow
    if expected > MAX_IDX_BYTES:
        raise IDXError(path, f"shape {shape} of {dtype.name} declares {expected} bytes, more than "
                             f"the {MAX_IDX_BYTES} bytes an IDX file is taken to hold")
    payload = _read_up_to(stream, expected, digest)
    if len(payload) < expected:
        raise IDXError(
            path, f"truncated data: shape {shape} of {dtype.name} needs {expected} bytes "
                  f"after the header, the file has {len(payload)}"
        )
    trailing = len(stream.read(_TRAILING_BYTES_COUNTED + 1))
    if trailing:
        count = f"more than {_TRAILING_BYTES_COUNTED}" if trailing > _TRAILING_BYTES_COUNTED else str(trailing)
        raise IDXError(path, f"{count} bytes of trailing data after the {expected} bytes "
                             f"that shape {shape} of {dtype.name} needs")
    values = np.frombuffer(payload, dtype=dtype).reshape(shape)  # a bytearray: writable
    if not dtype.isnative:  # to native byte order in place, not in a second copy
        values = values.byteswap(inplace=True).view(dtype.newbyteorder())
    return values


def _read_up_to(stream: IO[bytes], count: int, digest: _Digest | None) -> bytearray:
    """At most `count` bytes of `stream`, fewer only where it ends, read a chunk at a time:
    memory grows with the bytes that arrive, never with what a header claims."""
    buffer = bytearray()
    while len(buffer) < count:
        chunk = stream.read(min(_CHUNK_BYTES, count - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    if digest is not None:
        digest.update(buffer)
    return buffer


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` only once the `with` block ends without error.

    It is written to a temporary file in the same folder, flushed to disk and renamed over
    `path` (os.replace is atomic): a crash or an exception mid-write leaves the old file, if
    any, untouched. After an exception no temporary file is left; after a hard crash a
    `.<name>.<random>.part` file may be, but never a half-written `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkstemp: its files are private (mode 0600); this one gets the usual
    # permissions from the umask, as a file opened for writing would.
    temp_name = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
    file = open(temp_name, "xb")
    try:
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp_name)
        raise


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of an array (header + big-endian values)."""
    array = np.asarray(array)
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}
    native = array.dtype.newbyteorder("=")
    if native not in codes:
        names = ", ".join(dtype.newbyteorder("=").name for dtype in IDX_TYPES.values())
        raise TypeError(f"IDX cannot store dtype {array.dtype}; it stores {names}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions; the array has {array.ndim}")
    if any(size >= 2**32 for size in array.shape):
        raise ValueError(f"IDX sizes are uint32; shape {array.shape} has a larger one")
    header = bytes([0, 0, codes[native], array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=IDX_TYPES[codes[native]]).tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write `array` as an IDX file, gzipped when `path` ends in .gz, atomically.

    The gzip header carries no file name and no time stamp, so the same array gives the
    same bytes every time.
    """
    data = idx_bytes(array)
    with open_atomic(path) as file:
        if os.fspath(path).endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=file, compresslevel=9, mtime=0) as gz:
                gz.write(data)
        else:
            file.write(data)
