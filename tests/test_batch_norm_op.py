"""BatchNormTraining (ops/batch_norm.py), batch normalization in training mode as one op with
its scale and shift: finite differences of first and second order under Hypothesis (with and
without γ and β, 2-d to 4-d inputs), and PyTorch's F.batch_norm as the oracle for values,
gradients of X, γ, β and second derivatives in float64."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.ops.batch_norm import BatchNormTraining, channel_moments
from tinygrad_edu.testing.strategies import floats, tensors

SHAPES = [(4, 2), (3, 2, 3), (2, 3, 2, 2)]


def batch_norm(x, weight=None, bias=None, eps=1e-5):
    return BatchNormTraining.apply(x, weight, bias, None, None, 0.1, eps)


@settings(max_examples=8)
@given(data=st.data(), shape=st.sampled_from(SHAPES), affine=st.sampled_from(["both", "weight", "none"]),
       eps=st.sampled_from([1e-5, 0.5]))
def test_batch_norm_matches_finite_differences(check, data, shape, affine, eps):
    # distinct values: every channel's variance stays away from 0, where 1/√(σ² + ε) is steep
    x = data.draw(tensors(shape, floats(-2.0, 2.0), unique=True))
    if affine == "none":
        assert check(lambda x: batch_norm(x, eps=eps), x)
    elif affine == "weight":
        weight = data.draw(tensors((shape[1],)))
        assert check(lambda x, w: batch_norm(x, w, eps=eps), x, weight)
    else:
        weight, bias = data.draw(tensors((shape[1],))), data.draw(tensors((shape[1],)))
        assert check(lambda x, w, b: batch_norm(x, w, b, eps), x, weight, bias)


def test_channel_moments_are_the_mean_centred_values_biased_variance_and_inverse_std_of_each_channel():
    x = np.random.default_rng(0).normal(3.0, 2.0, (4, 3, 5, 2))
    mean, centred, variance, inverse_std = channel_moments(x, eps=0.5)
    assert mean.shape == variance.shape == inverse_std.shape == (1, 3, 1, 1)
    np.testing.assert_allclose(mean.ravel(), x.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(centred, x - x.mean(axis=(0, 2, 3), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(variance.ravel(), x.var(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(inverse_std.ravel(), 1 / np.sqrt(x.var(axis=(0, 2, 3)) + 0.5), rtol=1e-12)


def test_the_output_is_not_the_array_backward_reuses():
    rng = np.random.default_rng(2)
    x, upstream = rng.normal(size=(4, 2)), tg.tensor(rng.normal(size=(4, 2)))
    untouched = tg.tensor(x, requires_grad=True)
    batch_norm(untouched).backward(upstream)
    overwritten = tg.tensor(x, requires_grad=True)
    y = batch_norm(overwritten)
    y.data[...] = 0  # what an in-place op on Y does to its array
    y.backward(upstream)
    np.testing.assert_array_equal(overwritten.grad.numpy(), untouched.grad.numpy())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch_to_second_order(shape, affine):
    torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)")
    rng = np.random.default_rng(1)
    x, upstream = rng.normal(1.0, 2.0, shape), rng.standard_normal(shape)
    weight, bias = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])

    theirs_inputs = [torch.tensor(x, requires_grad=True)] + ([torch.tensor(weight, requires_grad=True), torch.tensor(bias, requires_grad=True)] if affine else [])
    theirs = torch.nn.functional.batch_norm(theirs_inputs[0], None, None, *(theirs_inputs[1:] or [None, None]), training=True)
    theirs_grads = torch.autograd.grad((theirs * torch.tensor(upstream)).sum(), theirs_inputs, create_graph=True)
    theirs_second = torch.autograd.grad(sum((grad ** 2).sum() for grad in theirs_grads), theirs_inputs[:2])

    ours_inputs = [tg.tensor(x, requires_grad=True)] + ([tg.tensor(weight, requires_grad=True), tg.tensor(bias, requires_grad=True)] if affine else [])
    ours = batch_norm(*ours_inputs)
    ours_grads = tg.autograd.grad((ours * tg.tensor(upstream)).sum(), ours_inputs, create_graph=True)
    ours_second = tg.autograd.grad(sum((grad ** 2).sum() for grad in ours_grads), ours_inputs[:2])
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-9, atol=1e-10)
    for mine, expected in zip((*ours_grads, *ours_second), (*theirs_grads, *theirs_second)):
        np.testing.assert_allclose(mine.numpy(), expected.detach().numpy(), rtol=1e-8, atol=1e-10)
