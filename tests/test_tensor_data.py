"""`Tensor.data` is torch's: a detached Tensor over the same memory, whose writes autograd does
not track; `Tensor.array` is the ndarray. Each idiom is checked against torch where it is
installed, and asserted directly otherwise."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def test_array_is_the_ndarray_and_numpy_returns_it():
    x = tg.tensor([1.0, 2.0, 3.0])
    assert isinstance(x.array, np.ndarray)
    assert x.numpy() is x.array
    assert x.data.numpy() is x.array  # no copy anywhere


def test_data_is_a_detached_leaf_tensor_sharing_memory():
    x = tg.randn(3, requires_grad=True)
    d = x.data
    assert isinstance(d, tg.Tensor) and type(d) is tg.Tensor
    assert d.requires_grad is False and d.grad_fn is None and d.is_leaf is True
    assert d.array is x.array
    y = (x * 2).sum()
    assert y.data.is_leaf and y.data.grad_fn is None and not y.data.requires_grad
    p = nn.Parameter(tg.zeros(2))
    assert type(p.data) is tg.Tensor  # a Parameter's .data is a plain Tensor, as torch's
    torch = _torch()
    if torch is not None:
        tx = torch.randn(3, requires_grad=True)
        assert (tx.data.requires_grad, tx.data.grad_fn, tx.data.is_leaf) == (d.requires_grad, d.grad_fn, d.is_leaf)
        assert type(torch.nn.Parameter(torch.zeros(2)).data) is torch.Tensor


def test_write_through_data_is_seen_and_gradients_still_flow():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.data.mul_(2)
    np.testing.assert_array_equal(x.numpy(), [2.0, 4.0, 6.0])
    x.data[0] = 10.0
    assert x.array[0] == 10.0
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 8.0, 12.0])
    assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("idiom", ["normal_", "fill_", "zero_", "uniform_", "copy_", "mul_", "clamp_"])
def test_init_idioms_on_a_parameter_outside_no_grad(idiom):
    tg.manual_seed(0)
    layer = nn.Linear(4, 3)
    w = layer.weight
    calls = {
        "normal_": lambda d: d.normal_(0.0, 0.02),
        "fill_": lambda d: d.fill_(0.5),
        "zero_": lambda d: d.zero_(),
        "uniform_": lambda d: d.uniform_(-0.1, 0.1),
        "copy_": lambda d: d.copy_(tg.ones(3, 4)),
        "mul_": lambda d: d.mul_(0.5),
        "clamp_": lambda d: d.clamp_(-0.01, 0.01),
    }
    before = w.numpy().copy()
    result = calls[idiom](w.data)
    assert isinstance(result, tg.Tensor) and result.array is w.array
    if idiom == "normal_":
        assert abs(float(w.numpy().std()) - 0.02) < 0.015
    elif idiom == "fill_":
        assert (w.numpy() == 0.5).all()
    elif idiom == "zero_":
        assert (w.numpy() == 0).all()
    elif idiom == "uniform_":
        assert (np.abs(w.numpy()) <= 0.1).all()
    elif idiom == "copy_":
        assert (w.numpy() == 1).all()
    elif idiom == "mul_":
        np.testing.assert_allclose(w.numpy(), before * 0.5)
    else:
        np.testing.assert_allclose(w.numpy(), np.clip(before, -0.01, 0.01))
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    torch = _torch()
    if torch is not None:  # the same idiom runs in torch, outside no_grad, on a Parameter
        tw = torch.nn.Linear(4, 3).weight
        calls[idiom](tw.data) if idiom != "copy_" else tw.data.copy_(torch.ones(3, 4))
        assert tw.requires_grad and tw.is_leaf


def test_readers_item_numpy_cpu_norm():
    x = tg.tensor([3.0, 4.0], requires_grad=True)
    loss = (x * x).sum()
    assert loss.data.item() == 25.0
    np.testing.assert_array_equal(x.data.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(x.data.cpu().numpy(), [3.0, 4.0])
    assert float(x.data.norm(2)) == pytest.approx(5.0)
    values, indices = tg.max(tg.tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True).data, 1)
    assert indices.tolist() == [1, 0]
    torch = _torch()
    if torch is not None:
        tx = torch.tensor([3.0, 4.0], requires_grad=True)
        assert (tx * tx).sum().data.item() == loss.data.item()
        np.testing.assert_array_equal(tx.data.numpy(), x.data.numpy())
        assert float(tx.data.norm(2)) == pytest.approx(float(x.data.norm(2)))


def test_write_through_data_does_not_bump_the_version():
    """A backward after `p.data.mul_(2)` on a saved tensor runs (torch does not track it), and
    uses the new values; the same write through the tensor itself is refused."""
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    q = tg.tensor([3.0, 4.0], requires_grad=True)
    y = (p * q).sum()
    p.data.mul_(2)
    y.backward()
    np.testing.assert_allclose(q.grad.numpy(), [2.0, 4.0])
    torch = _torch()
    if torch is not None:
        tp = torch.tensor([1.0, 2.0], requires_grad=True)
        tq = torch.tensor([3.0, 4.0], requires_grad=True)
        ty = (tp * tq).sum()
        tp.data.mul_(2)
        ty.backward()
        np.testing.assert_allclose(tq.grad.numpy(), q.grad.numpy())
    # the tracked write, for contrast
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1.0
    z = (b * b).sum()
    with tg.no_grad():
        b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_setter_takes_a_tensor_of_another_shape():
    p = nn.Parameter(tg.zeros(2, 3))
    new = tg.ones(4)
    p.data = new
    assert p.shape == (4,) and p.array is new.array  # shared, as torch's
    assert p.requires_grad and isinstance(p, nn.Parameter)
    (p * 2).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [2.0] * 4)
    p.data = np.zeros((1, 2), dtype=np.float32)  # an ndarray, taken as it is
    assert p.shape == (1, 2)
    torch = _torch()
    if torch is not None:
        tp = torch.nn.Parameter(torch.zeros(2, 3))
        tp.data = torch.ones(4)
        assert tuple(tp.shape) == (4,) and tp.requires_grad


@pytest.mark.parametrize("bad", [[1.0, 2.0], 3.0, "x", None])
def test_setter_refuses_other_types(bad):
    p = tg.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match=type(bad).__name__):
        p.data = bad
    torch = _torch()
    if torch is not None:
        with pytest.raises(TypeError):
            torch.zeros(2, requires_grad=True).data = bad


def test_setter_refuses_integers_for_a_tensor_that_requires_grad():
    p = tg.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        p.data = tg.tensor([1, 2])
    torch = _torch()
    if torch is not None:
        with pytest.raises(RuntimeError):
            torch.zeros(2, requires_grad=True).data = torch.tensor([1, 2])


def test_manual_sgd_step_through_data():
    lr = 0.1
    p = tg.tensor([1.0, -2.0], requires_grad=True)
    (p * p).sum().backward()
    memory = p.array
    p.data += -lr * p.grad
    np.testing.assert_allclose(p.numpy(), [0.8, -1.6], rtol=1e-6)
    assert p.array is memory and p.requires_grad and p.is_leaf
    torch = _torch()
    if torch is not None:
        tp = torch.tensor([1.0, -2.0], requires_grad=True)
        (tp * tp).sum().backward()
        tp.data += -lr * tp.grad
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-6)


def test_optimizer_step_after_data_init():
    def run(lib, nn_mod, optim_mod):
        model = nn_mod.Linear(3, 2)
        model.weight.data.fill_(0.1)
        model.bias.data.zero_()
        model.weight.data.copy_(lib.tensor([[0.1, 0.2, 0.3], [-0.1, 0.0, 0.4]]))
        opt = optim_mod.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = (model(x) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.data.item())
        return losses, model.weight.data.numpy().copy(), model.bias.data.numpy().copy()

    losses, weight, bias = run(tg, nn, optim)
    assert losses[1] < losses[0]
    torch = _torch()
    if torch is not None:
        t_losses, t_weight, t_bias = run(torch, torch.nn, torch.optim)
        np.testing.assert_allclose(losses, t_losses, rtol=1e-5)
        np.testing.assert_allclose(weight, t_weight, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(bias, t_bias, rtol=1e-5, atol=1e-7)


def test_optimizer_sees_replaced_data():
    p = nn.Parameter(tg.ones(2))
    opt = optim.SGD([p], lr=1.0)
    p.grad = tg.ones(2)
    opt.step()
    p.data = tg.full((2,), 5.0)
    p.grad = tg.ones(2)
    opt.step()
    np.testing.assert_array_equal(p.numpy(), [4.0, 4.0])


def test_a_data_tensor_made_to_require_grad_is_tracked_again():
    """Its own version counter counts again, as torch's (which is the `.data` tensor's own)."""
    def run(lib):
        d = lib.tensor([1.0, 2.0]).data.requires_grad_()
        z = (d * d).sum()
        with lib.no_grad():
            d.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()

    run(tg)
    torch = _torch()
    if torch is not None:
        run(torch)
