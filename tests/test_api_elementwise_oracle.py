"""PyTorch as the oracle of the elementwise family (api/elementwise.py): values, gradients and
Hessian-vector products in float64; result dtypes over torch's promotion table; the values of
the ops without gradients (integer division, remainders, shifts, comparisons); and the calls
torch refuses.

PyTorch is an optional extra: without it this whole file skips.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu.testing.strategies import arrays, away_from_kinks, floats, nonzero_floats

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it"
)

RTOL, ATOL = 1e-10, 1e-12


def _close(ours: Any, theirs: Any, what: str) -> None:
    np.testing.assert_allclose(np.asarray(ours), theirs.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=what)


def _hvp(library: Any, output: Any, inputs: list[Any], v: Any, u: list[Any]) -> list[Any]:
    """∂/∂inputs of Σ u ⊙ (vᵀ ∂output/∂inputs): second derivatives, in either library (an input
    whose first derivative is constant gets zeros)."""
    grads = library.autograd.grad([output], inputs, [v], create_graph=True, allow_unused=True)
    terms = [(g * w).sum() for g, w in zip(grads, u) if g is not None and g.requires_grad]
    if not terms:
        return [np.zeros(x.shape) for x in inputs]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    second = library.autograd.grad([total], inputs, allow_unused=True)
    # force=True: torch returns its lazy "ZeroTensor" where the second derivative is 0.
    return [np.zeros(x.shape) if g is None else g.detach().numpy(force=True) if library is torch else g.numpy() for g, x in zip(second, inputs)]


def assert_matches_torch(ours: Callable[..., Any], theirs: Callable[..., Any], *values: np.ndarray) -> None:
    """Same float64 inputs through both: outputs, gradients of Σ v ⊙ output, and HVPs."""
    our_inputs = [tg.tensor(x, dtype=tg.float64, requires_grad=True) for x in values]
    their_inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in values]
    our_output, their_output = ours(*our_inputs), theirs(*their_inputs)
    assert our_output.shape == tuple(their_output.shape) and their_output.dtype == torch.float64
    _close(our_output.numpy(), their_output, "forward")
    rng = np.random.default_rng(0)
    v = rng.standard_normal(our_output.shape)
    our_grads = tg.autograd.grad([our_output], our_inputs, [tg.tensor(v, dtype=tg.float64)], allow_unused=True)
    their_grads = torch.autograd.grad([their_output], their_inputs, [torch.from_numpy(v)], allow_unused=True, retain_graph=True)
    for k, (ours_k, theirs_k) in enumerate(zip(our_grads, their_grads)):
        ours_k = np.zeros(values[k].shape) if ours_k is None else ours_k.numpy()
        _close(ours_k, torch.zeros(values[k].shape) if theirs_k is None else theirs_k, f"gradient of input {k}")
    u = [rng.standard_normal(np.shape(x)) for x in values]
    our_output = ours(*our_inputs)
    our_second = _hvp(tg, our_output, our_inputs, tg.tensor(v, dtype=tg.float64, requires_grad=True), [tg.tensor(w, dtype=tg.float64) for w in u])
    their_second = _hvp(torch, their_output, their_inputs, torch.from_numpy(v).requires_grad_(), [torch.from_numpy(w) for w in u])
    for k, (ours_k, theirs_k) in enumerate(zip(our_second, their_second)):
        _close(ours_k, torch.from_numpy(np.asarray(theirs_k, dtype=np.float64)), f"Hessian-vector product of input {k}")


# ---- differentiable ops: values, gradients, second derivatives -----------------------------------
positive = floats(0.1, 3.0)
UNARY = ["neg", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "exp2", "expm1", "log", "log2",
         "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu",
         "erf", "floor", "ceil", "round", "trunc", "frac"]
DOMAINS = {"sqrt": positive, "rsqrt": positive, "log": positive, "log2": positive, "log10": positive,
           "log1p": floats(-0.9, 3.0), "tan": floats(-1.2, 1.2), "asin": floats(-0.9, 0.9), "acos": floats(-0.9, 0.9),
           "reciprocal": nonzero_floats()}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_op(name, data):
    x = data.draw(arrays(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), DOMAINS.get(name, away_from_kinks())))
    assert_matches_torch(getattr(tg, name), getattr(torch, name), x)


DIVISORS = st.sampled_from([-1.5, -0.7, 0.7, 1.5])
BINARY = {
    "add alpha": (lambda a, b: a.add(b, alpha=-1.5), lambda a, b: a.add(b, alpha=-1.5), None, None),
    "sub alpha": (lambda a, b: a.sub(b, alpha=2), lambda a, b: a.sub(b, alpha=2), None, None),
    "div": ("div", "div", None, nonzero_floats()),
    "div floor": (lambda a, b: tg.div(a, b, rounding_mode="floor"), lambda a, b: torch.div(a, b, rounding_mode="floor"), away_from_kinks(), DIVISORS),
    "div trunc": (lambda a, b: tg.div(a, b, rounding_mode="trunc"), lambda a, b: torch.div(a, b, rounding_mode="trunc"), away_from_kinks(), DIVISORS),
    "remainder": ("remainder", "remainder", away_from_kinks(), DIVISORS),
    "fmod": ("fmod", "fmod", away_from_kinks(), DIVISORS),
    # B ≠ 0: there torch's d²/dAdB is 0 (it masks dE/dA where B = 0), ours the exact A^(B−1)(1 + B ln A).
    "pow": ("pow", "pow", floats(0.5, 2.0), nonzero_floats()),
    "atan2": ("atan2", "atan2", nonzero_floats(), None),
    "maximum": ("maximum", "maximum", None, None),  # ties included: half the gradient each, as torch
    "minimum": ("minimum", "minimum", None, None),
    "logaddexp": ("logaddexp", "logaddexp", None, None),
    "lerp": (lambda a, b: tg.lerp(a, b, 0.7), lambda a, b: torch.lerp(a, b, 0.7), None, None),
    "clamp min tensor": (lambda x, low: tg.clamp(x, min=low), lambda x, low: torch.clamp(x, min=low), None, None),
    "clamp max tensor": (lambda x, high: tg.clamp(x, max=high), lambda x, high: torch.clamp(x, max=high), None, None),
}


@st.composite
def _pairs(draw: st.DrawFn, first: Any, second: Any) -> tuple[np.ndarray, np.ndarray]:
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
    # Values from a coarse set, so that maximum, minimum and clamp meet ties and bounds too.
    default = st.sampled_from([-1.5, -0.5, 0.0, 0.5, 1.0])
    return draw(arrays(shapes[0], default if first is None else first)), draw(arrays(shapes[1], default if second is None else second))


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_op(name, data):
    ours, theirs, first, second = BINARY[name]
    ours = getattr(tg, ours) if isinstance(ours, str) else ours
    theirs = getattr(torch, theirs) if isinstance(theirs, str) else theirs
    assert_matches_torch(ours, theirs, *data.draw(_pairs(first, second)))


@given(data=st.data())
def test_three_operand_ops(data):
    drawn = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    shapes = (drawn.result_shape, *drawn.input_shapes[1:])  # torch's clamp does not broadcast its input
    coarse = st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0])  # ties with the bounds, and min > max
    a, b, c = (data.draw(arrays(shape, coarse)) for shape in shapes)
    assert_matches_torch(tg.clamp, torch.clamp, a, b, c)
    assert_matches_torch(tg.lerp, torch.lerp, a, b, c)
    condition = data.draw(hnp.arrays(np.bool_, shapes[0]))
    assert_matches_torch(lambda x, y: tg.where(tg.tensor(condition), x, y), lambda x, y: torch.where(torch.tensor(condition), x, y), b, c)
    mask = data.draw(hnp.arrays(np.bool_, np.broadcast_shapes(shapes[0], shapes[1])[1:]))
    assert_matches_torch(lambda x, v: x.masked_fill(tg.tensor(mask), v), lambda x, v: x.masked_fill(torch.tensor(mask), v),
                         np.broadcast_to(a, np.broadcast_shapes(shapes[0], shapes[1])).copy(), np.array(0.25))


@given(data=st.data())
def test_floor_divide_values(data):
    # torch records floor_divide in the graph but has no derivative for it (its backward
    # raises); ours is the zero gradient of div(rounding_mode="floor"), so only values compare.
    a, b = data.draw(_pairs(away_from_kinks(), DIVISORS))
    _close(tg.floor_divide(tg.tensor(a), tg.tensor(b)).numpy(), torch.floor_divide(torch.tensor(a), torch.tensor(b)), "forward")


@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.0), (0.0, None), (0.5, -0.5)])
def test_clamp_with_number_bounds_at_the_bounds(bounds):
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    assert_matches_torch(lambda t: tg.clamp(t, *bounds), lambda t: torch.clamp(t, *bounds), x)


# ---- type promotion: every pair of dtypes, as tensors with dims, 0-d tensors and Python numbers ----
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 2.5]


def _pair_operand(kind: str, dtype: str, library: Any) -> Any:
    values = np.array([1, 0, 1]) if dtype == "bool" else np.array([3, 1, 2])
    data = values[0] if kind == "0-d" else values
    if library is tg:
        return tg.tensor(data, dtype=getattr(tg, dtype))
    return torch.tensor(data, dtype=getattr(torch, dtype))


OPERATORS = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
             "max": lambda a, b: (tg if isinstance(a, tg.Tensor) else torch).maximum(a, b), "<": lambda a, b: a < b}


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("left, right", list(itertools.product(DTYPES, DTYPES)))
def test_promotion_of_two_tensors_as_torch(operator, left, right):
    op = OPERATORS[operator]
    for kinds in (("dims", "dims"), ("dims", "0-d"), ("0-d", "dims")):
        theirs = op(_pair_operand(kinds[0], left, torch), _pair_operand(kinds[1], right, torch))
        ours = op(_pair_operand(kinds[0], left, tg), _pair_operand(kinds[1], right, tg))
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), kinds
        np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-3)


@pytest.mark.parametrize("scalar", SCALARS, ids=["bool", "int", "float"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_promotion_with_a_python_number_as_torch(dtype, scalar):
    for op in (lambda a, s: a + s, lambda a, s: s * a, lambda a, s: a / s, lambda a, s: a ** s, lambda a, s: a >= s):
        if dtype == "bool" and op(torch.tensor([True]), scalar).dtype == torch.bool and scalar is not True:
            continue
        theirs = op(_pair_operand("dims", dtype, torch), scalar)
        ours = op(_pair_operand("dims", dtype, tg), scalar)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-3)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy warns at log(0) and 1/0; torch (and the answer, ±inf) does not
@pytest.mark.parametrize("name", [n for n in UNARY if n not in ("frac", "relu", "abs")] + ["isnan", "isfinite", "logical_not"])
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int32", "int64"])
def test_unary_ops_of_integer_tensors_as_torch(name, dtype):
    values = np.array([1, 0, 1]) if dtype == "bool" else np.array([3, 1, 2])
    try:
        theirs = getattr(torch, name)(torch.tensor(values, dtype=getattr(torch, dtype)))
    except (RuntimeError, TypeError) as error:
        with pytest.raises(type(error)):
            getattr(tg, name)(tg.tensor(values, dtype=getattr(tg, dtype)))
        return
    ours = getattr(tg, name)(tg.tensor(values, dtype=getattr(tg, dtype)))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-6)


# ---- ops without gradients: integer arithmetic, shifts, comparisons, logical ops --------------------
@given(hnp.arrays(np.int64, 6, elements=st.integers(-50, 50)), hnp.arrays(np.int64, 6, elements=st.integers(-7, 7).filter(bool)))
def test_integer_division_and_remainders(a, b):
    for ours, theirs in [
        (lambda x, y: x // y, lambda x, y: x // y), (lambda x, y: x % y, lambda x, y: x % y),
        (tg.fmod, torch.fmod), (lambda x, y: tg.div(x, y, rounding_mode="trunc"), lambda x, y: torch.div(x, y, rounding_mode="trunc")),
        (lambda x, y: x / y, lambda x, y: x / y),
    ]:
        result = ours(tg.tensor(a), tg.tensor(b))
        expected = theirs(torch.tensor(a), torch.tensor(b))
        assert str(result.dtype) == str(expected.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(result.numpy(), expected.numpy())


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64"])
def test_bitwise_ops_and_shifts_as_torch(dtype):
    a = np.array([0, 1, 5, 100, 127]) if dtype in ("uint8", "int8") else np.array([0, 1, -5, 100, 2**20])
    if dtype == "uint8":
        a = np.abs(a)
    shifts = np.array([0, 1, 3, 7, 70])
    for op in [lambda x, y: x & y, lambda x, y: x | y, lambda x, y: x ^ y, lambda x, y: x << y, lambda x, y: x >> y]:
        ours = op(tg.tensor(a, dtype=getattr(tg, dtype)), tg.tensor(shifts, dtype=getattr(tg, dtype)))
        theirs = op(torch.tensor(a, dtype=getattr(torch, dtype)), torch.tensor(shifts, dtype=getattr(torch, dtype)))
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal((~tg.tensor(a, dtype=getattr(tg, dtype))).numpy(), (~torch.tensor(a, dtype=getattr(torch, dtype))).numpy())


def test_comparisons_and_logical_ops_as_torch():
    a = np.array([1.0, np.nan, np.inf, -0.0, 2.0, 3.0])
    b = np.array([1.0, np.nan, np.inf, 0.0, 2.0 + 1e-9, 0.0])
    for name in ["eq", "ne", "lt", "le", "gt", "ge", "isclose", "logical_and", "logical_or", "logical_xor"]:
        np.testing.assert_array_equal(getattr(tg, name)(tg.tensor(a), tg.tensor(b)).numpy(), getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy(), err_msg=name)
    for name in ["isnan", "isinf", "isfinite", "logical_not"]:
        np.testing.assert_array_equal(getattr(tg, name)(tg.tensor(a)).numpy(), getattr(torch, name)(torch.tensor(a)).numpy(), err_msg=name)
    assert tg.isclose(tg.tensor(a), tg.tensor(b), equal_nan=True).numpy().tolist() == torch.isclose(torch.tensor(a), torch.tensor(b), equal_nan=True).tolist()
    assert tg.allclose(tg.tensor(a[4:5]), tg.tensor(b[4:5])) == torch.allclose(torch.tensor(a[4:5]), torch.tensor(b[4:5]))
    assert tg.equal(tg.tensor([1, 2]), tg.tensor([1.0, 2.0])) == torch.equal(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))


ERRORS = [
    lambda lib: lib.tensor([1.0]) & lib.tensor([1.0]),
    lambda lib: -lib.tensor([True]),
    lambda lib: lib.tensor([True]) - lib.tensor([True]),
    lambda lib: lib.tensor([True]) - 1,
    lambda lib: 1 - lib.tensor([True]),
    lambda lib: lib.sub(lib.tensor([1]), lib.tensor([True])),
    lambda lib: lib.abs(lib.tensor([True])),
    lambda lib: lib.frac(lib.tensor([1])),
    lambda lib: lib.tensor([1]) // 0,
    lambda lib: lib.tensor([2]) ** -1,
    lambda lib: lib.div(lib.tensor([1.0]), 2, rounding_mode="round"),
    lambda lib: lib.clamp(lib.tensor([1.0])),
    lambda lib: lib.where(lib.tensor([1]), lib.tensor([1.0]), lib.tensor([0.0])),
    lambda lib: lib.tensor([1.0, 2.0]).masked_fill(lib.tensor([1, 0]), 0.0),
    lambda lib: lib.lerp(lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64), 0.5),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64)),
    lambda lib: lib.relu(lib.tensor([True])),
    lambda lib: lib.add(lib.tensor([1]), lib.tensor([1]), alpha=1.5),
    lambda lib: lib.ones(2, 3) + lib.ones(4),
    lambda lib: lib.tensor([True]) << lib.tensor([True]),
]


@pytest.mark.parametrize("call", ERRORS)
def test_what_torch_refuses_we_refuse_with_an_error_of_its_type(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)):
        call(tg)
