"""The benchmark suite's machinery: interleaved timing, the markdown it prints, the results
file it rewrites, and the hand-written numpy code it times against. No assertion on time."""
import os
import subprocess
import sys

import numpy as np
import pytest

from benchmarks import conv_numpy, hand_numpy
from benchmarks.harness import Candidate, busy_fraction, interleaved
from benchmarks.run import markers, write_results
from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_interleaved_runs_candidates_in_turn_and_warms_each_up_once():
    calls = []
    candidates = [
        Candidate("a", lambda: calls.append("a"), lambda: calls.append("warm a")),
        Candidate("b", lambda: calls.append("b"), lambda: calls.append("warm b")),
    ]
    comparison = interleaved(candidates, rounds=3)
    assert calls == ["warm a", "warm b", "a", "b", "a", "b", "a", "b"]
    for timing in comparison.timings.values():
        assert len(timing.seconds) == 3
        assert timing.min <= timing.median <= timing.max
    assert len(comparison.busy_before_rounds) == 3


def test_interleaved_rejects_duplicate_names_and_zero_rounds():
    with pytest.raises(ValueError, match="distinct"):
        interleaved([Candidate("a", lambda: None), Candidate("a", lambda: None)], rounds=1)
    with pytest.raises(ValueError, match="at least 1"):
        interleaved([Candidate("a", lambda: None)], rounds=0)


def test_busy_fraction_is_a_fraction():
    assert 0.0 <= busy_fraction(0.01) <= 1.0


def test_write_results_replaces_only_its_own_marked_block(tmp_path):
    path = tmp_path / "RESULTS.md"
    (start, end), (other_start, other_end) = markers("2 BLAS threads"), markers("1 BLAS threads")
    path.write_text(f"# Title\n\n{start}\nold table\n{end}\n\n{other_start}\nother run\n{other_end}\n\n## Profile\nnotes kept\n")
    write_results(str(path), "new table", "2 BLAS threads")
    text = path.read_text()
    assert "old table" not in text
    assert f"{start}\nnew table\n{end}" in text
    assert f"{other_start}\nother run\n{other_end}" in text
    assert text.startswith("# Title") and text.endswith("## Profile\nnotes kept\n")


def test_write_results_appends_a_block_to_a_file_without_one(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Title\n")
    write_results(str(path), "table", "1 BLAS threads")
    start, end = markers("1 BLAS threads")
    assert path.read_text() == f"# Title\n\n{start}\ntable\n{end}\n"


@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("name", list(conv_numpy.FORMULATIONS))
def test_every_numpy_conv_formulation_matches_the_engine(name, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    weight = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    tensors = [Tensor(x, requires_grad=True), Tensor(weight, requires_grad=True), Tensor(bias, requires_grad=True)]
    output = F.conv2d(*tensors, padding=padding)
    grad_output = rng.standard_normal(output.shape).astype(np.float32)
    output.backward(grad_output)
    function, channels_last = conv_numpy.FORMULATIONS[name]
    if channels_last:
        x_last, weight_last, grad_last = conv_numpy.to_channels_last(x, weight, grad_output)
        result = conv_numpy.from_channels_last(function(x_last, weight_last, bias, grad_last, padding))
    else:
        result = function(x, weight, bias, grad_output, padding)
    expected = [output.data] + [tensor.grad.data for tensor in tensors]
    for got, want in zip(result, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_hand_written_pool_routes_a_tie_to_the_first_maximum_only():
    x = np.array([[2.0, 2.0], [1.0, -1.0]], dtype=np.float32).reshape(1, 1, 2, 2)
    pooled, mask = hand_numpy.relu_max_pool2(x)
    grad = hand_numpy.relu_max_pool2_backward(np.ones_like(pooled), mask)
    assert pooled.item() == 2.0
    np.testing.assert_array_equal(grad.reshape(2, 2), [[1.0, 0.0], [0.0, 0.0]])


def test_hand_written_pool_gives_no_gradient_where_relu_cut():
    x = -np.ones((1, 1, 2, 2), dtype=np.float32)
    pooled, mask = hand_numpy.relu_max_pool2(x)
    assert pooled.item() == 0.0
    assert not mask.any()


def test_quick_xor_run_prints_the_tables():
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "xor"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    assert "Machine: numpy" in out and "BLAS" in out and "cores" in out
    header = "| benchmark | implementation | median | min | max | vs hand numpy | vs PyTorch |"
    assert header in out
    time_section = out.split("### Time")[1].split("### ")[0]
    rows = [line for line in time_section.splitlines() if line.startswith("| XOR step |") or line.startswith("|  | ")]
    implementations = [line.split("|")[2].strip() for line in rows]
    expected = ["tinygrad_edu", "hand numpy"] + (["PyTorch"] if "torch " in out.split("Machine:")[1].splitlines()[0] else [])
    assert implementations == expected
    for line in rows:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 7
        assert all(cell.endswith(("s", "x", "–")) for cell in cells[2:])
    assert "Check: tinygrad_edu, hand numpy" in out and " agree:" in out
    assert "| XOR step | tinygrad_edu / hand numpy |" in out


def test_unknown_row_is_a_clear_error():
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--only", "xor,nonsense"], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert finished.returncode != 0
    assert "unknown rows ['nonsense']" in finished.stderr
