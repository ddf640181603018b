"""Proof 2 of every gradient (DESIGN.md §4): each op's backward agrees with central
differences, in float64, on inputs and shapes drawn by Hypothesis. Every test runs twice
(the `check` fixture, conftest.py): gradcheck checks the gradient, gradgradcheck the gradient
of the gradient (finite differences of the first derivative, for the inputs and for dE/dY).

Broadcasting, size-1 and 0-d shapes come from the strategies; so do the values that keep
away from points where an op has no derivative (relu at 0, ties in max): log and sqrt get
positive inputs, denominators stay away from 0, max and relu get `away_from_kinks` values.
Tolerances are gradcheck's defaults everywhere.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import (
    KINK_GAP,
    away_from_kinks,
    broadcastable_shapes,
    broadcastable_tensors,
    conv_cases,
    floats,
    matmul_shapes,
    nonzero_floats,
    pool_cases,
    reduction_axes,
    shapes,
    tensors,
)

positive = floats(0.1, 3.0)


# ---- binary ops, on every pair of shapes that broadcasts (0-d and size-1 dims included) --
@given(broadcastable_tensors())
def test_add(check, pair):
    assert check(lambda a, b: a + b, *pair)


@given(broadcastable_tensors())
def test_sub(check, pair):
    assert check(lambda a, b: a - b, *pair)


@given(broadcastable_tensors())
def test_mul(check, pair):
    assert check(lambda a, b: a * b, *pair)


@given(broadcastable_tensors(floats(), nonzero_floats()))
def test_div(check, pair):
    assert check(lambda a, b: a / b, *pair)


@given(broadcastable_tensors(floats(0.5, 2.0), floats()))
def test_pow_tensor_exponent(check, pair):
    assert check(lambda a, b: a**b, *pair)


@given(tensors(elements=floats(0.5, 2.0)), floats())
def test_pow_scalar_exponent(check, x, exponent):
    assert check(lambda a: a**exponent, x)


@given(tensors(), st.integers(1, 3))
def test_pow_integer_exponent_of_any_sign(check, x, exponent):
    assert check(lambda a: a**exponent, x)


@given(tensors(), floats(0.5, 3.0))
def test_pow_scalar_base(check, x, base):
    assert check(lambda a: base**a, x)


@given(tensors())
def test_scalar_on_either_side(check, x):
    assert check(lambda a: 3.0 - a * 2.0 + 1.5 / (a * a + 1.0), x)


# ---- unary ops ----------------------------------------------------------------------------
UNARY = {
    "neg": (lambda a: -a, floats()),
    "exp": (lambda a: a.exp(), floats()),
    "log": (lambda a: a.log(), positive),
    "sqrt": (lambda a: a.sqrt(), positive),
    "tanh": (lambda a: a.tanh(), floats(-4.0, 4.0)),
    "sigmoid": (lambda a: a.sigmoid(), floats(-6.0, 6.0)),
    "relu": (lambda a: a.relu(), away_from_kinks()),
    "F.relu": (F.relu, away_from_kinks()),
    "F.tanh": (F.tanh, floats()),
    "F.sigmoid": (F.sigmoid, floats()),
    "double": (lambda a: a.double(), floats()),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary(check, name, data):
    op, elements = UNARY[name]
    x = data.draw(tensors(shapes(min_dims=0), elements), label="x")
    assert check(op, x)


@given(tensors(shapes(), away_from_kinks(), unique=True))
def test_away_from_kinks_keeps_off_zero_and_off_ties(x):
    values = np.sort(x.numpy().ravel())
    assert np.all(np.abs(values) >= KINK_GAP / 2)
    assert np.all(np.diff(values) >= KINK_GAP * (1 - 1e-9))


# ---- reductions: axis int / negative / tuple / None, keepdims both, both spellings --------
@st.composite
def reduction_cases(draw: st.DrawFn, elements: st.SearchStrategy[float] | None = None, unique: bool = False):
    x = draw(tensors(shapes(min_dims=0, max_dims=4, max_side=4), elements, unique=unique))
    return x, draw(reduction_axes(x.ndim)), draw(st.booleans()), draw(st.sampled_from(["numpy", "torch"]))


def reduce_with(name: str, axis, keepdims: bool, spelling: str):
    if spelling == "numpy":
        return lambda t: getattr(t, name)(axis=axis, keepdims=keepdims)
    return lambda t: getattr(t, name)(dim=axis, keepdim=keepdims)


@given(reduction_cases())
def test_sum(check, case):
    x, axis, keepdims, spelling = case
    assert check(reduce_with("sum", axis, keepdims, spelling), x)


@given(reduction_cases())
def test_mean(check, case):
    x, axis, keepdims, spelling = case
    assert check(reduce_with("mean", axis, keepdims, spelling), x)


@given(reduction_cases(away_from_kinks(), unique=True))
def test_max(check, case):
    x, axis, keepdims, spelling = case
    assert check(reduce_with("amax", axis, keepdims, spelling), x)


@given(tensors(shapes(min_dims=2)))
def test_reductions_positional_axis(check, x):
    assert check(lambda t: t.sum(1, True) * t.mean(-1, True), x)


# ---- movement ---------------------------------------------------------------------------
@st.composite
def reshape_cases(draw: st.DrawFn):
    """A tensor and a new shape with as many elements (one side may be written -1)."""
    x = draw(tensors(shapes(min_dims=0, max_dims=4, max_side=4)))
    remaining, new_shape = x.numel(), []
    while remaining > 1 and len(new_shape) < 3:
        side = draw(st.sampled_from([d for d in range(1, remaining + 1) if remaining % d == 0]))
        new_shape.append(side)
        remaining //= side
    new_shape.append(remaining)
    if draw(st.booleans()):
        new_shape[draw(st.integers(0, len(new_shape) - 1))] = -1
    return x, tuple(new_shape)


@given(reshape_cases())
def test_reshape(check, case):
    x, new_shape = case
    assert check(lambda t: t.reshape(new_shape), x)
    assert check(lambda t: t.reshape(*new_shape).view(x.shape), x)


@given(data=st.data())
def test_flatten(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=4, max_side=3)), label="x")
    start = data.draw(st.integers(-x.ndim, x.ndim - 1), label="start_dim")
    end = data.draw(st.integers(start % x.ndim, x.ndim - 1), label="end_dim")
    assert check(lambda t: t.flatten(start, end), x)


@given(data=st.data())
def test_transpose(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=4, max_side=3)), label="x")
    dim0, dim1 = (data.draw(st.integers(-x.ndim, x.ndim - 1), label=name) for name in ("dim0", "dim1"))
    assert check(lambda t: t.transpose(dim0, dim1), x)


@given(data=st.data())
def test_permute(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=4, max_side=3)), label="x")
    dims = data.draw(st.permutations(range(x.ndim)), label="dims")
    assert check(lambda t: t.permute(*dims), x)


@given(tensors(shapes(min_dims=0, max_dims=4, max_side=3)))
def test_T(check, x):
    assert check(lambda t: t.T, x)


# ---- indexing -----------------------------------------------------------------------------
def _positive_steps(index) -> bool:
    """torch (and so tinygrad_edu) refuses negative slice steps; x.flip(dims) does that job."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


@given(data=st.data())
def test_basic_indexing(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3)), label="x")
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True).filter(_positive_steps), label="index")
    assert check(lambda t: t[index], x)


@given(data=st.data())
def test_integer_array_indexing_with_repeats(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3)), label="x")
    rows = len(x)
    # More picks than rows: by pigeonhole some row is picked twice, and its gradients must add.
    picks = data.draw(st.lists(st.integers(-rows, rows - 1), min_size=rows + 1, max_size=2 * rows + 1), label="picks")
    assert len({p % rows for p in picks}) < len(picks)
    assert check(lambda t: t[np.array(picks)], x)


@given(data=st.data())
def test_integer_array_indices_on_several_axes(check, data):
    x = data.draw(tensors(shapes(min_dims=2, max_dims=3)), label="x")
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(max_dims=2, max_side=6)), label="index")
    assert check(lambda t: t[tuple(Tensor(i) for i in index)], x)


@given(data=st.data())
def test_boolean_mask(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3)), label="x")
    mask = data.draw(hnp.arrays(np.bool_, x.shape), label="mask")
    row_mask = data.draw(hnp.arrays(np.bool_, (len(x),)), label="row_mask")
    assert check(lambda t: t[Tensor(mask)], x)
    assert check(lambda t: t[row_mask], x)


# ---- matrix products ----------------------------------------------------------------------
@given(data=st.data())
def test_matmul(check, data):
    shape_a, shape_b = data.draw(matmul_shapes(), label="shapes")
    a, b = data.draw(tensors(shape_a), label="a"), data.draw(tensors(shape_b), label="b")
    assert check(lambda p, q: p @ q, a, b)


# Named cases, so each kind is checked whatever the draw: 2-D, batched with broadcast batch
# dims, and 1-D operands on either or both sides.
@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((3, 4), (4, 2)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)), ((4,), (4,))],
)
@given(data=st.data())
def test_matmul_named_cases(check, shape_a, shape_b, data):
    a, b = data.draw(tensors(shape_a), label="a"), data.draw(tensors(shape_b), label="b")
    assert check(lambda p, q: p.matmul(q), a, b)


@st.composite
def linear_cases(draw: st.DrawFn):
    in_features, out_features = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(shapes(min_dims=0, max_dims=2, max_side=3))
    x = draw(tensors((*batch, in_features)))
    weight = draw(tensors((out_features, in_features)))
    bias = draw(st.none() | tensors((out_features,)))
    return x, weight, bias


@given(linear_cases())
def test_linear(check, case):
    assert check(F.linear, *case)


# ---- convolution and pooling --------------------------------------------------------------
@given(data=st.data())
def test_conv2d(check, data):
    case = data.draw(conv_cases(), label="case")
    x = data.draw(tensors(case.input_shape), label="x")
    weight = data.draw(tensors(case.weight_shape), label="weight")
    bias = data.draw(st.none() | tensors((case.out_channels,)), label="bias")
    assert check(lambda i, w, b: F.conv2d(i, w, b, stride=case.stride, padding=case.padding), x, weight, bias)


@given(data=st.data())
def test_max_pool2d(check, data):
    case = data.draw(pool_cases(), label="case")
    x = data.draw(tensors(case.input_shape, away_from_kinks(), unique=True), label="x")
    assert check(lambda t: F.max_pool2d(t, case.kernel, case.stride), x)


@given(tensors((2, 3, 4, 6), away_from_kinks(), unique=True))
def test_max_pool2d_default_stride(check, x):
    assert check(lambda t: F.max_pool2d(t, (2, 3)), x)


# ---- softmax and losses -------------------------------------------------------------------
@given(data=st.data())
def test_log_softmax_and_softmax(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3), floats(-5.0, 5.0)), label="x")
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1), label="dim")
    assert check(lambda t: t.log_softmax(dim), x)
    assert check(lambda t: t.softmax(dim=dim), x)
    assert check(lambda t: F.log_softmax(t, dim=dim), x)
    assert check(lambda t: F.softmax(t, dim), x)


@given(data=st.data())
def test_mse_loss(check, data):
    shape = data.draw(shapes(min_dims=0), label="shape")
    prediction, target = data.draw(tensors(shape), label="prediction"), data.draw(tensors(shape), label="target")
    reduction = data.draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")
    assert check(lambda p, t: F.mse_loss(p, t, reduction=reduction), prediction, target)


@st.composite
def classification_cases(draw: st.DrawFn):
    batch, classes = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    logits = draw(tensors((batch, classes), floats(-5.0, 5.0)))
    targets = draw(hnp.arrays(np.int64, (batch,), elements=st.integers(0, classes - 1)))
    return logits, Tensor(targets)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(case=classification_cases())
def test_cross_entropy(check, reduction, case):
    logits, targets = case
    assert check(lambda logits, targets: F.cross_entropy(logits, targets, reduction=reduction), logits, targets)


# ---- ops composed: gradients that meet at a tensor used twice must add ----------------------
@given(broadcastable_tensors(floats(), nonzero_floats()))
def test_composed_graph(check, pair):
    def fn(a: Tensor, b: Tensor) -> Tensor:
        shared = a * b
        return (shared.tanh() + shared * shared / b).exp().sum() + (a - shared).mean()

    assert check(fn, *pair)


# ---- the draws reach every case the proofs above claim to cover ----------------------------
def _stretches(small: tuple[int, ...], other: tuple[int, ...]) -> bool:
    """small has a size-1 dim that broadcasting stretches to match other."""
    return any(s == 1 and o > 1 for s, o in zip(small[::-1], other[::-1]))


COVERAGE = {
    "0-d operand": (broadcastable_shapes(), lambda p: () in p and p != ((), ())),
    "stretched size-1 dim": (broadcastable_shapes(), lambda p: _stretches(p[0], p[1]) or _stretches(p[1], p[0])),
    "missing leading dims": (broadcastable_shapes(), lambda p: 0 < len(p[0]) < len(p[1])),
    "matmul 1-D on the left": (matmul_shapes(), lambda p: len(p[0]) == 1 and len(p[1]) >= 2),
    "matmul 1-D on the right": (matmul_shapes(), lambda p: len(p[0]) >= 2 and len(p[1]) == 1),
    "matmul broadcast batch": (matmul_shapes(), lambda p: min(map(len, p)) >= 2 and p[0][:-2] != p[1][:-2]),
    "conv stride > 1 with padding, same dim": (conv_cases(), lambda c: any(s > 1 and p > 0 for s, p in zip(c.stride, c.padding))),
    "conv rectangular kernel": (conv_cases(), lambda c: c.kernel[0] != c.kernel[1]),
    "pool tiling": (pool_cases(), lambda c: c.stride == c.kernel and min(c.kernel) > 1),
    "pool overlapping": (pool_cases(), lambda c: c.stride[0] < c.kernel[0] and c.stride[1] < c.kernel[1]),
    "pool gapped": (pool_cases(), lambda c: c.stride[0] > c.kernel[0]),
    "axes tuple with a negative axis": (reduction_axes(3), lambda a: isinstance(a, tuple) and len(a) > 1 and min(a) < 0),
}


@pytest.mark.parametrize("name", COVERAGE)
def test_strategies_reach(name):
    """Within the profile's own example budget, so the proofs above see these cases too."""
    strategy, condition = COVERAGE[name]
    assert condition(find(strategy, condition, settings=settings(database=None, derandomize=True)))
