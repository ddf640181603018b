"""dtypes under torch's names, the default dtype, devices (the CPU only; CUDA asked for is a
clear error), and the conversions: x.to(...), .float() .long() ..., .type(), Module.to."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.devices import CPUOnlyError

try:
    import torch
except ImportError:  # the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the optional oracle) is not installed")

DTYPE_NAMES = {
    "float32": "float32", "float": "float32", "float64": "float64", "double": "float64",
    "float16": "float16", "half": "float16", "int64": "int64", "long": "int64", "int32": "int32",
    "int": "int32", "int16": "int16", "short": "int16", "int8": "int8", "uint8": "uint8", "bool": "bool",
}


# ---- dtypes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(DTYPE_NAMES))
def test_each_dtype_compares_with_a_tensors_dtype(name):
    dtype = getattr(tg, name)
    x = tg.zeros(2, dtype=dtype)
    assert x.dtype == dtype and x.dtype == DTYPE_NAMES[name]
    assert tg.Tensor([1, 0], dtype=dtype).dtype == dtype
    assert tg.tensor([1, 0]).to(dtype).dtype == dtype


@needs_torch
@pytest.mark.parametrize("name", list(DTYPE_NAMES))
def test_dtype_names_mean_what_they_mean_in_torch(name):
    assert str(getattr(torch, name)) == f"torch.{getattr(tg, name)}"


def test_the_package_keeps_pythons_own_bool_float_and_int():
    import tinygrad_edu.dtypes as dtypes_module
    assert tg.bool == np.dtype(np.bool_) and tg.float == np.float32 and tg.int == np.int32
    assert not {"bool", "float", "int"} & set(vars(dtypes_module))  # Python's own stay usable there
    namespace = {}
    exec("from tinygrad_edu import *", namespace)
    assert "bool" not in namespace and "float" not in namespace and "int" not in namespace


def test_other_spellings_of_a_dtype_are_accepted():
    for spelling, expected in [("float64", tg.float64), ("torch.int32", tg.int32), (float, tg.float64),
                               (int, tg.int64), (bool, tg.bool), (np.float16, tg.float16), ("torch.LongTensor", tg.int64)]:
        assert tg.zeros(1, dtype=spelling).dtype == expected


def test_non_numeric_dtypes_are_refused():
    for bad in (np.complex64, object, "banana"):
        with pytest.raises(TypeError, match="dtype"):
            tg.zeros(1, dtype=bad)


def test_default_dtype_is_float32_and_may_be_float64():
    assert tg.get_default_dtype() == tg.float32
    try:
        tg.set_default_dtype(tg.double)
        assert tg.get_default_dtype() == tg.float64
        assert tg.Tensor([0.5]).dtype == tg.float64 and tg.randn(2).dtype == tg.float64
        assert nn.Linear(2, 2).weight.dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.Tensor([0.5]).dtype == tg.float32
    for refused in (tg.int64, tg.float16):
        with pytest.raises(TypeError, match="default"):
            tg.set_default_dtype(refused)
    assert tg.get_default_dtype() == tg.float32


# ---- devices ----------------------------------------------------------------------------------
def test_cpu_device():
    cpu = tg.device("cpu")
    assert str(cpu) == "cpu" and cpu.type == "cpu" and cpu.index is None and repr(cpu) == "device(type='cpu')"
    assert cpu == "cpu" and cpu == tg.device(cpu) and cpu != "cuda" and cpu != tg.device("cuda")
    assert hash(cpu) == hash(tg.device("cpu")) and len({cpu, tg.device("cpu"), "cpu"}) == 1
    x = tg.ones(2)
    assert x.device == cpu and x.device == "cpu" and not x.is_cuda


def test_other_devices_can_be_named_as_in_torch():
    assert str(tg.device("cuda:1")) == "cuda:1" and tg.device("cuda:1").index == 1
    assert tg.device("cuda", 0) == "cuda:0" and tg.device("mps").type == "mps"
    assert repr(tg.device("cuda", 2)) == "device(type='cuda', index=2)"
    with pytest.raises(RuntimeError, match="device type"):
        tg.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        tg.device("cuda:x")


@pytest.mark.parametrize("call", [
    lambda: tg.ones(2).cuda(), lambda: tg.ones(2).to("cuda"), lambda: tg.ones(2).to(tg.device("cuda:0")),
    lambda: tg.ones(2).to("mps"), lambda: tg.ones(2).to(0), lambda: tg.zeros(2, device="cuda"),
    lambda: tg.tensor([1.0], device="cuda"), lambda: tg.randn(2, device="cuda"),
    lambda: tg.ones(2).to(device="cuda", dtype=tg.float64), lambda: nn.Linear(2, 2).cuda(),
    lambda: nn.Linear(2, 2).to("cuda"), lambda: tg.set_default_device("cuda"), lambda: tg.cuda.current_device(),
], ids=["cuda()", "to('cuda')", "to(device)", "to('mps')", "to(0)", "zeros", "tensor", "randn",
        "to(device=, dtype=)", "Module.cuda", "Module.to", "set_default_device", "cuda.current_device"])
def test_asking_for_a_gpu_says_tinygrad_edu_runs_on_the_cpu(call):
    with pytest.raises(RuntimeError, match="CPU only") as caught:
        call()
    assert isinstance(caught.value, (CPUOnlyError, AssertionError))  # torch raises AssertionError here


def test_the_cpu_is_accepted_everywhere():
    x = tg.ones(2, device="cpu")
    assert tg.zeros(2, device=tg.device("cpu")).device == "cpu"
    assert x.to("cpu") is x and x.cpu() is x and x.to(tg.device("cpu")) is x
    tg.set_default_device("cpu")
    assert tg.get_default_device() == "cpu"


def test_accelerator_questions_are_answered():
    assert tg.cuda.is_available() is False and tg.cuda.device_count() == 0
    assert tg.backends.mps.is_available() is False and tg.backends.cudnn.is_available() is False
    assert tg.accelerator.is_available() is False and tg.accelerator.current_accelerator() is None
    tg.cuda.manual_seed_all(0)  # ignored without CUDA, as torch does
    with pytest.raises(ValueError):
        tg.cuda.manual_seed(-3)


def test_the_usual_device_line_picks_the_cpu():
    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    model = nn.Linear(3, 1).to(device)
    assert model(tg.randn(4, 3).to(device)).device == device


# ---- conversions --------------------------------------------------------------------------------
def test_to_forms():
    x = tg.tensor([1.5, -2.5])
    assert x.to(tg.float32) is x
    assert x.to(tg.float64).dtype == tg.float64 and x.to(dtype=tg.float64).dtype == tg.float64
    assert x.to("cpu", tg.float16).dtype == tg.float16
    assert x.to(tg.zeros(1, dtype=tg.int32)).dtype == tg.int32
    np.testing.assert_array_equal(x.to(tg.int64).numpy(), [1, -2])  # truncation, as torch
    copy = x.to(tg.float32, copy=True)
    assert copy is not x and not np.shares_memory(copy.numpy(), x.numpy())
    with pytest.raises(TypeError, match="unexpected"):
        x.to(tg.float64, colour="red")


def test_float_casts_keep_the_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == tg.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == tg.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    x.grad = None
    (x.half().float() * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    (x.to(tg.float64, copy=True) * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_integer_and_bool_casts_leave_the_graph():
    x = tg.tensor([0.0, 2.7, -1.2], requires_grad=True)
    for cast, dtype, values in [(x.long, tg.int64, [0, 2, -1]), (x.int, tg.int32, [0, 2, -1]),
                                (x.short, tg.int16, [0, 2, -1]), (x.bool, tg.bool, [False, True, True])]:
        y = cast()
        assert y.dtype == dtype and not y.requires_grad and y.is_leaf
        np.testing.assert_array_equal(y.numpy(), values)
    assert tg.tensor([3, 300]).byte().dtype == tg.uint8
    assert tg.tensor([1, 2]).float().dtype == tg.float32


def test_type_names_and_type_casts():
    assert tg.zeros(1).type() == "torch.FloatTensor"
    assert tg.zeros(1, dtype=tg.int64).type() == "torch.LongTensor"
    assert tg.zeros(1, dtype=tg.bool).type() == "torch.BoolTensor"
    assert tg.zeros(1).type(tg.float64).dtype == tg.float64
    assert tg.zeros(1).type("torch.LongTensor").dtype == tg.int64
    if torch is not None:
        for dtype in (tg.float16, tg.float32, tg.float64, tg.int8, tg.int16, tg.int32, tg.int64, tg.uint8, tg.bool):
            assert tg.zeros(1, dtype=dtype).type() == torch.zeros(1, dtype=getattr(torch, str(dtype))).type()


# ---- modules ------------------------------------------------------------------------------------
def test_module_double_keeps_the_parameters_so_an_optimizer_still_works():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    parameters = list(model.parameters())
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    assert model.double() is model
    assert all(a is b for a, b in zip(model.parameters(), parameters))
    assert all(p.dtype == tg.float64 for p in parameters)
    before = parameters[0].numpy().copy()
    loss = model(tg.randn(4, 2, dtype=tg.float64)).sum()
    loss.backward()
    optimizer.step()
    assert parameters[0].dtype == tg.float64 and not np.array_equal(parameters[0].numpy(), before)


def test_module_to_float_half_and_type():
    model = nn.Linear(2, 2)
    model.weight.grad = tg.ones(2, 2)
    assert model.to(tg.float64) is model and model.weight.dtype == tg.float64
    assert model.weight.grad.dtype == tg.float64  # the gradient follows, as in torch
    assert model.float().weight.dtype == tg.float32 and model.half().bias.dtype == tg.float16
    assert model.to("cpu") is model and model.cpu() is model and model.to("cpu", tg.float64).weight.dtype == tg.float64
    assert model.to(tg.zeros(1)).weight.dtype == tg.float32
    assert model.type(tg.float64).bias.dtype == tg.float64
    with pytest.raises(TypeError, match="floating point"):
        model.to(tg.int64)
