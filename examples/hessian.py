"""The Hessian of a network's loss, and Hessian-vector products, by double backward.

Put all of a network's parameters in one vector θ (n numbers). The loss L(θ) has a gradient
∇L (n numbers) and a Hessian H (n × n): H_ij = ∂²L / ∂θ_i ∂θ_j, its curvature in every pair of
directions. With `create_graph=True` the gradient is itself a Tensor with a graph, so

    row i of H = ∂(∂L/∂θ_i)/∂θ          one more backward pass per row (n in all),
    H v        = ∂⟨∇L, v⟩/∂θ            one more backward pass in all, whatever n is.

Part 1: the tutorial's XOR network (2 → 3 → 1, tanh, MSE; 13 parameters): its full 13 × 13
Hessian, row by row, checked against central finite differences of the gradient,
    column j ≈ (∇L(θ + ε e_j) − ∇L(θ − ε e_j)) / 2ε,
and H is symmetric (second derivatives commute), which nothing in the code forces.

Part 2: a larger MLP (20 → 64 → 10, 1,994 parameters): a full Hessian would take 1,994
backward passes and 4 million numbers, but H v costs about one more backward pass. Checked
against finite differences of the gradient along v:
    H v ≈ (∇L(θ + ε v) − ∇L(θ − ε v)) / 2ε.
(Hessian-vector products are what second-order optimizers, influence functions and
sharpness measures use.)

Run:  python examples/hessian.py
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad
from tinygrad_edu.nn import functional as F

Loss = Callable[[Tensor], Tensor]  # θ (flat) ↦ a scalar loss


# ---- a network whose parameters are one flat vector ---------------------------------------
def parameter_count(sizes: tuple[int, ...]) -> int:
    """Weights (out, in) and biases (out,) of each layer: Σ out · (in + 1)."""
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes, sizes[1:]))


def mlp(theta: Tensor, x: Tensor, sizes: tuple[int, ...]) -> Tensor:
    """A tanh MLP whose weights and biases are slices of θ, reshaped: the loss is then a function
    of one vector, and its gradient and Hessian are a vector and a matrix."""
    offset, y = 0, x
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        weight = theta[offset : offset + n_out * n_in].reshape(n_out, n_in)
        offset += n_out * n_in
        bias = theta[offset : offset + n_out]
        offset += n_out
        y = F.linear(y, weight, bias)
        if layer < len(sizes) - 2:  # tanh between layers, none after the last
            y = y.tanh()
    return y


def mse_loss(sizes: tuple[int, ...], x: np.ndarray, y: np.ndarray) -> Loss:
    inputs, targets = Tensor(x, dtype=np.float64), Tensor(y, dtype=np.float64)
    return lambda theta: F.mse_loss(mlp(theta, inputs, sizes), targets)


def cross_entropy_loss(sizes: tuple[int, ...], x: np.ndarray, labels: np.ndarray) -> Loss:
    inputs, targets = Tensor(x, dtype=np.float64), Tensor(labels)
    return lambda theta: F.cross_entropy(mlp(theta, inputs, sizes), targets)


# ---- first and second derivatives ---------------------------------------------------------
def gradient(loss: Loss, theta: np.ndarray) -> np.ndarray:
    """∇L(θ), by one ordinary backward pass."""
    point = Tensor(theta, requires_grad=True, dtype=np.float64)
    (g,) = grad(loss(point), point)
    return g.numpy()


def hessian(loss: Loss, theta: np.ndarray) -> np.ndarray:
    """H(θ), row i = ∂(∂L/∂θ_i)/∂θ: one backward pass through the gradient's graph per row."""
    point = Tensor(theta, requires_grad=True, dtype=np.float64)
    (g,) = grad(loss(point), point, create_graph=True)  # ∇L, with a graph of its own
    n = len(theta)
    # Every row differentiates the same graph of ∇L, so it is kept until the last row.
    rows = [grad(g[i], point, retain_graph=i < n - 1)[0].numpy() for i in range(n)]
    return np.stack(rows)


def hessian_vector_product(loss: Loss, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H v = ∂⟨∇L, v⟩/∂θ: the Hessian is never formed."""
    point = Tensor(theta, requires_grad=True, dtype=np.float64)
    (g,) = grad(loss(point), point, create_graph=True)
    (hv,) = grad((g * Tensor(v, dtype=np.float64)).sum(), point)
    return hv.numpy()


def finite_difference_hessian(loss: Loss, theta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Column j = (∇L(θ + ε e_j) − ∇L(θ − ε e_j)) / 2ε: first derivatives only."""
    columns = []
    for j in range(len(theta)):
        step = np.zeros_like(theta)
        step[j] = eps
        columns.append((gradient(loss, theta + step) - gradient(loss, theta - step)) / (2 * eps))
    return np.stack(columns, axis=1)


def finite_difference_hvp(loss: Loss, theta: np.ndarray, v: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """(∇L(θ + ε v) − ∇L(θ − ε v)) / 2ε, for v of norm 1."""
    return (gradient(loss, theta + eps * v) - gradient(loss, theta - eps * v)) / (2 * eps)


# ---- the two parts, as functions the tests call -------------------------------------------
XOR_SIZES = (2, 3, 1)
LARGE_SIZES = (20, 64, 10)


def xor_hessian(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR network's Hessian at random parameters: (by double backward, by finite differences)."""
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    theta = np.random.default_rng(seed).standard_normal(parameter_count(XOR_SIZES))
    loss = mse_loss(XOR_SIZES, x, y)
    return hessian(loss, theta), finite_difference_hessian(loss, theta)


def large_hvp(seed: int = 0, batch: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """H v for the 20 → 64 → 10 classifier on random data: (by double backward, by finite differences)."""
    rng = np.random.default_rng(seed)
    x, labels = rng.standard_normal((batch, LARGE_SIZES[0])), rng.integers(0, LARGE_SIZES[-1], batch)
    # Weights of the usual scale (1/√fan-in): tanh units neither saturated nor all linear.
    theta = rng.standard_normal(parameter_count(LARGE_SIZES)) / np.sqrt(LARGE_SIZES[0])
    v = rng.standard_normal(theta.shape)
    v /= np.linalg.norm(v)
    loss = cross_entropy_loss(LARGE_SIZES, x, labels)
    return hessian_vector_product(loss, theta, v), finite_difference_hvp(loss, theta, v)


if __name__ == "__main__":
    np.set_printoptions(precision=3, suppress=True, linewidth=120)

    H, H_fd = xor_hessian()
    print(f"Part 1: XOR network {XOR_SIZES}, {len(H)} parameters: Hessian by double backward, row by row")
    print(H)
    print(f"max |H - finite differences|      = {np.abs(H - H_fd).max():.2e}")
    print(f"max |H - H^T| (symmetry)          = {np.abs(H - H.T).max():.2e}")
    eigenvalues = np.linalg.eigvalsh(H)
    # Mixed signs: at random parameters the loss surface is a saddle, not a bowl.
    print(f"eigenvalues from {eigenvalues.min():.3f} to {eigenvalues.max():.3f} "
          f"({(eigenvalues < 0).sum()} negative, {(eigenvalues > 0).sum()} positive)")

    hv, hv_fd = large_hvp()
    print()
    print(f"Part 2: MLP {LARGE_SIZES}, {parameter_count(LARGE_SIZES)} parameters: one Hessian-vector product")
    print(f"|Hv| = {np.linalg.norm(hv):.6f}")
    print(f"relative error against finite differences = {np.linalg.norm(hv - hv_fd) / np.linalg.norm(hv):.2e}")
