"""PyTorch as the oracle for the reductions and scans (api/reductions.py): the same float64
inputs through ours and torch's, comparing the output, the gradient g = ∂⟨f(x), v₁⟩/∂x and
the second backward's ∂⟨g, v₂⟩/∂(x, v₁) (a Hessian-vector product and a Jacobian-vector
product), each op followed by tanh so the Hessian is not zero. Then where ties send the
gradient, and the integer results (indices, counts, truth values) with their dtypes.

Each case is written once, against a namespace `m` that is either tinygrad_edu or torch.
PyTorch is an optional extra: without it this whole file skips.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it"
)
RTOL, ATOL = 1e-9, 1e-11
INF = float("inf")


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """Values at least 0.1 apart, never 0: no ties for max, median, cummax; no kink for norms."""
    size = int(np.prod(shape))
    return np.random.default_rng(seed).permutation((np.arange(size) - size / 2 + 0.5) * 0.2).reshape(shape)


def with_zeros(*shape: int) -> np.ndarray:
    """Values near ±1 with one zero in the first line and two in the last."""
    x = 1.0 + 0.3 * normal(*shape)
    x[(0,) * (len(shape) - 1) + (1,)] = 0.0
    x[(-1,) * (len(shape) - 1) + (0,)] = 0.0
    x[(-1,) * (len(shape) - 1) + (-1,)] = 0.0
    return x


# (name, f(m, x), input): m is tinygrad_edu or torch.
CASES: list[tuple[str, Callable[..., Any], np.ndarray]] = [
    ("sum", lambda m, x: x.sum(), normal(2, 3)),
    ("sum dims keepdim", lambda m, x: m.sum(x, (0, 2), keepdim=True), normal(2, 3, 4)),
    ("sum dtype", lambda m, x: x.float().sum(1, dtype=m.float64), normal(2, 3)),
    ("mean", lambda m, x: m.mean(x, -1), normal(2, 3)),
    ("mean dims", lambda m, x: x.mean((0, 1), True), normal(2, 3, 2)),
    ("prod", lambda m, x: m.prod(x), 1.0 + 0.2 * normal(2, 3)),
    ("prod dim", lambda m, x: x.prod(1, keepdim=True), 1.0 + 0.2 * normal(3, 4)),
    ("prod with zeros", lambda m, x: x.prod(-1), with_zeros(3, 4)),
    ("max", lambda m, x: x.max(), distinct(2, 3)),
    ("max dim", lambda m, x: m.max(x, 1).values, distinct(3, 4)),
    ("max dim keepdim", lambda m, x: x.max(dim=0, keepdim=True)[0], distinct(3, 4)),
    ("min", lambda m, x: m.min(x), distinct(2, 3)),
    ("min dim", lambda m, x: x.min(-1).values, distinct(3, 4)),
    ("max of two", lambda m, x: m.max(x[0], x[1]), distinct(2, 3, 4)),
    ("min of two", lambda m, x: x[0].min(x[1]), distinct(2, 3, 4)),
    ("amax", lambda m, x: m.amax(x, (0, 2)), distinct(2, 3, 4)),
    ("amin", lambda m, x: x.amin(1, keepdim=True), distinct(2, 3, 4)),
    ("var", lambda m, x: x.var(), normal(3, 4)),
    ("var dim correction 0", lambda m, x: m.var(x, 1, correction=0), normal(3, 4)),
    ("var unbiased=False keepdim", lambda m, x: x.var(0, unbiased=False, keepdim=True), normal(3, 4)),
    ("var correction 2", lambda m, x: x.var((0, 1), correction=2), normal(3, 4)),
    ("std", lambda m, x: m.std(x), normal(3, 4)),
    ("std dim", lambda m, x: x.std(dim=1, keepdim=True), normal(3, 4)),
    ("norm", lambda m, x: x.norm(), normal(3, 4)),
    ("norm fro dims", lambda m, x: m.norm(x, "fro", (0, 1)), normal(3, 4)),
    ("norm 2 dim keepdim", lambda m, x: x.norm(2, 1, True), normal(3, 4)),
    ("norm 1", lambda m, x: x.norm(1, dim=0), normal(3, 4)),
    ("norm 3", lambda m, x: m.norm(x, 3, 1), normal(3, 4)),
    ("norm 1.5", lambda m, x: x.norm(p=1.5), normal(3, 4)),
    ("norm inf", lambda m, x: x.norm(INF, 1), distinct(3, 4)),
    ("norm -inf", lambda m, x: m.norm(x, -INF), distinct(3, 4)),
    ("logsumexp", lambda m, x: m.logsumexp(x, 1), normal(3, 4)),
    ("logsumexp dims keepdim", lambda m, x: x.logsumexp((0, 2), keepdim=True), normal(2, 3, 4)),
    ("median", lambda m, x: x.median(), distinct(3, 5)),
    ("median even", lambda m, x: m.median(x), distinct(2, 3)),
    ("median dim", lambda m, x: x.median(1).values, distinct(3, 4)),
    ("median dim keepdim", lambda m, x: m.median(x, 0, keepdim=True)[0], distinct(3, 4)),
    ("cumsum", lambda m, x: m.cumsum(x, 1), normal(3, 4)),
    ("cumsum -1 dtype", lambda m, x: x.cumsum(-1, dtype=m.float64), normal(2, 3, 4)),
    ("cumprod", lambda m, x: x.cumprod(0), 1.0 + 0.3 * normal(3, 4)),
    ("cumprod with zeros", lambda m, x: m.cumprod(x, -1), with_zeros(3, 4)),
    ("cummax", lambda m, x: x.cummax(1).values, distinct(3, 4)),
    ("cummin", lambda m, x: m.cummin(x, 0)[0], distinct(3, 4)),
]


def _run(m: Any, leaf: Callable[[np.ndarray], Any], grad_fn: Callable[..., Any], f: Callable[..., Any], x: np.ndarray) -> tuple[Any, ...]:
    rng = np.random.default_rng(7)
    leaf_x = leaf(x)
    output = f(m, leaf_x).tanh()
    v1 = leaf(rng.standard_normal(tuple(output.shape)))
    (g,) = grad_fn([output], [leaf_x], grad_outputs=[v1], create_graph=True)
    inner = (g * leaf(rng.standard_normal(x.shape))).sum()
    second = grad_fn([inner], [leaf_x, v1], allow_unused=True)
    as_array = lambda value, shape: np.zeros(shape) if value is None else value.detach().numpy()  # noqa: E731
    return output.detach().numpy(), g.detach().numpy(), [as_array(h, s) for h, s in zip(second, [x.shape, output.shape])]


@pytest.mark.parametrize("name, f, x", CASES, ids=[case[0] for case in CASES])
def test_values_gradients_and_second_derivatives_match_torch(name: str, f: Callable[..., Any], x: np.ndarray) -> None:
    ours = _run(tg, lambda a: Tensor(a, requires_grad=True, dtype=np.float64), grad, f, x)
    theirs = _run(torch, lambda a: torch.tensor(a, requires_grad=True), torch.autograd.grad, f, x)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=ATOL, err_msg="forward")
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=ATOL, err_msg="gradient")
    for k, (a, b) in enumerate(zip(ours[2], theirs[2])):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"second derivative {k}")


# ---- ties: where torch sends the gradient --------------------------------------------------
TIES = np.array([[2.0, 2.0, 1.0, 2.0], [0.5, 3.0, 3.0, -1.0], [1.0, 1.0, 1.0, 1.0]])
TIE_CASES: list[tuple[str, Callable[..., Any], np.ndarray]] = [
    ("max splits evenly", lambda m, x: x.max(), TIES),
    ("min splits evenly", lambda m, x: m.min(x), TIES),
    ("max dim goes to the index", lambda m, x: x.max(1).values, TIES),
    ("min dim goes to the index", lambda m, x: m.min(x, 0).values, TIES),
    ("amax splits evenly", lambda m, x: m.amax(x, 1), TIES),
    ("amin splits evenly", lambda m, x: x.amin(), TIES),
    ("median splits evenly", lambda m, x: x.median(), TIES),
    ("max of two halves a tie", lambda m, x: m.max(x[0], x[2]), TIES),
    ("min of two halves a tie", lambda m, x: m.min(x[0], x[2]), TIES),
    ("cummax goes to the later index", lambda m, x: x.cummax(1).values, TIES),
    ("cummin goes to the later index", lambda m, x: m.cummin(x, 1).values, TIES),
    ("norm inf splits evenly", lambda m, x: x.norm(INF), TIES),
]


@pytest.mark.parametrize("name, f, x", TIE_CASES, ids=[case[0] for case in TIE_CASES])
def test_ties_send_the_gradient_where_torch_does(name: str, f: Callable[..., Any], x: np.ndarray) -> None:
    ours_x, theirs_x = Tensor(x, requires_grad=True, dtype=np.float64), torch.tensor(x, requires_grad=True)
    ours, theirs = f(tg, ours_x), f(torch, theirs_x)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=RTOL)
    weights = np.arange(1.0, ours.numel() + 1).reshape(ours.shape)
    (ours * Tensor(weights, dtype=np.float64)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=RTOL)


# ---- indices, counts and truth values: the same numbers and dtypes --------------------------
INTS = np.array([[3, 0, 7, 1], [2, 9, 0, 4]])
INTEGER_CASES: list[tuple[str, Callable[..., Any], np.ndarray]] = [
    ("argmax", lambda m, x: x.argmax(), distinct(3, 4)),
    ("argmax dim keepdim", lambda m, x: m.argmax(x, 1, keepdim=True), distinct(3, 4)),
    ("argmin dim", lambda m, x: m.argmin(x, dim=0), distinct(3, 4)),
    ("argmax ties", lambda m, x: x.argmax(1), TIES),
    ("max indices", lambda m, x: m.max(x, 1).indices, distinct(3, 4)),
    ("max indices on ties", lambda m, x: x.max(1).indices, TIES),
    ("min indices keepdim", lambda m, x: x.min(0, keepdim=True)[1], distinct(3, 4)),
    ("median indices", lambda m, x: m.median(x, 1).indices, distinct(3, 4)),
    ("cummax indices", lambda m, x: x.cummax(1).indices, TIES),
    ("cummin indices", lambda m, x: m.cummin(x, 1)[1], TIES),
    ("sum of ints", lambda m, x: x.sum(1), INTS),
    ("sum of bools", lambda m, x: (x > 2).sum(), INTS),
    ("prod of ints", lambda m, x: m.prod(x, 0), INTS),
    ("cumsum of int32", lambda m, x: x.int().cumsum(1), INTS),
    ("cumprod of ints", lambda m, x: m.cumprod(x, 0), INTS),
    ("max of ints", lambda m, x: x.max(0).values, INTS),
    ("amin of ints", lambda m, x: m.amin(x, 1), INTS),
    ("median of ints", lambda m, x: x.median(), INTS),
    ("any", lambda m, x: x.any(), INTS),
    ("all dim", lambda m, x: m.all(x, 1), INTS),
    ("any dims keepdim", lambda m, x: x.any((0, 1), keepdim=True), INTS),
    ("any of uint8", lambda m, x: x.to(m.uint8).any(0), INTS),
    ("count_nonzero", lambda m, x: m.count_nonzero(x), INTS),
    ("count_nonzero dims", lambda m, x: x.count_nonzero((0, 1)), INTS),
    ("count_nonzero dim", lambda m, x: m.count_nonzero(x, dim=0), INTS),
    ("norm 0", lambda m, x: x.double().norm(0, dim=1), INTS),
]


@pytest.mark.parametrize("name, f, x", INTEGER_CASES, ids=[case[0] for case in INTEGER_CASES])
def test_integer_results_and_dtypes_match_torch(name: str, f: Callable[..., Any], x: np.ndarray) -> None:
    ours, theirs = f(tg, tg.tensor(x)), f(torch, torch.tensor(x))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
