"""nn.init (constant_, eye_, trunc_normal_, orthogonal_) and nn.utils (gradient clipping,
parameters to and from one vector): properties, and PyTorch as the oracle where the result is
deterministic."""
import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def test_constant_and_eye_fill_in_place():
    w = tg.empty(2, 3)
    array = w.array
    assert nn.init.constant_(w, 0.25) is w and w.array is array
    np.testing.assert_array_equal(w.array, np.full((2, 3), 0.25))
    np.testing.assert_array_equal(nn.init.eye_(w).array, np.eye(2, 3))
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.eye_(tg.empty(2, 2, 2))


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    tg.manual_seed(0)
    mean, std, a, b = 0.5, 2.0, -1.0, 3.0
    values = nn.init.trunc_normal_(tg.empty(200_000), mean, std, a, b).array
    assert values.min() >= a and values.max() <= b
    # Moments of N(mean, std²) truncated to [a, b]: mean + std (φ(α) − φ(β)) / Z, ...
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    mass = 0.5 * (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2)))
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / mass
    expected_var = std**2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass - ((pdf(alpha) - pdf(beta)) / mass) ** 2)
    assert abs(values.mean() - expected_mean) < 0.01
    assert abs(values.var() - expected_var) < 0.01


def test_trunc_normal_refuses_an_interval_with_no_mass():
    with pytest.raises(ValueError, match="holds only"):
        nn.init.trunc_normal_(tg.empty(3), 0.0, 1.0, 10.0, 11.0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = nn.init.orthogonal_(tg.empty(*shape), gain=2.0).array.reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(tg.empty(3))


def _parameters_with_grads(rng):
    parameters = [tg.zeros(3, 2, requires_grad=True), tg.zeros(4, requires_grad=True), tg.zeros(2, requires_grad=True)]
    grads = [rng.normal(0, 3, p.shape).astype(np.float32) for p in parameters]
    for p, g in zip(parameters, grads):
        p.grad = tg.tensor(g.copy())
    parameters[2].grad = None  # a parameter without a gradient is skipped
    return parameters, grads


def test_clip_grad_norm_keeps_direction_and_bounds_the_norm():
    parameters, grads = _parameters_with_grads(np.random.default_rng(0))
    total = nn.utils.clip_grad_norm_(parameters, max_norm=1.0)
    expected = math.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads[:2]))
    assert isinstance(total, tg.Tensor) and abs(float(total.array) - expected) < 1e-4
    clipped = np.concatenate([p.grad.array.ravel() for p in parameters[:2]])
    assert abs(np.linalg.norm(clipped) - 1.0) < 1e-5
    np.testing.assert_allclose(clipped, np.concatenate([g.ravel() for g in grads[:2]]) / expected, rtol=1e-5)


def test_clip_grad_norm_leaves_small_gradients_alone():
    parameters, grads = _parameters_with_grads(np.random.default_rng(1))
    nn.utils.clip_grad_norm_(parameters, max_norm=1e6)
    np.testing.assert_array_equal(parameters[0].grad.array, grads[0])


def test_clip_grad_norm_can_refuse_a_nonfinite_norm():
    p = tg.zeros(2, requires_grad=True)
    p.grad = tg.tensor([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    parameters, grads = _parameters_with_grads(np.random.default_rng(2))
    assert nn.utils.clip_grad_value_(parameters, 0.5) is None
    np.testing.assert_array_equal(parameters[1].grad.array, np.clip(grads[1], -0.5, 0.5))


def test_parameters_to_vector_and_back():
    layer = nn.Linear(3, 2)
    vector = nn.utils.parameters_to_vector(layer.parameters())
    assert vector.shape == (8,)
    nn.utils.vector_to_parameters(vector * 2, layer.parameters())
    np.testing.assert_allclose(nn.utils.parameters_to_vector(layer.parameters()).array, 2 * vector.array)
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters(np.zeros(8), layer.parameters())
    with pytest.raises(ValueError, match="8 elements"):
        nn.utils.vector_to_parameters(tg.zeros(7), layer.parameters())


def test_parameters_to_vector_is_differentiable():
    layer = nn.Linear(2, 2)
    (nn.utils.parameters_to_vector(layer.parameters()) ** 2).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.array, 2 * layer.weight.array)


# --- PyTorch as the oracle --------------------------------------------------------------

torch = pytest.importorskip("torch", reason="PyTorch is an optional oracle: pip install torch")


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_matches_torch(norm_type):
    parameters, grads = _parameters_with_grads(np.random.default_rng(3))
    theirs = [torch.zeros(p.shape, requires_grad=True) for p in parameters]
    for t, g in zip(theirs[:2], grads):
        t.grad = torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(parameters, 2.0, norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, 2.0, norm_type)
    np.testing.assert_allclose(total.array, their_total.numpy(), rtol=1e-5)
    for p, t in zip(parameters[:2], theirs[:2]):
        np.testing.assert_allclose(p.grad.array, t.grad.numpy(), rtol=1e-5)


def test_eye_and_constant_match_torch():
    np.testing.assert_array_equal(nn.init.eye_(tg.empty(3, 5)).array, torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    np.testing.assert_array_equal(nn.init.constant_(tg.empty(2, 2), 3.5).array, torch.nn.init.constant_(torch.empty(2, 2), 3.5).numpy())
