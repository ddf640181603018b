"""The Module API and the containers, as torch.nn's: buffers (in state_dict when persistent,
cast by .to(), never parameters), ModuleList / ModuleDict / ParameterList / ParameterDict,
Sequential's list methods, named_modules, apply, requires_grad_, zero_grad, get_submodule,
load_state_dict's (missing_keys, unexpected_keys), and repr, each compared with torch where
torch is installed."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def normalizer_net(nn, tensor):
    class Normalizer(nn.Module):
        """A layer with a learned scale, a saved running mean, and a scratch buffer not saved."""

        def __init__(self) -> None:
            super().__init__()
            self.scale = nn.Parameter(tensor.ones(3))
            self.register_buffer("running_mean", tensor.zeros(3))
            self.register_buffer("steps", tensor.tensor(0))
            self.register_buffer("scratch", tensor.ones(2), persistent=False)

        def forward(self, x):
            return (x - self.running_mean) * self.scale

    return nn.Sequential(nn.Linear(3, 3), Normalizer())


# ---- buffers -------------------------------------------------------------------------------
def test_buffers_are_saved_listed_and_never_parameters() -> None:
    model = normalizer_net(nn, tg)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.scale", "1.running_mean", "1.steps"]
    assert [name for name, _ in model.named_buffers()] == ["1.running_mean", "1.steps", "1.scratch"]
    assert len(list(model.buffers())) == 3
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.scale"]
    assert all(buffer is not parameter for buffer in model.buffers() for parameter in model.parameters())
    assert model.get_buffer("1.running_mean") is model[1].running_mean


def test_buffers_are_cast_by_to_and_double_but_integer_ones_stay() -> None:
    model = normalizer_net(nn, tg)
    model.double()
    assert model[1].running_mean.dtype == tg.float64 and model[1].scratch.dtype == tg.float64
    assert model[1].steps.dtype == tg.int64
    model.to(tg.float32)
    assert model[1].running_mean.dtype == tg.float32


def test_a_reassigned_buffer_stays_a_buffer_and_load_state_dict_fills_it() -> None:
    model = normalizer_net(nn, tg)
    model[1].running_mean = tg.full((3,), 2.0)
    assert "1.running_mean" in model.state_dict()
    state = model.state_dict()
    state["1.running_mean"] = np.array([1.0, 2.0, 3.0])
    fresh = normalizer_net(nn, tg)
    assert fresh.load_state_dict(state) == ([], [])
    assert fresh[1].running_mean.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="size mismatch for 1.running_mean: copying a param with shape \\(4,\\)"):
        fresh.load_state_dict({**state, "1.running_mean": np.zeros(4)})
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'running_mean'"):
        fresh[1].running_mean = 3


def test_register_buffer_refuses_bad_names_and_values() -> None:
    module = nn.Linear(2, 2)
    with pytest.raises(KeyError, match="name can"):
        module.register_buffer("a.b", tg.zeros(1))
    with pytest.raises(KeyError, match="already exists as a parameter"):
        module.register_buffer("weight", tg.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None required"):
        module.register_buffer("stats", np.zeros(1))
    module.register_buffer("later", None)
    assert "later" not in module.state_dict() and list(module.buffers()) == []


def test_register_parameter_and_add_module_check_as_torch() -> None:
    module = nn.Module()
    module.register_parameter("scale", nn.Parameter(tg.ones(2)))
    module.add_module("fc", nn.Linear(2, 1))
    module.register_module("act", nn.Tanh())
    module.register_parameter("unused", None)
    assert list(module.state_dict()) == ["scale", "fc.weight", "fc.bias"]
    assert [name for name, _ in module.named_children()] == ["fc", "act"]
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        module.register_parameter("plain", tg.ones(2))
    with pytest.raises(KeyError, match="attribute 'train' already exists"):
        module.add_module("train", nn.ReLU())
    with pytest.raises(TypeError, match="is not a Module subclass"):
        module.add_module("x", 3)
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        module.train("no")


def test_load_state_dict_returns_torchs_named_tuple() -> None:
    model = normalizer_net(nn, tg)
    state = model.state_dict()
    del state["1.steps"]
    result = model.load_state_dict({**state, "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["1.steps"] and result.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "1.steps"'):
        model.load_state_dict(state)


def test_buffers_move_to_torch_and_back() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    ours = normalizer_net(nn, tg)
    ours[1].running_mean.data[...] = [0.5, 1.5, 2.5]
    theirs = normalizer_net(torch.nn, torch)
    assert list(theirs.state_dict()) == list(ours.state_dict())
    theirs.load_state_dict({name: torch.from_numpy(value.numpy()) for name, value in ours.state_dict().items()})
    back = normalizer_net(nn, tg)
    back.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], value)
    assert [name for name, _ in theirs.named_buffers()] == [name for name, _ in ours.named_buffers()]


# ---- walking the tree --------------------------------------------------------------------------
def tree(nn):
    return nn.Sequential(OrderedDict(
        encoder=nn.Sequential(nn.Linear(2, 4), nn.Tanh()),
        heads=nn.ModuleList([nn.Linear(4, 1), nn.Linear(4, 2)]),
        extra=nn.ModuleDict({"act": nn.ReLU()}),
    ))


def test_named_modules_apply_get_submodule_and_get_parameter() -> None:
    model = tree(nn)
    names = [name for name, _ in model.named_modules()]
    assert names == ["", "encoder", "encoder.0", "encoder.1", "heads", "heads.0", "heads.1", "extra", "extra.act"]
    assert len(list(model.modules())) == 9
    visited = []
    assert model.apply(lambda module: visited.append(type(module).__name__)) is model
    assert visited == ["Linear", "Tanh", "Sequential", "Linear", "Linear", "ModuleList", "ReLU", "ModuleDict", "Sequential"]
    assert model.get_submodule("heads.1") is model.heads[1]
    assert model.get_parameter("heads.1.bias") is model.heads[1].bias
    with pytest.raises(AttributeError, match="no submodule 'nothing'"):
        model.get_submodule("encoder.nothing")
    with pytest.raises(AttributeError, match="not a parameter"):
        model.get_parameter("heads.1.nothing")


def test_torch_walks_the_same_tree() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    ours, theirs = tree(nn), tree(torch.nn)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_requires_grad_freezes_and_zero_grad_sets_to_none_or_zero() -> None:
    model = tree(nn)
    model.encoder.requires_grad_(False)
    model.heads[0](model.encoder(tg.ones(3, 2))).sum().backward()
    assert model.encoder[0].weight.grad is None and model.heads[0].weight.grad is not None
    model.zero_grad(set_to_none=False)
    assert model.heads[0].weight.grad.tolist() == [[0.0] * 4]
    model.zero_grad()
    assert model.heads[0].weight.grad is None


def test_train_and_eval_reach_every_module() -> None:
    model = tree(nn)
    model.eval()
    assert not any(module.training for module in model.modules())
    model.train()
    assert all(module.training for module in model.modules())


# ---- containers --------------------------------------------------------------------------------
def test_sequential_is_a_list_of_modules() -> None:
    first, second, third = nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1)
    model = nn.Sequential(first)
    model.append(second).extend([third])
    assert list(model) == [first, second, third] and len(model) == 3
    assert isinstance(model[:2], nn.Sequential) and list(model[:2]) == [first, second]
    model.insert(1, nn.ReLU())
    assert [type(module).__name__ for module in model] == ["Linear", "ReLU", "Tanh", "Linear"]
    del model[1]
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"] and model[1] is second
    model[2] = nn.Sigmoid()
    assert model(tg.ones(1, 2)).shape == (1, 2)
    assert len(model + nn.Sequential(nn.Linear(2, 1))) == 4
    keyed = nn.Sequential(OrderedDict(fc=first, act=second))
    assert keyed.fc is first and list(keyed.state_dict()) == ["fc.weight", "fc.bias"]
    with pytest.raises(TypeError, match="item '0' is a int, not a Module"):
        nn.Sequential(3)


def test_module_list_registers_and_behaves_as_a_list() -> None:
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(list(blocks.parameters())) == 6
    blocks.append(nn.Tanh())
    blocks += [nn.ReLU()]
    assert len(blocks) == 5 and isinstance(blocks[-1], nn.ReLU)
    assert isinstance(blocks[1:3], nn.ModuleList) and len(blocks[1:3]) == 2
    blocks.insert(0, nn.Sigmoid())
    assert isinstance(blocks[0], nn.Sigmoid) and isinstance(blocks[1], nn.Linear)
    assert isinstance(blocks.pop(0), nn.Sigmoid) and len(blocks) == 5
    with pytest.raises(IndexError, match="index 9 is out of range"):
        blocks[9]
    optimizer = optim.SGD(blocks.parameters(), lr=0.1)
    blocks[0](tg.ones(1, 2)).sum().backward()
    before = blocks[0].weight.numpy().copy()
    optimizer.step()
    assert not np.array_equal(blocks[0].weight.numpy(), before)


def test_module_dict_and_keys_that_would_hide_methods() -> None:
    layers = nn.ModuleDict({"fc": nn.Linear(2, 2)})
    layers["act"] = nn.Tanh()
    layers.update([("out", nn.Linear(2, 1))])
    assert list(layers) == ["fc", "act", "out"] and "act" in layers and len(layers) == 3
    assert list(layers.state_dict()) == ["fc.weight", "fc.bias", "out.weight", "out.bias"]
    assert isinstance(layers.pop("act"), nn.Tanh) and list(layers.keys()) == ["fc", "out"]
    with pytest.raises(KeyError, match="attribute 'train' already exists"):
        layers["train"] = nn.ReLU()
    with pytest.raises(KeyError):
        layers["missing"]


def test_parameter_list_and_dict_register_and_wrap_tensors() -> None:
    holder = nn.Module()
    holder.weights = nn.ParameterList([tg.zeros(2, 3), nn.Parameter(tg.ones(3))])
    holder.scales = nn.ParameterDict({"a": tg.ones(1)})
    holder.scales["b"] = nn.Parameter(tg.zeros(2))
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in holder.weights)
    assert list(holder.state_dict()) == ["weights.0", "weights.1", "scales.a", "scales.b"]
    assert holder.weights[-1].shape == (3,) and len(holder.scales) == 2
    with pytest.raises(TypeError, match="holds Parameters or Tensors"):
        holder.weights.append(3.0)


def test_parameter_containers_match_torchs_names() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")

    def build(nn, tensor):
        holder = nn.Module()
        holder.weights = nn.ParameterList([nn.Parameter(tensor.zeros(2, 3))])
        holder.scales = nn.ParameterDict({"a": nn.Parameter(tensor.ones(1))})
        return holder

    ours, theirs = build(nn, tg), build(torch.nn, torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs).replace("torch.", "")


# ---- repr ------------------------------------------------------------------------------------
def repr_models(nn):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
            self.blocks = nn.ModuleList([nn.Linear(3, 3) for _ in range(3)] + [nn.ReLU()])
            self.heads = nn.ModuleDict({"a": nn.Linear(3, 1, bias=False)})

    return [
        Net(),
        nn.Sequential(OrderedDict(conv=nn.Conv2d(1, 4, 3), flat=nn.Flatten(), out=nn.Linear(36, 2))),
        nn.ModuleList(),
        nn.Sequential(nn.Sequential(nn.Sequential(nn.Sigmoid()))),
    ]


def test_repr_nests_and_indents_as_torchs() -> None:
    text = repr(repr_models(nn)[0])
    assert text.startswith("Net(\n  (body): Sequential(\n    (0): Linear(in_features=2, out_features=3, bias=True)")
    assert "    (0-2): 3 x Linear(in_features=3, out_features=3, bias=True)\n    (3): ReLU()" in text


def test_repr_equals_torchs() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    for ours, theirs in zip(repr_models(nn), repr_models(torch.nn)):
        assert repr(ours) == repr(theirs)
