"""Writing a checkpoint so that a crash or an error at any moment leaves the old file or the
new one, never half of one.

The contents go to a temporary file in the destination's folder, are flushed to disk, and
the temporary file is renamed over the destination (os.replace is atomic). So that the
result is what writing in place would have given:
- a symlink is followed: its target is replaced, the link stays a link;
- an existing file keeps its permission bits (a private 0600 checkpoint stays private); a new
  file gets the usual ones from the umask;
- an OSError names the destination, not the temporary file, which is always removed.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import IO, Callable


def write_atomically(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> None:
    """Replace the file at `path` by what `write(file)` writes, atomically."""
    destination = Path(os.path.realpath(path))
    if not destination.parent.is_dir():
        raise FileNotFoundError(f"tg.save: directory {str(destination.parent)!r} does not exist (saving {os.fspath(path)!r})")
    # Not tempfile.mkstemp: its files are private (0600), and a new checkpoint should get the
    # permissions any file written by the user gets.
    temporary = destination.parent / f".{destination.name}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "xb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())  # on disk before the rename makes it the checkpoint
        with contextlib.suppress(FileNotFoundError):  # no old file: keep the umask's bits
            os.chmod(temporary, destination.stat().st_mode & 0o7777)
        os.replace(temporary, destination)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(error, OSError):
            raise _naming(error, path) from None
        raise


def _naming(error: OSError, path: str | os.PathLike[str]) -> OSError:
    """The same error (OSError(errno, ...) picks the subclass: PermissionError, ...) with a
    message that names the checkpoint instead of the temporary file."""
    message = f"tg.save: cannot write {os.fspath(path)!r}: {error.strerror or error}"
    return OSError(error.errno, message) if error.errno is not None else OSError(message)
