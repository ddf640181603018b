"""tg.save / tg.load in tinygrad_edu's own format: round trips (every nesting kind, order,
types, any key, paths and file objects, map_location), atomic writes (symlinks, permissions,
errors naming the checkpoint), and a clear CheckpointError naming the file for every
damaged, crafted or foreign file, with no code ever run from one. Files written by PyTorch
are tests/test_torch_checkpoints.py's."""
from __future__ import annotations

import errno
import io
import json
import os
import pickle
import stat
import struct
import tempfile
import threading
import tracemalloc
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn
from tinygrad_edu.serialization import CheckpointError, atomic_write

from checkpoint_helpers import assert_same

FIXTURES = Path(__file__).parent / "data"


def round_trip(obj, path):
    tg.save(obj, path)
    loaded = tg.load(path)
    assert_same(loaded, obj)
    return loaded


# ---- round trips ------------------------------------------------------------------------------
def test_round_trip_of_nested_dict_keeps_order_types_and_empty_dicts(tmp_path):
    obj = {
        "model": {"0.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "0.bias": Tensor([1.0, 2.0])},
        "optimizer": {"hyperparameters": {"lr": 0.1, "nesterov": True}, "state": {}},
        "epoch": 7,
        "scalar_array": np.array(2.5),
        "labels": np.array([3, 1, 4], dtype=np.uint8),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "big_endian": np.arange(3, dtype=">i4"),
        "file": np.zeros(1),  # np.savez would take this key for its own `file` argument
    }
    round_trip(obj, tmp_path / "checkpoint.npz")
    assert os.listdir(tmp_path) == ["checkpoint.npz"]


def test_a_models_state_dict_round_trips_into_a_fresh_model(tmp_path):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    tg.save(model.state_dict(), str(tmp_path / "model.npz"))
    tg.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    x = Tensor(np.random.default_rng(0).standard_normal((5, 4)))
    assert not np.array_equal(fresh(x).array, model(x).array)
    fresh.load_state_dict(tg.load(tmp_path / "model.npz"))
    np.testing.assert_array_equal(fresh(x).array, model(x).array)


def test_every_nesting_kind_round_trips_with_its_type(tmp_path):
    obj = {
        "model": OrderedDict([("weight", Tensor(np.ones((2, 2)))), ("bias", Tensor([0, 1]))]),
        "optimizer": {"state": {0: {"step": 3, "exp_avg": Tensor([0.5, 0.25])}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "foreach": None, "params": [0, 1]}]},
        "history": [0.9, 0.5, float("inf")],
        "pair": (np.arange(3), "name"),
        "nested": [[], (), {}, [(None,)]],
        "keys": {1: "int", 2.5: "float", True: "bool", None: "none", "": "empty"},
        "parameter": nn.Parameter(Tensor([1.0, 2.0])),
        "float64": np.float64(0.1),
        "float32": np.float32(0.1),
    }
    round_trip(obj, tmp_path / "checkpoint.pth")


@pytest.mark.parametrize("obj", [Tensor([1.0, 2.0]), np.arange(3), [1, 2], (), 7, 2.5, "text", None, True])
def test_any_top_level_object_round_trips(tmp_path, obj):
    round_trip(obj, tmp_path / "model.ckpt")


keys = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.none())
leaves = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.booleans(),
    st.text(max_size=5),
    st.none(),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.float16, np.int64, np.int8, np.uint8, np.bool_, np.complex64]),
               hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
               hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3)).map(Tensor.from_numpy),
)
trees = st.recursive(leaves, lambda children: st.one_of(
    st.dictionaries(keys, children, max_size=3),
    st.dictionaries(keys, children, max_size=3).map(OrderedDict),
    st.lists(children, max_size=3),
    st.lists(children, max_size=3).map(tuple),
), max_leaves=10)


@given(trees)
def test_any_tree_round_trips(obj):
    with tempfile.TemporaryDirectory() as directory:
        round_trip(obj, Path(directory) / "tree.npz")


@pytest.mark.parametrize("obj", [
    {"x": np.zeros(1), "x.npy": np.ones(2)},  # one member name each in format 1
    {"__tinygrad_edu__": np.ones(1), "__tinygrad_edu__.json": 2, "__tinygrad_edu__.npy": 3.0, "0.npy": np.zeros(2)},
    {"a/b": np.ones(1), "a": {"b": np.zeros(1)}, "": {"": 1}},  # "/" joined nested keys in format 1
    {"a\x00b": np.arange(3), "\x00": 1},  # a NUL byte ended the member name
    {"\ud800 lone surrogate": "\udfff", "ünïcödé ✓": True},  # not encodable as UTF-8 / not ASCII
    {"k" * 70_000: np.ones(2)},  # a zip member name holds at most 65,535 bytes
])
def test_every_string_key_round_trips(tmp_path, obj):
    round_trip(obj, tmp_path / "keys.npz")


def test_numbers_keep_their_type_and_value(tmp_path):
    obj = {"big": 2**100, "negative": -3, "nan": float("nan"), "inf": float("-inf"), "zero": -0.0, "flag": False}
    loaded = round_trip(obj, tmp_path / "numbers.npz")
    assert str(loaded["zero"]) == "-0.0"


def test_a_version_1_checkpoint_still_loads():
    loaded = tg.load(FIXTURES / "checkpoint_v1.npz")  # written by tinygrad_edu's format 1
    assert_same(loaded, {
        "model": {"0.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "0.bias": np.array([0.5, -1.0], dtype=np.float32)},
        "optimizer": {"hyperparameters": {"lr": 0.1, "nesterov": True}, "state": {}},
        "epoch": 7,
    })


# ---- file objects and map_location ------------------------------------------------------------
STATE = {"weight": Tensor(np.arange(6.0).reshape(2, 3)), "epoch": 3}


def test_file_objects_round_trip_as_with_torch(tmp_path):
    buffer = io.BytesIO()
    tg.save(STATE, buffer)
    buffer.seek(0)
    assert_same(tg.load(buffer), STATE)
    with open(tmp_path / "model.pth", "wb") as file:
        tg.save(STATE, file)
    with open(tmp_path / "model.pth", "rb") as file:
        assert_same(tg.load(file), STATE)
    assert_same(tg.load(tmp_path / "model.pth"), STATE)


class Stream(io.RawIOBase):
    """A file object that cannot seek, like a pipe."""

    def __init__(self, data: bytes):
        self.array = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        return self.array.readinto(buffer)


def test_an_unseekable_file_object_loads(tmp_path):
    buffer = io.BytesIO()
    tg.save(STATE, buffer)
    assert_same(tg.load(Stream(buffer.getvalue())), STATE)


def test_a_file_object_names_itself_in_errors(tmp_path):
    with pytest.raises(CheckpointError, match=r"tg.load: <BytesIO>: not a tinygrad_edu or PyTorch checkpoint"):
        tg.load(io.BytesIO(b"not a checkpoint"))
    (tmp_path / "notes.txt").write_text("hello")
    with open(tmp_path / "notes.txt", "rb") as file, pytest.raises(CheckpointError, match="notes.txt"):
        tg.load(file)
    with open(tmp_path / "notes.txt") as file, pytest.raises(TypeError, match="text mode; open it with 'rb'"):
        tg.load(file)
    with open(tmp_path / "out.pth", "w") as file, pytest.raises(TypeError, match="text mode; open it with 'wb'"):
        tg.save(STATE, file)


class Device:
    """A device object as torch.device is one: its str() names it."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


@pytest.mark.parametrize("map_location", [
    None, "cpu", "cpu:0", Device("cpu"), {"cpu": "cpu"}, {"cuda:0": "cpu"},
    lambda storage, location: storage, lambda storage, location: storage.cpu(), lambda storage, location: None,
])
def test_map_location_accepts_what_torch_accepts_for_the_cpu(tmp_path, map_location):
    tg.save(STATE, tmp_path / "model.pth")
    assert_same(tg.load(tmp_path / "model.pth", map_location=map_location), STATE)


@pytest.mark.parametrize("map_location, message", [
    ("cuda", "map_location asks for 'cuda': tinygrad_edu runs on the CPU only"),
    ("cuda:1", "map_location asks for 'cuda:1'"),
    (Device("mps"), "map_location asks for 'mps'"),
    (0, "map_location asks for '0'"),  # torch reads an int as a CUDA device
    ({"cpu": "cuda:0"}, "map_location asks for 'cuda:0'"),
    (lambda storage, location: storage.cuda(), "storage.cuda(): tinygrad_edu runs on the CPU only"),
])
def test_map_location_asking_for_another_device_is_a_clear_error(tmp_path, map_location, message):
    tg.save(STATE, tmp_path / "model.pth")
    with pytest.raises(RuntimeError) as raised:
        tg.load(tmp_path / "model.pth", map_location=map_location)
    assert message in str(raised.value)


def test_map_location_functions_see_each_tensor_and_must_return_its_storage(tmp_path):
    tg.save({"a": Tensor([1.0]), "b": np.ones(2), "c": [Tensor([2, 3])]}, tmp_path / "model.pth")
    seen = []
    tg.load(tmp_path / "model.pth", map_location=lambda storage, location: seen.append((storage.array.tolist(), location)))
    assert seen == [([1.0], "cpu"), ([2, 3], "cpu")]  # numpy arrays are not tensors: not mapped
    with pytest.raises(TypeError, match="map_location returned a str"):
        tg.load(tmp_path / "model.pth", map_location=lambda storage, location: "cpu")


def test_weights_only_is_accepted_and_loading_stays_weights_only(tmp_path):
    tg.save(STATE, tmp_path / "model.pth")
    for weights_only in (True, False, None):
        assert_same(tg.load(tmp_path / "model.pth", weights_only=weights_only), STATE)
    with pytest.raises(TypeError, match="weights_only must be a bool"):
        tg.load(tmp_path / "model.pth", weights_only="yes")


# ---- what cannot be saved ---------------------------------------------------------------------
def nested(depth):
    obj = {"w": np.ones(1)}
    for _ in range(depth - 1):
        obj = {"a": obj}
    return obj


def test_dicts_nested_100_deep_round_trip(tmp_path):
    round_trip(nested(100), tmp_path / "deep.npz")


def contains_itself():
    inner = {}
    obj = {"model": {"layers": inner}}
    inner["again"] = obj
    return obj


def list_contains_itself():
    history = [1.0]
    history.append({"previous": history})
    return {"history": history}


@pytest.mark.parametrize("obj, error, message", [
    ({"a": np.array([object()], dtype=object)}, TypeError, "obj['a'] has dtype object"),
    ({"a": {"b": np.array(["text"])}}, TypeError, "obj['a']['b'] has dtype <U4"),
    ({"a": [1.0, {2.0}]}, TypeError, "obj['a'][1] is a set"),
    ({"a": b"bytes"}, TypeError, "obj['a'] is a bytes; a checkpoint holds dicts, lists, tuples, Tensors"),
    (object(), TypeError, "obj is a object"),
    ({"a": {(1, 2): np.ones(1)}}, TypeError, "keys must be strings, numbers, bools or None; got (1, 2) (tuple) in obj['a']"),
    (contains_itself(), ValueError, "the dict at obj['model']['layers']['again'] contains itself"),
    (list_contains_itself(), ValueError, "the list at obj['history'][1]['previous'] contains itself"),
    (nested(101), ValueError, "nested more than 100 deep, at obj" + "['a']" * 100),
    (nested(5000), ValueError, "nested more than 100 deep"),  # past Python's recursion limit
])
def test_unsavable_objects_are_named_and_nothing_is_written(tmp_path, obj, error, message):
    with pytest.raises(error) as raised:
        tg.save(obj, tmp_path / "x.npz")
    assert message in str(raised.value)
    assert os.listdir(tmp_path) == []


# ---- writing: atomic, through symlinks, keeping the mode, errors naming the checkpoint ---------
def test_a_failed_write_leaves_the_old_file_intact_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.npz"
    tg.save({"weights": np.ones(3)}, path)
    old_bytes = path.read_bytes()
    real_write_array = np.lib.format.write_array
    written = []

    def write_then_fail(file, array, **kwargs):
        real_write_array(file, array, **kwargs)
        written.append(array)
        if len(written) == 1:  # the header and one array are in the temporary file by now
            raise RuntimeError("failed mid-write (simulated)")

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    with pytest.raises(RuntimeError, match="simulated"):
        tg.save({"weights": np.zeros(1000), "more": np.zeros(1000)}, path)
    assert len(written) == 1
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["checkpoint.npz"]


def test_a_new_file_after_an_interrupted_write_does_not_exist(tmp_path, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", interrupt)
    with pytest.raises(KeyboardInterrupt):
        tg.save({"weights": np.ones(3)}, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "epoch3.npz"
    tg.save({"w": np.zeros(2)}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    tg.save({"w": np.ones(2)}, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    np.testing.assert_array_equal(tg.load(target)["w"], np.ones(2))
    assert sorted(os.listdir(tmp_path / "runs")) == ["epoch3.npz"]


def test_overwriting_keeps_the_files_mode_and_a_new_file_gets_the_usual_one(tmp_path):
    private = tmp_path / "private.npz"
    tg.save({"w": np.zeros(2)}, private)
    private.chmod(0o600)
    tg.save({"w": np.ones(2)}, private)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    (tmp_path / "plain").write_bytes(b"")  # what the umask gives any new file
    tg.save({"w": np.ones(2)}, tmp_path / "new.npz")
    assert (tmp_path / "new.npz").stat().st_mode == (tmp_path / "plain").stat().st_mode


def fail_with(code):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code), args[0] if args else None)
    return fail


@pytest.mark.parametrize("what, patch, code", [
    ("read-only folder", ("open", fail_with(errno.EROFS)), errno.EROFS),
    ("no permission", ("open", fail_with(errno.EACCES)), errno.EACCES),
    ("disk full", ("fsync", fail_with(errno.ENOSPC)), errno.ENOSPC),
    ("rename refused", ("replace", fail_with(errno.EPERM)), errno.EPERM),
])
def test_os_errors_name_the_checkpoint_and_keep_the_old_one(tmp_path, monkeypatch, what, patch, code):
    path = tmp_path / "checkpoint.npz"
    tg.save({"w": np.ones(3)}, path)
    old_bytes = path.read_bytes()
    name, fail = patch
    if name == "open":  # the temporary file cannot be created in the folder
        monkeypatch.setattr(atomic_write, "open", fail, raising=False)
    else:
        monkeypatch.setattr(os, name, fail)
    with pytest.raises(OSError) as raised:
        tg.save({"w": np.zeros(3)}, path)
    monkeypatch.undo()
    assert raised.value.errno == code
    assert str(path) in str(raised.value) and ".tmp" not in str(raised.value), what
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["checkpoint.npz"]


def test_saving_over_a_directory_names_it_not_the_temporary_file(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError) as raised:
        tg.save({"w": np.ones(1)}, tmp_path / "taken")
    assert str(tmp_path / "taken") in str(raised.value) and ".tmp" not in str(raised.value)
    assert os.listdir(tmp_path) == ["taken"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_real_read_only_folder_names_the_checkpoint(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="locked/x.npz"):
            tg.save({"w": np.ones(1)}, folder / "x.npz")
    finally:
        folder.chmod(0o700)


def test_missing_places_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        tg.load(tmp_path / "nowhere.npz")
    with pytest.raises(OSError, match="is a directory, not a regular file"):
        tg.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="directory .*missing_dir.* does not exist"):
        tg.save({"a": 1}, tmp_path / "missing_dir" / "x.npz")


def test_loading_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(OSError, tg.load, fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():  # blocked in open(): give it a writer so the thread can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome and "pipe.npz: is a FIFO (named pipe), not a regular file" in str(outcome[0].value)


# ---- reading damaged, crafted and foreign files -----------------------------------------------
def zip_of(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def header(root, version=2):
    return json.dumps({"format": "tinygrad_edu", "version": version, "root": root})


def npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=True)
    return buffer.getvalue()


def npy_with_header(text, data=b"", version=b"\x01\x00"):
    raw = text.encode("latin-1")
    return b"\x93NUMPY" + version + struct.pack("<H", len(raw)) + raw + data


def one_array(member):
    """A checkpoint {"w": <member>} as tg.save lays it out, with the member's bytes given."""
    return {"__tinygrad_edu__.json": header({"dict": [["w", {"array": 0}]]}), "0.npy": member}


def load_error(path) -> str:
    with pytest.raises(CheckpointError) as raised:
        tg.load(path)
    message = str(raised.value)
    assert str(path) in message
    return message


def member_offset(path, name):
    """Where the bytes of zip member `name` start in the file."""
    with zipfile.ZipFile(path) as archive:
        start = archive.getinfo(name).header_offset
    raw = path.read_bytes()
    name_length, extra_length = struct.unpack("<HH", raw[start + 26:start + 30])
    return start + 30 + name_length + extra_length


@pytest.mark.parametrize("find", [
    lambda member: 8,  # the .npy header's length field: the header would read shifted
    lambda member: member.index(b"(3, 4)") + 1,  # the shape: (2, 4) would read a smaller array
    lambda member: member.index(b"<f4") + 2,  # the dtype: <f5 is no dtype
    lambda member: len(member) - 1,  # the last value's last byte: only the CRC-32 sees it
])
def test_a_flipped_bit_in_an_array_member_is_refused(tmp_path, find):
    path = tmp_path / "flipped.npz"
    tg.save({"w": np.arange(12, dtype=np.float32).reshape(3, 4)}, path)
    raw = bytearray(path.read_bytes())
    start = member_offset(path, "0.npy")
    raw[start + find(npy(np.arange(12, dtype=np.float32).reshape(3, 4)))] ^= 0x01
    path.write_bytes(bytes(raw))
    assert "Bad CRC-32 for file '0.npy'" in load_error(path)


def test_a_flipped_bit_in_the_header_member_is_refused(tmp_path):
    path = tmp_path / "flipped.npz"
    tg.save({"weight": np.ones(2), "bias": np.zeros(2)}, path)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"bias")] ^= 0x20  # "Bias": still valid JSON
    path.write_bytes(bytes(raw))
    assert "Bad CRC-32 for file '__tinygrad_edu__.json'" in load_error(path)


@pytest.mark.parametrize("member, expected", [
    (npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }\n", b"\0" * 16), "declares shape (1099511627776,)"),
    (npy(np.arange(3.0))[:-8], "declares shape (3,)"),  # declares more than it holds
    (npy(np.arange(3.0)) + b"\0" * 8, "declares shape (3,)"),  # holds more than it declares
])
def test_a_declared_size_that_disagrees_with_the_member_is_refused_before_allocating(tmp_path, member, expected):
    path = tmp_path / "sizes.npz"
    zip_of(path, one_array(member))
    tracemalloc.start()
    try:
        message = load_error(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert expected in message and "but the member holds" in message
    assert peak < 1_000_000


CRAFTED_NPY_HEADERS = {
    "unterminated string": "{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }\n",
    "deep parentheses": "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(" * 300 + ")" * 300 + ", }\n",
    "python expression": "{'descr': '<f4', 'fortran_order': __import__('os'), 'shape': (2,), }\n",
    "structured dtype": "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n",
    "negative size": "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n",
    "unknown dtype": "{'descr': '<q7', 'fortran_order': False, 'shape': (2,), }\n",
    "string dtype": "{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }\n",
    "65 dimensions": "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, " * 64 + "1), }\n",
    "not a header": "[1, 2, 3]\n",
}


@pytest.mark.parametrize("kind", CRAFTED_NPY_HEADERS)
def test_a_crafted_npy_header_is_a_checkpoint_error_not_a_parser_error(tmp_path, kind):
    path = tmp_path / "crafted.npz"
    zip_of(path, one_array(npy_with_header(CRAFTED_NPY_HEADERS[kind], b"\0" * 8)))
    message = load_error(path)
    assert "member '0.npy'" in message and "pickle" not in message


@pytest.mark.parametrize("member, expected", [
    (b"\x93NUMPY\x09\x00" + b"\0" * 20, "version 9.0"),
    (npy_with_header("{}", version=b"\x02\x00"), "header claims 2105212930 bytes"),  # a 4-byte length field
    (b"\x93NUMPY\x01\x00\xff\xff", "claims 65535 bytes"),
    (b"PK\x03\x04 not an npy", "does not start with the .npy magic"),
])
def test_a_crafted_npy_preamble_is_a_checkpoint_error(tmp_path, member, expected):
    path = tmp_path / "crafted.npz"
    zip_of(path, one_array(member))
    assert expected in load_error(path)


class Trap:
    """Unpickling a Trap creates a file: the proof that loading ran code."""

    def __init__(self, sentinel: str):
        self.sentinel = sentinel

    def __reduce__(self):
        return (Path.touch, (Path(self.sentinel),))


def test_a_pickled_array_is_refused_as_such_and_never_run(tmp_path):
    sentinel = tmp_path / "code_ran"
    path = tmp_path / "evil.npz"
    zip_of(path, one_array(npy(np.array([Trap(str(sentinel))], dtype=object))))
    assert "an array of Python objects, which cannot be loaded without pickle" in load_error(path)
    assert not sentinel.exists()


def test_a_pickled_array_in_a_version_1_file_is_refused_and_never_run(tmp_path):
    sentinel = tmp_path / "code_ran"
    path = tmp_path / "evil.npz"
    v1_header = np.array('{"format": "tinygrad_edu", "version": 1, "entries": [["weights", "array"]]}')
    np.savez(path, __tinygrad_edu__=v1_header, weights=np.array([Trap(str(sentinel))], dtype=object), allow_pickle=True)
    assert "cannot be loaded without pickle" in load_error(path)
    assert not sentinel.exists()
    np.load(path, allow_pickle=True)["weights"]  # the trap is armed: pickle does run it
    assert sentinel.exists()


def test_a_raw_pickle_is_refused_and_never_run(tmp_path):
    sentinel = tmp_path / "code_ran"
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weights": Trap(str(sentinel))}))
    assert "a pickle file, not a checkpoint: tg.load never unpickles" in load_error(path)
    assert not sentinel.exists()


W = {"dict": [["w", {"array": 0}]]}
CRAFTED_HEADERS = {
    "not JSON": (b"{'format': 'tinygrad_edu'", "not valid JSON"),
    "not UTF-8": (b'{"format": "\xff"}', "not valid JSON"),
    "nested past json's recursion": (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    "an int of 5000 digits": (b'{"format": "tinygrad_edu", "version": 1' + b"0" * 5000 + b"}", "not valid JSON"),
    "not ours": (json.dumps({"format": "other", "version": 2, "root": W}), "not a tinygrad_edu header"),
    "no root": (json.dumps({"format": "tinygrad_edu", "version": 2}), "not a tinygrad_edu header"),
    "version as text": (header(W, version="2"), "not a tinygrad_edu header"),
    "a newer version": (header(W, version=99), "format version 99 is newer"),
    "version 1 in a JSON header": (header(W, version=1), "format version 1, which keeps no JSON header"),
    "nested 101 deep": (header(json.loads('{"dict": [["a", ' * 101 + "1" + "]]}" * 101)), "corrupt header"),
    "an unknown kind": (header({"dict": [["w", {"pickle": "os.system"}]]}), "corrupt header: an entry it cannot hold"),
    "an array out of order": (header({"dict": [["w", {"array": 1}]]}), "corrupt header"),
    "an array index as text": (header({"dict": [["w", {"array": "0"}]]}), "corrupt header"),
    "a malformed item": (header({"dict": [["w"]]}), "malformed dict item"),
    "a key that is a list": (header({"dict": [[[3], {"array": 0}]]}), "malformed dict item"),
    "a key twice": (header({"dict": [["w", {"array": 0}], ["w", 1]]}), "the key 'w' twice"),
    "an array too few": (header({"dict": []}), "it holds 1 arrays, its header uses 0"),
}


@pytest.mark.parametrize("kind", CRAFTED_HEADERS)
def test_a_crafted_json_header_is_a_checkpoint_error(tmp_path, kind):
    content, expected = CRAFTED_HEADERS[kind]
    path = tmp_path / "crafted.npz"
    zip_of(path, {"__tinygrad_edu__.json": content, "0.npy": npy(np.ones(2))})
    assert expected in load_error(path)


@pytest.mark.parametrize("members, expected", [
    ({"__tinygrad_edu__.json": header(W)}, "lacks the member '0.npy'"),
    ({"__tinygrad_edu__.json": header({"tensor": 0}), "0.npy": npy(np.ones(2, complex))}, "a Tensor of dtype complex128"),
    ({"__tinygrad_edu__.json": header(W), "0.npy": npy(np.ones(1)), "evil.py": b"import os"}, "members other than"),
])
def test_members_that_do_not_match_the_header_are_refused(tmp_path, members, expected):
    path = tmp_path / "crafted.npz"
    zip_of(path, members)
    assert expected in load_error(path)


def test_compressed_encrypted_and_repeated_members_are_refused(tmp_path):
    path = tmp_path / "compressed.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in one_array(npy(np.zeros(1000))).items():
            archive.writestr(name, data)
    assert "is compressed (zip method 8)" in load_error(path)

    path = tmp_path / "encrypted.npz"
    zip_of(path, one_array(npy(np.zeros(2))))
    raw = bytearray(path.read_bytes())
    central = raw.rindex(b"PK\x01\x02")  # the last member's central directory entry
    raw[central + 8] |= 0x01  # general purpose flag: encrypted
    path.write_bytes(bytes(raw))
    assert "is encrypted" in load_error(path)

    path = tmp_path / "repeated.npz"
    with pytest.warns(UserWarning, match="Duplicate name"):
        zip_of(path, {**one_array(npy(np.zeros(2)))})
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("0.npy", npy(np.ones(2)))
    assert "member '0.npy' appears more than once" in load_error(path)


HEADER_V1_LISTING_W = np.array('{"format": "tinygrad_edu", "version": 1, "entries": [["w", "scalar"]]}')


@pytest.mark.parametrize("write, expected", [
    (lambda file: file.write(b"epoch,loss\n1,0.5\n"), "not a tinygrad_edu or PyTorch checkpoint (not a zip archive)"),
    (lambda file: None, "not a tinygrad_edu or PyTorch checkpoint (an empty file)"),
    (lambda file: file.write(b"PK\x03\x04" + b"\0" * 40), "damaged zip archive"),
    (lambda file: np.save(file, np.ones(3)), "a single .npy array"),
    (lambda file: np.savez(file, weights=np.ones(3)), "an .npz file of numpy arrays, not a checkpoint"),
    (lambda file: zipfile.ZipFile(file, "w").writestr("notes.txt", "hi"), "a zip archive, but neither a tinygrad_edu nor a PyTorch checkpoint"),
    (lambda file: np.savez(file, __tinygrad_edu__=np.ones(3)), "'__tinygrad_edu__.npy': dtype float64 is not one"),
    (lambda file: np.savez(file, __tinygrad_edu__=np.array("{}")), "not a tinygrad_edu header"),
    (lambda file: np.savez(file, __tinygrad_edu__=HEADER_V1_LISTING_W), "lacks the member 'w.npy'"),
    (lambda file: np.savez(file, __tinygrad_edu__=HEADER_V1_LISTING_W, w=np.ones(2)), "the scalar 'w' has shape (2,)"),
])
def test_files_that_are_not_checkpoints_are_named(tmp_path, write, expected):
    path = tmp_path / "suspect.npz"
    with open(path, "wb") as file:
        write(file)
    assert expected in load_error(path)


def test_a_truncated_checkpoint_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "cut.npz"
    tg.save({"weights": np.arange(10_000, dtype=np.float32)}, path)
    path.write_bytes(path.read_bytes()[:20_000])
    load_error(path)
