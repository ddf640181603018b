"""examples/newton.py and examples/hessian.py: their functions compute what their docstrings
say (checked against closed forms and finite differences), and each runs as a script and
prints it."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tinygrad_edu import Tensor

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py under a name of its own (the examples are not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


newton = load_example("newton")
hessian = load_example("hessian")


def run_script(name: str) -> str:
    # The checkout itself on the path, so the script runs whether or not the package is installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---- Newton ---------------------------------------------------------------------------------
def test_newton_converges_to_one_quadratically():
    iterates = newton.newton(2.0, steps=10)
    assert len(iterates) <= 11  # x_0 and at most 10 steps
    assert abs(iterates[-1].df) < 1e-10
    assert iterates[-1].x == pytest.approx(1.0, abs=1e-10)
    errors = [abs(it.x - 1.0) for it in iterates]
    assert all(later < earlier for earlier, later in zip(errors, errors[1:]))
    # Quadratic convergence: e_{k+1} ≈ C e_k² with C = f'''(1) / 2f''(1) = 24 / 16 = 1.5, once
    # close; a linearly convergent method would keep e_{k+1}/e_k roughly constant instead.
    close = [(e, next_e) for e, next_e in zip(errors, errors[1:]) if e < 0.1]
    assert len(close) >= 3
    for e, next_e in close:
        assert next_e <= 2.0 * e * e + 1e-15
    assert min(next_e / e for e, next_e in close) < 1e-5  # the last step gains more than 5 digits


def test_newton_iterates_carry_the_true_derivatives():
    # f = x⁴ − 2x², f' = 4x³ − 4x, f'' = 12x² − 4, by hand: what double backward must have found.
    iterates = newton.newton(2.0, steps=10)
    for it in iterates:
        x = it.x
        assert it.f == pytest.approx(x**4 - 2 * x**2, rel=1e-12, abs=1e-14)
        assert it.df == pytest.approx(4 * x**3 - 4 * x, rel=1e-12, abs=1e-14)
        assert it.d2f == pytest.approx(12 * x**2 - 4, rel=1e-12)
    assert [it.iteration for it in iterates] == list(range(len(iterates)))


def test_newton_stops_after_the_given_steps():
    iterates = newton.newton(2.0, steps=2)
    assert len(iterates) == 3
    assert iterates[1].x == pytest.approx(2.0 - 24.0 / 44.0, rel=1e-15)  # x₁ = x₀ − f'(2)/f''(2)
    assert abs(iterates[-1].df) > 1e-10


def test_newton_takes_any_function():
    # g(x) = (x − 3.5)⁴ + (x − 3.5)²: one minimum, at 3.5, where g'' = 2 > 0.
    iterates = newton.newton(1.0, steps=20, function=lambda x: (x - 3.5) ** 4 + (x - 3.5) ** 2)
    assert iterates[-1].x == pytest.approx(3.5, abs=1e-10)
    assert iterates[-1].d2f == pytest.approx(2.0, rel=1e-9)


def test_rosenbrock_hessian_and_newton():
    value, gradient, H = newton.gradient_and_hessian(newton.rosenbrock, np.array([-1.2, 1.0]))
    x, y = -1.2, 1.0
    assert value == pytest.approx((1 - x) ** 2 + 100 * (y - x * x) ** 2, rel=1e-14)
    np.testing.assert_allclose(gradient, [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], rtol=1e-13)
    np.testing.assert_allclose(H, [[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200]], rtol=1e-13)
    iterates = newton.newton_nd(newton.rosenbrock, np.array([-1.2, 1.0]), steps=10)
    assert len(iterates) <= 11
    final, _, norm = iterates[-1]
    np.testing.assert_allclose(final, [1.0, 1.0], atol=1e-10)
    assert norm < 1e-10


def test_newton_script_prints_its_iterates():
    output = run_script("newton")
    part1, part2 = output.split("Part 2")
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", part1, re.MULTILINE)
    assert rows, output
    assert [int(row[0]) for row in rows] == list(range(len(rows)))
    assert float(rows[0][1]) == 2.0
    assert float(rows[-1][1]) == pytest.approx(1.0, abs=1e-10)
    assert abs(float(rows[-1][3])) < 1e-10  # the printed f'
    assert [float(row[1]) for row in rows] == pytest.approx([it.x for it in newton.newton(2.0, steps=20)], rel=1e-15)
    finals = re.findall(r"x = \(\s*(\S+),\s*(\S+)\)", part2)
    assert len(finals) >= 2
    assert [float(v) for v in finals[-1]] == pytest.approx([1.0, 1.0], abs=1e-10)
    assert "Hessian at the start: [[1330.0" in part2


# ---- Hessian ------------------------------------------------------------------------------
def test_xor_hessian_equals_finite_differences_and_is_symmetric():
    H, H_fd = hessian.xor_hessian(seed=0)
    assert H.shape == (13, 13) == (hessian.parameter_count(hessian.XOR_SIZES),) * 2
    assert np.abs(H).max() > 0.1  # a real curvature, not zeros
    np.testing.assert_allclose(H, H_fd, atol=1e-6, rtol=0)
    # Nothing in the row-by-row construction makes H symmetric; calculus does.
    np.testing.assert_allclose(H, H.T, atol=1e-12, rtol=0)


def test_hessian_of_a_quadratic_is_its_matrix():
    # L(θ) = ½ θᵀ A θ has Hessian (A + Aᵀ)/2 everywhere.
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 5))
    matrix = Tensor(A, dtype=np.float64)
    H = hessian.hessian(lambda theta: (theta * (matrix @ theta)).sum() * 0.5, rng.standard_normal(5))
    np.testing.assert_allclose(H, (A + A.T) / 2, rtol=1e-14, atol=1e-15)


def test_hessian_vector_product_is_the_hessian_times_v():
    x, y = np.random.default_rng(1).standard_normal((6, 2)), np.random.default_rng(2).standard_normal((6, 1))
    loss = hessian.mse_loss(hessian.XOR_SIZES, x, y)
    theta, v = np.random.default_rng(4).standard_normal((2, 13))
    np.testing.assert_allclose(
        hessian.hessian_vector_product(loss, theta, v), hessian.hessian(loss, theta) @ v, rtol=1e-12, atol=1e-13
    )


def test_large_hessian_vector_product_equals_finite_differences():
    hv, hv_fd = hessian.large_hvp(seed=0)
    assert hv.shape == (hessian.parameter_count(hessian.LARGE_SIZES),) == (1994,)
    assert np.linalg.norm(hv) > 1e-3
    assert np.linalg.norm(hv - hv_fd) / np.linalg.norm(hv) < 1e-6
    np.testing.assert_allclose(hv, hv_fd, atol=1e-6 * np.abs(hv).max(), rtol=0)


def test_hessian_script_prints_its_checks():
    output = run_script("hessian")

    def number(label: str) -> float:
        found = re.search(re.escape(label) + r"\s*=\s*(\S+)", output)
        assert found, (label, output)
        return float(found.group(1))

    assert "13 parameters" in output and "1994 parameters" in output
    assert number("max |H - finite differences|") < 1e-6
    assert number("max |H - H^T| (symmetry)") < 1e-12
    assert number("relative error against finite differences") < 1e-6
    assert number("|Hv|") > 1e-3
