"""gradcheck, checked: it passes correct ops, and it catches wrong backwards, saying which
input, which element, and the analytic and numeric values there.

The wrong ops below are the bugs people write by hand: a factor forgotten, a sign flipped, a
gradient not summed back over the batch, a gradient sent to the wrong element.
"""
from __future__ import annotations

import ast
import re

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import GradcheckError, gradcheck, numerical_gradient

MESSAGE = re.compile(
    r"gradient of input (?P<input>\d+) \(shape (?P<shape>\([\d, ]*\))\) is wrong at element "
    r"(?P<element>\([\d, ]*\)): analytic (?P<analytic>\S+), numeric (?P<numeric>\S+) "
)


def failure(fn, *inputs) -> dict:
    """The parts of the GradcheckError that gradcheck(fn, *inputs) raises."""
    with pytest.raises(GradcheckError) as error:
        gradcheck(fn, *inputs)
    match = MESSAGE.search(str(error.value))
    assert match, f"unexpected message: {error.value}"
    return {
        "input": int(match["input"]),
        "shape": ast.literal_eval(match["shape"]),
        "element": ast.literal_eval(match["element"]),
        "analytic": float(match["analytic"]),
        "numeric": float(match["numeric"]),
    }


def leaf(values) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True, dtype=np.float64)


# ---- deliberately wrong ops ---------------------------------------------------------------
class SquareForgetsTheTwo(tg.Function):
    """Y = X²; backward returns dE/dY ⊙ X instead of dE/dY ⊙ 2X."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x


class SinWithWrongSign(tg.Function):
    """Y = sin X; backward returns −dE/dY cos X."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * np.cos(x)


class AddBiasForgetsTheBatchSum(tg.Function):
    """Y = X + B (X: (N, K), B: (K,)); backward hands B the first row of dE/dY instead of
    its sum over the batch. The shape is right, so only the values can give it away."""

    @staticmethod
    def forward(ctx, x, bias):
        return x + bias

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, grad_output[0]


class AddBiasForgetsToUnbroadcast(tg.Function):
    """Y = X + B; backward hands B the whole (N, K) gradient."""

    @staticmethod
    def forward(ctx, x, bias):
        return x + bias

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output, grad_output


class MaxToTheFirstElement(tg.Function):
    """Y = max X; backward routes dE/dY to X[0] instead of to the maximum."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return x.max()

    @staticmethod
    def backward(ctx, grad_output):
        grad = np.zeros(ctx.shape)
        grad[0] = grad_output
        return grad


class NaNBackward(tg.Function):
    """Y = 2X; backward returns NaN, which compares as 'not too far' from anything."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, grad_output):
        return np.full_like(grad_output, np.nan)


# ---- it passes correct ops ----------------------------------------------------------------
def test_passes_correct_ops():
    a, b = leaf([[0.5, -1.0, 2.0]]), leaf([[1.5], [0.3]])
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / (y * y + 1), a, b) is True
    assert gradcheck(lambda x: F.log_softmax(x, dim=1), leaf([[0.1, 0.2, -0.3], [2.0, 1.0, 0.0]])) is True


def test_passes_a_correct_custom_function():
    class Square(tg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 2 * x

    assert gradcheck(Square.apply, leaf([[0.5, -3.0], [1.0, 2.0]])) is True


# ---- it catches wrong ones, and says where --------------------------------------------------
def test_catches_a_forgotten_factor_and_names_input_element_and_values():
    weight, x = leaf([1.0, 1.0, 1.0, 1.0]), leaf([[0.5, -3.0], [1.0, 2.0]])
    # E = Σ w ⊙ x² (a scalar, so the random direction is one number): only x's gradient is
    # wrong, by a factor of 2 everywhere, so the largest error sits at the largest |x|: (0, 1).
    found = failure(lambda w, t: (w * SquareForgetsTheTwo.apply(t).reshape(4)).sum(), weight, x)
    assert found["input"] == 1
    assert found["shape"] == (2, 2)
    assert found["element"] == (0, 1)
    assert found["analytic"] != 0
    assert found["numeric"] == pytest.approx(2 * found["analytic"], rel=1e-5)


def test_catches_a_wrong_sign():
    found = failure(lambda t: SinWithWrongSign.apply(t).sum(), leaf([1.0, 0.1, 2.0]))
    # |error| = 2|v cos x| is largest where |cos x| is: x = 0.1, element (1,).
    assert (found["input"], found["element"]) == (0, (1,))
    assert found["analytic"] == pytest.approx(-found["numeric"], rel=1e-5)


def test_catches_a_bias_gradient_not_summed_over_the_batch():
    x, bias = leaf([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]), leaf([1.0, -1.0])
    found = failure(AddBiasForgetsTheBatchSum.apply, x, bias)
    assert found["input"] == 1
    assert found["shape"] == (2,)
    assert found["element"] in {(0,), (1,)}


def test_a_gradient_of_the_wrong_shape_is_an_error_naming_both_shapes():
    x, bias = leaf([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]), leaf([1.0, -1.0])
    with pytest.raises(RuntimeError, match=r"gradient of shape \(3, 2\) for input 1 of shape \(2,\)"):
        gradcheck(AddBiasForgetsToUnbroadcast.apply, x, bias)


def test_catches_a_gradient_sent_to_the_wrong_element():
    found = failure(MaxToTheFirstElement.apply, leaf([0.1, 0.7, 0.3]))
    # Analytic (v, 0, 0) against numeric (0, v, 0): both elements are off by |v|, and element
    # 0 has the smaller allowance (rtol × |numeric| = 0), so it is the one reported.
    assert found["element"] == (0,)
    assert found["numeric"] == pytest.approx(0, abs=1e-8)
    assert found["analytic"] != 0


def test_catches_a_nan_gradient():
    found = failure(NaNBackward.apply, leaf([1.0, 2.0]))
    assert np.isnan(found["analytic"])
    assert np.isfinite(found["numeric"]) and found["numeric"] != 0


def test_catches_a_nan_numeric_gradient_instead_of_passing():
    # x − ε < 0 for the first element, so log there is NaN: gradcheck must not call that a pass.
    with np.errstate(invalid="ignore"):
        found = failure(lambda t: t.log(), leaf([1e-7, 1.0]))
    assert found["element"] == (0,)
    assert np.isnan(found["numeric"])


# ---- how it is called ---------------------------------------------------------------------
def test_non_tensor_inputs_are_passed_through():
    x = leaf(np.linspace(-1, 1, 2 * 2 * 5 * 5).reshape(2, 2, 5, 5))
    weight = leaf(np.linspace(-0.5, 0.5, 3 * 2 * 3 * 3).reshape(3, 2, 3, 3))
    assert gradcheck(F.conv2d, x, weight, None, 2, 1)
    logits = leaf([[0.2, -0.1, 0.4], [1.0, 0.0, -1.0]])
    def cross_entropy(logits, targets, reduction):  # torch's third positional is weight
        return F.cross_entropy(logits, targets, reduction=reduction)

    assert gradcheck(cross_entropy, logits, Tensor(np.array([2, 0])), "sum")
    assert gradcheck(lambda t, axis, keepdims: t.sum(axis, keepdims), logits, 1, True)


def test_inputs_that_do_not_require_grad_are_not_checked():
    # The wrong op's only wrong gradient goes to an input that does not ask for one.
    x = leaf([[0.1, 0.2], [0.3, 0.4]])
    bias = Tensor(np.array([1.0, -1.0]), dtype=np.float64)
    assert gradcheck(AddBiasForgetsTheBatchSum.apply, x, bias)


def test_no_input_requiring_grad_is_a_clear_error():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda t: t * 2, Tensor([1.0, 2.0]))


def test_fn_must_return_a_float64_tensor():
    with pytest.raises(TypeError, match="fn must return a Tensor"):
        gradcheck(lambda t: t.numpy(), leaf([1.0]))
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t.float(), leaf([1.0]))


def test_checks_float32_inputs_in_float64_and_leaves_them_untouched():
    x = Tensor([0.5, 1.5, -2.0], requires_grad=True)
    before = x.numpy().copy()
    assert gradcheck(lambda t: t.tanh() * t, x)
    assert x.dtype == np.float32 and x.grad is None
    np.testing.assert_array_equal(x.numpy(), before)


def test_a_tighter_tolerance_can_fail_what_the_default_passes():
    # A backward off by 1e-4 relative: inside the default rtol of 1e-3, outside rtol 1e-5.
    class AlmostDouble(tg.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2 * (1 + 1e-4)

    x = leaf([1.0, -2.0, 3.0])
    assert gradcheck(AlmostDouble.apply, x)
    with pytest.raises(GradcheckError):
        gradcheck(AlmostDouble.apply, x, atol=1e-9, rtol=1e-5)


# ---- numerical_gradient against a gradient derived by hand ----------------------------------
def test_numerical_gradient_matches_the_derivative_of_a_cube():
    x = leaf([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]])
    direction = np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])
    # d/dx Σ v ⊙ x³ = 3 v ⊙ x²
    numeric = numerical_gradient(lambda t: t**3, [x], 0, direction)
    np.testing.assert_allclose(numeric, 3 * direction * x.numpy() ** 2, rtol=1e-8, atol=1e-8)


def test_numerical_gradient_of_the_second_input_of_a_product():
    a, b = leaf([[1.0, 2.0], [3.0, 4.0]]), leaf([[0.5], [-1.5]])
    direction = np.array([2.0, -1.0])
    # f = Σ_i v_i Σ_j a_ij b_j  ⇒  df/db_j = Σ_i v_i a_ij
    numeric = numerical_gradient(lambda p, q: (p @ q).reshape(2), [a, b], 1, direction)
    np.testing.assert_allclose(numeric, (direction @ a.numpy()).reshape(2, 1), rtol=1e-8)
    np.testing.assert_array_equal(b.numpy(), [[0.5], [-1.5]])  # perturbed and put back
