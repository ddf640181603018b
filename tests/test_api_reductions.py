"""Reductions and scans with PyTorch's names (api/reductions.py): finite-difference proofs of
every gradient, first and second order (the `check` fixture), and torch's semantics: named
tuples from max/min/median/cummax/cummin, where ties send the gradient, dtypes, errors.

Inputs keep away from kinks by construction: max, min, median and the running extremes get
distinct values (`away_from_kinks`, unique), norms get no zeros, products get either no zeros
or zeros placed on purpose (the exact formula for them is tested too).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing.strategies import away_from_kinks, floats, nonzero_floats, reduction_axes, shapes, tensors

distinct = away_from_kinks()


def f64(data, requires_grad: bool = False) -> Tensor:
    return Tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad, dtype=np.float64)


@st.composite
def tensor_and_dim(draw: st.DrawFn, elements=None, unique: bool = False, min_dims: int = 1):
    """A small float64 tensor and one dim of it (negative dims too)."""
    x = draw(tensors(shapes(min_dims=min_dims, max_dims=3, max_side=4), elements, unique=unique))
    return x, draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))


@st.composite
def tensor_and_dims(draw: st.DrawFn, elements=None, unique: bool = False):
    """A small float64 tensor (0-d too), dims for a reduction (None, an int, a tuple), keepdim."""
    x = draw(tensors(shapes(min_dims=0, max_dims=3, max_side=4), elements, unique=unique))
    return x, draw(reduction_axes(x.ndim)), draw(st.booleans())


# ---- finite differences: sums, products, extremes -------------------------------------------
@given(tensor_and_dims())
def test_sum_and_mean_with_a_dtype(check, case):
    x, dims, keepdim = case
    assert check(lambda t: tg.sum(t, dims, keepdim, dtype=tg.float64) + t.mean(dims, keepdim, dtype=tg.float64), x)


@given(tensor_and_dims(nonzero_floats(0.5, 1.5)))
def test_prod(check, case):
    x, dims, keepdim = case
    assert check(lambda t: t.prod(dims, keepdim), x)


@given(tensors(shapes(min_dims=1, max_dims=2, max_side=4), nonzero_floats(0.5, 1.5)), st.data())
def test_prod_with_zeros(check, x, data):
    """One or more exact zeros: Π of the others, never 0 / 0."""
    where = data.draw(st.lists(st.integers(0, x.numel() - 1), min_size=1, max_size=3), label="zeros")
    values = x.numpy().copy().reshape(-1)
    values[where] = 0.0
    x = f64(values.reshape(x.shape), requires_grad=True)
    assert check(lambda t: t.prod(-1), x)
    assert check(lambda t: tg.prod(t), x)


@given(tensor_and_dims(distinct, unique=True))
def test_amax_amin(check, case):
    x, dims, keepdim = case
    assert check(lambda t: t.amax(dims, keepdim) * tg.amin(t, dim=dims, keepdim=keepdim), x)


@given(tensor_and_dim(distinct, unique=True, min_dims=0), st.booleans())
def test_max_and_min_along_a_dim(check, case, keepdim):
    x, dim = case
    assert check(lambda t: t.max(dim, keepdim).values * tg.min(t, dim=dim, keepdim=keepdim)[0], x)


@given(tensors(shapes(min_dims=0, max_dims=3, max_side=4), distinct, unique=True))
def test_max_and_min_of_everything(check, x):
    assert check(lambda t: t.max() - tg.min(t), x)


@given(st.data())
def test_max_and_min_of_two_tensors(check, data):
    shape = data.draw(shapes(min_dims=0, max_dims=2, max_side=3), label="shape")
    both = data.draw(tensors((2, *shape), distinct, unique=True), label="pair").numpy()
    a, b = f64(both[0], True), f64(both[1], True)
    assert check(lambda s, t: tg.max(s, t) * s.min(t), a, b)


# ---- finite differences: statistics ----------------------------------------------------------
@given(tensor_and_dims(), st.sampled_from([0, 1, 2]))
def test_var_and_std(check, case, correction):
    x, dims, keepdim = case
    count = x.numel() if dims is None else int(np.prod([x.shape[d] for d in np.atleast_1d(dims)] or [1]))
    if count <= correction:  # n − c ≤ 0: infinite or undefined, nothing to differentiate
        return
    assert check(lambda t: t.var(dims, keepdim=keepdim, correction=correction), x)
    # std = √var: away from var = 0 (the spread drawn is never that small in practice).
    if np.all(x.var(dims, keepdim=keepdim, correction=correction).numpy() > 1e-3):
        assert check(lambda t: tg.std(t, dims, keepdim=keepdim, correction=correction), x)


@given(tensor_and_dims(nonzero_floats(0.3, 2.0)), st.sampled_from([2, "fro", 1, 3, 1.5, float("inf"), float("-inf")]))
def test_norm(check, case, p):
    x, dims, keepdim = case
    if p in (float("inf"), float("-inf")):  # |x| must have no ties: take distinct magnitudes
        values = np.abs(x.numpy()).reshape(-1)
        if len(np.unique(np.round(values, 3))) < values.size:
            return
    assert check(lambda t: t.norm(p, dims, keepdim), x)


@given(tensor_and_dims(floats(-3.0, 3.0)))
def test_logsumexp(check, case):
    x, dims, keepdim = case
    assert check(lambda t: tg.logsumexp(t, () if dims is None else dims, keepdim), x)


@given(tensors(shapes(min_dims=0, max_dims=3, max_side=4), distinct, unique=True))
def test_median_of_everything(check, x):
    assert check(lambda t: t.median(), x)


@given(tensor_and_dim(distinct, unique=True, min_dims=0), st.booleans())
def test_median_along_a_dim(check, case, keepdim):
    x, dim = case
    assert check(lambda t: tg.median(t, dim, keepdim).values, x)


# ---- finite differences: scans ---------------------------------------------------------------
@given(tensor_and_dim(min_dims=0))
def test_cumsum(check, case):
    x, dim = case
    assert check(lambda t: t.cumsum(dim) * t, x)


@given(tensor_and_dim(nonzero_floats(0.5, 1.5), min_dims=0))
def test_cumprod(check, case):
    x, dim = case
    assert check(lambda t: tg.cumprod(t, dim), x)


@given(tensor_and_dim(nonzero_floats(0.5, 1.5)), st.data())
def test_cumprod_with_zeros(check, case, data):
    x, dim = case
    where = data.draw(st.lists(st.integers(0, x.numel() - 1), min_size=1, max_size=3), label="zeros")
    values = x.numpy().copy().reshape(-1)
    values[where] = 0.0
    assert check(lambda t: t.cumprod(dim), f64(values.reshape(x.shape), requires_grad=True))


@given(tensor_and_dim(distinct, unique=True, min_dims=0))
def test_cummax_and_cummin(check, case):
    x, dim = case
    assert check(lambda t: t.cummax(dim).values * tg.cummin(t, dim)[0], x)


# ---- torch's semantics -----------------------------------------------------------------------
def test_max_with_a_dim_is_a_named_tuple_of_values_and_indices():
    x = f64([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    values, indices = tg.max(x, 1)
    np.testing.assert_array_equal(values.numpy(), [5.0, 6.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 2])
    assert indices.dtype == np.int64
    result = x.min(dim=0, keepdim=True)
    assert isinstance(result, tuple) and result.values.shape == (1, 3) and result.indices.shape == (1, 3)
    np.testing.assert_array_equal(result[1].numpy(), [[0, 1, 0]])
    assert x.max(axis=1).indices.shape == (2,)  # numpy's spelling, still a named tuple
    assert tg.max(x).item() == 6.0 and x.min().item() == 1.0  # without a dim: one value


def test_the_functions_take_an_array_as_torch_takes_outputs_data():
    """`_, predicted = torch.max(outputs.data, 1)`: `.data` is a detached Tensor, as torch's; an ndarray (`.array`) works too."""
    outputs = f64([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], requires_grad=True)
    _, predicted = tg.max(outputs.data, 1)
    np.testing.assert_array_equal(predicted.numpy(), [1, 0])
    assert tg.sum(outputs.data).dtype == tg.float64 and tg.argmax(outputs.data).item() == 1
    assert tg.max(outputs.array, 1)[1].tolist() == [1, 0]


def test_a_parameter_reduces_as_a_tensor():
    weight = tg.nn.Parameter(tg.tensor([[1.0, 3.0], [2.0, 0.0]]))
    values, indices = weight.max(1)
    assert type(indices) is Tensor and not indices.requires_grad and values.requires_grad
    np.testing.assert_array_equal(tg.max(weight, tg.ones(2, 2)).numpy(), [[1.0, 3.0], [2.0, 1.0]])


def test_max_refuses_several_dims_as_torch():
    with pytest.raises(TypeError, match="amax"):
        f64([[1.0]]).max(dim=(0, 1))


def test_ties_share_or_route_the_gradient_as_torch():
    x = f64([[2.0, 2.0, 1.0]], requires_grad=True)
    x.max().backward()  # without a dim: split evenly
    np.testing.assert_array_equal(x.grad.numpy(), [[0.5, 0.5, 0.0]])
    x.grad = None
    x.max(1).values.sum().backward()  # with a dim: to the returned (first) index
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 0.0]])
    x.grad = None
    x.amax(1).sum().backward()  # amax: split evenly
    np.testing.assert_array_equal(x.grad.numpy(), [[0.5, 0.5, 0.0]])
    a, b = f64([1.0, 3.0], True), f64([1.0, 2.0], True)
    tg.max(a, b).sum().backward()  # elementwise tie: half each
    np.testing.assert_array_equal(a.grad.numpy(), [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [0.5, 0.0])


def test_median_is_the_lower_middle_and_splits_ties_evenly():
    x = f64([4.0, 1.0, 3.0, 2.0], requires_grad=True)
    assert x.median().item() == 2.0
    ties = f64([1.0, 2.0, 2.0, 3.0], requires_grad=True)
    ties.median().backward()
    np.testing.assert_array_equal(ties.grad.numpy(), [0.0, 0.5, 0.5, 0.0])
    values, indices = f64([[4.0, 1.0, 3.0, 2.0]]).median(1, keepdim=True)
    assert values.numpy().tolist() == [[2.0]] and indices.numpy().tolist() == [[3]]


def test_cummax_and_cummin_take_the_later_index_on_a_tie():
    x = f64([1.0, 3.0, 3.0, 2.0, 3.0])
    np.testing.assert_array_equal(x.cummax(0).indices.numpy(), [0, 1, 2, 2, 4])
    np.testing.assert_array_equal(x.cummax(0).values.numpy(), [1.0, 3.0, 3.0, 3.0, 3.0])
    np.testing.assert_array_equal(f64([2.0, 1.0, 1.0, 3.0, 1.0]).cummin(0).indices.numpy(), [0, 1, 2, 2, 4])


def test_var_and_std_corrections():
    data = np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])
    x = f64(data)
    np.testing.assert_allclose(x.var().item(), data.var(ddof=1))
    np.testing.assert_allclose(x.var(1, unbiased=False).numpy(), data.var(1))
    np.testing.assert_allclose(x.var(False).item(), data.var())  # torch's var(input, unbiased)
    np.testing.assert_allclose(tg.std(x, dim=0, correction=0, keepdim=True).numpy(), data.std(0, keepdims=True))
    np.testing.assert_allclose(x.std(axis=1, keepdims=True).numpy(), data.std(1, ddof=1, keepdims=True))
    with pytest.raises(TypeError):
        x.var(unbiased=True, correction=1)


def test_norms():
    x = f64([[3.0, -4.0], [0.0, 1.0]])
    assert x.norm().item() == pytest.approx(np.sqrt(26.0))
    np.testing.assert_allclose(x.norm(dim=1).numpy(), [5.0, 1.0])
    np.testing.assert_allclose(tg.norm(x, 1, 1).numpy(), [7.0, 1.0])
    assert x.norm(float("inf")).item() == 4.0 and x.norm(float("-inf")).item() == 0.0
    np.testing.assert_array_equal(x.norm(0, dim=1).numpy(), [2.0, 1.0])
    zero = f64([0.0, 0.0], requires_grad=True)
    zero.norm().backward()  # a subgradient 0 at the kink, as torch
    np.testing.assert_array_equal(zero.grad.numpy(), [0.0, 0.0])


def test_logsumexp_is_stable_and_needs_a_dim():
    x = f64([1000.0, 1000.0])
    assert x.logsumexp(0).item() == pytest.approx(1000.0 + np.log(2.0))
    assert f64([-np.inf, -np.inf]).logsumexp(0).item() == -np.inf
    assert tg.logsumexp(tg.tensor([1, 2]), 0).dtype == tg.float32  # integers give the default float
    with pytest.raises(TypeError):
        x.logsumexp()


def test_integer_and_bool_tensors_sum_and_scan_in_int64_and_mean_refuses_them():
    ints = tg.tensor([1, 2, 3], dtype=tg.int32)
    assert ints.sum().dtype == tg.int64 and ints.prod().dtype == tg.int64 and ints.cumsum(0).dtype == tg.int64
    assert tg.tensor([True, True]).sum().item() == 2
    assert ints.sum(dtype=tg.float64).dtype == tg.float64 and ints.mean(dtype=tg.float32).item() == 2.0
    with pytest.raises(RuntimeError, match="mean"):
        ints.mean()
    with pytest.raises(RuntimeError, match="var"):
        ints.var()


def test_truth_and_counts():
    x = tg.tensor([[1, 0], [2, 3]])
    assert x.any().item() is True and x.all().item() is False
    np.testing.assert_array_equal(tg.all(x, dim=1).numpy(), [False, True])
    assert x.any(dim=(0, 1), keepdim=True).shape == (1, 1)
    assert tg.any(tg.tensor([1, 0], dtype=tg.uint8)).dtype == tg.uint8  # as torch
    assert x.count_nonzero().item() == 3 and x.count_nonzero().dtype == tg.int64
    np.testing.assert_array_equal(tg.count_nonzero(x, dim=0).numpy(), [2, 1])


def test_argmax_argmin():
    x = f64([[1.0, 5.0, 5.0], [4.0, 2.0, 6.0]])
    assert x.argmax().item() == 5 and tg.argmin(x).item() == 0
    np.testing.assert_array_equal(x.argmax(1).numpy(), [1, 2])  # a tie: the first
    assert tg.argmin(x, dim=0, keepdim=True).shape == (1, 3)
    assert x.argmax(keepdim=True).shape == (1, 1)


def test_dims_out_of_range_and_empty_reductions():
    x = f64([[1.0, 2.0]])
    for call in (lambda: x.sum(2), lambda: x.max(-3), lambda: x.cumsum(2), lambda: x.median(5), lambda: x.argmax(2)):
        with pytest.raises(IndexError, match="Dimension out of range"):
            call()
    with pytest.raises(ValueError):
        tg.zeros(0).max()
    with pytest.raises(ValueError):
        tg.zeros(0).median()


def test_0d_tensors_reduce_and_scan_over_dim_0():
    x = f64(2.0, requires_grad=True)
    assert x.max(0).values.item() == 2.0 and x.max(0).indices.item() == 0
    assert x.cumsum(0).shape == () and x.cumprod(-1).item() == 2.0
    assert x.cummax(0).values.item() == 2.0 and x.median(0).indices.item() == 0


def test_softmax_and_log_softmax_as_torch_functions_with_a_dtype():
    x = tg.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(tg.softmax(x, 1).array, np.exp(x.array) / np.exp(x.array).sum(1, keepdims=True), rtol=1e-6)
    assert tg.log_softmax(x, dim=1, dtype=tg.float64).dtype == tg.float64
    np.testing.assert_allclose(tg.log_softmax(x, 1).array, np.log(tg.softmax(x, 1).array), rtol=1e-5)
