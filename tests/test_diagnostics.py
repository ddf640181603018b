"""tinygrad_edu.diagnostics: makemore's per-layer health checks, checked against numbers worked
out by hand on tiny layers whose weights are set, and the examples' --diagnose flag."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.diagnostics import Diagnostics

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def linear(weight, bias) -> nn.Linear:
    layer = nn.Linear(len(weight[0]), len(weight))
    layer.load_state_dict({"weight": np.array(weight, dtype=np.float32), "bias": np.array(bias, dtype=np.float32)})
    return layer


def watch(model, x, optimizer=None) -> Diagnostics:
    """One training step of `model` on `x` (loss: the sum of its squared outputs), watched."""
    with Diagnostics(model, optimizer) as diagnostics:
        output = model(tg.Tensor(np.array(x, dtype=np.float32)))
        (output * output).sum().backward()
        if optimizer is not None:
            optimizer.step()
    return diagnostics


def test_tanh_saturation_is_the_fraction_of_outputs_beyond_0_97():
    # Pre-activations ±[0.1, 1, 3, 10]: tanh = ±[0.0997, 0.7616, 0.9951, 1.0], so 2 of 4 are saturated.
    model = nn.Sequential(linear([[0.1], [1], [3], [10]], [0, 0, 0, 0]), nn.Tanh())
    _, tanh = watch(model, [[1], [-1]]).table()
    assert (tanh.name, tanh.kind, tanh.shape, tanh.saturated, tanh.dead) == ("1", "Tanh", (2, 4), 0.5, None)
    assert tanh.mean == pytest.approx(0.0, abs=1e-7)  # the two samples are mirror images
    assert tanh.std == pytest.approx(np.sqrt(np.mean(np.tanh([0.1, 1, 3, 10]) ** 2)), rel=1e-6)


def test_a_tanh_fed_big_inputs_is_all_saturated():
    model = nn.Sequential(linear(np.full((5, 3), 50.0), np.zeros(5)), nn.Tanh())
    _, tanh = watch(model, np.random.default_rng(0).uniform(0.5, 1, (8, 3))).table()
    assert tanh.saturated == 1.0


def test_a_dead_relu_unit_is_zero_for_every_sample_of_the_batch():
    # Pre-activations [[-4, 1, -1], [-3, 2, -2]]: units 0 and 2 are 0 for both samples; unit 1 lives.
    model = nn.Sequential(linear([[1], [1], [-1]], [-5, 0, 0]), nn.ReLU())
    _, relu = watch(model, [[1], [2]]).table()
    assert (relu.dead, relu.saturated, relu.shape) == (pytest.approx(2 / 3), None, (2, 3))
    assert relu.mean == pytest.approx(0.5) and relu.std == pytest.approx(np.std([0, 1, 0, 0, 2, 0]))


def test_a_relu_behind_a_large_negative_bias_is_all_dead():
    model = nn.Sequential(linear(np.ones((4, 3)), np.full(4, -100.0)), nn.ReLU())
    _, relu = watch(model, np.random.default_rng(0).uniform(-1, 1, (16, 3))).table()
    assert relu.dead == 1.0


def test_gradient_norms_and_the_update_to_weight_ratio_match_the_hand_formula():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    before = {name: p.array.copy() for name, p in model.named_parameters()}
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    rows = watch(model, np.random.default_rng(1).normal(size=(5, 3)), optimizer).table()
    assert [(row.name, [p.name for p in row.parameters]) for row in rows] == [("0", ["weight", "bias"]), ("1", []), ("2", ["weight", "bias"])]
    parameters = dict(model.named_parameters())
    for row in (rows[0], rows[2]):
        for p in row.parameters:
            grad = parameters[f"{row.name}.{p.name}"].grad.array
            w = before[f"{row.name}.{p.name}"].astype(np.float64)
            assert p.grad_norm == pytest.approx(np.linalg.norm(grad), rel=1e-6)
            # SGD moves w by -lr·grad: makemore's log10(std(lr·grad) / std(w)).
            assert p.log10_update_ratio == pytest.approx(np.log10(0.1 * grad.std() / w.std()), abs=1e-4)


def test_before_step_by_hand_and_what_is_unknown_stays_empty():
    model = nn.Sequential(linear([[1.0, 2.0]], [0.5]))
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    with Diagnostics(model) as diagnostics:
        assert diagnostics.table()[0].parameters[0].grad_norm is None  # no backward yet
        output = model(tg.Tensor(np.array([[1.0, 1.0]], dtype=np.float32)))  # 1 + 2 + 0.5 = 3.5
        (output * output).sum().backward()
        assert diagnostics.table()[0].parameters[0].log10_update_ratio is None  # no step watched
        diagnostics.before_step()
        optimizer.step()
    weight, bias = diagnostics.table()[0].parameters
    # grad of the weight = 2 · 3.5 · x = [7, 7]: the step moves both entries by -3.5, so std(update) = 0
    assert weight.grad_norm == pytest.approx(7 * np.sqrt(2)) and weight.log10_update_ratio == -np.inf
    assert bias.log10_update_ratio is None  # one number: its std is 0, the ratio undefined


def test_the_block_leaves_no_hook_and_no_wrapped_step_behind():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    diagnostics = watch(model, [[1, 2]], optimizer)
    assert "step" not in vars(optimizer)
    assert all(not module._hooks["forward"] for module in model.children())
    calls = []
    optimizer.step = lambda: calls.append(type(optimizer).step(optimizer))  # someone's wrapper, set before the block
    wrapped = watch(model, [[1, 2]], optimizer)
    assert len(calls) == 1 and wrapped.table()[0].parameters[0].log10_update_ratio is not None  # it ran, watched
    optimizer.step()
    assert len(calls) == 2  # and it is still there after the block
    recorded = diagnostics.table()[0].shape
    model(tg.Tensor(np.ones((3, 2), dtype=np.float32)))  # outside the block: not recorded
    assert recorded == diagnostics.table()[0].shape == (1, 2)


def test_the_text_table_has_one_line_per_layer_and_per_extra_parameter():
    model = nn.Sequential(linear([[0.1], [1], [3], [10]], [0, 0, 0, 0]), nn.Tanh())
    lines = str(watch(model, [[1], [-1]], optim.SGD(model.parameters(), lr=0.1))).splitlines()
    assert lines[0].split() == ["layer", "module", "output", "mean", "std", "saturated", "dead", "parameter", "grad", "norm", "log10", "update/weight"]
    assert lines[1].split()[:3] == ["0", "Linear", "(2,"] and lines[1].split()[-3] == "weight"
    assert lines[2].split()[0] == "bias"
    assert lines[3].split()[:2] == ["1", "Tanh"] and lines[3].split()[-1] == "50.0%"
    assert lines[4].startswith("(healthy")


@pytest.mark.parametrize("script, layer", [("mnist_mlp.py", "Tanh"), ("mnist_cnn.py", "ReLU")])
def test_the_examples_print_the_table_every_epoch(tmp_path: Path, script: str, layer: str) -> None:
    command = [sys.executable, str(EXAMPLES / script), "--train-limit", "300", "--test-limit", "100", "--epochs", "2",
               "--no-progress", "--out", str(tmp_path), "--diagnose"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for epoch in (1, 2):
        table = result.stdout.split(f"layer health, epoch {epoch}'s last batch:\n")[1].split("(healthy")[0].splitlines()
        assert table[0].startswith("layer  module") and any(line.split()[1:2] == [layer] and line.endswith("%") for line in table)
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history["diagnostics"]) == 2 and {row["kind"] for row in history["diagnostics"][0]} >= {"Linear", layer}
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return  # the curves (and the diagnostics next to them) are drawn only with matplotlib
    assert (tmp_path / "curves.png").stat().st_size > 0
