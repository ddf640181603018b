"""Results torch gives in new memory: a write to them must not reach the input, nor fail."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def test_contiguous_of_a_transposed_tensor_is_a_copy():
    x = tg.ones(2, 3)
    y = x.t().contiguous()
    assert y.is_contiguous()
    y.add_(1)
    assert x.tolist() == [[1.0] * 3] * 2 and y.tolist() == [[2.0] * 2] * 3


def test_contiguous_of_a_contiguous_tensor_is_itself():
    x = tg.ones(2, 3)
    assert x.contiguous() is x


def test_contiguous_keeps_the_gradient():
    w = tg.ones(2, 3, requires_grad=True)
    (w.t().contiguous() * tg.arange(6.0).view(3, 2)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 2, 4], [1, 3, 5]])


@pytest.mark.parametrize("make", [lambda a: a.repeat(2, 1), lambda a: a.repeat(1, 1), lambda a: tg.tile(a, (2, 1)),
                                  lambda a: a.expand(2, 3).contiguous()])
def test_repeat_and_expanded_copies_are_writable_and_their_own(make):
    a = tg.ones(1, 3)
    result = make(a)
    result[0, 0] = 5.0
    result.add_(1)
    assert a.tolist() == [[1.0, 1.0, 1.0]]
    assert result[0, 0].item() == 6.0


def test_parameter_shares_the_memory_of_the_tensor_it_wraps():
    t = tg.ones(3)
    p = nn.Parameter(t)
    p.data.add_(1)
    assert t.tolist() == [2.0, 2.0, 2.0] and p.requires_grad


def test_same_results_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = tg.arange(6.0).view(2, 3), torch.arange(6.0).view(2, 3)
    for make in (lambda x: x.t().contiguous(), lambda x: x.repeat(2, 2), lambda x: x[:1].expand(4, 3).contiguous()):
        a, b = make(ours), make(theirs)
        a.mul_(3)
        b.mul_(3)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_cat_skips_the_legacy_empty_accumulator():
    acc = tg.tensor([])
    for _ in range(2):
        acc = tg.cat([acc, tg.ones(2, 3)])
    assert acc.shape == (4, 3)
    assert tg.cat([tg.tensor([]), tg.tensor([])]).shape == (0,)


@pytest.mark.parametrize("reduce", [lambda x: x.max(1).values, lambda x: x.max(1).indices, lambda x: x.argmax(1),
                                    lambda x: x.amin(1), lambda x: x.min(dim=1, keepdim=True).values])
def test_extremes_of_an_empty_batch_along_a_full_dim_are_empty(reduce):
    """`outputs.max(1)` on a batch of no rows: empty results, as torch's (along the empty dim,
    or over all of an empty tensor, still an error)."""
    result = reduce(tg.zeros(0, 3))
    assert result.shape[0] == 0 and result.numel() == 0
    with pytest.raises(ValueError, match="size 0"):
        tg.zeros(0, 3).max()
    with pytest.raises(ValueError, match="size 0"):
        tg.zeros(0, 3).argmax(0)


def test_errors_of_max_and_min_along_a_dim_name_them():
    with pytest.raises(ValueError, match="^max: "):
        tg.zeros(0, 3).max(0)
    with pytest.raises(ValueError, match="^min: "):
        tg.zeros(0, 3).min(0)
    with pytest.raises(Exception, match="max"):
        tg.zeros(2, 3).max(5)
