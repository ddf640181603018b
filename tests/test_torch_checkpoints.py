"""tg.load reads files written by PyTorch's torch.save, without PyTorch, and runs no code
from them.

- A small file made once by torch is committed (tests/data/torch_linear.pth), so these tests
  run where torch is not installed. Regenerate it with `python tests/test_torch_checkpoints.py`.
- Where torch is installed, files made on the spot: state_dicts of Linear, Conv2d and
  Sequential, a training checkpoint with an optimizer's state, non-contiguous tensors, each
  dtype, whole modules (refused), the legacy format (refused).
- Crafted files, written opcode by opcode (checkpoint_helpers), that would run code or
  build something other than tensors: each is refused by name, and no code runs.
"""
from __future__ import annotations

import io
import pickle
import struct
import tracemalloc
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn
from tinygrad_edu.serialization import CheckpointError

from checkpoint_helpers import (assert_same, op_call, op_dict, op_global, op_int, op_str, op_tensor, op_tuple,
                                program, write_torch_archive)

FIXTURE = Path(__file__).parent / "data" / "torch_linear.pth"
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def write_fixture(path: Path) -> None:
    """The committed fixture: a Linear(3, 2)'s state_dict with exact values, views sharing
    its storage (a transpose, a Parameter), a uint8 tensor and a plain int."""
    import torch

    linear = torch.nn.Linear(3, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.arange(6.0).reshape(2, 3) / 4)
        linear.bias.copy_(torch.tensor([0.5, -1.0]))
    torch.save({"model": linear.state_dict(), "transposed": linear.weight.detach().t(), "parameter": linear.bias,
                "labels": torch.tensor([3, 1, 4], dtype=torch.uint8), "epoch": 3}, path)


FIXTURE_WEIGHT = np.arange(6.0, dtype=np.float32).reshape(2, 3) / 4
FIXTURE_BIAS = np.array([0.5, -1.0], dtype=np.float32)


# ---- the committed fixture: no torch needed -------------------------------------------------
def test_a_file_written_by_torch_loads_without_torch():
    loaded = tg.load(FIXTURE)
    assert_same(loaded, {
        "model": OrderedDict([("weight", Tensor(FIXTURE_WEIGHT)), ("bias", Tensor(FIXTURE_BIAS))]),
        "transposed": Tensor(FIXTURE_WEIGHT.T.copy()),
        "parameter": Tensor(FIXTURE_BIAS),
        "labels": Tensor(np.array([3, 1, 4], dtype=np.uint8)),
        "epoch": 3,
    })
    assert FIXTURE.stat().st_size < 4096


def test_torch_weights_load_into_a_tinygrad_edu_model():
    model = nn.Linear(3, 2)
    model.load_state_dict(tg.load(FIXTURE, map_location="cpu")["model"])
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(model(Tensor(x)).array, x @ FIXTURE_WEIGHT.T + FIXTURE_BIAS, rtol=1e-6)


def test_views_of_one_storage_come_back_as_separate_tensors():
    loaded = tg.load(FIXTURE)
    loaded["transposed"].array[0, 0] = 100.0  # torch would share this storage with model.weight
    assert loaded["model"]["weight"].array[0, 0] == 0.0


def test_a_torch_file_from_a_file_object_of_any_name(tmp_path):
    with open(FIXTURE, "rb") as file:
        assert tg.load(file)["epoch"] == 3
    assert tg.load(io.BytesIO(FIXTURE.read_bytes()))["epoch"] == 3
    renamed = tmp_path / "weights.ckpt"  # the archive's top folder keeps the old name
    renamed.write_bytes(FIXTURE.read_bytes())
    assert tg.load(renamed)["epoch"] == 3


def test_map_location_on_a_torch_file():
    seen = []
    tg.load(FIXTURE, map_location=lambda storage, location: seen.append(location))
    assert seen and set(seen) == {"cpu"}
    with pytest.raises(RuntimeError, match="runs on the CPU only"):
        tg.load(FIXTURE, map_location={"cpu": "cuda:0"})


# ---- hand-written torch archives: layouts torch writes --------------------------------------
def crafted(body: bytes, storages: dict[str, bytes], **layout) -> io.BytesIO:
    file = io.BytesIO()
    write_torch_archive(file, program(body), storages, **layout)
    file.seek(0)
    return file


def test_a_big_endian_file_loads_in_native_order():
    file = crafted(op_dict({"w": op_tensor("IntStorage", count=3, size=(3,), stride=(1,))}),
                   {"0": np.array([1, 256, -2], dtype=">i4").tobytes()}, byteorder=b"big")
    loaded = tg.load(file)["w"]
    assert loaded.dtype == np.int32 and loaded.array.dtype.isnative
    np.testing.assert_array_equal(loaded.array, [1, 256, -2])


def test_a_file_saved_from_the_gpu_loads_on_the_cpu():
    file = crafted(op_dict({"w": op_tensor(location="cuda:0")}), {"0": np.arange(6, dtype="<f4").tobytes()})
    np.testing.assert_array_equal(tg.load(file)["w"].array, np.arange(6.0).reshape(2, 3))
    file.seek(0)
    with pytest.raises(RuntimeError, match="map_location asks for 'cuda:1'"):
        tg.load(file, map_location={"cuda:0": "cuda:1"})


def test_torch_size_comes_back_as_a_tuple():
    file = crafted(op_dict({"shape": op_call(op_global("torch", "Size"), op_tuple(op_int(2), op_int(3)))}), {})
    assert tg.load(file) == {"shape": (2, 3)}


@pytest.mark.parametrize("storage_type, name", [("BFloat16Storage", "bfloat16"), ("ComplexFloatStorage", "complex64")])
def test_dtypes_numpy_lacks_are_named(storage_type, name):
    file = crafted(op_dict({"w": op_tensor(storage_type)}), {"0": bytes(24)})
    with pytest.raises(CheckpointError, match=f"it holds {name} tensors"):
        tg.load(file)


# ---- crafted files: refused by name, no code run ---------------------------------------------
class Trap:
    """Unpickling a Trap creates a file: the proof that loading ran code."""

    def __init__(self, sentinel: str):
        self.sentinel = sentinel

    def __reduce__(self):
        return (Path.touch, (Path(self.sentinel),))


@pytest.mark.parametrize("module, name", [("os", "system"), ("posix", "system"), ("builtins", "eval"),
                                          ("builtins", "exec"), ("subprocess", "call")])
def test_a_pickle_that_would_run_a_command_is_refused_naming_the_global(tmp_path, module, name):
    sentinel = tmp_path / "code_ran"
    command = f"open({str(sentinel)!r}, 'w')" if module == "builtins" else f"touch {sentinel}"
    body = op_dict({"w": op_call(op_global(module, name), op_str(command) if name != "call" else op_str("true"))})
    path = tmp_path / "evil.pth"
    write_torch_archive(path, program(body), {})
    with pytest.raises(CheckpointError, match=f"evil.pth: refuses global '{module}.{name}'"):
        tg.load(path)
    assert not sentinel.exists()


def test_a_pickled_object_in_a_torch_archive_is_refused_and_never_run(tmp_path):
    sentinel = tmp_path / "code_ran"
    data_pkl = pickle.dumps({"weights": Trap(str(sentinel))}, protocol=2)
    path = tmp_path / "model.pt"
    write_torch_archive(path, data_pkl, {})
    with pytest.raises(CheckpointError, match="refuses global"):
        tg.load(path)
    assert not sentinel.exists()
    pickle.loads(data_pkl)  # the trap is armed: pickle does run it
    assert sentinel.exists()


@pytest.mark.parametrize("state", [op_dict({"function": op_str("x")}), op_tuple(b"N", op_dict({"function": op_str("x")}))])
def test_a_pickle_cannot_set_attributes_on_the_functions_it_may_call(state):
    """BUILD (pickle's way to set attributes) on an allowed global would change it for every
    later load; it is refused, and the next load works."""
    body = op_global("torch._utils", "_rebuild_tensor_v2") + state + b"b"
    with pytest.raises(CheckpointError, match="sets attributes on torch._utils._rebuild_tensor_v2"):
        tg.load(crafted(body, {}))
    assert tg.load(FIXTURE)["epoch"] == 3


@pytest.mark.parametrize("body, problem", [
    (op_global("collections", "OrderedDict") + op_tuple() + b"\x81", "NEWOBJ"),  # build by class: only types
    (op_tuple(op_str("storage")) + b"Q", "names a storage it cannot hold"),
    (op_tensor(count=6), "lacks the member 'archive/data/0'"),
    (op_tensor(key="1", count=4), "storage '1' holds 24 bytes, its data.pkl says 4 elements"),
    (op_tensor(size=(3, 3)), "reaches element 8 of a storage of 6"),
    (op_tensor(offset=5, size=(2,), stride=(1,)), "reaches element 6 of a storage of 6"),
    (op_tensor(size=(2**30, 2**20), stride=(0, 0)), "expands its 24-byte storage"),
    (op_tensor(size=(2, -3)), "a tensor with offset 0, size (2, -3)"),
    (op_call(op_global("torch._utils", "_rebuild_tensor_v2"), op_int(1)), "TypeError"),
    (op_call(op_global("torch._utils", "_rebuild_parameter"), op_int(1), b"\x89", b"N"), "something other than a tensor"),
    (op_call(op_global("torch", "FloatStorage")), "TypeError"),
    (b"\xff", "ValueError: at position 2, opcode b'\\xff' unknown"),
    (b"\x96" + struct.pack("<Q", 2**62), "expected 4611686018427387904 bytes in a bytearray8"),  # not allocated
    (b"X" + struct.pack("<I", 2**31), "expected 2147483648 bytes in a unicodestring4"),
    (op_str("cut short")[:-3], "expected 9 bytes in a unicodestring4, but only 7 remain"),
])
def test_a_malformed_torch_pickle_is_a_checkpoint_error(body, problem):
    storages = {"0": bytes(24), "1": bytes(24)} if "lacks" not in problem else {}
    with pytest.raises(CheckpointError) as raised:
        tracemalloc.start()
        try:
            tg.load(crafted(body, storages))
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    assert problem in str(raised.value) and "<BytesIO>" in str(raised.value)
    assert peak < 1 << 20


@pytest.mark.parametrize("layout, problem", [
    ({"byteorder": b"middle"}, "its byteorder member says b'middle'"),
])
def test_a_malformed_torch_archive_is_a_checkpoint_error(layout, problem):
    with pytest.raises(CheckpointError, match=problem):
        tg.load(crafted(op_dict({}), {}, **layout))


def test_an_archive_with_two_top_folders_is_not_taken_for_torchs():
    file = io.BytesIO()
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr("a/data.pkl", program(op_dict({})))
        archive.writestr("b/data/0", b"")
    with pytest.raises(CheckpointError, match="neither a tinygrad_edu nor a PyTorch checkpoint"):
        tg.load(file)


# ---- files made by torch on the spot -----------------------------------------------------------
def torch_round_trip(obj, tmp_path, name="checkpoint.pth"):
    """Save `obj` with torch, load it with tg.load, and compare with torch's own values."""
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    path = tmp_path / name
    torch.save(obj, path)
    loaded = tg.load(path)
    assert_same(loaded, as_tinygrad(obj, torch))
    return loaded


def as_tinygrad(obj, torch):
    """What tg.load should give for a torch object: Tensors for tensors, same containers."""
    if isinstance(obj, torch.Tensor):
        return Tensor.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return type(obj)((key, as_tinygrad(value, torch)) for key, value in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(as_tinygrad(item, torch) for item in obj)
    return obj


def test_state_dicts_of_torch_layers_load_into_tinygrad_edu_layers(tmp_path):
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    torch.manual_seed(0)
    pairs = [
        (torch.nn.Linear(4, 3), nn.Linear(4, 3), (2, 4)),
        (torch.nn.Conv2d(2, 3, 3, padding=1), nn.Conv2d(2, 3, 3, padding=1), (2, 2, 5, 5)),
        (torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)),
         nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), (3, 4)),
    ]
    for theirs, ours, shape in pairs:
        loaded = torch_round_trip(theirs.state_dict(), tmp_path)
        assert type(loaded) is OrderedDict
        ours.load_state_dict(loaded)
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        np.testing.assert_allclose(ours(Tensor(x)).array, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_a_training_checkpoint_with_an_optimizers_state(tmp_path):
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    for optimizer in (torch.optim.Adam(model.parameters(), lr=1e-3), torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)):
        model(torch.ones(2, 3)).sum().backward()
        optimizer.step()
        loaded = torch_round_trip({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3}, tmp_path)
        assert list(loaded["optimizer"]["state"]) == [0, 1, 2, 3]  # int keys, as torch writes them


def test_non_contiguous_tensors_and_offsets(tmp_path):
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    base = torch.arange(24.0).reshape(2, 3, 4)
    torch_round_trip({
        "transposed": base.transpose(0, 2), "sliced": base[:, 1:, ::2], "offset": base[1],
        "permuted": base.permute(2, 0, 1)[1:], "expanded": torch.arange(3.0).expand(4, 3),
        "scalar": base[1, 2, 3], "empty": base[:, :0], "base": base,
    }, tmp_path)


@pytest.mark.parametrize("dtype", DTYPES)
def test_each_dtype(tmp_path, dtype):
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    values = torch.tensor([[0, 1, 2], [3, 4, 127]]).to(getattr(torch, dtype))
    loaded = torch_round_trip({"x": values, "column": values[:, 1]}, tmp_path)
    assert loaded["x"].dtype == np.dtype(dtype)


def test_the_hand_written_archives_are_what_torch_reads(tmp_path):
    torch = pytest.importorskip("torch", reason="needs PyTorch to read the archive")
    body = op_dict({"w": op_tensor(size=(3, 2), stride=(1, 3)), "n": op_int(7)})
    storage = np.arange(6, dtype="<f4").tobytes()
    theirs = torch.load(crafted(body, {"0": storage}), weights_only=True)
    assert_same(tg.load(crafted(body, {"0": storage})), as_tinygrad(theirs, torch))


def test_a_whole_module_saved_by_torch_is_refused_naming_its_class(tmp_path):
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    torch.save(torch.nn.Linear(2, 2), tmp_path / "model.pt")
    with pytest.raises(CheckpointError, match="refuses global 'torch.nn.modules.linear.Linear'"):
        tg.load(tmp_path / "model.pt")


def test_the_legacy_torch_format_is_named(tmp_path):
    torch = pytest.importorskip("torch", reason="files made on the spot need PyTorch")
    torch.save({"w": torch.ones(2)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="old.pt: a PyTorch file in the legacy format"):
        tg.load(tmp_path / "old.pt")


def test_the_committed_fixture_is_what_torch_writes(tmp_path):
    pytest.importorskip("torch", reason="regenerating the fixture needs PyTorch")
    write_fixture(tmp_path / "torch_linear.pth")
    assert_same(tg.load(tmp_path / "torch_linear.pth"), tg.load(FIXTURE))


if __name__ == "__main__":
    write_fixture(FIXTURE)
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes)")
