"""Losses: finite differences (first and second order) under Hypothesis, and PyTorch as the
oracle for values and gradients under every reduction and option."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import away_from_kinks, floats, tensors

REDUCTIONS = ["mean", "sum", "none"]


@settings(max_examples=8)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS))
def test_pointwise_losses_gradients(check, data, reduction):
    shape = data.draw(st.sampled_from([(3,), (2, 3)]))
    x = data.draw(tensors(shape, away_from_kinks(3.0), unique=True))
    y = data.draw(tensors(shape, st.integers(-3, 3).map(float), requires_grad=False))  # |x − y| ≠ 0, ≠ β
    assert check(lambda x: F.l1_loss(x, y, reduction=reduction), x)
    assert check(lambda x: F.smooth_l1_loss(x, y, reduction=reduction, beta=0.5), x)
    assert check(lambda x: F.huber_loss(x, y, reduction=reduction, delta=1.5), x)


@settings(max_examples=8)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS + ["batchmean"]), log_target=st.booleans())
def test_kl_div_gradients(check, data, reduction, log_target):
    x = data.draw(tensors((2, 3)))
    t = data.draw(tensors((2, 3), floats(-2, 0) if log_target else floats(0.1, 1.0)))
    assert check(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target), x, t)


@settings(max_examples=8)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS))
def test_binary_cross_entropy_gradients(check, data, reduction):
    p = data.draw(tensors((2, 3), floats(0.05, 0.95)))
    logits = data.draw(tensors((2, 3), floats(-4, 4)))
    y = data.draw(tensors((2, 3), floats(0, 1)))
    weight = tg.tensor(np.linspace(0.5, 2, 3))
    assert check(lambda p, y: F.binary_cross_entropy(p, y, weight, reduction=reduction), p, y)
    assert check(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction, pos_weight=weight), logits, y)


@settings(max_examples=8)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS), smoothing=st.sampled_from([0.0, 0.2]))
def test_cross_entropy_gradients(check, data, reduction, smoothing):
    shape = data.draw(st.sampled_from([(4, 3), (2, 3, 2), (3,)]))
    logits = data.draw(tensors(shape))
    rng = np.random.default_rng(data.draw(st.integers(0, 100)))
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    labels = tg.tensor(rng.integers(0, 3, target_shape))
    if labels.ndim:
        labels.array.flat[0] = -100  # one ignored target
    probabilities = tg.tensor(rng.dirichlet(np.ones(3), target_shape).reshape(target_shape + (3,)).swapaxes(-1, 1 if len(shape) > 1 else -1))
    weight = tg.tensor([0.5, 1.0, 2.0], dtype=tg.float64)
    assert check(lambda x: F.cross_entropy(x, labels, weight, reduction=reduction, label_smoothing=smoothing), logits)
    assert check(lambda x: F.cross_entropy(x, probabilities, weight, reduction=reduction, label_smoothing=smoothing), logits)
    assert check(lambda x: F.nll_loss(x, labels, weight, reduction=reduction), logits)


def test_plain_cross_entropy_takes_the_fused_op():
    logits = tg.randn(4, 3, requires_grad=True)
    assert "grad_fn=<CrossEntropy>" in repr(F.cross_entropy(logits, tg.tensor([0, 1, 2, 0])))


def test_errors_name_the_problem():
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(tg.randn(2, 3), tg.tensor([0, 3]))
    with pytest.raises(ValueError, match="target of shape"):
        F.cross_entropy(tg.randn(2, 3, 4), tg.tensor([0, 1]))
    with pytest.raises(ValueError, match="Target size"):
        F.binary_cross_entropy_with_logits(tg.randn(2, 3), tg.rand(3, 2))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))
    with pytest.raises(ValueError, match="reduction"):
        nn.L1Loss(reduction="avg")
    with pytest.raises(ValueError, match="one value per class"):
        F.cross_entropy(tg.randn(2, 3), tg.tensor([0, 1]), weight=tg.ones(4))


def test_weights_are_buffers():
    criterion = nn.CrossEntropyLoss(weight=tg.ones(3))
    assert list(criterion.state_dict()) == ["weight"] and not list(criterion.parameters())
    assert list(nn.BCEWithLogitsLoss(pos_weight=tg.ones(2)).state_dict()) == ["pos_weight"]


def test_binary_cross_entropy_clamps_logs_at_minus_100():
    loss = F.binary_cross_entropy(tg.tensor([0.0, 1.0]), tg.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.array, [100.0, 100.0])


def test_legacy_size_average_and_reduce():
    assert nn.L1Loss(size_average=False).reduction == "sum"
    assert nn.NLLLoss(reduce=False).reduction == "none"


# --- PyTorch as the oracle --------------------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle: pip install torch")


def _compare(ours_fn, theirs_fn, inputs, rtol=1e-10, constants=()):
    """Same float64 inputs (numpy arrays; integer ones as labels), same loss, same gradients
    for every float input but the `constants` (their indices), under a random grad_output of
    the loss's shape."""
    differentiable = [v.dtype.kind == "f" and k not in constants for k, v in enumerate(inputs)]
    ours = [tg.tensor(v, requires_grad=d) for v, d in zip(inputs, differentiable)]
    theirs = [torch.tensor(v, requires_grad=d) for v, d in zip(inputs, differentiable)]
    y, ty = ours_fn(*ours), theirs_fn(*theirs)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=rtol, atol=1e-12)
    grad = np.random.default_rng(0).normal(size=ty.shape)
    y.backward(tg.tensor(grad))
    ty.backward(torch.tensor(grad))
    for a, b in zip(ours, theirs):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=rtol, atol=1e-12)


rng = np.random.default_rng(42)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["l1_loss", "smooth_l1_loss", "huber_loss"])
def test_pointwise_losses_match_torch(name, reduction):
    x, y = rng.normal(0, 2, (4, 5)), rng.normal(0, 2, (4, 5))
    options = {"beta": 0.7} if name == "smooth_l1_loss" else {"delta": 1.3} if name == "huber_loss" else {}
    _compare(lambda x, y: getattr(F, name)(x, y, reduction=reduction, **options),
             lambda x, y: getattr(torch.nn.functional, name)(x, y, reduction=reduction, **options), [x, y])


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    x = np.log(rng.dirichlet(np.ones(4), 3))
    t = rng.dirichlet(np.ones(4), 3)
    t[0, 0] = 0.0  # 0 log 0 = 0 (torch's gradient for the target is NaN there: not compared)
    t = np.log(t + 1e-3) if log_target else t
    _compare(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
             lambda x, t: torch.nn.functional.kl_div(x, t, reduction=reduction, log_target=log_target), [x, t],
             constants=() if log_target else (1,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropies_match_torch(reduction):
    p, y = rng.uniform(0.01, 0.99, (3, 4)), rng.uniform(0, 1, (3, 4))
    logits = np.concatenate([rng.normal(0, 3, 8), [-200.0, -30.0, 30.0, 200.0]]).reshape(3, 4)
    weight, pos_weight = rng.uniform(0.5, 2, 4), rng.uniform(0.5, 3, 4)
    _compare(lambda p, y, w: F.binary_cross_entropy(p, y, w, reduction=reduction),
             lambda p, y, w: torch.nn.functional.binary_cross_entropy(p, y, w, reduction=reduction), [p, y, weight],
             constants=(2,))
    _compare(lambda x, y: nn.BCEWithLogitsLoss(tg.tensor(weight), reduction=reduction, pos_weight=tg.tensor(pos_weight))(x, y),
             lambda x, y: torch.nn.BCEWithLogitsLoss(torch.tensor(weight), reduction=reduction, pos_weight=torch.tensor(pos_weight))(x, y),
             [logits, y])


CROSS_ENTROPY_CASES = [
    dict(shape=(5, 4)),
    dict(shape=(5, 4), weight=True),
    dict(shape=(5, 4), ignore=True),
    dict(shape=(5, 4), smoothing=0.1),
    dict(shape=(5, 4), weight=True, ignore=True, smoothing=0.25),
    dict(shape=(2, 4, 3, 2), weight=True, ignore=True, smoothing=0.1),
    dict(shape=(4,), weight=True),
    dict(shape=(5, 4), probabilities=True),
    dict(shape=(2, 4, 3), probabilities=True, weight=True, smoothing=0.3),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CROSS_ENTROPY_CASES, ids=lambda case: "-".join(f"{k}={v}" for k, v in case.items()))
def test_cross_entropy_matches_torch(case, reduction):
    shape = case["shape"]
    class_dim = 0 if len(shape) == 1 else 1
    logits = rng.normal(0, 3, shape)
    if case.get("probabilities"):
        target = np.moveaxis(rng.dirichlet(np.ones(shape[class_dim]), shape[:class_dim] + shape[class_dim + 1:]), -1, class_dim)
    else:
        target = rng.integers(0, shape[class_dim], shape[:class_dim] + shape[class_dim + 1:])
        if case.get("ignore"):
            target.flat[::3] = 1  # ignore_index=1, a class that is also a label elsewhere
    weight = rng.uniform(0.5, 2, shape[class_dim]) if case.get("weight") else None
    options = dict(ignore_index=1 if case.get("ignore") else -100, reduction=reduction, label_smoothing=case.get("smoothing", 0.0))
    _compare(lambda x, t: nn.CrossEntropyLoss(None if weight is None else tg.tensor(weight), **options)(x, t),
             lambda x, t: torch.nn.CrossEntropyLoss(None if weight is None else torch.tensor(weight), **options)(x, t),
             [logits, target])
    if not case.get("probabilities") and not case.get("smoothing"):
        nll = dict(ignore_index=options["ignore_index"], reduction=reduction)
        _compare(lambda x, t: nn.NLLLoss(None if weight is None else tg.tensor(weight), **nll)(x.log_softmax(class_dim), t),
                 lambda x, t: torch.nn.NLLLoss(None if weight is None else torch.tensor(weight), **nll)(x.log_softmax(class_dim), t),
                 [logits, target])


@pytest.mark.parametrize("name, args", [
    ("NLLLoss", ()), ("CrossEntropyLoss", ()), ("BCELoss", ()), ("BCEWithLogitsLoss", ()), ("L1Loss", ()),
    ("SmoothL1Loss", ()), ("HuberLoss", ("sum",)), ("KLDivLoss", (None, None, "batchmean")), ("MSELoss", ()),
])
def test_loss_modules_repr_as_torch(name, args):
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_module_applies_its_reduction(reduction):
    """nn.MSELoss(reduction=...) reduces as asked (a positional argument once sent it to
    mse_loss's size_average, and every reduction gave the mean)."""
    x = tg.tensor([[0.1, 0.5], [1.0, -1.0]])
    squares = np.array([[0.01, 0.25], [1.0, 1.0]], dtype=np.float32)
    expected = {"mean": squares.mean(), "sum": squares.sum(), "none": squares}[reduction]
    np.testing.assert_allclose(nn.MSELoss(reduction=reduction)(x, tg.zeros(2, 2)).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(nn.MSELoss(size_average=False)(x, tg.zeros(2, 2)).numpy(), squares.sum(), rtol=1e-6)
