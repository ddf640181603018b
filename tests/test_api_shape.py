"""The shape, movement and indexing family (api/shape.py, api/indexing.py, api/products.py,
api/info.py, F.pad, F.one_hot): finite-difference proofs of every gradient, first and second
order (the `check` fixture), on Hypothesis-drawn shapes and dims; then torch's semantics that
need no torch to check (errors, return types, dtypes, the information methods).
The comparison with PyTorch itself is tests/test_api_shape_oracle.py."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import away_from_kinks, shapes, tensors


def _dim(x: Tensor) -> st.SearchStrategy[int]:
    return st.integers(-x.ndim, x.ndim - 1)


def _pads(x: Tensor, low: int, high: int) -> st.SearchStrategy[tuple[int, ...]]:
    """torch's pad tuples for x ((left, right) of the last dim first) that leave sizes > 0."""
    return st.lists(st.integers(low, high), min_size=1, max_size=x.ndim).flatmap(
        lambda lefts: st.tuples(*(st.integers(max(low, 1 - size - left), high) for left, size in zip(lefts, reversed(x.shape)))).map(
            lambda rights: tuple(p for pair in zip(lefts, rights) for p in pair)
        )
    ).filter(lambda pads: all(size + pads[2 * k] + pads[2 * k + 1] > 0 for k, size in enumerate(reversed(x.shape[-(len(pads) // 2):]))))


def _along(x: Tensor, values) -> st.SearchStrategy[tuple[int, list]]:
    """A dim, and a list drawn from values(size of that dim)."""
    return _dim(x).flatmap(lambda d: st.tuples(st.just(d), values(x.shape[d])))


# name: (strategy of the op's other arguments given x, the op of x and those arguments)
ONE_INPUT = {
    "squeeze": (_dim, lambda t, d: t.squeeze(d)),
    "unsqueeze": (lambda x: st.integers(-x.ndim - 1, x.ndim), lambda t, d: t.unsqueeze(d)),
    "expand": (lambda x: st.integers(1, 3), lambda t, n: t.expand(n, *(2 if s == 1 else -1 for s in t.shape))),
    "movedim": (lambda x: st.tuples(_dim(x), _dim(x)), lambda t, a: t.movedim(*a)),
    "unflatten": (_dim, lambda t, d: t.unflatten(d, (1, t.shape[d], 1))),
    "repeat": (lambda x: st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 1), lambda t, r: t.repeat(*r)),
    "tile": (lambda x: st.lists(st.integers(1, 2), min_size=1, max_size=x.ndim + 1), lambda t, r: t.tile(tuple(r))),
    "repeat_interleave": (lambda x: st.tuples(_dim(x), st.integers(1, 3)), lambda t, a: t.repeat_interleave(a[1], dim=a[0])),
    "repeat_interleave counts": (
        lambda x: _along(x, lambda n: st.lists(st.integers(0, 3), min_size=n, max_size=n)),
        lambda t, a: t.repeat_interleave(tg.tensor(a[1]), dim=a[0]),
    ),
    "flip": (lambda x: st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True), lambda t, dims: t.flip(dims)),
    "roll": (lambda x: st.tuples(st.integers(-5, 5), _dim(x)), lambda t, a: t.roll(*a)),
    "roll flat": (lambda x: st.integers(-5, 5), lambda t, s: t.roll(s)),
    "narrow": (
        lambda x: _along(x, lambda n: st.integers(0, n).flatmap(lambda start: st.tuples(st.just(start), st.integers(0, n - start)))),
        lambda t, a: t.narrow(a[0], *a[1]),
    ),
    "split": (lambda x: st.tuples(st.integers(1, 3), _dim(x)), lambda t, a: tg.split(t, *a)),
    "split sizes": (
        lambda x: _along(x, lambda n: st.integers(0, n).map(lambda cut: [cut, n - cut])),
        lambda t, a: t.split(a[1], a[0]),
    ),
    "chunk": (lambda x: st.tuples(st.integers(1, 4), _dim(x)), lambda t, a: t.chunk(*a)),
    "unbind": (_dim, lambda t, d: t.unbind(d)),
    "clone": (lambda x: st.just(None), lambda t, _: t.clone() * t),
    "take": (lambda x: st.lists(st.integers(0, x.numel() - 1), min_size=1, max_size=6), lambda t, i: t.take(tg.tensor(i))),
    "masked_select": (
        lambda x: st.lists(st.booleans(), min_size=x.shape[-1], max_size=x.shape[-1]),
        lambda t, m: t.masked_select(tg.tensor(m)),
    ),
    "index_select": (
        lambda x: _along(x, lambda n: st.lists(st.integers(0, n - 1), min_size=1, max_size=4)),
        lambda t, a: t.index_select(a[0], tg.tensor(a[1])),
    ),
    "select": (lambda x: _along(x, lambda n: st.integers(-n, n - 1)), lambda t, a: t.select(*a)),
    "index_add": (
        lambda x: _along(x, lambda n: st.lists(st.integers(0, n - 1), min_size=1, max_size=4)),
        lambda t, a: t.index_add(a[0], tg.tensor(a[1]), t.index_select(a[0], tg.tensor(a[1])) * 2.0, alpha=0.5),
    ),
    "take_along_dim": (
        lambda x: _along(x, lambda n: st.lists(st.integers(0, n - 1), min_size=1, max_size=3)),
        lambda t, a: t.take_along_dim(tg.tensor(a[1]).reshape([-1 if d == a[0] % t.ndim else 1 for d in range(t.ndim)]), a[0]),
    ),
    "torch indexing": (
        lambda x: st.lists(st.integers(0, x.shape[-1] - 1), min_size=1, max_size=3),
        lambda t, i: t[0, ..., i] if t.ndim > 1 else t[i],
    ),
    "pad constant": (lambda x: st.tuples(_pads(x, -1, 2), st.sampled_from([0.0, 1.5])), lambda t, a: F.pad(t, a[0], value=a[1])),
    "pad replicate": (lambda x: _pads(x, 0, 2), lambda t, p: F.pad(t, p, mode="replicate")),
    "pad circular": (lambda x: st.integers(0, x.shape[-1]), lambda t, p: F.pad(t, (p, t.shape[-1] - p), mode="circular")),
    "pad reflect": (
        lambda x: st.tuples(st.integers(0, x.shape[-1] - 1), st.integers(0, x.shape[-1] - 1)),
        lambda t, p: F.pad(t, p, mode="reflect"),
    ),
}


@pytest.mark.parametrize("name", ONE_INPUT)
@given(data=st.data())
def test_one_input(check, name, data):
    arguments, op = ONE_INPUT[name]
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4)), label="x")
    drawn = data.draw(arguments(x), label="arguments")
    assert check(lambda t: op(t, drawn), x)


@pytest.mark.parametrize("name, op", [("tril", tg.tril), ("triu", tg.triu)])
@given(data=st.data())
def test_triangles(check, name, op, data):
    x = data.draw(tensors(shapes(min_dims=2, max_dims=3, max_side=4)), label="x")
    diagonal = data.draw(st.integers(-3, 3), label="diagonal")
    assert check(lambda t: op(t, diagonal), x)


@given(tensors(shapes(min_dims=1, max_dims=2, max_side=4)), st.integers(-2, 2))
def test_diag(check, x, diagonal):
    assert check(lambda t: t.diag(diagonal), x)


@given(data=st.data())
def test_diagonal(check, data):
    x = data.draw(tensors(shapes(min_dims=2, max_dims=3, max_side=4)), label="x")
    dim1, dim2 = data.draw(st.lists(st.integers(0, x.ndim - 1), min_size=2, max_size=2, unique=True), label="dims")
    offset = data.draw(st.integers(-2, 2), label="offset")
    assert check(lambda t: t.diagonal(offset, dim1, dim2), x)


@given(data=st.data())
def test_cat_and_stack(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3, max_side=3)), label="x")
    dim = data.draw(_dim(x), label="dim")
    other = list(x.shape)
    other[dim] = data.draw(st.integers(1, 3), label="size")
    y = data.draw(tensors(tuple(other)), label="y")
    assert check(lambda a, b: tg.cat([a, b, a], dim), x, y)
    assert check(lambda a, b: tg.stack([a, a * b], dim), x, x * 1.5)


@given(data=st.data())
def test_gather_scatter_add_and_scatter(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4)), label="x")
    dim = data.draw(_dim(x), label="dim")
    index_shape = tuple(data.draw(st.integers(1, size), label="side") for size in x.shape)
    index = tg.tensor(data.draw(st.lists(st.integers(0, x.shape[dim] - 1), min_size=int(np.prod(index_shape)), max_size=int(np.prod(index_shape)))), dtype=tg.int64).reshape(index_shape)
    src = data.draw(tensors(index_shape), label="src")
    assert check(lambda t: t.gather(dim, index), x)
    assert check(lambda t, s: t.scatter_add(dim, index, s), x, src)
    # scatter writes: one index per place, else which write wins is unspecified (as in torch)
    unique_index = tg.tensor(np.argsort(np.random.default_rng(0).random(x.shape), axis=dim)).narrow(dim, 0, index_shape[dim])
    assert check(lambda t, s: t.scatter(dim, unique_index, s.narrow(dim, 0, index_shape[dim])), x, data.draw(tensors(x.shape), label="source"))


@given(data=st.data())
def test_sort_and_topk(check, data):
    x = data.draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4), away_from_kinks(), unique=True), label="x")
    dim, descending = data.draw(_dim(x), label="dim"), data.draw(st.booleans(), label="descending")
    k = data.draw(st.integers(0, x.shape[dim]), label="k")
    assert check(lambda t: t.sort(dim, descending).values, x)
    assert check(lambda t: t.topk(k, dim, largest=descending).values, x)


@given(data=st.data())
def test_einsum(check, data):
    n, k, m, b = (data.draw(st.integers(1, 3)) for _ in range(4))
    a, c = data.draw(tensors((b, n, k)), label="a"), data.draw(tensors((k, m)), label="c")
    square = data.draw(tensors((n, n)), label="square")
    assert check(lambda p, q: tg.einsum("bij,jk->bik", p, q), a, c)
    assert check(lambda p, q: tg.einsum("...ij,jk", p, q), a, c)
    assert check(lambda s, p: tg.einsum("ii,bij->b", s, p), square, data.draw(tensors((b, n, n)), label="batch"))
    assert check(lambda s: tg.einsum("ii->i", s) * tg.einsum("ij->", s), square)


@given(data=st.data())
def test_products(check, data):
    n, k, m, b = (data.draw(st.integers(1, 3)) for _ in range(4))
    assert check(tg.mm, data.draw(tensors((n, k))), data.draw(tensors((k, m))))
    assert check(tg.bmm, data.draw(tensors((b, n, k))), data.draw(tensors((b, k, m))))
    assert check(tg.dot, data.draw(tensors((k,))), data.draw(tensors((k,))))
    assert check(tg.outer, data.draw(tensors((k,))), data.draw(tensors((m,))))


# ---- torch's semantics --------------------------------------------------------------------
def test_an_integer_among_advanced_indices_is_applied_first_as_in_torch():
    x = tg.arange(60.0).reshape(3, 4, 5)
    assert x[0, :, [1, 2]].shape == (4, 2)  # numpy: (2, 4)
    assert x[[0, 1], :, 0].shape == (2, 4)
    assert x[[0, 1], 0, [1, 2]].tolist() == [1.0, 22.0]
    assert x[tg.tensor(1), :, [0]].shape == (4, 1)  # a 0-d integer tensor counts as an int


@pytest.mark.parametrize("index", [slice(None, None, -1), slice(3, 0, -2), (0, slice(None, None, 0))])
def test_slice_steps_must_be_positive_as_in_torch(index):
    with pytest.raises(ValueError, match="step must be greater than zero"):
        tg.zeros(4, 4)[index]


def test_sort_and_topk_return_named_values_and_indices():
    values, indices = tg.tensor([[3.0, 1.0, 2.0]]).sort(descending=True)
    assert values.tolist() == [[3.0, 2.0, 1.0]] and indices.tolist() == [[0, 2, 1]] and indices.dtype == tg.int64
    top = tg.topk(tg.tensor([1.0, 5.0, 3.0]), 2)
    assert top.values.tolist() == [5.0, 3.0] and top.indices.tolist() == [1, 2]
    assert tg.argsort(tg.tensor([2, 2, 1]), stable=True).tolist() == [2, 0, 1]


@pytest.mark.parametrize("call, error", [
    (lambda: tg.zeros(2, 3).squeeze(2), IndexError),
    (lambda: tg.zeros(2, 3).unsqueeze(3), IndexError),
    (lambda: tg.cat([tg.zeros(2, 3), tg.zeros(3, 2)]), RuntimeError),
    (lambda: tg.cat([tg.zeros(2, 3)], dim=2), IndexError),
    (lambda: tg.cat(tg.zeros(2, 3)), TypeError),
    (lambda: tg.stack([tg.zeros(2), tg.zeros(3)]), RuntimeError),
    (lambda: tg.zeros(2, 3).view(4, 2), RuntimeError),
    (lambda: tg.zeros(2, 3).expand(3, 3), RuntimeError),
    (lambda: tg.zeros(2, 3).permute(0, 0), RuntimeError),
    (lambda: tg.zeros(2, 3).repeat(2), RuntimeError),
    (lambda: tg.zeros(2, 3, 4).t(), RuntimeError),
    (lambda: tg.zeros(3).tril(), RuntimeError),
    (lambda: tg.zeros(2, 3).split([1, 2]), RuntimeError),
    (lambda: tg.zeros(2, 3).narrow(1, 2, 2), RuntimeError),
    (lambda: tg.zeros(2, 3).gather(1, tg.tensor([[3]])), RuntimeError),
    (lambda: tg.zeros(2, 3).gather(1, tg.tensor([[3]])), IndexError),
    (lambda: tg.zeros(2, 3).gather(1, tg.tensor([0])), RuntimeError),
    (lambda: tg.zeros(2, 3).topk(4), RuntimeError),
    (lambda: tg.zeros(2, 3).flip(0, 0), RuntimeError),
    (lambda: tg.zeros(2, 3).chunk(0), RuntimeError),
    (lambda: tg.zeros(2, 3).movedim((0, 0), (1, 0)), RuntimeError),
    (lambda: tg.stack([]), RuntimeError),
    (lambda: tg.zeros(2).masked_select(tg.tensor([1, 0])), RuntimeError),
    (lambda: tg.mm(tg.zeros(2, 3), tg.zeros(3)), RuntimeError),
    (lambda: tg.dot(tg.zeros(2), tg.zeros(3)), RuntimeError),
    (lambda: tg.einsum("ij,jk->ik", tg.zeros(2, 3), tg.zeros(2, 3)), RuntimeError),
    (lambda: F.pad(tg.zeros(2, 3), (3, 0), mode="reflect"), RuntimeError),
    (lambda: F.pad(tg.zeros(2, 3), (1,)), ValueError),
    (lambda: F.one_hot(tg.tensor([0, 3]), 3), RuntimeError),
    (lambda: F.one_hot(tg.tensor([-1])), RuntimeError),
    (lambda: F.one_hot(tg.tensor([0.0])), TypeError),
])
def test_errors_are_torchs(call, error):
    with pytest.raises(error):
        call()


def test_shape_errors_name_both_shapes():
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(3, 2\)"):
        tg.cat([tg.zeros(2, 3), tg.zeros(3, 2)])


def test_pad_one_hot_values():
    x = tg.tensor([[1.0, 2.0, 3.0]])
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    assert F.pad(x, (1, 1), mode="replicate").tolist() == [[1.0, 1.0, 2.0, 3.0, 3.0]]
    assert F.pad(x, (0, 0, 1, 0), value=7.0).tolist() == [[7.0, 7.0, 7.0], [1.0, 2.0, 3.0]]
    assert F.one_hot(tg.tensor([2, 0])).tolist() == [[0, 0, 1], [1, 0, 0]] and F.one_hot(tg.tensor([1])).dtype == tg.int64


def test_integer_index_tensors_need_no_grad_and_results_keep_the_graph():
    x = tg.randn(3, 4, requires_grad=True)
    y = x[tg.tensor([2, 0])].gather(1, tg.tensor([[1], [3]]))
    y.sum().backward()
    assert y.requires_grad and x.grad.numpy().sum() == 2.0
    assert not tg.nonzero(x).requires_grad and tg.unique(tg.tensor([1, 1])).tolist() == [1]


def test_information_methods():
    x = tg.zeros(2, 3, dtype=tg.float64)
    assert (x.dim(), x.ndimension(), x.nelement(), tg.numel(x), x.element_size()) == (2, 2, 6, 6, 8)
    assert x.is_floating_point() and not tg.is_floating_point(tg.tensor([1])) and tg.is_tensor(x)
    assert x.tolist() == [[0.0] * 3] * 2 and tg.tensor(2.5).tolist() == 2.5
    assert x.contiguous() is x and x.t().is_contiguous() is False
    made = [x.new_zeros(2), x.new_ones((1, 2)), x.new_empty(3), x.new_full((2,), 4), x.new_tensor([1, 2])]
    assert [t.dtype for t in made] == [tg.float64] * 5 and made[3].tolist() == [4.0, 4.0]
    assert x.new_zeros(2, dtype=tg.int64).dtype == tg.int64
    y = tg.ones(2, requires_grad=True) * 2
    assert y.detach_() is y and y.is_leaf and not y.requires_grad


def test_grad_fn_is_a_node_with_next_functions_as_in_torch():
    x, w = tg.ones(2, requires_grad=True), tg.ones(2)
    y = (x * w).sum()
    node = y.grad_fn
    assert node.name() == "Sum" and node == y.grad_fn and x.grad_fn is None
    ((mul, index),) = node.next_functions
    assert mul.name() == "Mul" and index == 0
    accumulate, constant = mul.next_functions
    assert accumulate[0].name() == "AccumulateGrad" and accumulate[0].variable is x and constant == (None, 0)


def test_cat_and_stack_promote_dtypes_as_torch_and_keep_gradients():
    x = tg.ones(2, requires_grad=True)
    joined = tg.cat([x, tg.tensor([3], dtype=tg.int64), tg.ones(1, dtype=tg.float64)])
    assert joined.dtype == tg.float64 and tg.stack([tg.tensor([1, 2]), x.detach()]).dtype == tg.float32
    joined.sum().backward()
    assert x.grad.dtype == tg.float32 and x.grad.tolist() == [1.0, 1.0]
