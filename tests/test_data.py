"""tinygrad_edu.data: the IDX reader/writer, where data sets are found, downloads, the
embedded sample, the real data where present, and DataLoader."""
import dataclasses
import gzip
import hashlib
import http.server
import os
import shutil
import socket
import threading
import tracemalloc
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, data
from tinygrad_edu.data import datasets
from tinygrad_edu.data.datasets import SPLITS, DatasetSource, KnownFile, load_split
from tinygrad_edu.data.idx import IDXError, idx_bytes, open_atomic, read_idx, write_idx

FASHION_SYSTEM = Path("/usr/share/datasets/fashion-mnist")
SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"
needs_fashion = pytest.mark.skipif(
    not (FASHION_SYSTEM / "t10k-images-idx3-ubyte.gz").exists(),
    reason="real Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)",
)
needs_mnist = pytest.mark.skipif(
    not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").exists(),
    reason=f"MNIST test files not present in {SHARED_MNIST} (only in this project's environment)",
)


@pytest.fixture(autouse=True)
def isolated_places(tmp_path, monkeypatch):
    """No test sees the user's real cache or $TINYGRAD_EDU_DATA."""
    monkeypatch.delenv("TINYGRAD_EDU_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def make_source(tmp_path, mirrors=(), system_folders=()):
    """A tiny data set in the canonical file layout, with its true checksums."""
    folder = tmp_path / "canonical"
    rng = np.random.default_rng(0)
    files, arrays = {}, {}
    for split, count in (("train", 30), ("test", 12)):
        images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        for name, array in zip(SPLITS[split], (images, labels)):
            write_idx(folder / f"{name}.gz", array)
            files[name] = KnownFile(sha256((folder / f"{name}.gz").read_bytes()), sha256(idx_bytes(array)))
        arrays[split] = (images, labels)
    source = DatasetSource("Tiny", "tiny", files, tuple(mirrors), tuple(map(str, system_folders)),
                           ("ask the teacher for the tiny files",))
    return source, folder, arrays


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; .requests lists the paths asked for."""
    root = tmp_path / "www"
    root.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format, *args):
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield SimpleNamespace(root=root, url=f"http://127.0.0.1:{httpd.server_address[1]}/", requests=requests)
    httpd.shutdown()
    httpd.server_close()


# ---- IDX ------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
def test_idx_round_trip_every_type(tmp_path, dtype, suffix):
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else np.finfo(dtype)
    array = np.array([[info.min, 0, 1], [info.max, 7, 3]], dtype=dtype)[:, :, None]
    path = tmp_path / f"a-idx3{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.shape == (2, 3, 1)
    np.testing.assert_array_equal(back, array)


@given(hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
))
def test_idx_bytes_parse_back_to_the_same_array(array):
    from tinygrad_edu.data.idx import parse_idx
    back = parse_idx(idx_bytes(array))
    assert back.shape == array.shape and back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)


def test_idx_layout_is_the_standard_one(tmp_path):
    """Magic 00 00 08 ndim, big-endian uint32 sizes, then the values: what MNIST's files hold."""
    path = tmp_path / "x-idx2-ubyte"
    write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
    assert path.read_bytes() == bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])
    write_idx(path, np.array([1, 256], dtype=np.int16))
    assert path.read_bytes() == bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0, 1, 1, 0])


def test_write_idx_gz_is_deterministic_and_standard_gzip(tmp_path):
    array = np.arange(100, dtype=np.uint8).reshape(4, 25)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()) == idx_bytes(array)


@pytest.mark.parametrize("array, problem", [
    (np.zeros(3, dtype=np.int64), "cannot store dtype int64"),
    (np.zeros(3, dtype=bool), "cannot store dtype bool"),
    (np.float32(1.0), "1 to 255 dimensions"),
])
def test_write_idx_rejects_what_idx_cannot_hold(tmp_path, array, problem):
    with pytest.raises((TypeError, ValueError), match=problem):
        write_idx(tmp_path / "bad", array)
    assert list(tmp_path.iterdir()) == []


def test_open_atomic_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "data.gz"
    path.write_bytes(b"old contents")
    with pytest.raises(RuntimeError, match="disk full"):
        with open_atomic(path) as file:
            file.write(b"half of the new")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["data.gz"]


def test_written_files_get_the_usual_permissions(tmp_path):
    """Atomic writes must not leave files private (0600) as tempfile.mkstemp would."""
    (tmp_path / "plain").write_bytes(b"")
    write_idx(tmp_path / "x.gz", np.zeros(3, dtype=np.uint8))
    assert (tmp_path / "x.gz").stat().st_mode == (tmp_path / "plain").stat().st_mode


def _good_idx() -> bytes:
    return idx_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))


def _flip_deflate_bytes(payload: bytes) -> bytes:
    packed = bytearray(gzip.compress(payload, mtime=0))
    for position in range(12, len(packed) - 8):
        packed[position] ^= 0x5A
    return bytes(packed)


CORRUPTIONS = {
    "truncated data": ("x-idx3-ubyte", lambda: _good_idx()[:-1], "truncated data"),
    "trailing junk": ("x-idx3-ubyte", lambda: _good_idx() + b"\0\0", "2 bytes of trailing data"),
    "trailing junk inside gzip": ("x.gz", lambda: gzip.compress(_good_idx() + b"junk"), "4 bytes of trailing data"),
    "trailing junk after gzip": ("x.gz", lambda: gzip.compress(_good_idx()) + b"junk", "corrupt gzip"),
    "truncated gzip": ("x.gz", lambda: gzip.compress(_good_idx())[:-10], "corrupt gzip"),
    "damaged gzip": ("x.gz", lambda: _flip_deflate_bytes(_good_idx()), "corrupt gzip"),
    "wrong magic": ("x-idx3-ubyte", lambda: b"\x01\x00" + _good_idx()[2:], "bad magic number 0x01000803"),
    "unknown type": ("x-idx3-ubyte", lambda: b"\0\0\x07" + _good_idx()[3:], "unknown IDX type code 0x07"),
    "zero dimensions": ("x-idx3-ubyte", lambda: b"\0\0\x08\x00", "0 dimensions"),
    "truncated header": ("x-idx3-ubyte", lambda: _good_idx()[:10], "truncated header"),
    "too short": ("x-idx3-ubyte", lambda: b"\0\0", "too short"),
    "gz name, not gzip": ("x.gz", _good_idx, "named .gz but is not gzip"),
}


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_every_corruption_is_an_error_naming_the_file_and_problem(tmp_path, kind):
    name, make, problem = CORRUPTIONS[kind]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(IDXError) as raised:
        read_idx(path)
    assert str(path) in str(raised.value)
    assert problem in str(raised.value)


def test_read_idx_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.gz"):
        read_idx(tmp_path / "nothere.gz")


def _gzip_bomb(declared: bytes, zeros: int) -> bytes:
    """Gzip of `declared` (an IDX file) followed by `zeros` zero bytes, compressed as a
    stream so that the test itself never holds the zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    chunk = bytes(1 << 20)
    parts = [packer.compress(declared)] + [packer.compress(chunk) for _ in range(zeros // len(chunk))]
    return b"".join(parts) + packer.flush()


def test_a_gzip_bomb_is_refused_without_decompressing_it(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    path.write_bytes(_gzip_bomb(idx_bytes(np.arange(10, dtype=np.uint8)), 100 << 20))
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match="more than 1048576 bytes of trailing data") as raised:
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(raised.value)
    assert peak < 8 << 20  # the 100 MB are never held; a little over the 1 MiB counted


@pytest.mark.parametrize("sizes, problem", [
    ((1 << 20, 1 << 20, 1 << 10), "declares 1125899906842624 bytes"),  # 1 PiB from a 16-byte header
    ((2**32 - 1,) * 3, f"declares {(2**32 - 1) ** 3} bytes"),  # overflows int64
    ((2**32 - 1,) * 255, "more than the 1099511627776 bytes"),  # the most dimensions IDX allows
])
def test_absurd_sizes_are_refused_from_the_header_alone(tmp_path, sizes, problem):
    path = tmp_path / "x-idx-ubyte.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, len(sizes)]) + np.asarray(sizes, ">u4").tobytes()))
    tracemalloc.start()
    try:
        with pytest.raises(IDXError, match=problem):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_read_idx_refuses_a_fifo_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "images-idx3-ubyte"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(OSError, read_idx, fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():  # blocked in open(): give it a writer so the thread can end
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome and f"{fifo}: is a FIFO (named pipe), not a regular file" in str(outcome[0].value)


def test_read_idx_refuses_a_directory_naming_it(tmp_path):
    with pytest.raises(OSError, match=f"{tmp_path}: is a directory, not a regular file"):
        read_idx(tmp_path)


def test_read_idx_feeds_the_decompressed_bytes_to_a_digest(tmp_path):
    array = np.arange(24, dtype=np.int16).reshape(4, 6)
    write_idx(tmp_path / "x.gz", array)
    digest = hashlib.sha256()
    np.testing.assert_array_equal(read_idx(tmp_path / "x.gz", digest), array)
    assert digest.hexdigest() == sha256(idx_bytes(array))


# ---- where data sets are found ----------------------------------------------------------------
def _place(folder_from, folder_to):
    shutil.copytree(folder_from, folder_to)
    return folder_to


def test_search_order_root_then_env_then_cache_then_system(tmp_path, monkeypatch):
    system = tmp_path / "system"
    source, canonical, arrays = make_source(tmp_path, system_folders=[system])
    root = _place(canonical, tmp_path / "root")
    env = tmp_path / "env"
    _place(canonical, env / "tiny")
    cache = _place(canonical, tmp_path / "xdg-cache" / "tinygrad_edu" / "tiny")
    _place(canonical, system)
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(env))

    images, labels, found = load_split(source, "test", root=root, download=False)
    assert found == root
    np.testing.assert_array_equal(images, arrays["test"][0])
    np.testing.assert_array_equal(labels, arrays["test"][1])
    assert labels.dtype == np.int64
    assert load_split(source, "test", download=False)[2] == env / "tiny"
    monkeypatch.delenv("TINYGRAD_EDU_DATA")
    assert load_split(source, "test", download=False)[2] == cache
    shutil.rmtree(cache)
    assert load_split(source, "train", download=False)[2] == system


def test_an_explicit_root_is_the_only_place_looked_in(tmp_path, server):
    source, canonical, _ = make_source(tmp_path, mirrors=[server.url])
    shutil.copytree(canonical, server.root, dirs_exist_ok=True)
    _place(canonical, tmp_path / "xdg-cache" / "tinygrad_edu" / "tiny")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(data.DatasetNotFoundError) as raised:
        load_split(source, "test", root=empty)
    message = str(raised.value)
    assert f"root argument: {empty} (no t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte[.gz])" in message
    assert "no other place searched, nothing downloaded" in message
    assert "cache" not in message
    assert server.requests == []


def test_cache_honours_xdg_and_defaults_to_home(tmp_path, monkeypatch):
    assert datasets.cache_folder(datasets.MNIST) == tmp_path / "xdg-cache" / "tinygrad_edu" / "mnist"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    expected = tmp_path / "home" / ".cache" / "tinygrad_edu" / "fashion-mnist"
    assert datasets.cache_folder(datasets.FASHION_MNIST) == expected
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert datasets.cache_folder(datasets.FASHION_MNIST) == expected


def test_uncompressed_files_and_half_filled_folders(tmp_path, monkeypatch):
    source, canonical, arrays = make_source(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SPLITS["test"]:
        (raw / name).write_bytes(gzip.decompress((canonical / f"{name}.gz").read_bytes()))
    half = tmp_path / "env" / "tiny"
    half.mkdir(parents=True)
    shutil.copy(canonical / "t10k-images-idx3-ubyte.gz", half)
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "env"))
    images, _, found = load_split(source, "test", root=raw)
    assert found == raw
    np.testing.assert_array_equal(images, arrays["test"][0])
    with pytest.raises(data.DatasetNotFoundError) as raised:
        load_split(source, "test", download=False)
    assert f"$TINYGRAD_EDU_DATA: {half} (no t10k-labels-idx1-ubyte[.gz])" in str(raised.value)


def test_a_file_with_other_contents_is_a_checksum_error(tmp_path):
    source, canonical, _ = make_source(tmp_path)
    write_idx(canonical / "t10k-labels-idx1-ubyte.gz", np.zeros(12, dtype=np.uint8))
    with pytest.raises(data.ChecksumError) as raised:
        load_split(source, "test", root=canonical)
    assert str(canonical / "t10k-labels-idx1-ubyte.gz") in str(raised.value)
    assert source.files["t10k-labels-idx1-ubyte"].sha256 in str(raised.value)
    cut = gzip.decompress((canonical / "t10k-images-idx3-ubyte.gz").read_bytes())[:-5]
    (canonical / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(cut))
    with pytest.raises(IDXError, match="truncated data"):  # the more telling error comes first
        load_split(source, "test", root=canonical)


@needs_mnist
def test_mnist_files_given_as_fashion_mnist_are_recognised():
    with pytest.raises(data.ChecksumError, match="it is MNIST's t10k-images-idx3-ubyte"):
        data.fashion_mnist("test", root=SHARED_MNIST)


def test_splits_other_than_train_and_test_are_refused():
    for split in ("validation", "Train", None, ["train"]):
        with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
            data.fashion_mnist_sample(split)
        with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
            data.mnist(split, download=False)


def test_offline_and_not_found_is_one_error_listing_every_place(tmp_path, monkeypatch):
    unreachable = closed_port_url()
    fashion = dataclasses.replace(datasets.FASHION_MNIST, mirrors=(unreachable,),
                                  system_folders=(str(tmp_path / "no-system"),))
    monkeypatch.setattr(datasets, "FASHION_MNIST", fashion)
    with pytest.raises(data.DatasetNotFoundError) as raised:
        data.fashion_mnist("test")
    message = str(raised.value)
    assert "Fashion-MNIST (test split) not found" in message
    assert "$TINYGRAD_EDU_DATA: not set" in message
    assert f"user cache: {tmp_path / 'xdg-cache' / 'tinygrad_edu' / 'fashion-mnist'} (no such folder)" in message
    assert f"system folder: {tmp_path / 'no-system'} (no such folder)" in message
    assert f"{unreachable}t10k-images-idx3-ubyte.gz: " in message
    for advice in ("apt-get install dataset-fashion-mnist", "root=", "$TINYGRAD_EDU_DATA/fashion-mnist/",
                   "fashion_mnist_sample(split)"):
        assert advice in message
    assert not (tmp_path / "xdg-cache").exists()


def test_mnist_offline_error_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_DATA", str(tmp_path / "mine"))
    with pytest.raises(data.DatasetNotFoundError) as raised:
        data.mnist("train", download=False)
    message = str(raised.value)
    assert f"$TINYGRAD_EDU_DATA: {tmp_path / 'mine' / 'mnist'} (no such folder)" in message
    assert "download=False" in message
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in message


# ---- downloads ------------------------------------------------------------------------------
def test_download_checks_sha256_and_caches_atomically(tmp_path, server):
    source, canonical, arrays = make_source(tmp_path, mirrors=[server.url + "gone/", server.url])
    shutil.copytree(canonical, server.root, dirs_exist_ok=True)
    cache = tmp_path / "xdg-cache" / "tinygrad_edu" / "tiny"
    images, labels, found = load_split(source, "train")
    assert found == cache
    np.testing.assert_array_equal(images, arrays["train"][0])
    np.testing.assert_array_equal(labels, arrays["train"][1])
    assert sorted(p.name for p in cache.iterdir()) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    for name in SPLITS["train"]:
        assert (cache / f"{name}.gz").read_bytes() == (canonical / f"{name}.gz").read_bytes()
    assert "/gone/train-images-idx3-ubyte.gz" in server.requests  # the first mirror was tried
    asked = len(server.requests)
    assert load_split(source, "train")[2] == cache  # from the cache now, without a request
    assert len(server.requests) == asked


def test_download_with_a_wrong_checksum_leaves_nothing_in_the_cache(tmp_path, server):
    source, canonical, _ = make_source(tmp_path, mirrors=[server.url])
    shutil.copytree(canonical, server.root, dirs_exist_ok=True)
    wrong = KnownFile("0" * 64, source.files["t10k-images-idx3-ubyte"].sha256)
    source = dataclasses.replace(source, files={**source.files, "t10k-images-idx3-ubyte": wrong})
    with pytest.raises(data.DatasetNotFoundError) as raised:
        load_split(source, "test")
    message = str(raised.value)
    assert f"{server.url}t10k-images-idx3-ubyte.gz: " in message
    assert f"expected {'0' * 64}; not kept" in message
    cache = tmp_path / "xdg-cache" / "tinygrad_edu" / "tiny"
    assert not cache.exists() or list(cache.iterdir()) == []


# ---- the embedded sample ----------------------------------------------------------------------
@pytest.mark.parametrize("split, count", [("train", 5000), ("test", 1000)])
def test_sample_is_class_balanced_fashion_mnist(split, count):
    images, labels = data.fashion_mnist_sample(split)
    assert images.shape == (count, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (count,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [count // 10] * 10)
    # Fashion-MNIST's mean pixel is 72.9 (of 255): the sample is real images, not noise or zeros.
    assert 65 < images.mean() < 81


def test_sample_carries_its_licence_and_attribution():
    text = (datasets.SAMPLE_FOLDER / "LICENSE").read_text()
    for needed in ("MIT License", "Zalando SE", "Han Xiao", "arXiv:1708.07747", "make_sample"):
        assert needed in text


@needs_fashion
@pytest.mark.parametrize("split", ["train", "test"])
def test_sample_is_the_documented_draw_from_the_real_set(split):
    from tinygrad_edu.data.make_sample import sample_split
    images, labels = sample_split(split, root=FASHION_SYSTEM)
    shipped_images, shipped_labels = data.fashion_mnist_sample(split)
    np.testing.assert_array_equal(shipped_images, images)
    np.testing.assert_array_equal(shipped_labels, labels)


def test_real_or_sample_falls_back_to_the_sample_and_says_so(tmp_path):
    images, labels, source = data.load_fashion_mnist_or_sample("test", root=tmp_path)
    assert source == "sample" and images.shape == (1000, 28, 28)


def test_real_or_sample_does_not_hide_a_corrupt_real_set(tmp_path):
    for name in SPLITS["test"]:
        (tmp_path / f"{name}.gz").write_bytes(b"\0\0\x08\x03garbage")
    with pytest.raises(IDXError, match="named .gz but is not gzip"):
        data.load_fashion_mnist_or_sample("test", root=tmp_path)


# ---- the real data sets, where present ----------------------------------------------------------
@needs_fashion
def test_real_fashion_mnist_test_split():
    images, labels = data.fashion_mnist("test", root=FASHION_SYSTEM)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [1000] * 10)
    assert data.load_fashion_mnist_or_sample("test", root=FASHION_SYSTEM)[2] == "fashion-mnist"


@needs_mnist
def test_real_mnist_test_split():
    images, labels = data.mnist("test", root=SHARED_MNIST)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    with pytest.raises(data.DatasetNotFoundError, match="no train-images-idx3-ubyte and train-labels-idx1-ubyte"):
        data.mnist("train", root=SHARED_MNIST)


def test_xor_is_the_tutorials_toy_set():
    x, y = data.xor()
    assert x.shape == (4, 1, 2) and y.shape == (4, 1, 1) and x.dtype == y.dtype == np.float32
    np.testing.assert_array_equal(x[:, 0], [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y[:, 0, 0], np.logical_xor(x[:, 0, 0], x[:, 0, 1]))


# ---- DataLoader -----------------------------------------------------------------------------
def _pairs(count=10):
    x = np.arange(count * 3, dtype=np.float64).reshape(count, 3)
    y = np.arange(count, dtype=np.int64) * 7
    return x, y


def test_loader_batches_in_order_with_a_short_last_batch():
    x, y = _pairs(10)
    loader = data.DataLoader((x, y), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    assert all(isinstance(t, Tensor) for batch in batches for t in batch)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x.astype(np.float32))
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)


def test_loader_drop_last():
    x, y = _pairs(10)
    loader = data.DataLoader((x, y), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b[1]) for b in loader] == [4, 4]
    assert len(data.DataLoader((x, y), batch_size=20, drop_last=True)) == 0
    assert list(data.DataLoader((x, y), batch_size=20, drop_last=True)) == []


def test_loader_single_array_gives_single_tensors_and_takes_tensors():
    x, y = _pairs(5)
    batches = list(data.DataLoader(x, batch_size=2))
    assert all(isinstance(b, Tensor) for b in batches) and [b.shape for b in batches] == [(2, 3), (2, 3), (1, 3)]
    images, labels = next(iter(data.DataLoader((Tensor(x), Tensor(y)), batch_size=5)))
    np.testing.assert_array_equal(images.numpy(), x.astype(np.float32))
    np.testing.assert_array_equal(labels.numpy(), y)


def _order(loader):
    return np.concatenate([labels.numpy() for _, labels in loader]) // 7


def test_shuffle_is_seeded_new_each_epoch_and_keeps_pairs_together():
    x, y = _pairs(50)
    first = data.DataLoader((x, y), batch_size=8, shuffle=True, seed=3)
    epochs = [_order(first) for _ in range(3)]
    again = data.DataLoader((x, y), batch_size=8, shuffle=True, seed=3)
    for epoch in epochs:
        np.testing.assert_array_equal(_order(again), epoch)  # same seed: same epochs, run after run
        assert sorted(epoch) == list(range(50))
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(_order(data.DataLoader((x, y), batch_size=8, shuffle=True, seed=4)), epochs[0])
    for images, labels in first:
        np.testing.assert_array_equal(images.numpy()[:, 0], labels.numpy() // 7 * 3)


@given(count=st.integers(0, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(), drop_last=st.booleans())
def test_loader_yields_each_sample_once_in_len_batches(count, batch_size, shuffle, drop_last):
    x, y = _pairs(count)
    loader = data.DataLoader((x, y), batch_size=batch_size, shuffle=shuffle, seed=0, drop_last=drop_last)
    batches = list(loader)
    assert len(batches) == len(loader)
    assert all(len(labels) == batch_size for _, labels in batches[:-1])
    seen = _order(batches) if batches else np.array([], dtype=np.int64)
    expected = count - count % batch_size if drop_last else count
    assert len(seen) == expected and len(set(seen.tolist())) == expected


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "4"])
def test_loader_refuses_a_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size="):
        data.DataLoader(_pairs(), batch_size=batch_size)


def test_loader_refuses_arrays_of_different_lengths_naming_them():
    with pytest.raises(ValueError, match=r"different lengths \[10, 9\]"):
        data.DataLoader((np.zeros((10, 3)), np.zeros(9)))


@pytest.mark.parametrize("seed, error", [("abc", TypeError), (1.5, TypeError), (True, TypeError), (-1, ValueError)])
def test_loader_refuses_a_bad_seed_naming_it(seed, error):
    with pytest.raises(error, match=f"seed must be None or a non-negative integer; got {seed!r}"):
        data.DataLoader(_pairs(), shuffle=True, seed=seed)


def test_loader_refuses_a_dict_dataset_saying_what_to_pass():
    with pytest.raises(TypeError, match="dataset is a dict: .* pass a tuple of arrays such as \\(inputs, targets\\)"):
        data.DataLoader({"images": np.zeros((4, 2)), "labels": np.zeros(4)})


def test_loader_refuses_what_is_not_a_dataset():
    with pytest.raises(TypeError, match="tuple of arrays or have __len__ and __getitem__"):
        data.DataLoader(42)
    with pytest.raises(TypeError, match="tuple item 1 is a list"):
        data.DataLoader((np.zeros(3), [1, 2, 3]))
    with pytest.raises(ValueError, match="empty tuple"):
        data.DataLoader(())


class Squares:
    """A map-style dataset: item i is (features, label)."""

    def __len__(self):
        return 7

    def __getitem__(self, index):
        if not 0 <= index < 7:
            raise IndexError(index)
        return np.array([index, index**2], dtype=np.float64), index % 3


def test_loader_stacks_items_of_a_map_style_dataset():
    loader = data.DataLoader(Squares(), batch_size=3, shuffle=True, seed=1)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    features = np.concatenate([f.numpy() for f, _ in batches])
    labels = np.concatenate([l.numpy() for _, l in batches])
    assert sorted(features[:, 0].tolist()) == list(range(7))
    np.testing.assert_array_equal(features[:, 1], features[:, 0] ** 2)
    np.testing.assert_array_equal(labels, features[:, 0].astype(np.int64) % 3)
    assert batches[0][0].dtype == np.float64 and batches[0][1].dtype == np.int64  # the arrays' dtype, as torch
    assert [list(f.numpy()[:, 0]) for f, _ in data.DataLoader(Squares(), batch_size=3, shuffle=True, seed=1)] == [
        list(f.numpy()[:, 0]) for f, _ in batches]
    plain = list(data.DataLoader([np.ones(2) * i for i in range(5)], batch_size=2))
    assert isinstance(plain[0], Tensor) and plain[2].shape == (1, 2)


def test_loader_says_when_items_cannot_be_stacked():
    ragged = [np.zeros(2), np.zeros(3)]
    with pytest.raises(ValueError, match=r"but got \[2\] at entry 0 and \[3\] at entry 1"):
        list(data.DataLoader(ragged, batch_size=2))
    mixed = [(np.zeros(2), 1), np.zeros(2)]
    with pytest.raises(ValueError, match=r"dataset\[1\] is not a tuple of 2 fields"):
        list(data.DataLoader(mixed, batch_size=2))
