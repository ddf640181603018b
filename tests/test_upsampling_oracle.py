"""Proof 3 for F.interpolate: PyTorch as the oracle, float64, over a grid of modes, sizes,
scale factors (integer, fractional, shrinking; recomputed or not) and align_corners: values,
the gradient along a random v₁, and the second backward ∂⟨g, v₂⟩/∂(x, v₁), also after a tanh.
PyTorch is an optional extra: without it this file skips."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from tinygrad_edu.autograd import grad
from tinygrad_edu.nn import functional as F

from oracle_helpers import derivatives, ours

torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it")
TF = torch.nn.functional

RESIZES = [dict(size=s) for s in [1, 3, 6, 9, 14]] + [dict(size=(4, 9))]
RESIZES += [dict(scale_factor=s) for s in [0.5, 0.6, 1.1, 1.7, 2, 2.5, 3]] + [dict(scale_factor=(2, 1.5))]
RESIZES += [dict(scale_factor=s, recompute_scale_factor=True) for s in [1.7, 0.6]]
CASES = [
    (shape, mode, resize, align_corners)
    for shape, mode in [((2, 2, 5, 7), "nearest"), ((2, 2, 5, 7), "nearest-exact"), ((2, 2, 5, 7), "bilinear"), ((2, 2, 5, 7), "area"),
                        ((2, 3, 7), "nearest"), ((2, 3, 7), "linear"), ((2, 3, 7), "area")]
    for resize, align_corners in itertools.product(RESIZES, [None, True] if mode in ("bilinear", "linear") else [None])
    if not (len(shape) == 3 and isinstance(next(iter(resize.values())), tuple))
]


@pytest.mark.parametrize("shape, mode, resize, align_corners", CASES, ids=str)
def test_interpolate(shape, mode, resize, align_corners):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    options = dict(mode=mode, align_corners=align_corners, **resize)
    expected = TF.interpolate(torch.from_numpy(x), **options)
    np.testing.assert_allclose(F.interpolate(ours(x), **options).numpy(), expected.numpy(), rtol=1e-9, atol=1e-11)
    if len(shape) == 3 and mode == "nearest" and expected.shape[-1] in (shape[-1], 2 * shape[-1]):
        return  # torch's 1-D nearest backward disagrees with its forward here: the test below
    for then in [lambda y: y, lambda y: y.tanh()]:
        v1, v2 = rng.standard_normal(tuple(expected.shape)), rng.standard_normal(shape)
        mine = derivatives(ours, grad, lambda t: then(F.interpolate(t, **options)), x, v1, v2)
        theirs = derivatives(torch.tensor, torch.autograd.grad, lambda t: then(TF.interpolate(t, **options)), x, v1, v2)
        for name, a, b in zip(["values", "first derivative", "second derivative (x)", "second derivative (v₁)"], mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=name)


def test_nearest_picks_torchs_pixels_on_awkward_ratios():
    # torch computes ⌊a·r⌋ in float32; a ratio like 1/1.7 must round the same way here.
    for size in range(1, 40):
        x = np.arange(size, dtype=np.float64).reshape(1, 1, size)
        for scale in [1.7, 2.9, 0.3, 1 / 3, 3.3]:
            for mode in ["nearest", "nearest-exact"]:
                if int(size * scale) < 1:
                    continue
                expected = TF.interpolate(torch.from_numpy(x), scale_factor=scale, mode=mode).numpy()
                np.testing.assert_array_equal(F.interpolate(ours(x), scale_factor=scale, mode=mode).numpy(), expected, err_msg=f"{mode} {size} × {scale}")


def test_1d_nearest_gradient_is_the_adjoint_of_the_forward_where_torchs_is_not():
    # 7 → 7 with scale_factor 1.1: torch's forward (and ours) copies positions ⌊a/1.1⌋ =
    # 0 0 1 2 3 4 5, but torch 2.13's backward sends output a's gradient to input a (its
    # same-size shortcut), the gradient of another function. Ours adds each output's gradient
    # back at the position it was copied from.
    x = np.arange(7.0).reshape(1, 1, 7)
    np.testing.assert_array_equal(TF.interpolate(torch.from_numpy(x), scale_factor=1.1).numpy()[0, 0], [0, 0, 1, 2, 3, 4, 5])
    leaf = ours(x, requires_grad=True)
    F.interpolate(leaf, scale_factor=1.1).backward(np.ones((1, 1, 7)))
    np.testing.assert_array_equal(leaf.grad.numpy()[0, 0], [2, 1, 1, 1, 1, 1, 0])


@pytest.mark.parametrize("shape, factor", [((2, 8, 3, 5), 2), ((3, 9, 2, 2), 3), ((2, 3, 4, 2, 2), 2)], ids=str)
def test_pixel_shuffle_and_unshuffle(shape, factor):
    x = np.random.default_rng(0).standard_normal(shape)
    v1 = np.random.default_rng(1).standard_normal(TF.pixel_shuffle(torch.from_numpy(x), factor).shape)
    v2 = np.random.default_rng(2).standard_normal(shape)
    for f_ours, f_torch in [(lambda t: F.pixel_shuffle(t, factor), lambda t: TF.pixel_shuffle(t, factor)),
                            (lambda t: F.pixel_unshuffle(F.pixel_shuffle(t, factor).tanh(), factor), lambda t: TF.pixel_unshuffle(TF.pixel_shuffle(t, factor).tanh(), factor))]:
        v = v1 if f_ours(ours(x)).shape == v1.shape else v2
        mine = derivatives(ours, grad, f_ours, x, v, v2)
        theirs = derivatives(torch.tensor, torch.autograd.grad, f_torch, x, v, v2)
        for name, a, b in zip(["values", "first derivative", "second derivative (x)", "second derivative (v₁)"], mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=name)
