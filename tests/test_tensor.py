"""What a Tensor is and how its graph behaves: construction and dtypes, operators with
Python scalars and numpy arrays, backward and gradient accumulation, no_grad, detach,
reductions in both spellings, and custom Functions."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Function, Tensor


def f64(data, requires_grad=False):
    return Tensor(data, requires_grad=requires_grad, dtype=np.float64)


# ---- construction -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, shape",
    [(2.5, ()), ([1.0, 2.0], (2,)), ([[1.0, 2.0], [3.0, 4.0]], (2, 2)), (np.zeros((2, 3, 4)), (2, 3, 4))],
    ids=["scalar", "list", "nested list", "ndarray"],
)
def test_float_data_becomes_float32(data, shape):
    tensor = Tensor(data)
    assert tensor.shape == shape
    assert tensor.dtype == np.float32
    np.testing.assert_array_equal(tensor.numpy(), np.asarray(data, dtype=np.float32))


def test_float64_kept_when_asked_and_through_ops():
    x, y = f64([[1.0, 2.0]], requires_grad=True), f64([[3.0], [4.0]])
    assert x.dtype == np.float64
    out = ((x @ y).tanh() * x).sum()
    assert out.dtype == np.float64
    out.backward()
    assert x.grad.dtype == np.float64


def test_int_data_stays_int():
    labels = Tensor([0, 2, 1])
    assert labels.dtype.kind == "i"
    assert (labels + 1).dtype.kind == "i"
    assert Tensor(np.array([1, 2], dtype=np.uint8)).dtype == np.uint8


@pytest.mark.parametrize("dtype", [None, np.float64])
def test_construction_copies_the_callers_array(dtype):
    source = np.array([1.0, 2.0], dtype=np.float32 if dtype is None else dtype)
    tensor = Tensor(source, dtype=dtype)
    tensor.data[0] = 99.0
    assert source[0] == 1.0


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2]).requires_grad_()


def test_setting_requires_grad_on_an_integer_tensor_is_refused_as_requires_grad_():
    # Accepted before, it made a gradient cast to int: all zeros, silently.
    labels = Tensor([1, 2])
    with pytest.raises(TypeError, match="floating-point"):
        labels.requires_grad = True
    assert not labels.requires_grad


def test_requires_grad_cannot_be_turned_off_on_a_non_leaf():
    # torch refuses it too: the graph that made y stays, so the flag would lie; detach() is the way.
    y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        y.requires_grad = False
    assert y.requires_grad and y.grad_fn is not None


# ---- operators with Python scalars and numpy arrays ----------------------------------------
OPERATORS = {
    "x + s": lambda x, s: x + s, "s + x": lambda x, s: s + x,
    "x - s": lambda x, s: x - s, "s - x": lambda x, s: s - x,
    "x * s": lambda x, s: x * s, "s * x": lambda x, s: s * x,
    "x / s": lambda x, s: x / s, "s / x": lambda x, s: s / x,
    "x ** s": lambda x, s: x ** s, "s ** x": lambda x, s: s ** x,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scalar", [2, 2.5], ids=["int", "float"])
@pytest.mark.parametrize("name", list(OPERATORS))
def test_python_scalars_keep_the_tensors_dtype(name, scalar, dtype):
    x = Tensor([1.0, 2.0], dtype=dtype)
    result = OPERATORS[name](x, scalar)
    assert result.dtype == dtype
    np.testing.assert_allclose(result.numpy(), OPERATORS[name](np.array([1.0, 2.0]), scalar), rtol=1e-6)


def test_ndarray_on_the_left_gives_a_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, Tensor)
    np.testing.assert_array_equal(y.numpy(), [3.0, 8.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])
    assert isinstance(np.array([1.0, 1.0]) + x, Tensor)


def test_ndarray_operand_is_not_rounded_to_float32_next_to_a_float64_tensor():
    assert (Tensor([0.0], dtype=np.float64) + np.array([0.1])).item() == 0.1
    assert (np.array([0.1]) + Tensor([0.0], dtype=np.float64)).item() == 0.1


# ---- backward ---------------------------------------------------------------------------
# ---- the power rule at zero: PyTorch's values, never NaN or -inf ------------------------------
def pow_grads(base, exponent, base_grad=True, exponent_grad=True):
    a, b = f64(base, requires_grad=base_grad), f64(exponent, requires_grad=exponent_grad)
    (a**b).sum().backward()
    return a.grad, b.grad


def test_gradient_of_x_to_the_power_zero_is_zero_at_x_zero():
    # x⁰ = 1 is constant, even at 0; the formula b·x^(b−1) gives 0·0⁻¹ = NaN there.
    x = f64([0.0, 0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])
    grad_a, _ = pow_grads([0.0, 3.0], [0.0, 0.0], exponent_grad=False)
    np.testing.assert_array_equal(grad_a.numpy(), [0.0, 0.0])


def test_gradient_of_zero_to_a_learnable_power_is_zero():
    # d(0^b)/db = 0^b · ln 0 = 0 · (−∞) by the formula; torch's value is 0 for b ≥ 0.
    _, grad_b = pow_grads([0.0, 0.0, 0.0], [2.0, 0.5, 0.0], base_grad=False)
    np.testing.assert_array_equal(grad_b.numpy(), [0.0, 0.0, 0.0])


def test_gradients_of_a_to_the_b_at_zero_zero_are_zero_for_both():
    grad_a, grad_b = pow_grads([0.0], [0.0])
    np.testing.assert_array_equal(grad_a.numpy(), [0.0])
    np.testing.assert_array_equal(grad_b.numpy(), [0.0])


def test_gradient_of_a_python_zero_to_a_learnable_power_is_zero():
    b = f64([2.0, 0.0], requires_grad=True)
    (0.0**b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [0.0, 0.0])


def test_a_learnable_exponent_on_relu_outputs_gets_a_finite_gradient():
    # relu gives exact zeros; only the 2 contributes: d/db Σ relu(x)^b = 2^1.5 ln 2.
    b = f64(1.5, requires_grad=True)
    (f64([-1.0, 0.0, 2.0]).relu() ** b).sum().backward()
    assert b.grad.item() == pytest.approx(2**1.5 * np.log(2), rel=1e-14)


def test_backward_on_a_scalar():
    x = f64([1.0, -2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0, 6.0])


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)], ids=str)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_backward_seeds_a_one_element_tensor_with_ones_of_its_shape_and_dtype(shape, dtype):
    # The seed dE/dE: for a leaf it becomes .grad itself (a copy), so its values show.
    x = tg.tensor(np.full(shape, 2.0, dtype), requires_grad=True)
    x.backward()
    assert x.grad.shape == shape and x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(shape, dtype))
    y = tg.tensor(np.full(shape, 2.0, dtype), requires_grad=True)
    (y * 3).backward()
    np.testing.assert_array_equal(y.grad.numpy(), np.full(shape, 3.0, dtype))


def test_gradients_accumulate_until_zeroed():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0 + 2.0, 3.0 + 4.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_retain_graph_allows_a_second_backward():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_tensor_used_twice_gets_both_contributions():
    x = f64([3.0], requires_grad=True)
    (x * x).backward(np.ones(1))
    np.testing.assert_array_equal(x.grad.numpy(), [6.0])


def test_diamond_graph():
    """a = 2x feeds both b = a + 1 and c = 3a; d = b·c = 12x² + 6x, so dd/dx = 24x + 6."""
    x = f64([0.5, -1.0], requires_grad=True)
    a = x * 2
    d = (a + 1) * (a * 3)
    d.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 24 * x.numpy() + 6, rtol=1e-15)


def test_long_chain_needs_no_recursion():
    x = f64([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward(np.ones(1))
    del y
    np.testing.assert_allclose(x.grad.numpy(), [1.0001**10_000], rtol=1e-9)


def test_graph_is_freed_after_backward():
    x = f64([1.0, 2.0], requires_grad=True)
    product = x * x
    loss = product.sum()
    ctx = product._ctx
    assert len(ctx.saved_tensors) == 2
    loss.backward()
    assert ctx.saved_tensors == () and ctx.inputs == ()
    assert loss._ctx.freed


# ---- switching the graph off ------------------------------------------------------------------
def test_no_grad_context_manager():
    x = Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_no_grad_decorator():
    @tg.no_grad()
    def double(t):
        return t * 2

    y = double(Tensor([1.0], requires_grad=True))
    assert not y.requires_grad and y.grad_fn is None
    assert tg.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        with tg.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad


def test_detach_cuts_the_graph():
    """z = detach(2x) · x: only the direct path counts, dz/dx = 2x (not 4x)."""
    x = f64([1.5, -2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    (y * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, -4.0])


@pytest.mark.parametrize("compare", ["<", "<=", ">", ">=", "==", "!="])
def test_comparisons_return_bool_tensors_without_grad(compare):
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    result = eval(f"x {compare} 2.0")
    assert isinstance(result, Tensor) and result.dtype == np.bool_
    assert not result.requires_grad
    np.testing.assert_array_equal(result.numpy(), eval(f"np.array([1.0, 2.0, 3.0]) {compare} 2.0"))


# ---- what a tensor shows -------------------------------------------------------------------
def test_shape_accessors():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.shape == (2, 3) and x.ndim == 2
    assert x.size() == (2, 3) and x.size(1) == 3 and x.numel() == 6 and len(x) == 2
    assert x.T.shape == (3, 2)
    np.testing.assert_array_equal(x.T.numpy(), np.arange(6.0).reshape(2, 3).T)
    assert isinstance(x.numpy(), np.ndarray)
    assert Tensor([[4.5]]).item() == 4.5
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))
    with pytest.raises(ValueError, match=r"one element.*\(2, 3\)"):
        x.item()


def test_repr():
    """torch's layout (tensor_str.py; tests/test_real_programs_audit.py compares many more with torch's)."""
    assert repr(Tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(Tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(Tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<Mul>)"
    assert repr(f64([1.0])) == "tensor([1.], dtype=torch.float64)"


# ---- reductions: numpy's and PyTorch's spellings ---------------------------------------------
@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keep", [False, True])
def test_reductions_accept_both_spellings(reduction, axis, keep):
    data = np.random.default_rng(0).standard_normal((2, 3, 4))
    x = f64(data)
    expected = getattr(data, reduction)(axis=axis, keepdims=keep)
    method = "amax" if reduction == "max" else reduction  # torch's max(dim) gives (values, indices)
    numpy_style = getattr(x, method)(axis=axis, keepdims=keep)
    torch_style = getattr(x, method)(dim=axis, keepdim=keep)
    for result in (numpy_style, torch_style):
        assert result.shape == expected.shape
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-14)


def test_max_splits_the_gradient_evenly_among_ties():
    x = f64([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.5, 0.5, 0.0])
    rows = f64([[1.0, 1.0, 1.0], [2.0, 0.0, 2.0]], requires_grad=True)
    rows.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(rows.grad.numpy(), [[1 / 3, 1 / 3, 1 / 3], [0.5, 0.0, 0.5]])


# ---- custom Functions -----------------------------------------------------------------------
class ScaledMul(Function):
    """Y = factor · A ⊙ B, with `factor` a plain float (no gradient)."""

    seen_needs_input_grad: list = []

    @staticmethod
    def forward(ctx, a, b, factor):
        ctx.save_for_backward(a, b)
        ctx.factor = factor
        ScaledMul.seen_needs_input_grad.append(ctx.needs_input_grad)
        return factor * a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return (
            ctx.factor * grad_output * b if ctx.needs_input_grad[0] else None,
            ctx.factor * grad_output * a if ctx.needs_input_grad[1] else None,
            None,
        )


def test_custom_function_with_needs_input_grad_and_a_non_tensor_argument():
    ScaledMul.seen_needs_input_grad.clear()
    a, b = f64([1.0, 2.0], requires_grad=True), f64([3.0, 4.0])
    y = ScaledMul.apply(a, b, 0.5)
    assert ScaledMul.seen_needs_input_grad == [(True, False, False)]
    assert y.grad_fn.function is ScaledMul and y.grad_fn.name() == "ScaledMul"
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.5, 2.0])
    assert b.grad is None


class WrongShapeGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.sum()


def test_custom_function_with_a_wrong_shaped_gradient_is_named():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = WrongShapeGrad.apply(x).sum()
    expected = r"WrongShapeGrad\.backward returned a gradient of shape \(\) for input 0 of shape \(3,\)"
    with pytest.raises(RuntimeError, match=expected):
        y.backward()


class ForwardReturnsATensor(Function):
    @staticmethod
    def forward(ctx, x):
        return Tensor(x * 2)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2


def test_a_custom_forward_that_returns_a_tensor_is_refused_naming_the_function():
    # Accepted before, it made an object-dtype tensor that held a Tensor.
    with pytest.raises(TypeError, match=r"ForwardReturnsATensor\.forward returned a Tensor"):
        ForwardReturnsATensor.apply(Tensor([1.0, 2.0], requires_grad=True))


def test_numpy_sees_a_tensors_numbers():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    array = np.asarray(x)
    assert array.dtype == np.float32 and array.shape == (2, 2)
    np.testing.assert_array_equal(array, x.data)
    as_float64 = np.asarray(x, dtype=np.float64)
    assert as_float64.dtype == np.float64
    np.testing.assert_array_equal(as_float64, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(np.array(Tensor([1, 2])), [1, 2])


# ---- leaves adopt fresh gradients, but never shared ones ----------------------------------
def test_leaves_never_share_a_gradient_array_across_backwards():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    c = Tensor([5.0, 7.0])
    for _ in range(2):
        # Mul hands Add one fresh array, which Add passes on to both leaves.
        ((a + b) * c).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [10.0, 14.0])
    np.testing.assert_array_equal(b.grad.numpy(), [10.0, 14.0])
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("make_output", [lambda x: x + 0.0, lambda x: x.float(), lambda x: x.reshape(2)])
def test_the_callers_gradient_is_never_taken_or_changed(make_output):
    x = Tensor([1.0, 2.0], requires_grad=True)
    gradient = Tensor([0.5, -1.0])
    for _ in range(2):
        make_output(x).backward(gradient=gradient)
    np.testing.assert_array_equal(gradient.numpy(), [0.5, -1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, -2.0])
    assert not np.shares_memory(x.grad.numpy(), gradient.numpy())


def test_a_wrong_gradient_names_the_input_position_even_for_a_repeated_input():
    class SecondGradWrong(tg.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output[:1]

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="input 1 of shape"):
        SecondGradWrong.apply(x, x).sum().backward()


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax"])
def test_a_0d_tensor_reduces_over_dim_0_or_minus_1_as_pytorch(reduce):
    x = Tensor(2.0, requires_grad=True)
    for dim in (0, -1):
        assert getattr(x, reduce)(dim=dim).item() == 2.0
    with pytest.raises(ValueError, match="out of range"):
        getattr(x, reduce)(1)


# ---- zero-size tensors: torch's values and gradient shapes ----------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, dim", [((2, 0), 1), ((2, 0), -1), ((0, 3), 0)], ids=["(2, 0) dim 1", "(2, 0) dim -1", "(0, 3) dim 0"])
def test_softmax_over_an_empty_dim_is_empty(name, shape, dim):
    # Before: numpy's "zero-size array to reduction operation maximum which has no identity".
    x = f64(np.ones(shape), requires_grad=True)
    y = getattr(x, name)(dim)
    assert y.shape == shape
    y.sum().backward()
    assert x.grad.shape == shape


def test_sum_of_a_tensor_with_no_rows_is_zero_with_a_gradient_of_its_shape():
    x = f64(np.ones((0, 3)), requires_grad=True)
    total = x.sum(dim=0)
    np.testing.assert_array_equal(total.numpy(), np.zeros(3))
    total.sum().backward()
    assert x.grad.shape == (0, 3)
    assert f64(np.ones((0, 3))).sum().item() == 0.0


def test_mean_over_the_full_dim_of_a_tensor_with_no_rows_has_no_elements():
    x = f64(np.ones((0, 3)), requires_grad=True)
    means = x.mean(dim=1)
    assert means.shape == (0,)
    means.sum().backward()
    assert x.grad.shape == (0, 3)


def test_matmul_with_a_zero_inner_dim_is_zeros_with_gradients_of_the_input_shapes():
    a, b = f64(np.ones((2, 0)), requires_grad=True), f64(np.ones((0, 3)), requires_grad=True)
    product = a @ b
    np.testing.assert_array_equal(product.numpy(), np.zeros((2, 3)))
    product.sum().backward()
    assert a.grad.shape == (2, 0) and b.grad.shape == (0, 3)


STRATEGIES_SPELLINGS = {
    "from tinygrad_edu.testing import strategies": "from tinygrad_edu.testing import strategies",
    "tinygrad_edu.testing.strategies": "import tinygrad_edu.testing\nstrategies = tinygrad_edu.testing.strategies",
    "import *": "from tinygrad_edu.testing import *",  # __all__ lists it
}


@pytest.mark.parametrize("spelling", STRATEGIES_SPELLINGS)
def test_the_testing_strategies_module_imports(spelling):
    # The lazy __getattr__ of tinygrad_edu.testing recursed forever (RecursionError). A fresh
    # interpreter each: once imported, the submodule no longer goes through __getattr__.
    package_parent = str(Path(tg.__file__).resolve().parent.parent)  # this very tinygrad_edu
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
    code = f"{STRATEGIES_SPELLINGS[spelling]}\nprint(strategies.__name__, callable(strategies.arrays))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-500:]
    assert run.stdout.split() == ["tinygrad_edu.testing.strategies", "True"]


def test_a_deepcopied_layer_meets_its_original_in_one_graph():
    """copy.deepcopy gives new memory and a new creation number: backward orders tensors by
    that number, and a copy and its original used together must not tie."""
    import copy

    from tinygrad_edu import nn

    original = nn.Linear(3, 3)
    duplicate = copy.deepcopy(original)
    assert duplicate.weight is not original.weight and not np.shares_memory(duplicate.weight.data, original.weight.data)
    np.testing.assert_array_equal(duplicate.weight.data, original.weight.data)
    duplicate(original(tg.randn(2, 3))).sum().backward()
    assert original.weight.grad is not None and duplicate.weight.grad is not None
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(original.weight * 2)
