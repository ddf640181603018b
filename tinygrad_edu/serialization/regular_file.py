"""Opening a file for reading without ever blocking on a FIFO, a device or a socket."""
from __future__ import annotations

import os
import stat
from typing import BinaryIO

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class NotARegularFileError(OSError):
    """A path that names a directory, FIFO, device or socket where a file was expected."""


def open_regular_file(path: str | os.PathLike[str]) -> BinaryIO:
    """`open(path, "rb")`, refusing anything but a regular file.

    A plain open() of a FIFO waits for a writer, forever if none comes. Opening with
    O_NONBLOCK returns at once whatever the path is; fstat on the open file then tells what
    it is, with no window for the path to be swapped between the check and the open.
    (O_NONBLOCK changes nothing for a regular file: reading one never waits on a writer.)
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = _KINDS.get(stat.S_IFMT(mode), "not a file")
        raise NotARegularFileError(f"{os.fspath(path)}: is {kind}, not a regular file")
    return os.fdopen(descriptor, "rb")
