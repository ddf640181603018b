"""The zip archive under every checkpoint (tg.save's and torch.save's), opened for reading
with the checks `tg.load` needs.

- Member names are unique: a name listed twice could be read as either member.
- Members are stored uncompressed (both writers do so) and each one's size fits in the file,
  so a crafted size cannot make `tg.load` allocate more memory than the file's size.
- Every member is read to its end, which is when zipfile compares its CRC-32 with the one the
  archive records: one flipped bit anywhere in a member's bytes is an error, never a value.
"""
from __future__ import annotations

import contextlib
import os
import struct
import zipfile
from collections import Counter
from typing import BinaryIO, Iterator

import numpy as np

from .errors import CheckpointError
from .npy import NUMBER_KINDS, read_npy

# What zipfile raises for a damaged archive besides BadZipFile: EOFError for a cut-off member,
# OSError for a seek before the file's start, ValueError (UnicodeDecodeError among them) and
# struct.error for garbled fields, NotImplementedError and RuntimeError for flags it does not
# support (patched data, encryption) found in a member's local header.
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError, RuntimeError)


class Archive:
    """A zip archive read from `file` (binary, seekable); `source` names it in errors."""

    def __init__(self, file: BinaryIO, source: str):
        self.source = source
        self._file_size = file.seek(0, os.SEEK_END)
        file.seek(0)
        with self._errors(""):
            self._zip = zipfile.ZipFile(file)
        infos = self._zip.infolist()
        repeated = [name for name, count in Counter(info.filename for info in infos).items() if count > 1]
        if repeated:
            self._zip.close()
            raise CheckpointError(source, f"damaged zip archive: member {repeated[0]!r} appears more than once")
        self._members = {info.filename: info for info in infos}

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def read_bytes(self, name: str) -> bytes:
        """The whole member `name`, its CRC-32 checked."""
        with self._open(name) as (member, size):
            data = member.read()
        if len(data) != size:
            raise CheckpointError(self.source, f"member {name!r} holds {len(data)} bytes, the archive says {size}")
        return data

    def read_array(self, name: str, kinds: str = NUMBER_KINDS) -> np.ndarray:
        """The .npy array in member `name`, of a dtype kind in `kinds` (see npy.read_npy)."""
        with self._open(name) as (member, size):
            return read_npy(member, size, kinds, self.source, name)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _open(self, name: str) -> Iterator[tuple[BinaryIO, int]]:
        info = self._members.get(name)
        if info is None:
            raise CheckpointError(self.source, f"damaged archive: it lacks the member {name!r}")
        problem = self._problem_with(info)
        if problem:
            raise CheckpointError(self.source, f"damaged archive: member {name!r} {problem}")
        with self._errors(f" (member {name!r})"), self._zip.open(info) as member:
            yield member, info.file_size

    def _problem_with(self, info: zipfile.ZipInfo) -> str | None:
        if info.flag_bits & 0x1:
            return "is encrypted"
        if info.compress_type != zipfile.ZIP_STORED:
            return f"is compressed (zip method {info.compress_type}); checkpoints store members as they are"
        if info.compress_size != info.file_size:
            return "has different stored and unpacked sizes"
        if info.file_size > self._file_size:
            return f"claims {info.file_size} bytes, more than the whole file"
        return None

    @contextlib.contextmanager
    def _errors(self, where: str) -> Iterator[None]:
        try:
            yield
        except CheckpointError:
            raise
        except _ZIP_ERRORS as error:
            raise CheckpointError(self.source, f"damaged zip archive{where}: {error}") from None
