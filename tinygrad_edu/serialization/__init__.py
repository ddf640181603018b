"""`tg.save(obj, path)` and `tg.load(path)`: checkpoints that can never run code, written
atomically and read with every byte checked.

A checkpoint is a zip archive of a JSON header (the nesting, the keys, the numbers) and one
.npy file per array; see own_format.py for the layout and tree.py for the header's tree.
PyTorch's and numpy's pickle-based formats run code from the file when loading; nothing here
is ever unpickled.

The files, in the order a reader might take them:
    save.py, load.py      the two public functions
    tree.py               the object tree as JSON, arrays kept aside
    own_format.py         the archive's layout (format version 2); format_v1.py reads version 1
    archive.py, npy.py    reading a zip member and a .npy array with every field checked
    atomic_write.py       replacing a file atomically, through symlinks, keeping its mode
    regular_file.py       opening a file without blocking on a FIFO or device
    errors.py             CheckpointError, the one error tg.load raises for a bad file
"""
from .errors import CheckpointError
from .load import load
from .own_format import FORMAT_VERSION, HEADER_NAME
from .save import save

__all__ = ["save", "load", "CheckpointError", "FORMAT_VERSION", "HEADER_NAME"]
