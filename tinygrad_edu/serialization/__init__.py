"""`tg.save(obj, f)` and `tg.load(f, map_location=None, weights_only=True)`, with torch's
signatures: checkpoints written atomically, read with every byte checked, never running code.

tinygrad_edu's own checkpoint is a zip archive of a JSON header (the nesting, the keys, the
numbers) and one .npy file per array; nothing in it is ever unpickled. `tg.load` also reads
the zip files PyTorch's `torch.save` writes, with a restricted unpickler that can build
tensors and containers and nothing else.

The files, in the order a reader might take them:
    save.py, load.py          the two public functions
    tree.py                   the object tree as JSON, arrays kept aside
    own_format.py             the archive's layout (format version 2); format_v1.py reads version 1
    torch_format.py           torch.save's archive; torch_unpickler.py, what its pickle may build
    map_location.py           torch.load's map_location on a CPU-only framework
    archive.py, npy.py        reading a zip member and a .npy array with every field checked
    atomic_write.py           replacing a file atomically, through symlinks, keeping its mode
    regular_file.py           opening a file without blocking on a FIFO or device
    errors.py                 CheckpointError, the one error tg.load raises for a bad file
"""
from .errors import CheckpointError
from .load import load
from .own_format import FORMAT_VERSION, HEADER_NAME
from .save import save

__all__ = ["save", "load", "CheckpointError", "FORMAT_VERSION", "HEADER_NAME"]
