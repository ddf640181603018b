"""examples/custom_op.py runs as a script, as its docstring says, and does what it prints:
Softplus passes gradcheck and the Hypothesis property, the buggy copy is caught, and the
network trained with it fits."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_example() -> str:
    # The checkout itself on the path, so the script runs whether or not the package is installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "custom_op.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_custom_op_example_proves_its_op_and_trains_with_it():
    output = run_example()

    assert "gradcheck on 11 points in [-5, 5]: passed" in output
    checked = int(re.search(r"gradcheck passed on (\d+) random tensors", output).group(1))
    assert checked >= 25

    caught = re.search(r"buggy Softplus is caught: .*input 0 .*element \((\d+),\): analytic (\S+), numeric (\S+) ", output)
    assert caught, output
    x = np.linspace(-5.0, 5.0, 11)[int(caught.group(1))]
    analytic, numeric = float(caught.group(2)), float(caught.group(3))
    # The bug's eˣ against the true σ(x) = eˣ / (1 + eˣ): their ratio is 1 + eˣ.
    assert analytic / numeric == pytest.approx(1 + np.exp(x), rel=1e-4)

    losses = [float(value) for value in re.findall(r"step\s+\d+\s+loss (\S+)", output)]
    assert len(losses) >= 3
    assert losses[-1] < losses[0] / 100
    assert losses[-1] < 0.01
