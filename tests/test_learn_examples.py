"""examples/learn/ runs as a learner runs it (a fresh Python process from the repository's
root) and prints what its docstrings promise: gradients that agree, the trace's sum-back, a
wrong backward caught, second derivatives and Newton's method. Without PyTorch, the PyTorch
parts say they were skipped."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HAS_TORCH = importlib.util.find_spec("torch") is not None
MAX_DIFFERENCE = re.compile(r"max difference[^:]*: (\S+)")


def run_step(name: str, hide_torch_in: Path | None = None) -> str:
    """Run examples/learn/<name>; with hide_torch_in, `import torch` fails there."""
    paths = [str(hide_torch_in)] if hide_torch_in else []
    paths += [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, paths))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "learn" / name)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}"
    return result.stdout


def differences(output: str) -> dict[str, float]:
    """Each "max difference of ..., A vs B: 1.2e-16" line, by its text."""
    return {line.split(":")[0]: float(MAX_DIFFERENCE.search(line).group(1))
            for line in output.splitlines() if MAX_DIFFERENCE.search(line)}


def assert_all_agree(output: str, expected: list[str]) -> None:
    found = differences(output)
    assert sorted(found) == sorted(expected), output
    assert all(value < 1e-5 for value in found.values()), found


@pytest.fixture
def no_torch(tmp_path: Path) -> Path:
    (tmp_path / "torch.py").write_text("raise ImportError('hidden by the test')\n")
    return tmp_path


XOR_AGREEMENT = ["max difference of the gradients, by hand vs engine",
                 "max difference of the trained predictions, by hand vs engine"]
XOR_TORCH = ["(c) max difference of the gradients, by hand vs PyTorch",
             "max difference of the trained predictions, by hand vs PyTorch"]


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch not installed: its part of the XOR step is skipped (checked below)")
def test_xor_three_ways_agree_and_the_trace_shows_the_tutorials_formulas():
    output = run_step("01_xor_three_ways.py")
    assert_all_agree(output, XOR_AGREEMENT + XOR_TORCH)
    assert "step 2: Tanh   dE/dX = dE/dY ⊙ (1 − Y²)" in output
    assert "step 3: Linear (2)   dE/dX = dE/dY W,  dE/dW = dE/dYᵀ X" in output
    assert "step 9: AccumulateGrad (0)   0.weight.grad += dE/d0.weight" in output
    predictions = re.search(r"engine: \[([^\]]+)\]", output).group(1).split()
    assert [round(float(value)) for value in predictions] == [0, 1, 1, 0]  # it learned XOR


def test_xor_three_ways_without_torch_skips_its_part(no_torch: Path):
    output = run_step("01_xor_three_ways.py", hide_torch_in=no_torch)
    assert "(c) PyTorch is not installed: skipped" in output
    assert_all_agree(output, XOR_AGREEMENT)


def test_broadcasting_sums_back():
    output = run_step("02_broadcasting_sums_back.py")
    assert "dE/dX1 (2,) norm 19.1 mean 10.5 max|x| 19 = [2.0, 19.0]   (summed back over axes (0,))" in output
    assert "summed over axis 0: [ 2. 19.]   the engine's b.grad: [ 2. 19.]" in output
    assert_all_agree(output, ["max difference of b's gradient, by hand vs engine",
                              "max difference of x's gradient (3, 2), by hand vs engine"])


@pytest.mark.parametrize("torch_present", [True, False], ids=["with-torch", "without-torch"])
def test_a_gradient_checked_three_ways_catches_the_wrong_backward(torch_present: bool, no_torch: Path):
    if torch_present and not HAS_TORCH:
        pytest.skip("PyTorch not installed: its comparison is skipped (checked by the other case)")
    output = run_step("03_a_gradient_checked_three_ways.py", hide_torch_in=None if torch_present else no_torch)
    expected = ["(a) max difference, engine vs closed form"]
    if torch_present:
        expected.append("(c) max difference, engine vs PyTorch")
    else:
        assert "(c) PyTorch is not installed: skipped" in output
    assert_all_agree(output, expected)
    assert "(b) gradcheck (finite differences, float64): passed" in output
    caught = re.search(r"gradcheck caught the wrong backward: .*gradient of input 0 .*analytic (\S+), numeric (\S+) ", output)
    assert caught, output
    assert float(caught.group(1)) != pytest.approx(float(caught.group(2)), rel=1e-3)


def test_double_backward_and_newton():
    output = run_step("04_double_backward.py")
    assert "f'(x) = 10 (by hand" in output and "f''(x) = 12 (by hand" in output
    assert_all_agree(output, ["max difference of f' and f'', engine vs by hand"])
    assert 'digraph "computation" {' in output
    assert "└─ Mul (1,)  data [12]" in output and "└─ Pow (1,)  data [4]" in output
    distance = float(re.search(r"distance to the minimum √\(2/3\): (\S+)", output).group(1))
    assert distance < 1e-10


def test_step_5_hooks_see_the_layers_gradients_and_anomaly_mode_names_the_nan():
    output = run_step("05_hooks_and_anomaly.py")
    differences = [float(value) for value in MAX_DIFFERENCE.findall(output)]
    assert len(differences) == 2 and max(differences) < 1e-6
    assert "anomaly mode stopped backward: Function 'Sqrt.backward' returned nan values" in output
    assert "05_hooks_and_anomaly.py\", line" in output and "root = weights.sqrt()" in output
