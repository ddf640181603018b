"""Newton's method, with the second derivative from double backward.

Gradient descent uses the slope f'(x) only, and has to guess a step size. Newton's method
also uses the curvature f''(x): it fits the parabola with the same f, f' and f'' at x_k and
jumps to that parabola's stationary point,

    x_{k+1} = x_k − f'(x_k) / f''(x_k).

Near a minimum with f'' > 0 the error then squares at every step (quadratic convergence):
1e-2, 1e-4, 1e-8, 1e-16 — the number of correct digits doubles.

Part 1: f(x) = x⁴ − 2x² from x = 2. By hand f' = 4x³ − 4x and f'' = 12x² − 4, but nothing
below uses those formulas: autograd computes f' with `create_graph=True`, so that f' is
itself a Tensor with a graph, and differentiating it once more gives f''. The iterates
converge to the minimum x = 1.

Part 2: in n dimensions f'' becomes the Hessian H (n × n) and the step solves H s = ∇f:

    x_{k+1} = x_k − H(x_k)⁻¹ ∇f(x_k),    row i of H = ∂(∂f/∂x_i)/∂x,

one `autograd.grad` call per row. Rosenbrock's banana valley f(x, y) = (1 − x)² + 100 (y − x²)²,
where gradient descent crawls for thousands of steps, takes Newton a handful from (−1.2, 1).
Pure Newton is not a descent method, though: on the way, f goes up (it heads for wherever the
local quadratic model is stationary); practical solvers add a line search or a trust region.

Run:  python examples/newton.py
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad


def f(x: Tensor) -> Tensor:
    """f(x) = x⁴ − 2x²: two minima, at x = ±1, and a maximum at 0."""
    return x**4 - 2 * x**2


@dataclass
class Iterate:
    iteration: int
    x: float
    f: float
    df: float  # f'(x)
    d2f: float  # f''(x)


def derivatives(function: Callable[[Tensor], Tensor], x: float) -> tuple[float, float, float]:
    """f(x), f'(x) and f''(x), the last two by differentiating twice."""
    point = Tensor(x, requires_grad=True, dtype=np.float64)
    value = function(point)
    # create_graph=True: f' is computed with Tensor ops that are recorded, so it has a graph
    # of its own (f' = 4x³ − 4x, built by autograd) and can be differentiated again.
    (slope,) = grad(value, point, create_graph=True)
    (curvature,) = grad(slope, point)
    return value.item(), slope.item(), curvature.item()


def newton(x0: float, steps: int, tolerance: float = 1e-10, function: Callable[[Tensor], Tensor] = f) -> list[Iterate]:
    """Newton's iterates from x0, until |f'(x)| < tolerance or after `steps` steps. Each
    Iterate holds x_k with f, f', f'' there; the last one is where the method stopped."""
    iterates = []
    x = float(x0)
    for k in range(steps + 1):
        value, slope, curvature = derivatives(function, x)
        iterates.append(Iterate(k, x, value, slope, curvature))
        if abs(slope) < tolerance:
            break
        x = x - slope / curvature
    return iterates


# ---- part 2: n dimensions, with the full Hessian ------------------------------------------
def rosenbrock(p: Tensor) -> Tensor:
    """(1 − x)² + 100 (y − x²)²: minimum 0 at (1, 1), at the bottom of a curved, narrow valley."""
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def gradient_and_hessian(function: Callable[[Tensor], Tensor], x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """f(x), ∇f(x) and the Hessian, built row by row: row i = ∂(∂f/∂x_i)/∂x."""
    point = Tensor(x, requires_grad=True, dtype=np.float64)
    value = function(point)
    (gradient,) = grad(value, point, create_graph=True)
    # One more backward pass per row; the gradient's graph is reused by each, so it is kept
    # (retain_graph=True) until the last row.
    rows = [grad(gradient[i], point, retain_graph=i < len(x) - 1)[0].numpy() for i in range(len(x))]
    return value.item(), gradient.detach().numpy(), np.stack(rows)


def newton_nd(
    function: Callable[[Tensor], Tensor], x0: np.ndarray, steps: int, tolerance: float = 1e-10
) -> list[tuple[np.ndarray, float, float]]:
    """Newton's iterates x_k (with f(x_k) and |∇f(x_k)|) until |∇f| < tolerance."""
    iterates = []
    x = np.asarray(x0, dtype=np.float64)
    for _ in range(steps + 1):
        value, gradient, hessian = gradient_and_hessian(function, x)
        iterates.append((x, value, float(np.linalg.norm(gradient))))
        if np.linalg.norm(gradient) < tolerance:
            break
        # Solve H s = ∇f rather than forming H⁻¹: cheaper and more accurate.
        x = x - np.linalg.solve(hessian, gradient)
    return iterates


if __name__ == "__main__":
    print("Part 1: f(x) = x⁴ − 2x², Newton from x = 2 (f' and f'' by autograd)")
    header = ("k", "x", "f(x)", "f'(x)", "f''(x)", "|x - 1|")
    print("{:>2}  {:>20}  {:>12}  {:>12}  {:>12}  {:>9}".format(*header))
    for it in newton(2.0, steps=20):
        print(f"{it.iteration:>2}  {it.x:>20.16f}  {it.f:>12.4e}  {it.df:>12.4e}  {it.d2f:>12.4e}  {abs(it.x - 1):>9.2e}")

    print()
    print("Part 2: Rosenbrock (1 − x)² + 100 (y − x²)², Newton from (−1.2, 1) with the Hessian by autograd")
    _, _, hessian = gradient_and_hessian(rosenbrock, np.array([-1.2, 1.0]))
    # By hand at (x, y): [[2 − 400 (y − 3x²), −400 x], [−400 x, 200]] = [[1330, 480], [480, 200]].
    print(f"Hessian at the start: {hessian.tolist()}")
    for k, (x, value, norm) in enumerate(newton_nd(rosenbrock, np.array([-1.2, 1.0]), steps=20)):
        print(f"{k:>2}  x = ({x[0]: .12f}, {x[1]: .12f})  f = {value:.3e}  |grad f| = {norm:.3e}")
