"""In-place ops with PyTorch's rules, and the version check that keeps a backward from using
numbers overwritten after they were saved (api/inplace.py, versions.py)."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, optim


def test_inplace_ops_write_into_the_tensor_and_return_it():
    x = tg.tensor([1.0, 2.0, 3.0])
    view = x[1:]
    same = x.add_(1).mul_(2).sub_(tg.tensor([1.0, 1.0, 1.0]), alpha=2).div_(2).pow_(2)
    assert same is x
    np.testing.assert_allclose(x.data, ((np.array([1.0, 2.0, 3.0]) + 1) * 2 - 2) ** 2 / 4)
    np.testing.assert_allclose(view.data, x.data[1:])  # a view sees the write: it is the same memory


def test_augmented_assignment_keeps_the_object():
    x = tg.tensor([1.0, 2.0])
    alias = x
    x += 1
    x *= 3
    x -= tg.tensor([1.0, 1.0])
    x /= 2
    assert x is alias
    np.testing.assert_allclose(alias.data, [2.5, 4.0])


def test_fills_copies_and_random_fills():
    x = tg.zeros(2, 3)
    assert x.fill_(7).data.tolist() == [[7.0] * 3] * 2
    x.zero_()
    assert not x.data.any()
    x.copy_(tg.tensor([1.0, 2.0, 3.0]))  # broadcast into the tensor's shape
    assert x.data.tolist() == [[1.0, 2.0, 3.0]] * 2
    first = tg.empty(1000).normal_(2.0, 0.5, generator=tg.Generator().manual_seed(3))
    again = tg.empty(1000).normal_(2.0, 0.5, generator=tg.Generator().manual_seed(3))
    np.testing.assert_array_equal(first.data, again.data)
    assert abs(first.data.mean() - 2.0) < 0.1 and abs(first.data.std() - 0.5) < 0.05
    uniform = tg.empty(1000).uniform_(-1.0, 3.0)
    assert uniform.data.min() >= -1.0 and uniform.data.max() < 3.0


def test_setitem_masked_fill_and_index_put():
    x = tg.zeros(2, 3, 4)
    x[0, :, [1, 2]] = 9.0  # torch's indexing: the int applies first
    expected = np.zeros((2, 3, 4), np.float32)
    expected[0, :, [1, 2]] = 9.0
    np.testing.assert_array_equal(x.data, expected)
    y = tg.tensor([1.0, 2.0, 3.0])
    y[y > 1.5] = 0.0
    assert y.data.tolist() == [1.0, 0.0, 0.0]
    z = tg.tensor([1.0, 2.0, 3.0]).masked_fill_(tg.tensor([True, False, True]), -1.0)
    assert z.data.tolist() == [-1.0, 2.0, -1.0]
    w = tg.zeros(3).index_put_((tg.tensor([0, 0, 2]),), tg.tensor([1.0, 2.0, 5.0]), accumulate=True)
    assert w.data.tolist() == [3.0, 0.0, 5.0]  # repeated indices add up


def test_a_result_of_another_kind_is_refused():
    labels = tg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        labels += 0.5
    with pytest.raises(RuntimeError, match="does not fit"):
        tg.zeros(3).add_(tg.zeros(2, 3))


def test_a_leaf_that_requires_grad_is_written_only_under_no_grad():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w -= 0.1
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 3.0
    with tg.no_grad():
        w -= 0.5
    np.testing.assert_allclose(w.data, [0.5, 1.5])
    assert w.requires_grad and w.is_leaf


def test_an_inplace_op_inside_a_graph_is_recorded_as_torch_rewrites_history():
    """x = 2w; y = x + 1 (uses x before the writes); x *= 3; x += w; E = Σ 2y + x²:
    dE/dw = 4 + 2·7w·7 = 4 + 98w, the earlier use of x still reaching w through x's old value."""
    w = tg.tensor([1.0, -2.0, 3.0], requires_grad=True, dtype=tg.float64)
    x = w * 2
    y = x + 1
    x.mul_(3)
    x += w
    assert x.grad_fn is not None and not x.is_leaf
    (y * 2 + x * x).sum().backward()
    np.testing.assert_allclose(w.grad.data, 4 + 98 * w.data)


def test_a_residual_block_writes_its_sum_in_place():
    rng = np.random.default_rng(0)
    weight = tg.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    inputs = tg.tensor(rng.standard_normal((4, 3)))
    out = inputs @ weight
    out += inputs  # `out += identity`, as in a ResNet block
    out.relu_().sum().backward()
    expected = tg.tensor(weight.data, requires_grad=True)
    ((inputs @ expected) + inputs).relu().sum().backward()
    np.testing.assert_allclose(weight.grad.data, expected.grad.data)


def test_a_write_by_index_into_a_recorded_graph_is_recorded():
    """As torch: the overwritten place gets no gradient (proofs in test_inplace_index_graph.py)."""
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = w * 2
    hidden[0] = 5.0
    hidden.sum().backward()
    np.testing.assert_allclose(w.grad.data, [0.0, 2.0])


def test_backward_refuses_a_saved_tensor_written_in_place_afterwards():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0])
    loss = (w * x).sum()  # Mul saves x
    x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation: Mul saved a tensor of shape"):
        loss.backward()


def test_writing_a_view_of_a_saved_tensor_is_caught_too():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0, 5.0])
    loss = (w * x[:2]).sum()
    x[2:].fill_(0)  # another view of the same memory
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_a_write_before_the_op_ran_is_fine():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    x = tg.tensor([3.0, 4.0])
    x.add_(1)
    (w * x).sum().backward()
    np.testing.assert_allclose(w.grad.data, [4.0, 5.0])


def test_an_optimizer_step_counts_as_an_inplace_write():
    """A retained graph that saved a parameter cannot be run again after step()."""
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    loss = model(tg.ones(4, 3)).tanh().sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation: Linear saved"):
        loss.backward()


def test_a_training_loop_is_unaffected():
    model = nn.Linear(3, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    x, y = tg.randn(8, 3), tg.randn(8, 1)
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    values = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
    ours, theirs = tg.tensor(values), torch.tensor(values)
    for tensor in (ours, theirs):
        tensor.add_(1.5).mul_(2).sub_(1, alpha=3)
        tensor[0, 1] = 10.0
        tensor[tensor > 5] = 5.0
        tensor.div_(4)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)
    leaf = torch.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(1)
