"""Damaged files: every bit flip, cut, insertion or overwrite of a saved checkpoint (ours or
torch's) or IDX file gives either a clean library error naming the file (CheckpointError,
IDXError) or exactly the values that were saved. Nothing else may escape: no raw parser
error, no wrong value.

Each single-bit flip at every byte is tried exhaustively (the files are small); Hypothesis
then combines flips, cuts and overwrites.
"""
from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.data.idx import IDXError, idx_bytes, read_idx
from tinygrad_edu.serialization import CheckpointError

from checkpoint_helpers import assert_same

CHECKPOINT = {
    "model": {"0.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "0.bias": Tensor([0.5, -1.0])},
    "optimizer": {"hyperparameters": {"lr": 0.1, "nesterov": True}, "state": {}},
    "epoch": 3,
    "labels": np.array([3, 1, 4], dtype=np.uint8),
}
IMAGES = np.arange(2 * 5 * 3, dtype=np.uint8).reshape(2, 5, 3)


def checkpoint_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "checkpoint.npz"
        tg.save(CHECKPOINT, path)
        return path.read_bytes()


SAVED = checkpoint_bytes()
IDX_GZ = gzip.compress(idx_bytes(IMAGES), mtime=0)
IDX_RAW = idx_bytes(IMAGES)


TORCH_FIXTURE = Path(__file__).parent / "data" / "torch_linear.pth"
TORCH_SAVED = TORCH_FIXTURE.read_bytes()
TORCH_CHECKPOINT = tg.load(TORCH_FIXTURE)


def load_checkpoint_or_refuse(path: Path, saved=CHECKPOINT) -> None:
    try:
        loaded = tg.load(path)
    except CheckpointError as error:
        assert str(path) in str(error)
        return
    assert_same(loaded, saved)


def read_idx_or_refuse(path: Path) -> None:
    try:
        loaded = read_idx(path)
    except IDXError as error:
        assert str(path) in str(error)
        return
    assert_same(loaded, IMAGES)


def flipped(original: bytes, position: int, bit: int) -> bytes:
    data = bytearray(original)
    data[position] ^= 1 << bit
    return bytes(data)


def test_every_single_bit_flip_of_a_checkpoint_is_refused_or_harmless(tmp_path):
    path = tmp_path / "checkpoint.npz"
    for position in range(len(SAVED)):
        for bit in range(8):
            path.write_bytes(flipped(SAVED, position, bit))
            load_checkpoint_or_refuse(path)


def test_every_single_bit_flip_of_a_torch_file_is_refused_or_harmless(tmp_path):
    path = tmp_path / "torch_linear.pth"
    for position in range(len(TORCH_SAVED)):
        path.write_bytes(flipped(TORCH_SAVED, position, position % 8))
        load_checkpoint_or_refuse(path, TORCH_CHECKPOINT)


def test_every_cut_of_a_checkpoint_is_refused(tmp_path):
    path = tmp_path / "checkpoint.npz"
    for length in range(len(SAVED)):
        path.write_bytes(SAVED[:length])
        with pytest.raises(CheckpointError, match="checkpoint.npz"):
            tg.load(path)


def test_every_single_bit_flip_of_a_gzipped_idx_file_is_refused_or_harmless(tmp_path):
    path = tmp_path / "images-idx3-ubyte.gz"
    for position in range(len(IDX_GZ)):
        for bit in range(8):
            path.write_bytes(flipped(IDX_GZ, position, bit))
            read_idx_or_refuse(path)


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """`original` with a few flips, a cut, an overwrite, an insertion or a deletion."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "cut", "overwrite", "insert", "delete"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del data[position:]
        elif kind == "overwrite":
            patch = draw(st.binary(min_size=1, max_size=16))
            data[position:position + len(patch)] = patch
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[position:position + draw(st.integers(1, 16))]
    return bytes(data)


@settings(max_examples=300)
@given(mutated(SAVED))
def test_a_mutated_checkpoint_is_refused_or_harmless(damaged):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "checkpoint.npz"
        path.write_bytes(damaged)
        load_checkpoint_or_refuse(path)


@settings(max_examples=200)
@given(mutated(TORCH_SAVED))
def test_a_mutated_torch_file_is_refused_or_harmless(damaged):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "torch_linear.pth"
        path.write_bytes(damaged)
        load_checkpoint_or_refuse(path, TORCH_CHECKPOINT)


@settings(max_examples=300)
@given(mutated(IDX_GZ))
def test_a_mutated_gzipped_idx_file_is_refused_or_harmless(damaged):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "images-idx3-ubyte.gz"
        path.write_bytes(damaged)
        read_idx_or_refuse(path)


@settings(max_examples=100)
@given(st.integers(0, len(IDX_RAW)), st.binary(max_size=8))
def test_an_uncompressed_idx_file_of_another_length_is_refused(length, padding):
    """Only the length is judged: an uncompressed IDX file has no checksum, so a changed
    value is a different valid file (the data sets check a SHA-256 for that)."""
    damaged = IDX_RAW[:length] + padding
    assume(len(damaged) != len(IDX_RAW))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "images-idx3-ubyte"
        path.write_bytes(damaged)
        with pytest.raises(IDXError, match="images-idx3-ubyte"):
            read_idx(path)
