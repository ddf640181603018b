"""Normalization layers and Embedding: finite differences (first and second order) under
Hypothesis, and PyTorch as an oracle for values, gradients, running buffers, state_dict
layouts and reprs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import arrays, floats, tensors


def _spread(shape):
    """Inputs whose every normalized slice has distinct values: the variance stays well away
    from 0, where 1/√(σ² + ε) is too steep for finite differences."""
    return tensors(shape, floats(-2.0, 2.0), unique=True)


@settings(max_examples=8)
@given(data=st.data())
def test_batch_norm_training_matches_finite_differences(check, data):
    x = data.draw(_spread((4, 2, 3)))
    weight = data.draw(tensors((2,)))
    bias = data.draw(tensors((2,)))
    assert check(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), x, weight, bias)


@settings(max_examples=8)
@given(data=st.data())
def test_batch_norm_eval_matches_finite_differences(check, data):
    x = data.draw(tensors((3, 2)))
    mean = data.draw(tensors((2,), requires_grad=False))
    var = tg.tensor(data.draw(arrays((2,), floats(0.5, 2.0))))
    assert check(lambda x: F.batch_norm(x, mean, var, training=False), x)


@settings(max_examples=8)
@given(data=st.data())
def test_layer_norm_matches_finite_differences(check, data):
    x = data.draw(_spread((2, 2, 3)))
    weight, bias = data.draw(tensors((2, 3))), data.draw(tensors((2, 3)))
    assert check(lambda x, w, b: F.layer_norm(x, (2, 3), w, b), x, weight, bias)


@settings(max_examples=8)
@given(data=st.data())
def test_group_norm_matches_finite_differences(check, data):
    x = data.draw(_spread((2, 4, 3)))
    weight, bias = data.draw(tensors((4,))), data.draw(tensors((4,)))
    assert check(lambda x, w, b: F.group_norm(x, 2, w, b), x, weight, bias)


@settings(max_examples=8)
@given(data=st.data(), p=st.sampled_from([1.5, 2.0, 3.0]))
def test_normalize_matches_finite_differences(check, data, p):
    x = data.draw(tensors((3, 4), floats(0.3, 2.0)))
    assert check(lambda x: F.normalize(x, p=p, dim=1), x)


@settings(max_examples=8)
@given(data=st.data(), padding_idx=st.sampled_from([None, 0]))
def test_embedding_matches_finite_differences(check, data, padding_idx):
    # Row 0 is never looked up: a padding row's gradient is 0 by decree, not a derivative
    # (the torch oracle below checks it); the other rows' gradients must survive the masking.
    weight = data.draw(tensors((5, 3)))
    index = tg.tensor(data.draw(arrays((2, 3), st.integers(1, 4).map(float))).astype(np.int64))
    assert check(lambda w: F.embedding(index, w, padding_idx) * 1.5, weight)


def test_errors_name_the_problem():
    with pytest.raises(ShapeError, match="expected 4D input"):
        nn.BatchNorm2d(3)(tg.randn(2, 3))
    with pytest.raises(ShapeError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(tg.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(tg.randn(1, 3))
    with pytest.raises(ShapeError, match="normalized_shape"):
        nn.LayerNorm(4)(tg.randn(2, 3))
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(TypeError, match="integer"):
        F.embedding(tg.tensor([0.0]), tg.randn(4, 2))
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(tg.tensor([4]), tg.randn(4, 2))


def test_embedding_defaults_and_from_pretrained():
    layer = nn.Embedding(6, 3, padding_idx=2)
    np.testing.assert_array_equal(layer.weight.data[2], 0)
    assert layer.weight.dtype == tg.float32 and layer.weight.requires_grad
    table = tg.tensor(np.arange(12.0).reshape(4, 3))
    frozen = nn.Embedding.from_pretrained(table, padding_idx=1)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(tg.tensor([1, 3])).data, [[3, 4, 5], [9, 10, 11]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


# ---- PyTorch as an oracle ----------------------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for values, buffers and reprs")


@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
@pytest.mark.parametrize("module, shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 6)), ("BatchNorm2d", (4, 3, 2, 5))])
def test_batch_norm_train_steps_and_eval_match_torch(module, shape, momentum):
    ours = getattr(nn, module)(3, momentum=momentum).double()
    theirs = getattr(torch.nn, module)(3, momentum=momentum).double()
    rng = np.random.default_rng(0)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(rng.normal(size=3)))
        theirs.bias.copy_(torch.from_numpy(rng.normal(size=3)))
    ours.weight.data[...] = theirs.weight.detach().numpy()
    ours.bias.data[...] = theirs.bias.detach().numpy()
    for _ in range(3):
        x = rng.normal(2.0, 3.0, size=shape)
        upstream = rng.normal(size=shape)
        x_ours, x_theirs = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y_ours, y_theirs = ours(x_ours), theirs(x_theirs)
        (y_ours * tg.tensor(upstream)).sum().backward()
        (y_theirs * torch.from_numpy(upstream)).sum().backward()
        np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12, err_msg=name)
    ours.eval(), theirs.eval()
    x = rng.normal(size=shape)
    np.testing.assert_allclose(ours(tg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-10)


def test_batch_norm_without_running_stats_matches_torch():
    ours, theirs = nn.BatchNorm1d(3, affine=False, track_running_stats=False), torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    x = np.random.default_rng(1).normal(size=(6, 3))
    for mode in (True, False):
        ours.train(mode), theirs.train(mode)
        np.testing.assert_allclose(ours(tg.tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-10)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


@pytest.mark.parametrize("ours, theirs, shape", [
    (lambda: nn.LayerNorm((3, 4)), lambda: torch.nn.LayerNorm((3, 4)), (2, 3, 4)),
    (lambda: nn.LayerNorm(4, bias=False), lambda: torch.nn.LayerNorm(4, bias=False), (5, 4)),
    (lambda: nn.GroupNorm(2, 6), lambda: torch.nn.GroupNorm(2, 6), (3, 6, 2, 2)),
    (lambda: nn.GroupNorm(3, 6, affine=False), lambda: torch.nn.GroupNorm(3, 6, affine=False), (2, 6, 5)),
])
def test_layer_and_group_norm_match_torch(ours, theirs, shape):
    ours, theirs = ours().double(), theirs().double()
    rng = np.random.default_rng(2)
    with torch.no_grad():
        for parameter in theirs.parameters():
            parameter.copy_(torch.from_numpy(rng.normal(size=tuple(parameter.shape))))
    for name, value in theirs.named_parameters():
        ours.get_parameter(name).data[...] = value.detach().numpy()
    x, upstream = rng.normal(size=shape), rng.normal(size=shape)
    x_ours, x_theirs = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ours(x_ours) * tg.tensor(upstream)).sum().backward()
    (theirs(x_theirs) * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(ours(tg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), rtol=1e-8, atol=1e-10)
    for (name, parameter), theirs_parameter in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(parameter.grad.data, theirs_parameter.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=name)


def test_normalize_and_embedding_match_torch():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 4, 2))
    for p, dim in [(2.0, 1), (1.0, -1), (3.0, 0)]:
        np.testing.assert_allclose(F.normalize(tg.tensor(x), p, dim).data,
                                   torch.nn.functional.normalize(torch.tensor(x), p, dim).numpy(), rtol=1e-12)
    weight, index = rng.normal(size=(6, 3)), np.array([[0, 5, 2], [2, 2, 0]])
    upstream = rng.normal(size=(2, 3, 3))
    for padding_idx in (None, 2, -1):
        w_ours, w_theirs = tg.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
        y_ours = F.embedding(tg.tensor(index), w_ours, padding_idx)
        y_theirs = torch.nn.functional.embedding(torch.tensor(index), w_theirs, padding_idx)
        (y_ours * tg.tensor(upstream)).sum().backward()
        (y_theirs * torch.from_numpy(upstream)).sum().backward()
        np.testing.assert_array_equal(y_ours.data, y_theirs.detach().numpy())
        np.testing.assert_allclose(w_ours.grad.data, w_theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("build", [
    lambda m: m.BatchNorm2d(8), lambda m: m.BatchNorm2d(2, bias=False), lambda m: m.BatchNorm1d(4, eps=1e-3, momentum=None, affine=False),
    lambda m: m.BatchNorm1d(5, track_running_stats=False), lambda m: m.LayerNorm(4), lambda m: m.LayerNorm([2, 3], elementwise_affine=False),
    lambda m: m.LayerNorm(4, bias=False), lambda m: m.GroupNorm(2, 4), lambda m: m.GroupNorm(1, 3, affine=False),
    lambda m: m.Embedding(10, 3, padding_idx=0), lambda m: m.Embedding(10, 3, padding_idx=-2), lambda m: m.Embedding(7, 2),
])
def test_repr_and_state_dict_layout_match_torch(build):
    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs)
    assert [(name, tuple(value.shape), str(value.dtype).replace("torch.", "")) for name, value in ours.state_dict().items()] == \
        [(name, tuple(value.shape), str(value.dtype).replace("torch.", "")) for name, value in theirs.state_dict().items()]
