"""Proof 3 of every gradient (DESIGN.md §4): PyTorch as an oracle. The same float64 inputs
go through our op and torch's; the outputs, and the gradients of Σ v ⊙ output for a random
direction v, must agree.

PyTorch is an optional extra: without it this whole file skips.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import (
    arrays,
    away_from_kinks,
    broadcastable_shapes,
    conv_cases,
    floats,
    matmul_shapes,
    nonzero_floats,
    pool_cases,
    reduction_axes,
    shapes,
)

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it"
)
TF = torch.nn.functional

# Both sides compute in float64; they differ only in summation order and last-ulp rounding
# of exp/log/pow, which stays many orders of magnitude below these.
RTOL, ATOL = 1e-10, 1e-12


def assert_matches_torch(ours: Callable[..., Any], theirs: Callable[..., Any] | None, *inputs: np.ndarray) -> None:
    """Run ours on Tensors and theirs (ours when None: most ops are spelled alike) on torch
    tensors of the same float64 inputs; compare outputs, then gradients of Σ v ⊙ output."""
    theirs = theirs or ours
    our_inputs = [Tensor(x, requires_grad=True, dtype=np.float64) for x in inputs]
    their_inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    our_output, their_output = ours(*our_inputs), theirs(*their_inputs)
    assert our_output.shape == tuple(their_output.shape)
    np.testing.assert_allclose(our_output.numpy(), their_output.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg="forward")
    direction = np.random.default_rng(0).standard_normal(our_output.shape)
    our_output.backward(direction)
    their_output.backward(torch.from_numpy(direction))
    for k, (our_input, their_input) in enumerate(zip(our_inputs, their_inputs)):
        assert our_input.grad is not None and their_input.grad is not None
        np.testing.assert_allclose(
            our_input.grad.numpy(), their_input.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=f"gradient of input {k}"
        )


@st.composite
def broadcast_pairs(draw: st.DrawFn, first: Any = None, second: Any = None) -> tuple[np.ndarray, np.ndarray]:
    shape_a, shape_b = draw(broadcastable_shapes())
    return draw(arrays(shape_a, first)), draw(arrays(shape_b, second))


# ---- elementwise --------------------------------------------------------------------------
BINARY = {
    "add": (lambda a, b: a + b, None, None),
    "sub": (lambda a, b: a - b, None, None),
    "mul": (lambda a, b: a * b, None, None),
    "div": (lambda a, b: a / b, None, nonzero_floats()),
    "pow": (lambda a, b: a**b, floats(0.5, 2.0), None),
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_op_with_broadcasting(name, data):
    op, first, second = BINARY[name]
    assert_matches_torch(op, None, *data.draw(broadcast_pairs(first, second), label="pair"))


UNARY = {
    "neg": (lambda a: -a, floats()),
    "exp": (lambda a: a.exp(), floats()),
    "log": (lambda a: a.log(), floats(0.1, 3.0)),
    "sqrt": (lambda a: a.sqrt(), floats(0.1, 3.0)),
    "tanh": (lambda a: a.tanh(), floats(-4.0, 4.0)),
    "sigmoid": (lambda a: a.sigmoid(), floats(-6.0, 6.0)),
    "relu": (lambda a: a.relu(), away_from_kinks()),
    "scalar exponent": (lambda a: a**2.5, floats(0.1, 3.0)),
    "integer exponent": (lambda a: a**3, floats()),
    "scalar base": (lambda a: 2.0**a, floats()),
    "scalars on both sides": (lambda a: 3.0 - a * 2.0 + 1.5 / (a * a + 1.0), floats()),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_op(name, data):
    op, elements = UNARY[name]
    assert_matches_torch(op, None, data.draw(arrays(shapes(min_dims=0), elements), label="x"))


# The power rule at zero: the formulas give NaN or −inf there (0·0⁻¹, 0·ln 0); torch's values
# are 0 wherever the function is flat or the base is 0 with a non-negative exponent.
POW_AT_ZERO = {
    "x**0 at x = 0": (lambda a: a**0, None, [0.0, 0.0, 2.0]),
    "x**0.0 at x = 0": (lambda a: a**0.0, None, [0.0, 3.0]),
    "0**b, b learnable": (
        lambda b: Tensor(np.zeros(3), dtype=np.float64) ** b,
        lambda b: torch.zeros(3, dtype=torch.float64) ** b,
        [2.0, 1.0, 0.0],
    ),
    "a**b at (0, 0)": (lambda a, b: a**b, None, [0.0, 0.0, 3.0], [0.0, 2.0, 0.0]),
    "Python 0.0 ** b": (lambda b: 0.0**b, None, [2.0, 0.5, 0.0]),
    "relu(x) ** b": (lambda x, b: x.relu() ** b, None, [-1.0, 0.0, 2.0], 1.5),
}


@pytest.mark.parametrize("case", POW_AT_ZERO)
def test_pow_gradients_at_zero(case):
    ours, theirs, *inputs = POW_AT_ZERO[case]
    assert_matches_torch(ours, theirs, *(np.array(x, dtype=np.float64) for x in inputs))


# ---- reductions, in PyTorch's spelling ----------------------------------------------------
@st.composite
def reduction_cases(draw: st.DrawFn, elements: Any = None, unique: bool = False) -> tuple[np.ndarray, Any, bool]:
    x = draw(arrays(shapes(min_dims=0, max_dims=4, max_side=4), elements, unique))
    return x, draw(reduction_axes(x.ndim)), draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean"])
@given(case=reduction_cases())
def test_sum_and_mean(name, case):
    x, dim, keepdim = case
    assert_matches_torch(lambda t: getattr(t, name)(dim=dim, keepdim=keepdim), None, x)


@given(case=reduction_cases(away_from_kinks(), unique=True))
def test_max(case):
    x, dim, keepdim = case
    all_dims = tuple(range(x.ndim)) if dim is None else dim
    assert_matches_torch(lambda t: t.amax(dim=dim, keepdim=keepdim), lambda t: torch.amax(t, dim=all_dims, keepdim=keepdim), x)


# ---- movement and indexing ----------------------------------------------------------------
@given(data=st.data())
def test_movement(data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=4, max_side=3)), label="x")
    ndim = x.ndim
    dims = data.draw(st.permutations(range(ndim)), label="dims")
    dim0, dim1 = data.draw(st.integers(-ndim, ndim - 1), label="dim0"), data.draw(st.integers(-ndim, ndim - 1), label="dim1")
    start = data.draw(st.integers(0, ndim - 1), label="start_dim")
    assert_matches_torch(lambda t: t.permute(*dims), None, x)
    assert_matches_torch(lambda t: t.transpose(dim0, dim1), None, x)
    assert_matches_torch(lambda t: t.flatten(start), None, x)
    assert_matches_torch(lambda t: t.reshape(-1, x.shape[-1]), None, x)
    assert_matches_torch(lambda t: t.T, lambda t: t.permute(*reversed(range(ndim))), x)


def _positive_steps(index: Any) -> bool:
    """torch slices take no negative step (numpy's do): such indices are for proof 2 only."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


@given(data=st.data())
def test_indexing(data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=3)), label="x")
    basic = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True).filter(_positive_steps), label="basic")
    rows = len(x)
    picks = np.array(data.draw(st.lists(st.integers(-rows, rows - 1), min_size=rows + 1, max_size=2 * rows + 1), label="picks"))
    mask = data.draw(hnp.arrays(np.bool_, x.shape), label="mask")
    assert_matches_torch(lambda t: t[basic], None, x)
    assert_matches_torch(lambda t: t[Tensor(picks)], lambda t: t[torch.from_numpy(picks)], x)
    assert_matches_torch(lambda t: t[mask], lambda t: t[torch.from_numpy(mask)], x)


# ---- matrix products ----------------------------------------------------------------------
@given(data=st.data())
def test_matmul(data):
    shape_a, shape_b = data.draw(matmul_shapes(), label="shapes")
    assert_matches_torch(lambda a, b: a @ b, None, data.draw(arrays(shape_a), label="a"), data.draw(arrays(shape_b), label="b"))


@pytest.mark.parametrize("shape_a, shape_b", [((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)), ((4,), (4,))])
@given(data=st.data())
def test_batched_and_vector_matmul(shape_a, shape_b, data):
    a, b = data.draw(arrays(shape_a), label="a"), data.draw(arrays(shape_b), label="b")
    assert_matches_torch(lambda p, q: p.matmul(q), None, a, b)


@given(data=st.data())
def test_linear(data):
    in_features, out_features = data.draw(st.integers(1, 4), label="in"), data.draw(st.integers(1, 4), label="out")
    batch = data.draw(shapes(min_dims=0, max_dims=2, max_side=3), label="batch")
    x = data.draw(arrays((*batch, in_features)), label="x")
    weight = data.draw(arrays((out_features, in_features)), label="weight")
    bias = data.draw(arrays((out_features,)), label="bias")
    assert_matches_torch(F.linear, TF.linear, x, weight, bias)
    assert_matches_torch(F.linear, TF.linear, x, weight)


# ---- convolution and pooling --------------------------------------------------------------
@given(data=st.data())
def test_conv2d(data):
    case = data.draw(conv_cases(), label="case")
    x, weight = data.draw(arrays(case.input_shape), label="x"), data.draw(arrays(case.weight_shape), label="weight")
    bias = data.draw(arrays((case.out_channels,)), label="bias")
    options = dict(stride=case.stride, padding=case.padding)
    assert_matches_torch(
        lambda i, w, b: F.conv2d(i, w, b, **options), lambda i, w, b: TF.conv2d(i, w, b, **options), x, weight, bias
    )
    assert_matches_torch(lambda i, w: F.conv2d(i, w, **options), lambda i, w: TF.conv2d(i, w, **options), x, weight)


@given(data=st.data())
def test_max_pool2d_without_ties(data):
    case = data.draw(pool_cases(), label="case")
    x = data.draw(arrays(case.input_shape, away_from_kinks(), unique=True), label="x")
    assert_matches_torch(
        lambda t: F.max_pool2d(t, case.kernel, case.stride), lambda t: TF.max_pool2d(t, case.kernel, case.stride), x
    )


# ---- softmax and losses -------------------------------------------------------------------
@given(data=st.data())
def test_softmax_and_log_softmax(data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=3), floats(-5.0, 5.0)), label="x")
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1), label="dim")
    assert_matches_torch(lambda t: F.log_softmax(t, dim=dim), lambda t: TF.log_softmax(t, dim=dim), x)
    assert_matches_torch(lambda t: t.softmax(dim), None, x)


EXTREME_LOGITS = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_log_softmax_at_logits_of_a_thousand(dim):
    x = Tensor(EXTREME_LOGITS, dtype=np.float64)
    assert np.all(np.isfinite(x.log_softmax(dim).numpy()))
    assert_matches_torch(lambda t: t.log_softmax(dim), None, EXTREME_LOGITS)
    assert_matches_torch(lambda t: t.softmax(dim), None, EXTREME_LOGITS)


@given(data=st.data())
def test_mse_loss(data):
    shape = data.draw(shapes(min_dims=0), label="shape")
    prediction, target = data.draw(arrays(shape), label="prediction"), data.draw(arrays(shape), label="target")
    reduction = data.draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")
    assert_matches_torch(
        lambda p, t: F.mse_loss(p, t, reduction=reduction),
        lambda p, t: TF.mse_loss(p, t, reduction=reduction),
        prediction,
        target,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(data=st.data())
def test_cross_entropy(reduction, data):
    batch, classes = data.draw(st.integers(1, 5), label="batch"), data.draw(st.integers(1, 5), label="classes")
    logits = data.draw(arrays((batch, classes), floats(-5.0, 5.0)), label="logits")
    targets = data.draw(hnp.arrays(np.int64, (batch,), elements=st.integers(0, classes - 1)), label="targets")
    assert_matches_torch(
        lambda y: F.cross_entropy(y, Tensor(targets), reduction=reduction),
        lambda y: TF.cross_entropy(y, torch.from_numpy(targets), reduction=reduction),
        logits,
    )


def test_cross_entropy_at_logits_of_a_thousand():
    targets = np.array([1, 0, 2])
    loss = F.cross_entropy(Tensor(EXTREME_LOGITS, dtype=np.float64), targets)
    # Each target logit is 2000 below the row's maximum; row 3 has two maxima, hence its ln 2.
    assert loss.item() == pytest.approx(2000 + np.log(2) / 3, rel=1e-12)
    assert_matches_torch(
        lambda y: F.cross_entropy(y, targets), lambda y: TF.cross_entropy(y, torch.from_numpy(targets)), EXTREME_LOGITS
    )


# ---- zero-size tensors ----------------------------------------------------------------------
ZERO_SIZE = {
    "softmax over an empty dim": (lambda t: t.softmax(1), None, [(2, 0)]),
    "softmax along a dim of rows that do not exist": (lambda t: t.softmax(0), None, [(0, 3)]),
    "log_softmax over an empty dim": (lambda t: F.log_softmax(t, dim=1), lambda t: TF.log_softmax(t, dim=1), [(2, 0)]),
    # (conv2d with 0 output channels has no oracle: torch 2.13 refuses that weight.)
    "conv2d on an empty batch": (
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda x, w, b: TF.conv2d(x, w, b, padding=1),
        [(0, 3, 5, 4), (2, 3, 3, 3), (2,)],
    ),
    "sum of (0, 3) over dim 0": (lambda t: t.sum(dim=0), None, [(0, 3)]),
    "sum of (0, 3)": (lambda t: t.sum(), None, [(0, 3)]),
    "mean of (0, 3) over dim 1": (lambda t: t.mean(dim=1), None, [(0, 3)]),
    "matmul (2, 0) @ (0, 3)": (lambda a, b: a @ b, None, [(2, 0), (0, 3)]),
}


@pytest.mark.parametrize("case", ZERO_SIZE)
def test_zero_size_tensors(case):
    ours, theirs, shapes_ = ZERO_SIZE[case]
    rng = np.random.default_rng(0)
    assert_matches_torch(ours, theirs, *(rng.standard_normal(shape) for shape in shapes_))


# ---- a small network end to end -----------------------------------------------------------
@given(data=st.data())
def test_conv_net_end_to_end(data):
    images = data.draw(arrays((2, 1, 6, 6)), label="images")
    kernels, weight = data.draw(arrays((3, 1, 3, 3)), label="kernels"), data.draw(arrays((4, 27)), label="weight")
    labels = np.array([3, 0])

    # relu, not max-pool: Hypothesis likes constant arrays, and at a tie the two frameworks
    # may rightly route a max's gradient differently (relu's at 0 is 0 in both).
    def ours(x, k, w):
        return F.cross_entropy(F.linear(F.conv2d(x, k, stride=2, padding=1).relu().flatten(1), w), labels)

    def theirs(x, k, w):
        return TF.cross_entropy(TF.linear(TF.conv2d(x, k, stride=2, padding=1).relu().flatten(1), w), torch.from_numpy(labels))

    assert_matches_torch(ours, theirs, images, kernels, weight)
