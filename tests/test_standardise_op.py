"""Standardise (ops/standardise.py), the op under BatchNorm, LayerNorm and GroupNorm:
finite differences of first and second order under Hypothesis, and PyTorch as the oracle
for values, gradients and second derivatives in float64."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.ops.standardise import Standardise
from tinygrad_edu.testing.strategies import floats, tensors

# (shape, axes): LayerNorm's last dims, BatchNorm's all-but-channels, a single slice.
CASES = [((3, 4), (1,)), ((2, 3, 4), (1, 2)), ((4, 2, 3), (0, 2)), ((5,), (0,))]


@settings(max_examples=8)
@given(data=st.data(), case=st.sampled_from(CASES), eps=st.sampled_from([1e-5, 0.5]))
def test_standardise_matches_finite_differences(check, data, case, eps):
    shape, axes = case
    # distinct values: every slice's variance stays away from 0, where 1/√(σ² + ε) is steep
    x = data.draw(tensors(shape, floats(-2.0, 2.0), unique=True))
    assert check(lambda x: Standardise.apply(x, axes, eps), x)


def test_standardised_slices_have_mean_0_and_variance_near_1():
    x = tg.tensor(np.random.default_rng(0).normal(3.0, 2.0, (4, 5, 6)))
    y = Standardise.apply(x, (0, 2), 1e-5).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2)), 1.0, rtol=1e-4)


@pytest.mark.parametrize("shape, axes", CASES)
def test_standardise_matches_torch_to_second_order(shape, axes):
    torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)")
    rng = np.random.default_rng(1)
    x, weights = rng.standard_normal(shape), rng.standard_normal(shape)
    theirs_x = torch.tensor(x, requires_grad=True)
    centred = theirs_x - theirs_x.mean(axes, keepdim=True)
    theirs = centred / torch.sqrt((centred * centred).mean(axes, keepdim=True) + 1e-5)
    (theirs_grad,) = torch.autograd.grad((theirs * torch.tensor(weights)).sum(), theirs_x, create_graph=True)
    (theirs_second,) = torch.autograd.grad((theirs_grad ** 2).sum(), theirs_x)

    ours_x = tg.tensor(x, requires_grad=True)
    ours = Standardise.apply(ours_x, axes, 1e-5)
    (ours_grad,) = tg.autograd.grad((ours * tg.tensor(weights)).sum(), ours_x, create_graph=True)
    (ours_second,) = tg.autograd.grad((ours_grad ** 2).sum(), ours_x)
    for mine, expected in ((ours, theirs), (ours_grad, theirs_grad), (ours_second, theirs_second)):
        np.testing.assert_allclose(mine.numpy(), expected.detach().numpy(), rtol=1e-9, atol=1e-10)
