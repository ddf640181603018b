"""PyTorch as the oracle for the shape, movement and indexing ops (api/shape.py and friends):
the same float64 inputs through ours and torch's, comparing the output, the gradient
g = ∂⟨f(x), v₁⟩/∂x and the second backward's ∂⟨g, v₂⟩/∂(x, v₁) (a Hessian-vector product and
a Jacobian-vector product), each op followed by tanh so the Hessian is not zero.

Each case is written once, against a namespace `m` that is either tinygrad_edu or torch (and
`F` their nn.functional), so the same line runs in both frameworks.
PyTorch is an optional extra: without it this whole file skips.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad
from tinygrad_edu.nn import functional as TGF

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it"
)
TF = torch.nn.functional
RTOL, ATOL = 1e-9, 1e-11


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return _rng(seed).standard_normal(shape)


def distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """Values at least 0.1 apart: sort and topk see no ties."""
    size = int(np.prod(shape))
    return _rng(seed).permutation((np.arange(size) - size / 2) * 0.2).reshape(shape)


def index(array: Any, m: Any) -> Any:
    """An int64 index tensor in framework m."""
    return m.tensor(np.asarray(array), dtype=m.int64)


# (name, f(m, F, *inputs), inputs): m is tinygrad_edu or torch, F its nn.functional.
CASES: list[tuple[str, Callable[..., Any], list[np.ndarray]]] = [
    ("view", lambda m, F, x: x.view(4, 3), [normal(2, 6)]),
    ("view_as", lambda m, F, x: x.view_as(m.zeros(3, 4, dtype=m.float64)), [normal(2, 6)]),
    ("reshape -1", lambda m, F, x: m.reshape(x, (-1, 2)), [normal(2, 6)]),
    ("expand", lambda m, F, x: x.expand(2, -1, 3), [normal(4, 1)]),
    ("expand_as", lambda m, F, x: x.expand_as(m.zeros(3, 4, dtype=m.float64)), [normal(4)]),
    ("squeeze", lambda m, F, x: x.squeeze(), [normal(1, 3, 1)]),
    ("squeeze dim", lambda m, F, x: m.squeeze(x, 2), [normal(1, 3, 1)]),
    ("squeeze tuple", lambda m, F, x: x.squeeze((0, 1)), [normal(1, 3, 1)]),
    ("unsqueeze", lambda m, F, x: x.unsqueeze(-1), [normal(2, 3)]),
    ("flatten", lambda m, F, x: m.flatten(x, 1), [normal(2, 3, 2)]),
    ("unflatten", lambda m, F, x: x.unflatten(1, (2, -1)), [normal(2, 6)]),
    ("permute", lambda m, F, x: x.permute(2, 0, 1), [normal(2, 3, 4)]),
    ("transpose", lambda m, F, x: m.transpose(x, 0, 2), [normal(2, 3, 4)]),
    ("swapaxes", lambda m, F, x: x.swapaxes(0, 1), [normal(2, 3)]),
    ("movedim", lambda m, F, x: m.movedim(x, (0, 1), (2, 0)), [normal(2, 3, 4)]),
    ("t", lambda m, F, x: x.t(), [normal(2, 3)]),
    ("mT", lambda m, F, x: x.mT, [normal(2, 3, 4)]),
    ("contiguous", lambda m, F, x: x.t().contiguous(), [normal(2, 3)]),
    ("clone", lambda m, F, x: m.clone(x) * x, [normal(2, 3)]),
    ("repeat", lambda m, F, x: x.repeat(2, 1, 3), [normal(2, 3)]),
    ("repeat_interleave", lambda m, F, x: x.repeat_interleave(2, dim=1), [normal(2, 3)]),
    ("repeat_interleave counts", lambda m, F, x: m.repeat_interleave(x, index([1, 0, 3], m), dim=1), [normal(2, 3)]),
    ("repeat_interleave flat", lambda m, F, x: x.repeat_interleave(2), [normal(2, 3)]),
    ("tile", lambda m, F, x: m.tile(x, (2,)), [normal(2, 3)]),
    ("flip", lambda m, F, x: m.flip(x, (0, 2)), [normal(2, 3, 4)]),
    ("fliplr", lambda m, F, x: x.fliplr(), [normal(2, 3)]),
    ("roll", lambda m, F, x: x.roll(1, 1), [normal(2, 3)]),
    ("roll dims", lambda m, F, x: m.roll(x, (-1, 5), (0, 1)), [normal(2, 3)]),
    ("roll flat", lambda m, F, x: x.roll(4), [normal(2, 3)]),
    ("tril", lambda m, F, x: m.tril(x, -1), [normal(2, 3, 4)]),
    ("triu", lambda m, F, x: x.triu(1), [normal(3, 4)]),
    ("diag vector", lambda m, F, x: m.diag(x, 1), [normal(3)]),
    ("diag matrix", lambda m, F, x: x.diag(-1), [normal(3, 4)]),
    ("diagonal", lambda m, F, x: m.diagonal(x, 1, 2, 0), [normal(3, 2, 4)]),
    ("narrow", lambda m, F, x: x.narrow(1, -3, 2), [normal(2, 4)]),
    ("chunk", lambda m, F, x: x.chunk(3, 1)[2], [normal(2, 5)]),
    ("split sizes", lambda m, F, x: m.split(x, [1, 3], 1)[1] * 2, [normal(2, 4)]),
    ("split int", lambda m, F, x: x.split(2)[1], [normal(5, 2)]),
    ("unbind", lambda m, F, x: x.unbind(1)[1], [normal(2, 3)]),
    ("cat", lambda m, F, x, y: m.cat([x, y, x], 1), [normal(2, 3), normal(2, 1)]),
    ("concat", lambda m, F, x, y: m.concat((x, y)), [normal(2, 3), normal(1, 3)]),
    ("stack", lambda m, F, x, y: m.stack([x, y], -1), [normal(2, 3), normal(2, 3)]),
    ("hstack", lambda m, F, x, y: m.hstack([x, y]), [normal(2, 3), normal(2, 1)]),
    ("vstack", lambda m, F, x, y: m.vstack([x, y]), [normal(3), normal(3)]),
    ("gather", lambda m, F, x: m.gather(x, 1, index([[0, 0, 2], [1, 2, 2]], m)), [normal(2, 3)]),
    ("scatter", lambda m, F, x, s: x.scatter(0, index([[1, 0, 1]], m), s), [normal(2, 3), normal(1, 3)]),
    ("scatter value", lambda m, F, x: m.scatter(x, 1, index([[0], [2]], m), value=0.5), [normal(2, 3)]),
    ("scatter_add", lambda m, F, x, s: x.scatter_add(1, index([[0, 0], [2, 1]], m), s), [normal(2, 3), normal(2, 2)]),
    ("index_select", lambda m, F, x: m.index_select(x, 1, index([2, 0, 2], m)), [normal(2, 3)]),
    ("take_along_dim", lambda m, F, x: m.take_along_dim(x, index([[[0], [2]]], m), 2), [normal(3, 2, 4)]),
    ("take_along_dim flat", lambda m, F, x: x.take_along_dim(index([5, 0, 5], m)), [normal(2, 3)]),
    ("index_add", lambda m, F, x, s: x.index_add(1, index([2, 0, 2], m), s, alpha=0.5), [normal(2, 3), normal(2, 3, seed=1)]),
    ("select", lambda m, F, x: m.select(x, 1, -1), [normal(2, 3, 4)]),
    ("broadcast_to", lambda m, F, x: m.broadcast_to(x, (2, 3, 4)), [normal(3, 1)]),
    ("broadcast_tensors", lambda m, F, x, y: m.stack(m.broadcast_tensors(x, y)), [normal(3, 1), normal(4)]),
    ("dstack", lambda m, F, x, y: m.dstack([x, y]), [normal(2, 3), normal(2, 3)]),
    ("column_stack", lambda m, F, x, y: m.column_stack([x, y]), [normal(3), normal(3, 2)]),
    ("masked_select", lambda m, F, x: x.masked_select(m.tensor([True, False, True])), [normal(2, 3)]),
    ("take", lambda m, F, x: m.take(x, index([[5, 0], [0, 3]], m)), [normal(2, 3)]),
    ("sort", lambda m, F, x: x.sort(0).values, [distinct(3, 4)]),
    ("sort descending", lambda m, F, x: m.sort(x, descending=True)[0], [distinct(3, 4)]),
    ("topk", lambda m, F, x: x.topk(2).values, [distinct(3, 4)]),
    ("topk smallest", lambda m, F, x: m.topk(x, 2, 0, largest=False)[0], [distinct(3, 4)]),
    ("getitem int next to list", lambda m, F, x: x[0, :, [1, 2]], [normal(2, 3, 4)]),
    ("getitem list int", lambda m, F, x: x[[1, 0, 1], 2], [normal(2, 3, 4)]),
    ("getitem mask", lambda m, F, x: x[x > 0], [normal(2, 3)]),
    ("getitem None ellipsis", lambda m, F, x: x[None, ..., 1:3, 0], [normal(2, 3, 4)]),
    ("getitem tensor", lambda m, F, x: x[index([[1, 1], [0, 1]], m)], [normal(2, 3)]),
    ("pad constant", lambda m, F, x: F.pad(x, (1, 2, 0, 1), value=0.5), [normal(2, 3)]),
    ("pad crop", lambda m, F, x: F.pad(x, (-1, 1)), [normal(2, 3)]),
    ("pad reflect", lambda m, F, x: F.pad(x, (2, 1), mode="reflect"), [normal(2, 4)]),
    ("pad reflect 2d", lambda m, F, x: F.pad(x, (1, 1, 2, 0), mode="reflect"), [normal(1, 3, 4)]),
    ("pad replicate", lambda m, F, x: F.pad(x, (2, 1, 1, 1), mode="replicate"), [normal(1, 2, 3)]),
    ("pad circular", lambda m, F, x: F.pad(x, (1, 2), mode="circular"), [normal(1, 2, 3)]),
    ("einsum matmul", lambda m, F, a, b: m.einsum("ij,jk->ik", a, b), [normal(2, 3), normal(3, 4)]),
    ("einsum batched", lambda m, F, a, b: m.einsum("bij,bkj->bik", a, b), [normal(2, 2, 3), normal(2, 4, 3)]),
    ("einsum implicit", lambda m, F, a, b: m.einsum("ij,kj", a, b), [normal(2, 3), normal(4, 3)]),
    ("einsum trace", lambda m, F, a: m.einsum("ii", a), [normal(3, 3)]),
    ("einsum diagonal", lambda m, F, a: m.einsum("ii->i", a), [normal(3, 3)]),
    ("einsum sum out", lambda m, F, a, b: m.einsum("ij,j->", a, b), [normal(2, 3), normal(3)]),
    ("einsum ellipsis", lambda m, F, a, b: m.einsum("...ij,...jk->...ik", a, b), [normal(2, 2, 3), normal(1, 3, 2)]),
    ("einsum list", lambda m, F, a, b, c: m.einsum("i,j,k->ijk", [a, b, c]), [normal(2), normal(3), normal(2)]),
    ("mm", lambda m, F, a, b: m.mm(a, b), [normal(2, 3), normal(3, 4)]),
    ("bmm", lambda m, F, a, b: a.bmm(b), [normal(2, 2, 3), normal(2, 3, 4)]),
    ("dot", lambda m, F, a, b: m.dot(a, b), [normal(3), normal(3, seed=1)]),
    ("outer", lambda m, F, a, b: a.outer(b), [normal(3), normal(2)]),
]


def _run(m: Any, F: Any, leaf: Callable[[np.ndarray], Any], grad_fn: Callable[..., Any], f: Callable[..., Any], inputs: list[np.ndarray]) -> tuple[Any, ...]:
    rng = _rng(7)
    leaves = [leaf(x) for x in inputs]
    output = f(m, F, *leaves).tanh()
    v1 = leaf(rng.standard_normal(tuple(output.shape)))
    gradients = grad_fn([output], leaves, grad_outputs=[v1], create_graph=True, allow_unused=True)
    gradients = [g if g is not None else leaf(np.zeros(x.shape)) * 0 for g, x in zip(gradients, inputs)]
    inner = sum((g * leaf(rng.standard_normal(x.shape))).sum() for g, x in zip(gradients, inputs))
    second = grad_fn([inner], [*leaves, v1], allow_unused=True)
    as_array = lambda value, shape: np.zeros(shape) if value is None else value.detach().numpy()  # noqa: E731
    shapes = [x.shape for x in inputs] + [tuple(output.shape)]
    return (
        output.detach().numpy(),
        [g.detach().numpy() for g in gradients],
        [as_array(h, shape) for h, shape in zip(second, shapes)],
    )


@pytest.mark.parametrize("name, f, inputs", CASES, ids=[case[0] for case in CASES])
def test_values_gradients_and_second_derivatives_match_torch(name: str, f: Callable[..., Any], inputs: list[np.ndarray]) -> None:
    ours = _run(tg, TGF, lambda x: Tensor(x, requires_grad=True, dtype=np.float64), grad, f, inputs)
    theirs = _run(torch, TF, lambda x: torch.tensor(x, requires_grad=True), torch.autograd.grad, f, inputs)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=ATOL, err_msg="forward")
    for what, mine, reference in [("gradient", ours[1], theirs[1]), ("second derivative", ours[2], theirs[2])]:
        for k, (a, b) in enumerate(zip(mine, reference)):
            assert a.shape == b.shape, f"{what} {k}"
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=f"{what} {k}")


# ---- what is not differentiable: indices, masks, counts ----------------------------------
def _both(f: Callable[..., Any], *arrays: np.ndarray) -> tuple[Any, Any]:
    return f(tg, TGF, *[tg.tensor(a) for a in arrays]), f(torch, TF, *[torch.tensor(a) for a in arrays])


def _same(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


INTEGER_CASES = [
    ("argsort", lambda m, F, x: m.argsort(x, dim=0), [distinct(3, 4)]),
    ("argsort descending stable ties", lambda m, F, x: x.argsort(descending=True, stable=True), [np.array([1, 3, 1, 3, 2])]),
    ("sort indices with ties", lambda m, F, x: m.sort(x, stable=True).indices, [np.array([[2.0, 1.0, 2.0, 1.0]])]),
    ("sort with NaN", lambda m, F, x: x.sort(), [np.array([[1.0, np.nan, -np.inf, np.inf, 0.0, np.nan]])]),
    ("sort descending with NaN", lambda m, F, x: x.sort(descending=True, stable=True), [np.array([[1.0, np.nan, -np.inf, np.inf, 0.0, np.nan]])]),
    ("topk with NaN", lambda m, F, x: m.topk(x, 3, dim=0), [np.array([[1.0, 2.0], [np.nan, 0.0], [np.inf, np.nan]])]),
    ("topk indices", lambda m, F, x: x.topk(3, dim=0).indices, [distinct(4, 2)]),
    ("nonzero", lambda m, F, x: m.nonzero(x), [np.array([[0, 1, 0], [2, 0, 3]])]),
    ("nonzero as_tuple", lambda m, F, x: x.nonzero(as_tuple=True), [np.array([[0, 1, 0], [2, 0, 3]])]),
    ("argwhere", lambda m, F, x: m.argwhere(x), [np.array([0.0, 1.0, 2.0])]),
    ("unique", lambda m, F, x: m.unique(x), [np.array([3, 1, 3, 2, 1])]),
    ("unique inverse counts", lambda m, F, x: x.unique(return_inverse=True, return_counts=True), [np.array([[3, 1], [3, 2]])]),
    ("unique dim", lambda m, F, x: m.unique(x, dim=0), [np.array([[1, 2], [0, 1], [1, 2]])]),
    ("one_hot", lambda m, F, x: F.one_hot(x), [np.array([0, 3, 1])]),
    ("one_hot classes", lambda m, F, x: F.one_hot(x, 5), [np.array([[0], [3]])]),
    ("repeat_interleave counts", lambda m, F, x: m.repeat_interleave(x), [np.array([2, 0, 1])]),
    ("gather ints", lambda m, F, x: x.gather(0, m.tensor([[1, 0]])), [np.array([[1, 2], [3, 4]])]),
    ("cat ints", lambda m, F, x: m.cat([x, x], 0), [np.array([1, 2])]),
    ("cat promotes", lambda m, F, x: m.cat([x, x.float(), x.bool()]), [np.array([1, 2])]),
    ("stack promotes", lambda m, F, x: m.stack([x.to(m.uint8), x.to(m.int8)]), [np.array([1, 2])]),
    ("tril ints", lambda m, F, x: x.tril(), [np.arange(9).reshape(3, 3)]),
    ("triu bools", lambda m, F, x: x.triu(1), [np.ones((2, 3), dtype=bool)]),
    ("flip bools", lambda m, F, x: x.flip(0), [np.array([True, False, False])]),
]


@pytest.mark.parametrize("name, f, inputs", INTEGER_CASES, ids=[case[0] for case in INTEGER_CASES])
def test_integer_results_match_torch(name: str, f: Callable[..., Any], inputs: list[np.ndarray]) -> None:
    _same(*_both(f, *inputs))


SHAPE_CASES = [
    ("getitem int among lists", lambda x: x[0, :, [1, 2]]),
    ("getitem list slice int", lambda x: x[[0, 1], :, 0]),
    ("getitem int list list", lambda x: x[[0, 1], 0, [1, 2]]),
    ("getitem None int slice list", lambda x: x[None, 0, :, [1, 2]]),
    ("getitem ellipsis int list", lambda x: x[..., 1, [0, 1, 0]]),
    ("getitem mask int", lambda x: x[x[:, 0, 0] > -10, 1]),
    ("getitem list int list", lambda x: x[[1, 0], 1, [3, 4]]),
]


@pytest.mark.parametrize("name, f", SHAPE_CASES, ids=[case[0] for case in SHAPE_CASES])
def test_indexing_follows_torch_where_numpy_differs(name: str, f: Callable[..., Any]) -> None:
    x = normal(2, 3, 5)
    np.testing.assert_array_equal(f(Tensor(x, dtype=np.float64)).numpy(), f(torch.tensor(x)).numpy())
