"""tg.save / tg.load: round trips (nesting, order, types), atomic writes, clear errors for
files that are missing or not ours, and no code execution from a crafted file."""
from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, serialization


def assert_same(loaded, original):
    """Equal nesting, key order, Python types for scalars, dtypes and values for arrays."""
    if isinstance(original, dict):
        assert isinstance(loaded, dict) and list(loaded) == list(original)
        for key in original:
            assert_same(loaded[key], original[key])
    elif isinstance(original, (bool, int, float)):
        assert type(loaded) is type(original) and loaded == original
    else:
        expected = original.data if isinstance(original, Tensor) else original
        assert isinstance(loaded, np.ndarray) and loaded.dtype == expected.dtype
        np.testing.assert_array_equal(loaded, expected)


def test_round_trip_of_nested_dict_keeps_order_types_and_empty_dicts(tmp_path):
    obj = {
        "model": {"0.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "0.bias": Tensor([1.0, 2.0])},
        "optimizer": {"hyperparameters": {"lr": 0.1, "nesterov": True}, "state": {}},
        "epoch": 7,
        "scalar_array": np.array(2.5),
        "labels": np.array([3, 1, 4], dtype=np.uint8),
        "file": np.zeros(1),  # np.savez would take this key for its own `file` argument
    }
    tg.save(obj, tmp_path / "checkpoint.npz")
    assert_same(tg.load(tmp_path / "checkpoint.npz"), obj)
    assert os.listdir(tmp_path) == ["checkpoint.npz"]


def test_a_models_state_dict_round_trips_into_a_fresh_model(tmp_path):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    tg.save(model.state_dict(), str(tmp_path / "model.npz"))
    tg.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2))
    x = Tensor(np.random.default_rng(0).standard_normal((5, 4)))
    assert not np.array_equal(fresh(x).data, model(x).data)
    fresh.load_state_dict(tg.load(tmp_path / "model.npz"))
    np.testing.assert_array_equal(fresh(x).data, model(x).data)


keys = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=6)
leaves = st.one_of(
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False),
    st.booleans(),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.uint8, np.bool_]), hnp.array_shapes(min_dims=0, max_dims=3, max_side=3)),
)
trees = st.recursive(leaves, lambda children: st.dictionaries(keys, children, max_size=4), max_leaves=8)


@given(st.dictionaries(keys.filter(lambda key: key != serialization.HEADER_NAME), trees, max_size=4))
def test_any_nested_dict_round_trips(obj):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "tree.npz"
        tg.save(obj, path)
        assert_same(tg.load(path), obj)


def test_a_failed_write_leaves_the_old_file_intact_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint.npz"
    tg.save({"weights": np.ones(3)}, path)
    old_bytes = path.read_bytes()
    real_write_array = np.lib.format.write_array
    written = []

    def write_then_fail(file, array, **kwargs):
        real_write_array(file, array, **kwargs)
        written.append(array)
        if len(written) == 2:  # the header and one array are in the temporary file by now
            raise OSError("disk full (simulated)")

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    with pytest.raises(OSError, match="simulated"):
        tg.save({"weights": np.zeros(1000), "more": np.zeros(1000)}, path)
    assert len(written) == 2
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["checkpoint.npz"]
    monkeypatch.undo()
    np.testing.assert_array_equal(tg.load(path)["weights"], np.ones(3))


def test_a_new_file_after_a_failed_write_does_not_exist(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np.lib.format, "write_array", fail)
    with pytest.raises(KeyboardInterrupt):
        tg.save({"weights": np.ones(3)}, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file: .*nowhere.npz"):
        tg.load(tmp_path / "nowhere.npz")
    with pytest.raises(FileNotFoundError, match="is a directory"):
        tg.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="directory .*missing_dir.* does not exist"):
        tg.save({"a": 1}, tmp_path / "missing_dir" / "x.npz")


HEADER_V99 = np.array('{"format": "tinygrad_edu", "version": 99, "entries": []}')
HEADER_LISTING_W = np.array('{"format": "tinygrad_edu", "version": 1, "entries": [["w", "array"]]}')


@pytest.mark.parametrize(
    "write, message",
    [
        (lambda file: file.write(b"epoch,loss\n1,0.5\n"), "not a readable .npz file"),
        (lambda file: None, "not a readable .npz file"),
        (lambda file: np.save(file, np.ones(3)), "single .npy array"),
        (lambda file: np.savez(file, weights=np.ones(3)), "has no '__tinygrad_edu__' entry"),
        (lambda file: np.savez(file, __tinygrad_edu__=np.ones(3)), "is not a tinygrad_edu header"),
        (lambda file: np.savez(file, __tinygrad_edu__=HEADER_V99), "format version 99"),
        (lambda file: np.savez(file, __tinygrad_edu__=HEADER_LISTING_W), "lists 'w', which the archive lacks"),
    ],
)
def test_files_that_are_not_ours_are_named(tmp_path, write, message):
    path = tmp_path / "suspect.npz"
    with open(path, "wb") as file:
        write(file)
    with pytest.raises(ValueError) as error:
        tg.load(path)
    assert message in str(error.value) and "suspect.npz" in str(error.value)


def test_a_truncated_checkpoint_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "cut.npz"
    tg.save({"weights": np.arange(10_000, dtype=np.float32)}, path)
    path.write_bytes(path.read_bytes()[:20_000])
    with pytest.raises(ValueError, match="cut.npz"):
        tg.load(path)


class Trap:
    """Unpickling a Trap creates a file: the proof that loading ran code."""

    def __init__(self, sentinel: str):
        self.sentinel = sentinel

    def __reduce__(self):
        return (Path.touch, (Path(self.sentinel),))


def test_a_pickle_in_an_npz_is_refused_and_never_run(tmp_path):
    sentinel = tmp_path / "code_ran"
    path = tmp_path / "evil.npz"
    header = np.array('{"format": "tinygrad_edu", "version": 1, "entries": [["weights", "array"]]}')
    np.savez(path, __tinygrad_edu__=header, weights=np.array([Trap(str(sentinel))], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="'weights' of .*evil.npz.* cannot be loaded without pickle"):
        tg.load(path)
    assert not sentinel.exists()
    np.load(path, allow_pickle=True)["weights"]  # the trap is armed: pickle does run it
    assert sentinel.exists()


def test_a_raw_pickle_is_refused_and_never_run(tmp_path):
    sentinel = tmp_path / "code_ran"
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weights": Trap(str(sentinel))}))
    with pytest.raises(ValueError, match="model.pt.* is not a tinygrad_edu checkpoint"):
        tg.load(path)
    assert not sentinel.exists()


@pytest.mark.parametrize(
    "obj, error, message",
    [
        ([np.ones(2)], TypeError, "expected a dict"),
        ({"a": np.array([object()], dtype=object)}, TypeError, "'a' has dtype object"),
        ({"a": {"b": np.array(["text"])}}, TypeError, "'a/b' has dtype <U4"),
        ({"a": {"b": [1.0, 2.0]}}, TypeError, "'a/b' is a list"),
        ({"a": None}, TypeError, "'a' is a NoneType"),
        ({"a": {3: np.ones(1)}}, TypeError, "keys must be strings; got 3 (int) in a"),
        ({"x/y": np.ones(1)}, ValueError, "'x/y' in the top level is empty or contains '/'"),
        ({"": np.ones(1)}, ValueError, "is empty"),
        ({"__tinygrad_edu__": np.ones(1)}, ValueError, "reserved"),
    ],
)
def test_unsavable_objects_are_named_and_nothing_is_written(tmp_path, obj, error, message):
    with pytest.raises(error) as raised:
        tg.save(obj, tmp_path / "x.npz")
    assert message in str(raised.value)
    assert os.listdir(tmp_path) == []
