"""The modern examples (mnist_mlp.py, mnist_cnn.py) run end to end on small slices: they learn,
save a checkpoint that loads back into the same architecture, write the curves and the graph,
and with --compare-torch land where PyTorch lands on the same batches."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import mnist_cnn  # noqa: E402
import mnist_mlp  # noqa: E402


def run_example(script: str, tmp_path: Path, *flags: str) -> str:
    command = [sys.executable, str(EXAMPLES / script), "--train-limit", "2000", "--test-limit", "500",
               "--no-progress", "--out", str(tmp_path), *flags]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def accuracies(output: str, framework: str) -> list[float]:
    return [float(a) for a in re.findall(rf"{framework} epoch \d+/\d+: .* test accuracy ([\d.]+)%", output)]


@pytest.mark.parametrize("script, module, epochs", [("mnist_mlp.py", mnist_mlp, "2"), ("mnist_cnn.py", mnist_cnn, "1")])
def test_example_learns_and_saves(tmp_path: Path, script: str, module, epochs: str) -> None:
    output = run_example(script, tmp_path, "--epochs", epochs)
    ours = accuracies(output, "tinygrad_edu")
    assert len(ours) == int(epochs)
    assert ours[-1] > 60.0, output  # ten classes: chance is 10%
    history = json.loads((tmp_path / "history.json").read_text())
    assert [round(100 * a, 2) for a in history["test_accuracy"]] == ours
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")
    checkpoint = tg.load(tmp_path / "checkpoint.npz")
    model = module.build_model(nn)
    model.load_state_dict(checkpoint["model"])
    # torch's layout: the optimizer's state is keyed by parameter index
    assert set(checkpoint["optimizer"]["state"]) == set(range(len(list(model.parameters()))))


def test_compare_torch_lands_within_a_point(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="--compare-torch needs PyTorch (pip install torch==2.13.0)")
    output = run_example("mnist_mlp.py", tmp_path, "--epochs", "1", "--compare-torch")
    ours, theirs = accuracies(output, "tinygrad_edu"), accuracies(output, "pytorch")
    assert len(ours) == len(theirs) == 1
    assert abs(ours[0] - theirs[0]) <= 1.0, output
