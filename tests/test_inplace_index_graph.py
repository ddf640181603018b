"""Writes by index inside a recorded graph (`x[idx] = v`, `index_put_`), recorded as torch
records them (api/inplace.py, ops/index_put.py, ops/views.py): the overwritten places get no
gradient, the written values get theirs, ops recorded before the write keep the old version.
Proofs: finite differences (first and second order) and PyTorch as the oracle, in float64."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import shapes, tensors

SHAPE = (3, 4, 5)


# ---- the writes, each run on tinygrad_edu and on torch (`lib`) ------------------------------
def write_int(x, v, lib):
    x[1] = v  # v: (5,), broadcast over the 4 rows of x[1]


def write_slice(x, v, lib):
    x[:, 1:3] = v[:2]


def write_mask(x, v, lib):
    x[x > 1.0] = v.sum()


def write_int_tensor(x, v, lib):
    x[lib.tensor([2, 0])] = v  # (5,) broadcast to (2, 4, 5)


def write_int_among_advanced(x, v, lib):
    x[0, :, [1, 2]] = v[:4, :2]  # torch's order: x[0] first, then [:, [1, 2]]: shape (4, 2)


def put(x, v, lib):
    x.index_put_((lib.tensor([0, 2]), lib.tensor([1, 3])), v[:2])


def put_accumulate_repeated(x, v, lib):
    x.index_put_((lib.tensor([0, 0, 2, 0]), lib.tensor([1, 1, 3, 1])), v[0], accumulate=True)


def a_chain_of_writes(x, v, lib):
    x[0] = v
    x[:, 1] += v[1]
    x.index_put_((lib.tensor([1, 1]),), v[:1] * 3, accumulate=True)
    x[x < 0] = 0.5
    x.mul_(v[2])


def writes_through_views(x, v, lib):
    x[1][2] = v[0]  # a view of x, written: x's history is rewritten
    x[2] += v[1]  # Python: t = x[2]; t += v[1]; x[2] = t
    x.transpose(0, 2)[3].mul_(v[2, :3])
    x.reshape(12, 5)[7] = v[3] * 2


WRITES = [
    write_int, write_slice, write_mask, write_int_tensor, write_int_among_advanced, put,
    put_accumulate_repeated, a_chain_of_writes, writes_through_views,
]
V_SHAPES = {write_int: (5,), write_mask: (2,), write_int_tensor: (5,), write_int_among_advanced: (4, 5)}


def _run(lib, write, a, v, weights, directions):
    """x = 1.5 a (a graph tensor), written by `write`; E = Σ weights ⊙ x²; returns x's values,
    dE/da, dE/dv, and the Hessian-vector products (d/da, d/dv of Σ directions ⊙ gradients)."""
    a = lib.tensor(a, dtype=lib.float64, requires_grad=True)
    v = lib.tensor(v, dtype=lib.float64, requires_grad=True)
    x = a * 1.5
    write(x, v, lib)
    energy = (x * x * lib.tensor(weights, dtype=lib.float64)).sum()
    grad_a, grad_v = lib.autograd.grad(energy, [a, v], create_graph=True)
    along = (grad_a * lib.tensor(directions[0])).sum() + (grad_v * lib.tensor(directions[1])).sum()
    hvp_a, hvp_v = lib.autograd.grad(along, [a, v])
    return [np.array(t.detach().numpy()) for t in (x, grad_a, grad_v, hvp_a, hvp_v)]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
def test_gradients_match_torch(write):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    rng = np.random.default_rng(0)
    v_shape = V_SHAPES.get(write, (4, 5))
    a, v = rng.standard_normal(SHAPE), rng.standard_normal(v_shape)
    weights, directions = rng.standard_normal(SHAPE), (rng.standard_normal(SHAPE), rng.standard_normal(v_shape))
    ours, theirs = _run(tg, write, a, v, weights, directions), _run(torch, write, a, v, weights, directions)
    for name, mine, oracle in zip(["x", "dE/da", "dE/dv", "Hv (a)", "Hv (v)"], ours, theirs):
        np.testing.assert_allclose(mine, oracle, rtol=1e-10, atol=1e-12, err_msg=name)


def test_a_value_that_requires_grad_makes_a_buffer_part_of_the_graph():
    """buf = zeros(3); buf[0] = w * 2: buf joins the graph, as in torch."""
    w = tg.tensor([1.5, -2.0], requires_grad=True, dtype=tg.float64)
    buf = tg.zeros(3, 2, dtype=tg.float64)
    buf[0] = w * 2
    buf[2, [1, 0]] = w * w  # torch's order: row 2, then columns 1 and 0
    assert buf.requires_grad and buf.grad_fn is not None
    (buf * tg.tensor([[1.0], [5.0], [3.0]], dtype=tg.float64)).sum().backward()
    np.testing.assert_allclose(w.grad.data, 2 * 1.0 + 3.0 * 2 * w.data)
    copied = tg.zeros(2, dtype=tg.float64)
    copied.copy_(w * 3)  # any in-place op whose source requires grad
    w.grad = None
    copied.sum().backward()
    np.testing.assert_allclose(w.grad.data, [3.0, 3.0])


def test_a_buffer_written_by_index_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    values = np.array([0.5, -1.0, 2.0])
    grads = []
    for lib in (tg, torch):
        w = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        buf = lib.zeros(4, 3, dtype=lib.float64)
        buf[1] = w.exp()
        buf[lib.tensor([3, 3])] = w * 2
        buf.index_put_((lib.tensor([0, 0]),), w * w, accumulate=True)
        (buf * buf).sum().backward()
        grads.append(np.array(w.grad.numpy()))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_ops_recorded_before_the_write_keep_the_old_values():
    """y = 2a; early = 3 Σ (y + 1) (used y before the write); y[0] = v; E = early + Σ c ⊙ y:
    dE/da = 6 + 2c except at 0, where y's old value no longer reaches E through y: 6."""
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=tg.float64)
    v = tg.tensor(4.0, requires_grad=True, dtype=tg.float64)
    c = tg.tensor([5.0, 7.0, 11.0], dtype=tg.float64)
    y = a * 2
    early = (y + 1).sum() * 3
    y[0] = v
    (early + (y * c).sum()).backward()
    np.testing.assert_allclose(a.grad.data, [6.0, 6.0 + 14.0, 6.0 + 22.0])
    assert v.grad.item() == 5.0


def test_a_backward_that_saved_the_overwritten_tensor_refuses_to_run():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    squared = y * y  # Mul saved y
    y[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation: Mul saved"):
        squared.sum().backward()
    z = a * 2
    exponential = z.exp()  # Exp saved its output
    exponential.index_put_((tg.tensor([1]),), tg.tensor([0.0]), accumulate=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation: Exp saved"):
        exponential.sum().backward()


def test_a_leaf_that_requires_grad_is_still_refused_outside_no_grad():
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for write in (lambda: w.__setitem__(0, 5.0), lambda: w.index_put_((tg.tensor([0]),), tg.tensor(1.0))):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            write()
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        w[0][1] = 5.0
    with tg.no_grad():
        w[0] = 5.0
        w.index_put_((tg.tensor([1, 1]),), tg.tensor(1.0), accumulate=True)
    np.testing.assert_array_equal(w.data, [[5.0, 5.0], [5.0, 6.0]])
    assert w.is_leaf and w.requires_grad


def test_views_that_cannot_be_written_through_are_refused_by_name():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    buf = tg.zeros(2, 2)
    with pytest.raises(RuntimeError, match=r"view of another .*buf\[0, 1\] = v rather than buf\[0\]\[1\] = v"):
        buf[0][1] = w[0] * 2  # buf[0] was made without a graph: it records no base
    expanded = (w * 2).reshape(1, 2).expand(3, 2)
    with pytest.raises(RuntimeError, match="__setitem__: this tensor shares its memory with the input of the Expand"):
        expanded[0] = 1.0


def test_a_place_written_twice_takes_the_last_value_and_both_get_its_gradient():
    """torch calls it undefined; here the last value named wins (numpy's order), and the
    gradient reaches each value named for the place (torch's formula dE/dV = dE/dY[index])."""
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=tg.float64)
    v = tg.tensor([10.0, 20.0, 30.0], requires_grad=True, dtype=tg.float64)
    x = a * 1
    x.index_put_((tg.tensor([2, 0, 2]),), v)
    np.testing.assert_array_equal(x.data, [20.0, 2.0, 30.0])
    (x * tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)).sum().backward()
    np.testing.assert_array_equal(v.grad.data, [3.0, 1.0, 3.0])
    np.testing.assert_array_equal(a.grad.data, [0.0, 2.0, 0.0])


def test_no_grad_writes_keep_the_graph_as_it_was():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    node = y._ctx
    with tg.no_grad():
        y[0] = 7.0
    assert y._ctx is node and y.data.tolist() == [7.0, 4.0]


def test_a_value_of_the_wrong_shape_names_both_shapes():
    y = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"value tensor of shape \(3,\) cannot be broadcast to indexing result of shape \(2,\)"):
        y[0] = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)


# ---- finite differences, first and second order ------------------------------------------
def _index(draw, shape):
    """An index into `shape` of one kind torch and numpy read alike, and the values' shape
    (the selection's shape or a broadcastable tail of it)."""
    kind = draw(st.sampled_from(["int", "slice", "mask", "int tensor"]))
    if kind == "int":
        index = draw(st.integers(-shape[0], shape[0] - 1))
    elif kind == "slice":
        start = draw(st.integers(0, shape[0] - 1))
        index = (slice(None), slice(start, None, draw(st.integers(1, 2)))) if len(shape) > 1 else slice(start, None)
    elif kind == "mask":
        index = tg.tensor(draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0])))
    else:
        index = tg.tensor(draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3, unique=True)))
    selected = np.empty(shape)[getattr(index, "data", index)].shape
    return index, selected[draw(st.integers(0, len(selected))):]


@given(data=st.data())
def test_setitem_by_finite_differences(check, data):
    shape = data.draw(shapes(1, 3, 1, 4), label="shape")
    index, value_shape = _index(data.draw, shape)
    x, v = data.draw(tensors(shape), label="x"), data.draw(tensors(value_shape), label="v")

    def written(base, value):
        out = base * 1
        out[index] = value
        return out * out

    assert check(written, x, v)


@given(data=st.data())
def test_int_among_advanced_indices_by_finite_differences(check, data):
    n0, n1, n2 = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(2, 4)), label="shape")
    row = data.draw(st.integers(0, n0 - 1))
    columns = data.draw(st.lists(st.integers(0, n2 - 1), min_size=1, max_size=2, unique=True))
    x, v = data.draw(tensors((n0, n1, n2)), label="x"), data.draw(tensors((n1, len(columns))), label="v")

    def written(base, value):
        out = base * 1
        out[row, :, columns] = value
        return out * out

    assert check(written, x, v)


@given(data=st.data(), accumulate=st.booleans())
def test_index_put_by_finite_differences(check, data, accumulate):
    n0, n1 = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)), label="shape")
    count = data.draw(st.integers(1, 4))
    rows = st.lists(st.integers(0, n0 - 1), min_size=count, max_size=count)
    columns = st.lists(st.integers(0, n1 - 1), min_size=count, max_size=count)
    places = data.draw(st.tuples(rows, columns).filter(lambda p: accumulate or len(set(zip(*p))) == count))
    index = tuple(tg.tensor(p) for p in places)  # repeated places only when they add up
    x, v = data.draw(tensors((n0, n1)), label="x"), data.draw(tensors((count,)), label="v")

    def written(base, value):
        out = base * 1
        out.index_put_(index, value, accumulate=accumulate)
        return out * out

    assert check(written, x, v)


@given(x=tensors((3, 4)), v=tensors((2,)))
def test_writes_through_views_and_into_a_buffer_by_finite_differences(check, x, v):
    def through_views(base, value):
        out = base * 1
        out[1][2:] = value
        out.reshape(2, 6)[1, 1:3] = value * value
        out.t()[0].mul_(value[0])
        return out * out

    def through_a_view_and_back(base, value):
        out = base * 1
        out[:, 0] *= value[0]
        out[2] += value.sum()  # t = out[2]; t += ...; out[2] = t
        return out * out

    def into_a_buffer(value):
        buf = tg.zeros(3, 2, dtype=tg.float64)
        buf[1] = value * value
        buf.index_put_((tg.tensor([0, 0]),), value, accumulate=True)
        return buf * buf

    assert check(through_views, x, v)
    assert check(through_a_view_and_back, x, v)
    assert check(into_a_buffer, v)


def test_autograd_grad_follows_older_versions_as_backward_does():
    a = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, dtype=tg.float64)
    y = a * 2
    out = y + 0  # reads y before the write
    y.mul_(3)
    out.sum().backward(retain_graph=True)
    np.testing.assert_array_equal(tg.autograd.grad(out.sum(), [a], allow_unused=True)[0].data, a.grad.data)

    def augmented_through_a_view_of_a_view(base, value):
        out = base * 1
        out.t()[0] *= value[0]  # Python: t = out.t(); u = t[0]; u *= ...; t[0] = u (t: never read again)
        return out * out

    rng = np.random.default_rng(0)
    x, v = (tg.tensor(rng.standard_normal(shape), requires_grad=True, dtype=tg.float64) for shape in ((3, 4), (2,)))
    assert gradcheck(augmented_through_a_view_of_a_view, x, v) and gradgradcheck(augmented_through_a_view_of_a_view, x, v)
