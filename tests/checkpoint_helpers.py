"""Helpers for the checkpoint tests: comparing what was loaded with what was saved, and
writing torch.save archives by hand."""
from __future__ import annotations

import struct
import zipfile
from collections import OrderedDict

import numpy as np

from tinygrad_edu import Tensor


def loaded_type(original) -> type:
    """The type tg.load gives back for a value that tg.save was given."""
    if isinstance(original, Tensor):
        return Tensor  # a Parameter comes back as a plain Tensor
    for kind in (bool, int, float, str, OrderedDict, dict, list, tuple):
        if isinstance(original, kind):
            return kind  # np.float64 is a float, and comes back as one
    return type(None) if original is None else np.ndarray  # numpy scalars come back as 0-d arrays


def assert_same(loaded, original):
    """The same nesting, container types, key order, exact Python types for scalars, Tensors
    (not requiring grad) for Tensors, arrays for arrays, and dtypes and values."""
    assert type(loaded) is loaded_type(original), (type(loaded), type(original))
    if isinstance(original, dict):
        assert list(loaded) == list(original)
        for key in original:
            assert_same(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original)
        for item, expected in zip(loaded, original):
            assert_same(item, expected)
    elif isinstance(original, Tensor):
        assert not loaded.requires_grad
        assert_same(loaded.array, original.array)
    elif loaded_type(original) is np.ndarray:
        assert loaded.dtype == original.dtype and loaded.shape == np.shape(original)
        np.testing.assert_array_equal(loaded, original)
    elif isinstance(original, float) and original != original:
        assert loaded != loaded  # NaN
    else:
        assert loaded == original


# ---- torch.save archives written by hand ------------------------------------------------------
# A pickle is a small program for a stack machine. These write the few opcodes torch.save's
# data.pkl uses (protocol 2), so tests can craft torch files, good and malicious, without
# torch. Where torch is installed, a test checks that torch.load reads them as we do.
def op_global(module: str, name: str) -> bytes:
    """GLOBAL: push the object `module.name` (the unpickler's find_class decides which)."""
    return b"c" + f"{module}\n{name}\n".encode()


def op_str(text: str) -> bytes:
    raw = text.encode("utf-8", "surrogatepass")
    return b"X" + struct.pack("<I", len(raw)) + raw


def op_int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def op_tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def op_call(function: bytes, *args: bytes) -> bytes:
    """REDUCE: call `function` with `args`."""
    return function + op_tuple(*args) + b"R"


def op_dict(items: dict[str, bytes]) -> bytes:
    return b"}" + b"".join(op_str(key) + value + b"s" for key, value in items.items())


def program(body: bytes) -> bytes:
    """A whole pickle: protocol 2, `body`, STOP."""
    return b"\x80\x02" + body + b"."


def op_tensor(storage_type: str = "FloatStorage", key: str = "0", count: int = 6, offset: int = 0,
              size: tuple[int, ...] = (2, 3), stride: tuple[int, ...] = (3, 1), location: str = "cpu") -> bytes:
    """A tensor as torch.save pickles one: _rebuild_tensor_v2(storage, offset, size, stride,
    requires_grad=False, hooks=OrderedDict()), the storage named by a persistent id."""
    storage = op_tuple(op_str("storage"), op_global("torch", storage_type), op_str(key), op_str(location), op_int(count)) + b"Q"
    return op_call(op_global("torch._utils", "_rebuild_tensor_v2"), storage, op_int(offset),
                   op_tuple(*map(op_int, size)), op_tuple(*map(op_int, stride)), b"\x89",
                   op_call(op_global("collections", "OrderedDict")))


def write_torch_archive(file, data_pkl: bytes, storages: dict[str, bytes], folder: str = "archive",
                        byteorder: bytes = b"little") -> None:
    """A zip laid out as torch.save lays it out."""
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr(f"{folder}/data.pkl", data_pkl)
        archive.writestr(f"{folder}/byteorder", byteorder)
        for key, data in storages.items():
            archive.writestr(f"{folder}/data/{key}", data)
        archive.writestr(f"{folder}/version", b"3\n")
