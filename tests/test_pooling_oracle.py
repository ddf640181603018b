"""Proof 3 for pooling: PyTorch as the oracle, float64, over a grid of window parameters.
Values, indices (exactly), the gradient along a random v₁, and the second backward:
∂⟨g, v₂⟩/∂(x, v₁) with g = ∂⟨f(x), v₁⟩/∂x, each pooling also followed by tanh so that its
backward receives a dE/dY that depends on x. Inputs are distinct values (no ties to break).
PyTorch is an optional extra: without it this file skips."""
from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad
from tinygrad_edu.nn import functional as F

from oracle_helpers import derivatives, ours

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it")
TF = torch.nn.functional


def distinct(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values at least 0.1 apart, shuffled: every window has one maximum."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    return rng.permutation((np.arange(size) - size / 2) * 0.2).reshape(shape)


def assert_matches_torch(f_ours: Callable[[Any], Any], f_torch: Callable[[Any], Any], x: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    for then in [lambda y: y, lambda y: y.tanh()]:
        v1 = rng.standard_normal(tuple(f_torch(torch.from_numpy(x)).shape))
        v2 = rng.standard_normal(x.shape)
        mine = derivatives(ours, grad, lambda t: then(f_ours(t)), x, v1, v2)
        theirs = derivatives(torch.tensor, torch.autograd.grad, lambda t: then(f_torch(t)), x, v1, v2)
        for name, a, b in zip(["values", "first derivative", "second derivative (x)", "second derivative (v₁)"], mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=name)


# ---- max_pool2d: every combination of the grid torch accepts ------------------------------
MAX_GRID = [
    dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=c)
    for k, s, p, d, c in itertools.product([2, (3, 2)], [None, 1, 2], [0, 1], [1, 2], [False, True])
]


@pytest.mark.parametrize("arguments", MAX_GRID, ids=str)
def test_max_pool2d(arguments):
    x = distinct((2, 2, 7, 6))
    pooled, indices = F.max_pool2d(ours(x), **arguments, return_indices=True)
    their_pooled, their_indices = TF.max_pool2d(torch.from_numpy(x), **arguments, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())
    np.testing.assert_array_equal(pooled.numpy(), their_pooled.numpy())
    assert_matches_torch(lambda t: F.max_pool2d(t, **arguments), lambda t: TF.max_pool2d(t, **arguments), x)


def test_max_pool2d_indices_and_gradients_with_ties():
    x = np.random.default_rng(2).integers(0, 3, size=(2, 3, 7, 6)).astype(np.float64)  # many ties
    for arguments in [dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), dict(kernel_size=2, stride=1, dilation=2)]:
        leaf, their_leaf = ours(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        pooled, indices = F.max_pool2d(leaf, **arguments, return_indices=True)
        their_pooled, their_indices = TF.max_pool2d(their_leaf, **arguments, return_indices=True)
        np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())
        v = np.random.default_rng(3).standard_normal(pooled.shape)
        pooled.backward(v)
        their_pooled.backward(torch.from_numpy(v))
        np.testing.assert_allclose(leaf.grad.numpy(), their_leaf.grad.numpy(), rtol=1e-12)


# ---- avg_pool2d -----------------------------------------------------------------------------
AVG_GRID = [
    dict(kernel_size=k, stride=s, padding=p, ceil_mode=c, count_include_pad=i)
    for k, s, p, c, i in itertools.product([2, (3, 2)], [None, 1], [0, 1], [False, True], [True, False])
] + [dict(kernel_size=3, stride=2, padding=1, ceil_mode=c, divisor_override=5) for c in [False, True]]


@pytest.mark.parametrize("arguments", AVG_GRID, ids=str)
def test_avg_pool2d(arguments):
    assert_matches_torch(lambda t: F.avg_pool2d(t, **arguments), lambda t: TF.avg_pool2d(t, **arguments), distinct((2, 2, 7, 6)))


# ---- adaptive pooling ------------------------------------------------------------------------
ADAPTIVE_SIZES = [1, 2, 3, (4, 5), (None, 2), (7, None), (10, 9), (5, 1)]


@pytest.mark.parametrize("output_size", ADAPTIVE_SIZES, ids=str)
@pytest.mark.parametrize("shape", [(2, 2, 7, 6), (3, 6, 4)], ids=str)
def test_adaptive_avg_pool2d(shape, output_size):
    assert_matches_torch(lambda t: F.adaptive_avg_pool2d(t, output_size), lambda t: TF.adaptive_avg_pool2d(t, output_size), distinct(shape))


@pytest.mark.parametrize("output_size", ADAPTIVE_SIZES, ids=str)
@pytest.mark.parametrize("shape", [(2, 2, 7, 6), (3, 6, 4)], ids=str)
def test_adaptive_max_pool2d(shape, output_size):
    x = distinct(shape)
    _, indices = F.adaptive_max_pool2d(ours(x), output_size, return_indices=True)
    _, their_indices = TF.adaptive_max_pool2d(torch.from_numpy(x), output_size, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())
    assert_matches_torch(lambda t: F.adaptive_max_pool2d(t, output_size), lambda t: TF.adaptive_max_pool2d(t, output_size), x)


# ---- 1-D pooling ------------------------------------------------------------------------------
ONE_D_GRID = [  # the 2-D poolings underneath have the wide grid above
    dict(kernel_size=3, stride=s, padding=p, ceil_mode=c) for s, p, c in itertools.product([None, 2], [0, 1], [False, True])
]


@pytest.mark.parametrize("arguments", ONE_D_GRID, ids=str)
def test_1d_poolings(arguments):
    x = distinct((2, 3, 9))
    for dilation in [1, 2]:
        pooled, indices = F.max_pool1d(ours(x), **arguments, dilation=dilation, return_indices=True)
        their_pooled, their_indices = TF.max_pool1d(torch.from_numpy(x), **arguments, dilation=dilation, return_indices=True)
        np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())
        assert_matches_torch(lambda t: F.max_pool1d(t, **arguments, dilation=dilation), lambda t: TF.max_pool1d(t, **arguments, dilation=dilation), x)
    for count_include_pad in [True, False]:
        assert_matches_torch(
            lambda t: F.avg_pool1d(t, **arguments, count_include_pad=count_include_pad),
            lambda t: TF.avg_pool1d(t, **arguments, count_include_pad=count_include_pad), x,
        )


@pytest.mark.parametrize("output_size", [1, 2, 4, 7, 9, 13])
def test_1d_adaptive_poolings(output_size):
    x = distinct((2, 3, 9))
    _, indices = F.adaptive_max_pool1d(ours(x), output_size, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), TF.adaptive_max_pool1d(torch.from_numpy(x), output_size, return_indices=True)[1].numpy())
    assert_matches_torch(lambda t: F.adaptive_max_pool1d(t, output_size), lambda t: TF.adaptive_max_pool1d(t, output_size), x)
    assert_matches_torch(lambda t: F.adaptive_avg_pool1d(t, output_size), lambda t: TF.adaptive_avg_pool1d(t, output_size), x)


@pytest.mark.parametrize("arguments", AVG_GRID, ids=str)
def test_avg_pool2d_of_integers_truncates_as_torch(arguments):
    x = np.random.default_rng(5).integers(-50, 50, size=(2, 2, 7, 6))
    pooled = F.avg_pool2d(Tensor(x), **arguments)
    assert pooled.dtype == np.int64
    np.testing.assert_array_equal(pooled.numpy(), TF.avg_pool2d(torch.from_numpy(x), **arguments).numpy())


# ---- max_unpool and lp_pool ------------------------------------------------------------------
@pytest.mark.parametrize("arguments", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(3, 2), stride=1)], ids=str)
def test_max_unpool2d(arguments):
    pooled, indices = TF.max_pool2d(torch.from_numpy(distinct((2, 2, 7, 6))), **arguments, return_indices=True)
    ours_indices = Tensor(indices.numpy())
    assert_matches_torch(
        lambda t: F.max_unpool2d(t, ours_indices, **arguments, output_size=(7, 6)),
        lambda t: TF.max_unpool2d(t, indices, **arguments, output_size=(7, 6)), pooled.numpy(),
    )


@pytest.mark.parametrize("norm_type", [1, 2, 1.5])
@pytest.mark.parametrize("arguments", [dict(kernel_size=3, stride=2, ceil_mode=True), dict(kernel_size=(3, 2), stride=1)], ids=str)
def test_lp_pool2d(norm_type, arguments):
    x = np.abs(distinct((2, 2, 7, 6))) + 0.1
    assert_matches_torch(lambda t: F.lp_pool2d(t, norm_type, **arguments), lambda t: TF.lp_pool2d(t, norm_type, **arguments), x)
    one_d = {**arguments, "kernel_size": 3 if isinstance(arguments["kernel_size"], tuple) else arguments["kernel_size"]}
    assert_matches_torch(lambda t: F.lp_pool1d(t, norm_type, **one_d), lambda t: TF.lp_pool1d(t, norm_type, **one_d), x[0])
