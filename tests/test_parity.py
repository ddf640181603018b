"""compare_with_torch: the same model in tinygrad_edu and PyTorch agrees layer by layer, and a
deliberately wrong op is named, with the kind of difference it makes."""
import sys
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="compare_with_torch needs PyTorch, the optional oracle (pip install torch)")

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402
from tinygrad_edu.testing import compare_with_torch  # noqa: E402

rng = np.random.default_rng(0)


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


class TripleWithWrongGrad(tg.Function):
    """Y = 3X, but backward returns 6 dE/dY: the factor 2 too many that the check must catch."""

    @staticmethod
    def forward(ctx, x):
        return 3 * x

    @staticmethod
    def backward(ctx, grad_output):
        return 6 * grad_output


class Triple(nn.Module):
    def forward(self, x):
        return TripleWithWrongGrad.apply(x)


class TorchTriple(torch.nn.Module):
    def forward(self, x):
        return 3 * x


class Chain(nn.Module):
    """A custom module whose forward only calls its children in turn: mapped without help."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.Sigmoid()
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class NotAChain(Chain):
    def forward(self, x):
        return self.fc2(self.fc1(x).tanh())


def test_an_mlp_agrees_layer_by_layer():
    report = compare_with_torch(mlp(), rng.standard_normal((5, 4)).astype(np.float32))
    assert report.ok and report.first_divergence is None
    assert [(row.name, row.layer_class) for row in report.layers] == [("0", "Linear"), ("1", "Tanh"), ("2", "Linear")]
    assert list(report.layers[0].grad_diffs) == ["weight", "bias"]
    assert report.layers[0].grad_input_diff is None  # the input needs no gradient, on both sides
    assert all(row.ok and row.activation_diff <= 1e-5 for row in report.layers)
    assert "all layers agree" in str(report)


def test_a_cnn_with_cross_entropy_agrees():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 10))
    images = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    report = compare_with_torch(model, images, target=np.array([1, 2, 3]), loss_fn=nn.CrossEntropyLoss())
    assert report.ok, str(report)
    assert [row.layer_class for row in report.layers] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]


def test_float64_custom_chain_agrees_to_tight_tolerance_and_loss_functions_map():
    model = Chain().double()
    x, y = rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    for loss_fn in (F.mse_loss, nn.MSELoss(), lambda out, target: ((out - target) ** 2).mean()):
        report = compare_with_torch(model, tg.tensor(x), target=y, loss_fn=loss_fn, atol=1e-12, rtol=1e-10)
        assert report.ok, str(report)
        assert report.dtype == "float64"
    assert [row.name for row in report.layers] == ["fc1", "act", "fc2"]


def test_a_wrong_backward_is_named_where_it_lives():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), Triple(), nn.Linear(8, 3))
    twin = TorchTriple()
    compare_with_torch(model, rng.standard_normal((5, 4)).astype(np.float32), torch_layers={"2": twin})
    report = compare_with_torch(model, rng.standard_normal((5, 4)).astype(np.float32), torch_layers={"2": twin})
    assert not twin._forward_hooks  # the caller's torch module is handed back unhooked
    assert not report.ok
    assert report.first_divergence == "2"
    rows = {row.name: row for row in report.layers}
    assert all(row.activation_ok for row in report.layers)  # forward is right everywhere
    assert rows["2"].grad_input_diff > 1e-2 and not rows["2"].ok  # dE/dX is twice what it should be
    assert rows["3"].ok  # below the wrong op (in backward's order) all agrees
    assert not rows["0"].ok  # above it, the error spreads: the layer named is the first, not every one
    assert "first divergence at 2" in str(report) and "look at 2 (Triple)'s backward" in str(report)


def test_a_wrong_forward_is_named_by_its_activation():
    report = compare_with_torch(mlp(), rng.standard_normal((5, 4)).astype(np.float32), torch_layers={"1": torch.nn.Sigmoid()})
    assert report.first_divergence == "1"
    assert report.layers[0].activation_ok and not report.layers[1].activation_ok
    assert "look at 1 (Tanh)'s forward" in str(report)


def test_a_layer_it_cannot_map_is_a_clear_error():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), Triple(), nn.Linear(8, 3))
    with pytest.raises(TypeError, match=r"cannot map layer '2' \(Triple\).*torch_layers=\{'2'"):
        compare_with_torch(model, rng.standard_normal((5, 4)).astype(np.float32))
    with pytest.raises(ValueError, match=r"torch_layers names no layer of the model: \['7'\]"):
        compare_with_torch(model, rng.standard_normal((5, 4)).astype(np.float32), torch_layers={"7": TorchTriple()})
    with pytest.raises(TypeError, match=r"cannot map layer 'body' \(NotAChain\)"):
        compare_with_torch(nn.Sequential(OrderedDict(body=NotAChain())), rng.standard_normal((5, 4)).astype(np.float32))


def test_training_mode_dropout_is_refused_and_eval_mode_compares():
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 3))
    x = rng.standard_normal((5, 4)).astype(np.float32)
    with pytest.raises(ValueError, match=r"'1' \(Dropout, p=0.5\).*model.eval\(\)"):
        compare_with_torch(model, x)
    assert compare_with_torch(model.eval(), x).ok


def test_the_model_is_left_as_it_was():
    model = mlp()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    model[0].weight.grad = tg.ones(8, 4)
    compare_with_torch(model, rng.standard_normal((5, 4)).astype(np.float32))
    assert np.array_equal(model[0].weight.grad.data, np.ones((8, 4))) and model[2].weight.grad is None
    assert all(np.array_equal(before[name], value) for name, value in model.state_dict().items())
    assert all(module._hooks is None for module in model.modules())  # back on the unhooked call path


def test_without_torch_the_error_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="pip install torch"):
        compare_with_torch(mlp(), np.zeros((1, 4), np.float32))
