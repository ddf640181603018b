"""Places where tinygrad_edu.nn differed from torch.nn and now agrees: state_dict's values and
arguments, load_state_dict's words and `assign`, the factory arguments (device, dtype) of
Linear, the normalization layers and Embedding, Embedding's max_norm / scale_grad_by_freq /
sparse, softmax's implicit dim, ParameterDict's key order, Parameter(), and the Tensor
conversions a state_dict's values need (float(), int()). Each is compared with torch where
torch is installed; gradients also by finite differences."""
from __future__ import annotations

import copy
import inspect
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import gradcheck


def small_net(nn):
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1))


def copy_weights(theirs, ours) -> None:
    ours.load_state_dict({name: value.detach().numpy().copy() for name, value in theirs.state_dict().items()})


# ---- state_dict ----------------------------------------------------------------------------
def test_state_dict_is_an_ordered_dict_of_detached_tensors_sharing_the_arrays() -> None:
    model = small_net(nn)
    state = model.state_dict()
    assert type(state) is OrderedDict
    assert all(type(value) is Tensor and not value.requires_grad for value in state.values())
    assert state["0.weight"].array is model[0].weight.array  # torch's values share storage
    snapshot = {name: value.clone() for name, value in state.items()}  # the torch idiom works
    model[0].weight.array[...] = 5
    assert float(state["0.weight"][0, 0]) == 5 and float(snapshot["0.weight"][0, 0]) != 5
    frozen = copy.deepcopy(model.state_dict())
    model[0].weight.array[...] = 6
    assert float(frozen["0.weight"][0, 0]) == 5
    assert int(state["1.num_batches_tracked"]) == 0 and state["0.bias"].numel() == 3


def test_state_dict_takes_torchs_prefix_keep_vars_and_destination() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = small_net(nn), small_net(torch.nn)
    assert list(ours.state_dict(prefix="model.")) == list(theirs.state_dict(prefix="model."))
    kept = ours.state_dict(keep_vars=True)
    assert kept["0.weight"] is ours[0].weight and kept["0.weight"].requires_grad
    destination: dict = {}
    assert ours.state_dict(destination=destination, prefix="m.") is destination
    assert list(destination) == list(theirs.state_dict(prefix="m."))


def test_load_state_dict_speaks_torchs_words() -> None:
    torch = pytest.importorskip("torch")
    for library in (torch, tg):
        model = library.nn.Linear(2, 3)
        assert repr(model.load_state_dict(model.state_dict())) == "<All keys matched successfully>"
        with pytest.raises(RuntimeError) as error:
            model.load_state_dict({"weight": library.zeros(2, 3), "extra": library.zeros(1)})
        message = str(error.value)
        assert message.startswith("Error(s) in loading state_dict for Linear:\n\t"), message
        assert 'Missing key(s) in state_dict: "bias". ' in message
        assert 'Unexpected key(s) in state_dict: "extra". ' in message
        assert "size mismatch for weight: copying a param with shape " in message
    result = nn.Linear(2, 3).load_state_dict({"extra": np.zeros(1)}, strict=False)
    assert repr(result) == "_IncompatibleKeys(missing_keys=['weight', 'bias'], unexpected_keys=['extra'])"


def test_load_state_dict_assign_takes_the_values_keeping_requires_grad() -> None:
    model = nn.Linear(2, 3)
    model.bias.requires_grad_(False)
    values = {"weight": np.arange(6, dtype=np.float32).reshape(3, 2), "bias": np.ones(3, dtype=np.float32)}
    old_weight = model.weight
    assert model.load_state_dict(values, assign=True) == ([], [])
    assert model.weight is not old_weight and isinstance(model.weight, nn.Parameter)
    assert model.weight.requires_grad and not model.bias.requires_grad
    np.testing.assert_array_equal(model.weight.array, values["weight"])
    batch_norm = nn.BatchNorm1d(2)
    batch_norm.load_state_dict({**batch_norm.state_dict(), "running_mean": np.full(2, 3.0, np.float32)}, assign=True)
    assert [name for name, _ in batch_norm.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert batch_norm.running_mean.tolist() == [3.0, 3.0]


def test_a_state_dict_goes_to_torch_and_back() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = small_net(nn), small_net(torch.nn)
    theirs.load_state_dict({name: torch.from_numpy(value.numpy()) for name, value in ours.state_dict().items()})
    copy_weights(theirs, ours)
    x = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(Tensor(x)).array, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


def test_one_element_tensors_convert_to_python_numbers_as_torchs() -> None:
    assert float(tg.tensor([2.5])) == 2.5 and int(tg.tensor(3)) == 3 and int(tg.tensor(3.7)) == 3
    assert list(range(tg.tensor(3))) == [0, 1, 2]
    with pytest.raises(TypeError, match="only integer tensors"):
        range(tg.tensor(3.0))
    with pytest.raises(RuntimeError):
        float(tg.ones(2))


# ---- factory arguments -------------------------------------------------------------------
FACTORY_LAYERS = {
    "Linear": lambda nn, **kw: nn.Linear(2, 3, **kw),
    "BatchNorm1d": lambda nn, **kw: nn.BatchNorm1d(3, **kw),
    "BatchNorm2d": lambda nn, **kw: nn.BatchNorm2d(3, **kw),
    "LayerNorm": lambda nn, **kw: nn.LayerNorm(3, **kw),
    "GroupNorm": lambda nn, **kw: nn.GroupNorm(1, 3, **kw),
    "Embedding": lambda nn, **kw: nn.Embedding(4, 3, **kw),
}


@pytest.mark.parametrize("name", FACTORY_LAYERS)
def test_layers_take_torchs_device_and_dtype(name: str) -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = inspect.signature(getattr(torch.nn, name)), inspect.signature(getattr(nn, name))
    assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == \
        [(p.name, p.default, p.kind) for p in theirs.parameters.values()]
    build = FACTORY_LAYERS[name]
    layer = build(nn, device="cpu", dtype=tg.float64)
    assert {str(value.dtype) for value in layer.state_dict().values()} <= {"float64", "int64"}
    assert build(nn, device=tg.device("cpu")).weight.dtype == np.float32
    with pytest.raises(RuntimeError, match="CPU only"):
        build(nn, device="cuda")


def test_linear_follows_the_default_dtype() -> None:
    tg.set_default_dtype(tg.float64)
    try:
        assert nn.Linear(2, 3).weight.dtype == np.float64 and nn.LayerNorm(2).weight.dtype == np.float64
    finally:
        tg.set_default_dtype(tg.float32)


@pytest.mark.parametrize("name", ["LayerNorm", "GroupNorm"])
def test_norm_layers_reset_parameters(name: str) -> None:
    layer = FACTORY_LAYERS[name](nn)
    layer.weight.array[...], layer.bias.array[...] = 3, 4
    layer.reset_parameters()
    assert layer.weight.tolist() == [1.0] * 3 and layer.bias.tolist() == [0.0] * 3


# ---- Embedding's options -----------------------------------------------------------------
EMBEDDING_OPTIONS = [
    {"max_norm": 1.0},
    {"max_norm": 0.5, "norm_type": 1.0},
    {"scale_grad_by_freq": True},
    {"scale_grad_by_freq": True, "padding_idx": 2},
    {"max_norm": 1.0, "padding_idx": -1, "scale_grad_by_freq": True},
    {"sparse": True},
]
INDICES = np.array([[0, 2, 4, 2], [1, 4, 3, 2]])


@pytest.mark.parametrize("options", EMBEDDING_OPTIONS, ids=str)
def test_embedding_options_match_torch(options: dict) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs, ours = torch.nn.Embedding(5, 3, **options).double(), nn.Embedding(5, 3, **options).double()
    copy_weights(theirs, ours)
    assert repr(ours) == repr(theirs)
    direction = np.random.default_rng(0).standard_normal((2, 4, 3))
    their_out, our_out = theirs(torch.tensor(INDICES)), ours(tg.tensor(INDICES))
    (their_out * torch.tensor(direction)).sum().backward()
    (our_out * Tensor.from_numpy(direction)).sum().backward()
    np.testing.assert_allclose(our_out.array, their_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.array, theirs.weight.detach().numpy(), rtol=1e-12)  # renormalised in place
    their_grad = theirs.weight.grad.to_dense() if theirs.weight.grad.is_sparse else theirs.weight.grad
    # torch's scale_grad_by_freq kernel rounds its 1/count to float32 even in float64: rtol 1e-7
    np.testing.assert_allclose(ours.weight.grad.array, their_grad.numpy(), rtol=1e-7 if options.get("scale_grad_by_freq") else 1e-12)


def test_functional_embedding_takes_torchs_arguments() -> None:
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(torch.nn.functional.embedding).parameters
    assert list(inspect.signature(F.embedding).parameters) == list(theirs)
    weight = np.random.default_rng(1).standard_normal((5, 3))
    their_weight, our_weight = torch.tensor(weight), Tensor.from_numpy(weight.copy())
    expected = torch.nn.functional.embedding(torch.tensor(INDICES), their_weight, max_norm=0.8)
    np.testing.assert_allclose(F.embedding(tg.tensor(INDICES), our_weight, max_norm=0.8).array, expected.numpy(), rtol=1e-12)
    np.testing.assert_allclose(our_weight.array, their_weight.numpy(), rtol=1e-12)


def test_scale_grad_by_freq_gradient_by_finite_differences() -> None:
    # The scaled gradient is not the gradient of the output (torch's definition): check the
    # weight's gradient against finite differences of the output, divided by each index's count.
    weight = Tensor(np.random.default_rng(2).standard_normal((5, 3)), requires_grad=True, dtype=np.float64)
    indices = tg.tensor(np.array([0, 2, 2, 4]))
    gradcheck(lambda w: F.embedding(indices, w), weight)  # unscaled: the plain gradient
    F.embedding(indices, weight, scale_grad_by_freq=True).sum().backward()
    assert weight.grad.tolist() == [[1.0] * 3, [0.0] * 3, [1.0] * 3, [0.0] * 3, [1.0] * 3]


def test_embedding_arguments_refused_as_torch() -> None:
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(tg.ones(3))


# ---- softmax's implicit dim --------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_without_dim_takes_torchs_legacy_dim_and_warns(name: str, shape: tuple) -> None:
    torch = pytest.importorskip("torch")
    assert [(p.name, p.default) for p in inspect.signature(getattr(F, name)).parameters.values()] == \
        [(p.name, p.default) for p in inspect.signature(getattr(torch.nn.functional, name)).parameters.values()]
    x = np.random.default_rng(3).standard_normal(shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        expected = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
        got = getattr(F, name)(Tensor.from_numpy(x)).array
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert sum("Implicit dimension choice" in str(w.message) for w in caught) == 2  # theirs and ours
    np.testing.assert_allclose(getattr(F, name)(Tensor.from_numpy(x), -1).array, getattr(torch.nn.functional, name)(torch.tensor(x), -1).numpy(), rtol=1e-12)


# ---- containers and Parameter --------------------------------------------------------------
def test_parameter_dict_sorts_a_plain_dicts_keys_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for library in (torch, tg):
        made = library.nn.ParameterDict({"z": library.nn.Parameter(library.ones(1)), "b": library.nn.Parameter(library.ones(2))})
        updated = library.nn.ParameterDict()
        updated.update(OrderedDict([("z", library.nn.Parameter(library.ones(1))), ("b", library.nn.Parameter(library.ones(1)))]))
        pairs = library.nn.ParameterDict([("z", library.nn.Parameter(library.ones(1))), ("b", library.nn.Parameter(library.ones(1)))])
        assert (list(made.state_dict()), list(updated), list(pairs)) == (["b", "z"], ["z", "b"], ["z", "b"]), library.__name__


def test_parameter_without_data_is_empty_as_torch() -> None:
    parameter = nn.Parameter()
    assert parameter.shape == (0,) and parameter.requires_grad and parameter.dtype == np.float32


# ---- torch's registries: module._parameters, _buffers, _modules ----------------------------
def test_registries_read_as_torchs() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = small_net(nn), small_net(torch.nn)
    assert list(ours._modules) == list(theirs._modules)
    assert [type(child).__name__ for child in ours._modules.values()] == [type(child).__name__ for child in theirs._modules.values()]
    assert list(ours[0]._parameters) == list(theirs[0]._parameters) == ["weight", "bias"]
    assert list(ours[1]._buffers) == list(theirs[1]._buffers)
    assert ours[0]._parameters["weight"] is ours[0].weight and len(ours[2]._parameters) == 0
    assert repr(nn.ReLU()._modules) == repr(torch.nn.ReLU()._modules)
    assert repr(nn.Sequential(nn.ReLU())._modules) == repr(torch.nn.Sequential(torch.nn.ReLU())._modules)


def test_writing_the_registries_registers_as_torch() -> None:
    model = small_net(nn)
    model._modules["3"] = nn.Linear(3, 2)  # replace a layer, keeping its place
    model._modules["head"] = nn.Softmax(dim=1)
    assert [name for name, _ in model.named_children()] == ["0", "1", "2", "3", "head"]
    assert model(tg.randn(4, 2)).shape == (4, 2)
    layer = nn.Linear(2, 2)
    del layer._parameters["bias"]
    assert list(layer.state_dict()) == ["weight"] and not hasattr(layer, "bias")
    layer._parameters["scale"] = nn.Parameter(tg.ones(2))
    layer._buffers["count"] = tg.tensor(0)
    assert list(layer.state_dict()) == ["weight", "scale", "count"]
    with pytest.raises(KeyError):
        layer._modules["missing"]


# ---- layers torch has that were missing ----------------------------------------------------
NEW_LAYERS = {
    "PReLU()": (2, 3, 4), "PReLU(3)": (2, 3, 4, 5), "PReLU(init=0.1)": (5,), "GLU()": (2, 3, 4), "GLU(1)": (2, 4, 3),
    "Hardshrink()": (2, 3), "Hardshrink(0.3)": (2, 3), "Softshrink()": (2, 3), "Softshrink(1.0)": (2, 3),
    "Tanhshrink()": (2, 3), "Softmax2d()": (2, 3, 4, 5),
    "ZeroPad1d(2)": (2, 3, 6), "ZeroPad2d((1, 0, 2, 1))": (2, 3, 4, 6), "ConstantPad1d(2, 3.5)": (2, 3, 6),
    "ConstantPad2d((1, 2, 0, 1), -1.0)": (2, 3, 4, 6), "ReflectionPad1d(2)": (2, 3, 6),
    "ReflectionPad2d((1, 2, 0, 1))": (2, 3, 4, 6), "ReplicationPad1d(2)": (2, 3, 6), "ReplicationPad2d(1)": (2, 3, 4, 6),
    "CircularPad1d(1)": (2, 3, 6), "CircularPad2d((1, 2, 0, 1))": (2, 3, 4, 6),
}


@pytest.mark.parametrize("spec", NEW_LAYERS)
def test_new_layers_match_torch_and_finite_differences(spec: str) -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = eval("torch.nn." + spec).double(), eval("nn." + spec).double()
    copy_weights(theirs, ours)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    their_signature = inspect.signature(type(theirs).__init__).parameters
    if "args" not in their_signature:  # torch's bare Module(*args, **kwargs) takes nothing either
        assert [(p.name, p.default) for p in inspect.signature(type(ours).__init__).parameters.values()] == \
            [(p.name, p.default) for p in their_signature.values()]
    # |X| in [0.05, 0.25] + 0.5k: away from the kinks at 0, ±0.3, ±0.5 and ±1 (PReLU, the shrinks)
    rng = np.random.default_rng(4)
    shape = NEW_LAYERS[spec]
    x = (rng.uniform(0.05, 0.25, shape) + 0.5 * rng.integers(0, 5, shape)) * rng.choice([-1.0, 1.0], shape)
    their_x, our_x = torch.tensor(x, requires_grad=True), Tensor.from_numpy(x.copy()).requires_grad_()
    direction = np.random.default_rng(5).standard_normal(tuple(theirs(their_x).shape))
    (theirs(their_x) * torch.tensor(direction)).sum().backward()
    (ours(our_x) * Tensor.from_numpy(direction)).sum().backward()
    np.testing.assert_allclose(ours(our_x).array, theirs(their_x).detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(our_x.grad.array, their_x.grad.numpy(), rtol=1e-12, atol=1e-15)
    for (name, mine), (_, their) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(mine.grad.array, their.grad.numpy(), rtol=1e-12, err_msg=name)
    # gradcheck perturbs copies of its inputs: PReLU's slope goes in through F.prelu
    layer = (lambda value, slope: F.prelu(value, slope)) if spec.startswith("PReLU") else ours
    gradcheck(layer, Tensor.from_numpy(x.copy()).requires_grad_(), *ours.parameters())


def test_new_functions_match_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(6).standard_normal((2, 4, 3))
    for name, kwargs in [("hardshrink", {}), ("softshrink", {"lambd": 0.2}), ("tanhshrink", {}), ("glu", {"dim": 1})]:
        expected = getattr(torch.nn.functional, name)(torch.tensor(x), **kwargs).numpy()
        np.testing.assert_allclose(getattr(F, name)(Tensor.from_numpy(x), **kwargs).array, expected, rtol=1e-12, err_msg=name)
    weight = np.array([0.1, 0.2, 0.3, 0.4])
    expected = torch.nn.functional.prelu(torch.tensor(x), torch.tensor(weight)).numpy()
    np.testing.assert_allclose(F.prelu(Tensor.from_numpy(x), Tensor.from_numpy(weight)).array, expected, rtol=1e-12)


def test_new_layers_refuse_as_torch() -> None:
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        nn.GLU()(tg.ones(3, 5))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        nn.PReLU(4)(tg.ones(3, 5))
    with pytest.raises(ValueError, match="expected input to be 3D or 4D"):
        nn.Softmax2d()(tg.ones(3, 5))


INSTANCE_NORM_OPTIONS = [{}, {"affine": True}, {"track_running_stats": True},
                         {"affine": True, "track_running_stats": True, "momentum": 0.3}, {"momentum": None, "track_running_stats": True}]


@pytest.mark.parametrize("options", INSTANCE_NORM_OPTIONS, ids=str)
@pytest.mark.parametrize("name, shape", [("InstanceNorm1d", (4, 3, 5)), ("InstanceNorm1d", (3, 5)),
                                         ("InstanceNorm2d", (4, 3, 5, 2)), ("InstanceNorm2d", (3, 5, 2))])
def test_instance_norm_matches_torch(name: str, shape: tuple, options: dict) -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = getattr(torch.nn, name)(3, **options).double(), getattr(nn, name)(3, **options).double()
    copy_weights(theirs, ours)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(7)
    for training in (True, True, False):  # two steps move the running estimates, then eval uses them
        theirs.train(training), ours.train(training)
        x = rng.standard_normal(shape) * 2 + 1
        their_x, our_x = torch.tensor(x, requires_grad=True), Tensor.from_numpy(x.copy()).requires_grad_()
        direction = rng.standard_normal(shape)
        (theirs(their_x) * torch.tensor(direction)).sum().backward()
        (ours(our_x) * Tensor.from_numpy(direction)).sum().backward()
        np.testing.assert_allclose(ours(our_x).array, theirs(their_x).detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(our_x.grad.array, their_x.grad.numpy(), rtol=1e-10, atol=1e-12)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-12, err_msg=key)


def test_instance_norm_gradient_by_finite_differences() -> None:
    rng = np.random.default_rng(8)
    x, weight, bias = (Tensor.from_numpy(rng.standard_normal(shape)).requires_grad_() for shape in [(2, 3, 4), (3,), (3,)])
    gradcheck(lambda value, w, b: F.instance_norm(value, weight=w, bias=b), x, weight, bias)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(tg.ones(2, 3, 1))


# ---- Module API details --------------------------------------------------------------------
def test_hooks_take_prepend_and_with_kwargs_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for library in (torch, tg):
        layer, order = library.nn.Linear(2, 1), []
        layer.register_forward_hook(lambda *args: order.append("first"))
        handle = layer.register_forward_hook(lambda *args: order.append("prepended"), prepend=True)
        layer.register_forward_hook(lambda module, args, kwargs, output: order.append(sorted(kwargs)), with_kwargs=True)
        layer.register_forward_pre_hook(lambda module, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
        output = layer(library.ones(1, 2))
        handle.remove()
        layer(library.ones(1, 2))
        assert order == ["prepended", "first", [], "first", []], library.__name__
        assert output.tolist() == [layer.bias.tolist()]  # the pre-hook zeroed the input


def test_remove_duplicate_false_lists_shared_parameters_under_each_name() -> None:
    torch = pytest.importorskip("torch")
    names = []
    for library in (torch, tg):
        shared = library.nn.Linear(1, 1)
        model = library.nn.Sequential(shared, shared, library.nn.BatchNorm1d(1))
        names.append(([name for name, _ in model.named_parameters(remove_duplicate=False)],
                      [name for name, _ in model.named_buffers(remove_duplicate=False)],
                      [name for name, _ in model.named_parameters()]))
    assert names[0] == names[1]


def test_sequential_repeats_and_extends_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for library in (torch, tg):
        block = library.nn.Sequential(library.nn.Linear(2, 2), library.nn.ReLU())
        twice, also_twice = block * 2, 2 * block
        assert len(twice) == len(also_twice) == 4 and twice[2] is block[0]
        block += library.nn.Sequential(library.nn.Tanh())
        assert [type(layer).__name__ for layer in block] == ["Linear", "ReLU", "Tanh"]
        with pytest.raises(ValueError):
            block * 0
    modules = nn.ModuleDict({"b": nn.ReLU()})
    modules.update(nn.ModuleDict({"a": nn.Tanh()}))  # a ModuleDict is a mapping too
    assert list(modules) == ["b", "a"]


def test_parameter_keeps_the_dtype_of_the_tensor_it_wraps() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Parameter(tg.zeros(3, dtype=tg.float64)), torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "") == "float64"
    assert nn.Parameter(tg.zeros(2)).dtype == np.float32


def test_set_submodule_and_the_small_module_methods_as_torch() -> None:
    torch = pytest.importorskip("torch")
    outcomes = []
    for library in (torch, tg):
        model = library.nn.Sequential(library.nn.Sequential(library.nn.Linear(1, 1)), library.nn.ReLU())
        model.set_submodule("0.0", library.nn.Linear(1, 2))
        model.set_submodule("0.extra", library.nn.Tanh())
        errors = []
        for target, module, strict in [("0.missing", library.nn.ReLU(), True), ("", library.nn.ReLU(), False),
                                       ("1", 3, False), ("0.0.weight", library.nn.ReLU(), False)]:
            with pytest.raises((ValueError, AttributeError)) as error:
                model.set_submodule(target, module, strict=strict)
            errors.append(error.type.__name__)
        assert model.share_memory() is model and model._get_name() == "Sequential"
        outcomes.append((repr(model), errors))
    assert outcomes[0] == outcomes[1]
    assert model.compile() is None  # ours only: torch's would import its compiler (seconds)


def test_batch_norm_loads_a_state_dict_without_num_batches_tracked_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for library in (torch, tg):
        model = library.nn.Sequential(library.nn.Linear(2, 2), library.nn.BatchNorm1d(2))
        model(library.randn(4, 2))
        old = {key: value for key, value in model.state_dict().items() if "num_batches_tracked" not in key}
        result = model.load_state_dict(old)  # strict, and nothing is missing
        assert (result.missing_keys, result.unexpected_keys, int(model[1].num_batches_tracked)) == ([], [], 1)
        with pytest.raises(RuntimeError, match="Missing key"):
            model.load_state_dict({key: value for key, value in old.items() if key != "1.running_mean"})


IN_PLACE = [("relu_", ()), ("elu_", (0.5,)), ("celu_", (0.7,)), ("selu_", ()), ("leaky_relu_", (0.2,)),
            ("hardtanh_", (-0.5, 0.8)), ("threshold_", (0.1, -3.0))]


@pytest.mark.parametrize("name, args", IN_PLACE)
def test_in_place_functions_overwrite_their_input_as_torch(name: str, args: tuple) -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(9).standard_normal((3, 4))
    x[np.abs(x) < 0.05] = 0.3  # away from the kinks at 0 and at the thresholds
    x[np.abs(x - 0.1) < 0.05] = 0.3
    theirs, ours = torch.tensor(x), Tensor.from_numpy(x.copy())
    assert getattr(F, name)(ours, *args) is ours
    getattr(torch.nn.functional, name)(theirs, *args)
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-12)
    # inside a graph the write is recorded: the gradient is the out-of-place function's
    leaf = Tensor.from_numpy(x.copy()).requires_grad_()
    getattr(F, name)(leaf * 1.0, *args).sum().backward()
    expected = Tensor.from_numpy(x.copy()).requires_grad_()
    getattr(F, name.rstrip("_"))(expected, *args).sum().backward()
    np.testing.assert_allclose(leaf.grad.array, expected.grad.array, rtol=1e-12)
    gradcheck(lambda value: getattr(F, name)(value * 1.0, *args), Tensor.from_numpy(x.copy()).requires_grad_())
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(F, name)(Tensor.from_numpy(x.copy()).requires_grad_(), *args)


# ---- bicubic interpolation -----------------------------------------------------------------
BICUBIC_CASES = [((1, 2, 4, 6), {"scale_factor": 2}), ((2, 1, 7, 5), {"scale_factor": 0.5}), ((1, 1, 7, 5), {"scale_factor": 1.7}),
                 ((1, 2, 4, 6), {"size": (9, 4)}), ((1, 1, 2, 2), {"scale_factor": (2, 3)}), ((1, 1, 1, 3), {"size": (3, 5)}),
                 ((1, 1, 5, 4), {"scale_factor": 2.5, "recompute_scale_factor": True}), ((1, 1, 5, 4), {"size": (5, 4)})]


@pytest.mark.parametrize("align_corners", [None, True])
@pytest.mark.parametrize("shape, options", BICUBIC_CASES, ids=str)
def test_bicubic_matches_torch(shape: tuple, options: dict, align_corners: bool | None) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape)
    their_x, our_x = torch.tensor(x, requires_grad=True), Tensor.from_numpy(x.copy()).requires_grad_()
    theirs = torch.nn.functional.interpolate(their_x, mode="bicubic", align_corners=align_corners, **options)
    ours = F.interpolate(our_x, mode="bicubic", align_corners=align_corners, **options)
    direction = rng.standard_normal(tuple(theirs.shape))
    (theirs * torch.tensor(direction)).sum().backward()
    (ours * Tensor.from_numpy(direction)).sum().backward()
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(our_x.grad.array, their_x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_bicubic_gradient_by_finite_differences_and_the_module() -> None:
    x = Tensor.from_numpy(np.random.default_rng(11).standard_normal((1, 2, 3, 4))).requires_grad_()
    gradcheck(lambda value: F.interpolate(value, scale_factor=1.5, mode="bicubic"), x)
    layer = nn.Upsample(scale_factor=2, mode="bicubic", align_corners=True)
    assert repr(layer) == "Upsample(scale_factor=2.0, mode='bicubic')" and layer(x).shape == (1, 2, 6, 8)


# ---- RMSNorm, BatchNorm3d, distances, dropout2d's other ranks --------------------------------
@pytest.mark.parametrize("spec, shape", [("RMSNorm(5)", (2, 3, 5)), ("RMSNorm([3, 5], eps=1e-3)", (2, 3, 5)),
                                         ("RMSNorm(5, elementwise_affine=False)", (4, 5)), ("BatchNorm3d(3)", (2, 3, 4, 2, 2))])
def test_rms_norm_and_batch_norm_3d_match_torch(spec: str, shape: tuple) -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = eval("torch.nn." + spec).double(), eval("nn." + spec).double()
    copy_weights(theirs, ours)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(12)
    for training in (True, False):
        theirs.train(training), ours.train(training)
        x = rng.standard_normal(shape)
        their_x, our_x = torch.tensor(x, requires_grad=True), Tensor.from_numpy(x.copy()).requires_grad_()
        direction = rng.standard_normal(shape)
        (theirs(their_x) * torch.tensor(direction)).sum().backward()
        (ours(our_x) * Tensor.from_numpy(direction)).sum().backward()
        np.testing.assert_allclose(ours(our_x).array, theirs(their_x).detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(our_x.grad.array, their_x.grad.numpy(), rtol=1e-10, atol=1e-12)
        for (name, mine), (_, their) in zip(ours.named_parameters(), theirs.named_parameters()):
            np.testing.assert_allclose(mine.grad.array, their.grad.numpy(), rtol=1e-10, err_msg=name)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), rtol=1e-12, err_msg=key)


def test_rms_norm_gradient_by_finite_differences() -> None:
    rng = np.random.default_rng(13)
    x, weight = Tensor.from_numpy(rng.standard_normal((3, 4))).requires_grad_(), Tensor.from_numpy(rng.standard_normal(4)).requires_grad_()
    gradcheck(lambda value, w: F.rms_norm(value, (4,), w, 1e-6), x, weight)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        nn.RMSNorm(4)(tg.ones(2, 5))


@pytest.mark.parametrize("name", ["cosine_similarity", "pairwise_distance"])
@pytest.mark.parametrize("shapes, options", [(((4, 3), (4, 3)), {}), (((4, 3), (3,)), {"eps": 0.5}), (((2, 3, 4), (2, 3, 4)), {"keepdim": True})])
def test_distances_match_torch(name: str, shapes: tuple, options: dict) -> None:
    torch = pytest.importorskip("torch")
    if name == "cosine_similarity":
        options = {"dim": -1, **{key: value for key, value in options.items() if key == "eps"}}
    rng = np.random.default_rng(14)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    a[0] = 0  # a zero vector: the eps guard
    their_inputs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    our_inputs = [Tensor.from_numpy(a.copy()).requires_grad_(), Tensor.from_numpy(b.copy()).requires_grad_()]
    theirs, ours = getattr(torch.nn.functional, name)(*their_inputs, **options), getattr(F, name)(*our_inputs, **options)
    theirs.sum().backward(), ours.sum().backward()
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-12, atol=1e-15)
    for mine, their in zip(our_inputs, their_inputs):
        np.testing.assert_allclose(mine.grad.array, their.grad.numpy(), rtol=1e-10, atol=1e-12)
    module = {"cosine_similarity": nn.CosineSimilarity, "pairwise_distance": nn.PairwiseDistance}[name]
    assert repr(module()) == repr({"cosine_similarity": torch.nn.CosineSimilarity, "pairwise_distance": torch.nn.PairwiseDistance}[name]())
    b[...] += 0.5  # finite differences away from the zero vector's kink
    gradcheck(lambda u, v: getattr(F, name)(u, v, **options), Tensor.from_numpy(a[1:].copy()).requires_grad_(),
              Tensor.from_numpy((b[1:] if b.ndim == a.ndim else b).copy()).requires_grad_())


def test_dropout2d_reads_other_ranks_as_torch_with_its_warning() -> None:
    with pytest.warns(UserWarning, match="Received a 5-D input to dropout2d"):
        dropped = F.dropout2d(tg.ones(2, 3, 2, 2, 2), 0.5)
    per_channel = dropped.numpy().reshape(6, 8)
    assert np.all(per_channel.std(1) == 0)  # whole (sample, channel) blocks kept or zeroed
    with pytest.warns(UserWarning, match="Received a 2-D input"):
        assert F.dropout2d(tg.ones(3, 4), 0.5).shape == (3, 4)


# ---- max unpooling (already here; its bad-index error is now also torch's RuntimeError) ------
@pytest.mark.parametrize("shape, kernel, stride, padding, output_size", [
    ((2, 3, 6, 8), 2, None, 0, None), ((1, 2, 7, 7), 3, 2, 1, None), ((1, 2, 7, 7), 2, 2, 0, (7, 7)),
    ((3, 6, 8), 2, None, 0, None), ((1, 2, 7, 7), 2, 2, 0, [1, 2, 7, 7])])
def test_max_unpool2d_matches_torch(shape: tuple, kernel: int, stride: int | None, padding: int, output_size: Any) -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(15).standard_normal(shape)
    results = []
    for library, tensor in ((torch, torch.tensor), (tg, Tensor.from_numpy)):
        pooled, indices = library.nn.functional.max_pool2d(tensor(x.copy()), kernel, stride, padding, return_indices=True)
        pooled = pooled.detach().requires_grad_()
        layer = library.nn.MaxUnpool2d(kernel, stride, padding)
        output = layer(pooled, indices, output_size=output_size)
        (output * tensor(np.arange(output.numel(), dtype=np.float64).reshape(tuple(output.shape)))).sum().backward()
        results.append((output.detach().numpy(), pooled.grad.numpy(), repr(layer)))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])
    assert results[1][2] == results[0][2]


def test_max_unpool_gradient_by_finite_differences_and_errors() -> None:
    x = Tensor.from_numpy(np.random.default_rng(16).standard_normal((1, 2, 8)))
    pooled, indices = F.max_pool1d(x, 2, return_indices=True)
    gradcheck(lambda value: F.max_unpool1d(value, indices, 2), pooled.detach().requires_grad_())
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool1d(pooled, indices + 100, 2)


def test_load_state_dict_takes_torch_parameters_that_require_grad() -> None:
    torch = pytest.importorskip("torch")
    theirs, ours = small_net(torch.nn), small_net(nn)
    ours.load_state_dict(theirs.state_dict(keep_vars=True))  # Parameters, requires_grad=True
    np.testing.assert_array_equal(ours[0].weight.array, theirs[0].weight.detach().numpy())
