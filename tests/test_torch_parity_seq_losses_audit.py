"""Where an audit against PyTorch found losses, init, clipping, attention and recurrent layers
differing from torch: each test failed before its fix. PyTorch is the oracle where installed;
gradients are also checked by finite differences."""
import inspect
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.testing import gradcheck
from tinygrad_edu.nn import functional as F


def _torch():
    return pytest.importorskip("torch")


# ---- losses -----------------------------------------------------------------------------------
def test_cross_entropy_errors_are_torchs_types():
    logits = tg.randn(3, 5)
    with pytest.raises(IndexError, match="out of bounds"):  # the fused path raised ValueError
        F.cross_entropy(logits, tg.tensor([0, 1, 5]))
    with pytest.raises(RuntimeError, match="Long or Byte"):  # int32 labels: torch refuses them
        F.cross_entropy(logits, tg.tensor(np.array([0, 1, 2], dtype=np.int32)))
    with pytest.raises(RuntimeError, match="Long or Byte"):
        F.nll_loss(logits, tg.tensor(np.array([0, 1, 2], dtype=np.int32)))
    with pytest.raises(RuntimeError, match="Long or Byte"):  # float targets not of the input's shape
        F.cross_entropy(logits, tg.tensor([0.0, 1.0, 2.0]))
    uint8 = F.cross_entropy(logits, tg.tensor(np.array([0, 1, 2], dtype=np.uint8)))
    assert np.isclose(uint8.item(), F.cross_entropy(logits, tg.tensor([0, 1, 2])).item())


def test_cross_entropy_all_targets_ignored_is_nan_with_zero_gradient():
    torch = _torch()
    x = np.random.default_rng(0).standard_normal((2, 5)).astype(np.float32)
    ours, theirs = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    loss, expected = F.cross_entropy(ours, tg.tensor([-100, -100])), torch.nn.functional.cross_entropy(theirs, torch.tensor([-100, -100]))
    loss.backward(), expected.backward()
    assert np.isnan(loss.item()) and np.isnan(expected.item())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())  # zeros, not nan


def test_mse_loss_promotes_an_int_target_as_torch():
    torch = _torch()
    x = np.random.default_rng(1).standard_normal(3).astype(np.float32)
    ours = F.mse_loss(tg.tensor(x), tg.tensor([1, 2, 3]))
    theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor([1, 2, 3]))
    assert ours.dtype == tg.float32 and str(theirs.dtype) == "torch.float32"  # was float64
    assert np.isclose(ours.item(), theirs.item())


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_pointwise_losses_broadcast_a_target_of_another_shape_with_a_warning(name):
    torch = _torch()
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((3, 1)), rng.standard_normal(3)
    with pytest.warns(UserWarning, match="different to the input size"):
        ours = getattr(F, name)(tg.tensor(x, requires_grad=True), tg.tensor(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y))
    assert np.isclose(ours.item(), theirs.item())  # mse_loss raised ValueError before
    with pytest.raises(RuntimeError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(F, name)(tg.randn(3, 5), tg.randn(4))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_l1_take_torchs_elementwise_weight(name, reduction):
    torch = _torch()
    rng = np.random.default_rng(3)
    x, y, w = rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.random((2, 3)) + 0.1
    ours = getattr(F, name)(tg.tensor(x), tg.tensor(y), reduction=reduction, weight=tg.tensor(w))
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y), reduction=reduction, weight=torch.tensor(w))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert gradcheck(lambda x: getattr(F, name)(x, tg.tensor(y, dtype=tg.float64), reduction=reduction,
                                                 weight=tg.tensor(w, dtype=tg.float64)),
                     tg.tensor(x, dtype=tg.float64, requires_grad=True))
    with pytest.raises(ValueError, match="same size"):
        getattr(F, name)(tg.tensor(x), tg.tensor(y), weight=tg.ones(3))


def test_mse_loss_takes_the_legacy_flags():
    x, y = tg.randn(2, 3), tg.randn(2, 3)
    assert F.mse_loss(x, y, size_average=False).item() == pytest.approx(F.mse_loss(x, y, reduction="sum").item())
    assert F.mse_loss(x, y, reduce=False).shape == (2, 3)


def test_kl_div_is_torchs_xlogy_and_warns_on_mean():
    torch = _torch()
    x, t = np.log(np.array([0.2, 0.3, 0.5])), np.array([0.0, -0.5, 1.5])
    ours = F.kl_div(tg.tensor(x), tg.tensor(t), reduction="none").numpy()
    theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs)  # nan for the negative target, as torch; was finite
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(tg.tensor(x), tg.tensor(np.abs(t)))


def test_loss_module_signatures_are_torchs():
    torch = _torch()
    for name in ["MSELoss", "L1Loss", "SmoothL1Loss", "KLDivLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss"]:
        ours, theirs = inspect.signature(getattr(nn, name)), inspect.signature(getattr(torch.nn, name))
        assert list(ours.parameters) == list(theirs.parameters), name  # "allowed" leaked in before
    for name in ["mse_loss", "l1_loss"]:
        ours, theirs = inspect.signature(getattr(F, name)), inspect.signature(getattr(torch.nn.functional, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == [(p.name, p.default) for p in theirs.parameters.values()]
