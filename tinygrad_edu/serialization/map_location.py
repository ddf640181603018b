"""`map_location`, as torch.load takes it, on a framework that has only the CPU.

torch.load moves each tensor's storage where `map_location` says: None (where it was saved),
a device ("cpu", torch.device("cpu")), a dict {saved location: device}, or a function
(storage, saved location) -> storage. Here every storage is on the CPU, whatever the file
says (a checkpoint saved from GPU tensors loads as map_location="cpu" would load it), so
asking for any other device is a clear error, and a function is called with each storage as
torch calls it (`lambda storage, location: storage` and `storage.cpu()` work).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np

CPU_ONLY = "tinygrad_edu runs on the CPU only, so 'cpu' is the one device to load to"
_CPU = re.compile(r"cpu(:\d+)?")


class Storage:
    """What a map_location function is given, as torch gives it a storage: the flat array of
    a tensor's values. `.cpu()` returns it; `.cuda()` is refused."""

    def __init__(self, array: np.ndarray):
        self.array = array

    @property
    def device(self) -> str:
        return "cpu"

    def cpu(self) -> Storage:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Storage:
        raise RuntimeError(f"tg.load: map_location called storage.cuda(): {CPU_ONLY}")


def check_map_location(map_location: Any) -> None:
    """Refuse, before a file is read, a map_location that names a device other than the CPU."""
    if map_location is None or isinstance(map_location, Mapping) or callable(map_location):
        return
    _check_cpu(map_location)


def apply_map_location(map_location: Any, storages: list[tuple[Storage, str]]) -> None:
    """Do with each (storage, location it was saved at) what `map_location` asks: refuse a
    device other than the CPU, call a function and check what it returns."""
    if isinstance(map_location, Mapping):
        for _, location in storages:
            if location in map_location:
                _check_cpu(map_location[location])
    elif callable(map_location):
        for storage, location in storages:
            moved = map_location(storage, location)
            if moved is not None and not isinstance(moved, Storage):
                raise TypeError(f"tg.load: map_location returned a {type(moved).__name__}; "
                                f"it must return the storage it was given (or None)")


def _check_cpu(device: Any) -> None:
    """Refuse any device but the CPU: a string, or a device object such as torch.device."""
    if not _CPU.fullmatch(str(device)):
        raise RuntimeError(f"tg.load: map_location asks for {str(device)!r}: {CPU_ONLY}")
