"""PyTorch's elementwise ops (api/elementwise.py): gradients by finite differences, first and
second order (the `check` fixture runs gradcheck, then gradgradcheck), and torch's type
promotion, dtypes and errors, checked without torch (test_api_elementwise_oracle.py compares
with torch itself).

Inputs keep away from the points where an op has no derivative by construction: the `_grid`
values below are multiples of 1e-3 offset by a fraction of a step, so they never sit on an
integer (floor, remainder), a half-integer (round), a bound of clamp on another grid, or a
tie between two grids (maximum).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.ops.promotion import ArgumentError, DTypeError, IntegerDivisionByZero
from tinygrad_edu.testing.strategies import (
    away_from_kinks,
    broadcastable_tensors,
    floats,
    nonzero_floats,
    shapes,
    tensors,
)


def _grid(offset: float, limit: float = 2.0) -> st.SearchStrategy[float]:
    """Multiples of 1e-3 shifted by offset·1e-3: two grids with different offsets never meet."""
    steps = int(limit / 1e-3)
    return st.integers(-steps, steps - 1).map(lambda i: (i + offset) * 1e-3)


@st.composite
def _three(draw: st.DrawFn, *elements: st.SearchStrategy[float]) -> tuple[Tensor, ...]:
    """Three float64 tensors requiring grad whose shapes broadcast together."""
    result = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    return tuple(draw(tensors(shape, element)) for shape, element in zip(result.input_shapes, elements))


# ---- unary ops: each on a domain where it is smooth ----------------------------------------------
positive = floats(0.1, 3.0)
UNARY = {
    "neg": (tg.neg, floats()),
    "abs": (tg.abs, away_from_kinks()),
    "sqrt": (tg.sqrt, positive),
    "rsqrt": (tg.rsqrt, positive),
    "square": (tg.square, floats()),
    "reciprocal": (tg.reciprocal, nonzero_floats()),
    "exp": (tg.exp, floats()),
    "exp2": (tg.exp2, floats()),
    "expm1": (tg.expm1, floats()),
    "log": (tg.log, positive),
    "log2": (tg.log2, positive),
    "log10": (tg.log10, positive),
    "log1p": (tg.log1p, floats(-0.9, 3.0)),
    "sin": (tg.sin, floats(-4.0, 4.0)),
    "cos": (tg.cos, floats(-4.0, 4.0)),
    "tan": (tg.tan, floats(-1.2, 1.2)),
    "asin": (tg.asin, floats(-0.9, 0.9)),
    "acos": (tg.acos, floats(-0.9, 0.9)),
    "atan": (tg.atan, floats(-3.0, 3.0)),
    "sinh": (tg.sinh, floats()),
    "cosh": (tg.cosh, floats()),
    "tanh": (tg.tanh, floats()),
    "sigmoid": (tg.sigmoid, floats(-6.0, 6.0)),
    "relu": (tg.relu, away_from_kinks()),
    "erf": (tg.erf, floats()),
    "frac": (tg.frac, away_from_kinks()),
    # Steps: a zero gradient, which finite differences away from the steps confirm.
    "sign": (tg.sign, away_from_kinks()),
    "floor": (tg.floor, away_from_kinks()),
    "ceil": (tg.ceil, away_from_kinks()),
    "trunc": (tg.trunc, away_from_kinks()),
    "round": (tg.round, away_from_kinks()),
    "round(decimals=1)": (lambda x: tg.round(x, decimals=1), away_from_kinks()),
    "method x.sin()": (lambda x: x.sin(), floats()),
    "method x.clip(-1, 1)": (lambda x: x.clip(-1, 1), _grid(0.5)),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary(check, name, data):
    op, elements = UNARY[name]
    x = data.draw(tensors(shapes(min_dims=0, max_side=4), elements), label="x")
    assert check(op, x)


# ---- binary ops, broadcasting ------------------------------------------------------------------
DIVISORS = st.sampled_from([-1.5, -0.7, 0.7, 1.5])  # off the 1e-3 grid's multiples: A/B never whole
BINARY = {
    "add alpha": (lambda a, b: tg.add(a, b, alpha=-1.5), floats(), floats()),
    "sub alpha": (lambda a, b: a.sub(b, alpha=2.5), floats(), floats()),
    "mul": (tg.mul, floats(), floats()),
    "div": (tg.div, floats(), nonzero_floats()),
    "true_divide": (tg.true_divide, floats(), nonzero_floats()),
    "div floor": (lambda a, b: tg.div(a, b, rounding_mode="floor"), away_from_kinks(), DIVISORS),
    "div trunc": (lambda a, b: tg.div(a, b, rounding_mode="trunc"), away_from_kinks(), DIVISORS),
    "floor_divide": (lambda a, b: a // b, away_from_kinks(), DIVISORS),
    "remainder": (lambda a, b: a % b, away_from_kinks(), DIVISORS),
    "fmod": (tg.fmod, away_from_kinks(), DIVISORS),
    "pow": (tg.pow, floats(0.5, 2.0), floats()),
    "atan2": (tg.atan2, nonzero_floats(), floats()),
    "maximum": (tg.maximum, _grid(0.5), _grid(0.25)),
    "minimum": (tg.minimum, _grid(0.5), _grid(0.25)),
    "logaddexp": (tg.logaddexp, floats(-3.0, 3.0), floats(-3.0, 3.0)),
    "lerp scalar weight": (lambda a, b: tg.lerp(a, b, 0.3), floats(), floats()),
    "clamp tensor min": (lambda x, low: tg.clamp(x, min=low), _grid(0.5), _grid(0.25)),
    "clamp tensor max": (lambda x, high: x.clamp(max=high), _grid(0.5), _grid(0.25)),
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary(check, name, data):
    op, first, second = BINARY[name]
    a, b = data.draw(broadcastable_tensors(first, second, max_side=3), label="a, b")
    assert check(op, a, b)


@given(_three(floats(), floats(), floats(-0.5, 1.5)))
def test_lerp_with_a_tensor_weight(check, inputs):
    assert check(tg.lerp, *inputs)


@given(_three(_grid(0.5), _grid(0.25, 1.0), _grid(0.75, 1.0)))
def test_clamp_between_tensor_bounds_even_where_min_exceeds_max(check, inputs):
    assert check(lambda x, low, high: tg.clamp(x, low, high), *inputs)


@given(tensors(shapes(min_dims=0), _grid(0.5)), st.sampled_from([(-1.0, 1.0), (None, 0.3), (-0.3, None), (1.0, -1.0)]))
def test_clamp_between_numbers(check, x, bounds):
    assert check(lambda t: tg.clamp(t, *bounds), x)


@given(_three(floats(), floats(), floats()), st.data())
def test_where(check, inputs, data):
    condition_shape = inputs[0].shape
    condition = Tensor(data.draw(hnp.arrays(np.bool_, condition_shape), label="condition"))
    assert check(lambda a, b: tg.where(condition, a, b), inputs[1], inputs[2])
    assert check(lambda a: a.where(condition, 0.5), inputs[1])


@given(tensors(shapes(min_dims=1)), st.data())
def test_masked_fill_with_a_tensor_value(check, x, data):
    mask = Tensor(data.draw(hnp.arrays(np.bool_, x.shape[1:]), label="mask"))  # broadcast over dim 0
    value = Tensor(np.array(0.7), requires_grad=True, dtype=np.float64)
    assert check(lambda t, v: t.masked_fill(mask, v), x, value)
    assert check(lambda t: tg.masked_fill(t, mask, -2.0), x)


# ---- type promotion, as torch's table (values checked against torch in the oracle file) ----------
def _t(values, dtype):
    return tg.tensor(values, dtype=dtype)


@pytest.mark.parametrize("make, dtype", [
    (lambda: _t([1, 2], tg.int32) + 1.5, tg.float32),
    (lambda: _t([1, 2], tg.int64) / _t([2, 2], tg.int64), tg.float32),
    (lambda: _t([1, 2], tg.int32) / 2, tg.float32),
    (lambda: _t([1, 2], tg.int64) // 2, tg.int64),
    (lambda: _t([1, 2], tg.int32).exp(), tg.float32),
    (lambda: tg.sqrt(_t([True, False], tg.bool)), tg.float32),
    (lambda: _t([True, False], tg.bool) + _t([1, 2], tg.int64), tg.int64),
    (lambda: _t([True, False], tg.bool) + 1, tg.int64),
    (lambda: _t([True, False], tg.bool) + _t([True, True], tg.bool), tg.bool),
    (lambda: _t([1, 2], tg.int32) + _t([1, 2], tg.int64), tg.int64),
    (lambda: _t([1.0], tg.float32) + _t([1.0], tg.float64), tg.float64),
    (lambda: _t([1.0], tg.float32) + _t([1], tg.int64), tg.float32),
    (lambda: _t([1.0], tg.float16) + _t([1], tg.int64), tg.float16),
    (lambda: _t([1, 2], tg.uint8) + _t([1, 2], tg.int8), tg.int16),
    (lambda: _t([1.0], tg.float32) + tg.tensor(1.5, dtype=tg.float64), tg.float32),  # a 0-d tensor counts less
    (lambda: _t([1], tg.int32) + tg.tensor(1.5, dtype=tg.float64), tg.float64),  # ... unless of a higher kind
    (lambda: _t([1], tg.int8) + tg.tensor(1000), tg.int8),
    (lambda: _t([1, 2], tg.int32) ** 2, tg.int32),
    (lambda: 2.0 ** _t([1, 2], tg.int32), tg.float32),
    (lambda: _t([1.0], tg.float32) * np.float64(2.0), tg.float32),  # a numpy scalar is a Python number
    (lambda: tg.where(_t([True], tg.bool), 1.0, 0), tg.float32),
    (lambda: tg.clamp(_t([1, 2], tg.int64), min=1.5), tg.float32),
    (lambda: _t([1, 2], tg.int32).masked_fill(_t([True, False], tg.bool), 1.5), tg.int32),
    (lambda: tg.square(_t([True], tg.bool)), tg.int64),
    (lambda: tg.atan2(_t([1], tg.int32), _t([1], tg.int32)), tg.float32),
])
def test_result_dtypes_are_torchs(make, dtype):
    assert make().dtype == dtype


def test_float64_tensor_with_an_array_is_not_rounded_and_float32_fast_path_keeps_float32():
    x = tg.tensor([1.0, 2.0])
    assert (x * 2).dtype == tg.float32 and (2.5 - x).dtype == tg.float32 and (x / 3).dtype == tg.float32
    assert (Tensor([0.0], dtype=np.float64) + np.array([0.1])).item() == 0.1


def test_a_float32_gradient_stays_float32_across_a_float64_operand():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * tg.tensor([3.0, 4.0], dtype=tg.float64)
    assert y.dtype == tg.float64
    y.sum().backward()
    assert x.grad.dtype == tg.float32
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


def test_integer_arithmetic_wraps_as_torch():
    np.testing.assert_array_equal((_t([1, 2, 250], tg.uint8) - 300).numpy(), [213, 214, 206])
    np.testing.assert_array_equal((_t([1, 2, 250], tg.uint8) + -1).numpy(), [0, 1, 249])


def test_steps_are_in_the_graph_with_zero_gradients():
    x = tg.tensor([1.5, -2.5, 0.3], requires_grad=True)
    for op in (tg.floor, tg.ceil, tg.round, tg.trunc, tg.sign, lambda t: t // 2):
        y = op(x)
        assert y.requires_grad
        x.grad = None
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


# ---- values that are easy to get wrong ---------------------------------------------------------
def test_integer_division_rounding_and_remainders():
    a, b = _t([7, -7, 7, -7, 6], tg.int64), _t([2, 2, -2, -2, -3], tg.int64)
    np.testing.assert_array_equal(tg.div(a, b, rounding_mode="floor").numpy(), [3, -4, -4, 3, -2])
    np.testing.assert_array_equal(tg.div(a, b, rounding_mode="trunc").numpy(), [3, -3, -3, 3, -2])
    np.testing.assert_array_equal((a % b).numpy(), [1, 1, -1, -1, 0])
    np.testing.assert_array_equal(tg.fmod(a, b).numpy(), [1, -1, 1, -1, 0])
    np.testing.assert_array_equal(tg.round(tg.tensor([0.5, 1.5, 2.5, -0.5])).numpy(), [0.0, 2.0, 2.0, -0.0])
    assert tg.sign(tg.tensor([float("nan"), -3.0, 0.0])).numpy().tolist() == [0.0, -1.0, 0.0]


def test_comparisons_logical_and_bitwise_ops():
    x, i = tg.tensor([1.0, 2.0, float("nan")]), _t([1, 2, 3], tg.int32)
    assert (x == tg.tensor([1.0, 3.0, float("nan")])).numpy().tolist() == [True, False, False]
    assert tg.isnan(x).numpy().tolist() == [False, False, True] and not tg.isnan(i).numpy().any()
    assert tg.isfinite(i).numpy().all() and tg.isinf(tg.tensor([float("inf")])).item()
    assert tg.allclose(x[:2], tg.tensor([1.0, 2.0000001])) and tg.equal(i, tg.tensor([1.0, 2.0, 3.0]))
    assert not tg.equal(i, i[:2])
    assert tg.logical_xor(i, _t([0, 2, 0], tg.int32)).numpy().tolist() == [True, False, True]
    assert (i & 3).dtype == tg.int32 and (i | 4).numpy().tolist() == [5, 6, 7] and (i ^ i).numpy().tolist() == [0, 0, 0]
    assert (~_t([True, False], tg.bool)).numpy().tolist() == [False, True] and (~i).numpy().tolist() == [-2, -3, -4]
    assert (i << 1).numpy().tolist() == [2, 4, 6] and (1 << i).numpy().tolist() == [2, 4, 8] and (i >> 1).numpy().tolist() == [0, 1, 1]
    assert (_t([True, False], tg.bool) & 1).dtype == tg.int64
    assert (x == None) is False and (x != None) is True  # noqa: E711 (torch's answer: plain False/True)


@pytest.mark.parametrize("call, error", [
    (lambda: tg.tensor([1.0]) & 1, (RuntimeError, TypeError)),
    (lambda: ~tg.tensor([1.0]), TypeError),
    (lambda: _t([True], tg.bool) << _t([True], tg.bool), RuntimeError),
    (lambda: -_t([True], tg.bool), RuntimeError),
    (lambda: _t([True], tg.bool) - _t([True], tg.bool), RuntimeError),
    (lambda: tg.abs(_t([True], tg.bool)), NotImplementedError),
    (lambda: tg.frac(_t([1], tg.int32)), NotImplementedError),
    (lambda: tg.logaddexp(_t([1], tg.int32), _t([1], tg.int32)), NotImplementedError),
    (lambda: _t([1], tg.int32) // 0, (RuntimeError, ZeroDivisionError)),
    (lambda: tg.remainder(_t([1], tg.int32), 0), RuntimeError),
    (lambda: _t([2], tg.int64) ** -1, (RuntimeError, ValueError)),
    (lambda: tg.div(tg.tensor([1.0]), 2, rounding_mode="round"), (RuntimeError, ValueError)),
    (lambda: tg.clamp(tg.tensor([1.0])), RuntimeError),
    (lambda: tg.where(_t([1], tg.int32), 1.0, 0.0), RuntimeError),
    (lambda: tg.tensor([1.0, 2.0]).masked_fill(_t([1, 0], tg.int32), 0.0), RuntimeError),
    (lambda: tg.tensor([1.0, 2.0]).masked_fill(_t([True, False], tg.bool), tg.tensor([1.0, 2.0])), RuntimeError),
    (lambda: tg.lerp(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64), 0.5), RuntimeError),
    (lambda: tg.isclose(tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64)), RuntimeError),
    (lambda: tg.relu(_t([True], tg.bool)), RuntimeError),
    (lambda: tg.add(_t([1], tg.int32), _t([1], tg.int32), alpha=1.5), RuntimeError),
    (lambda: tg.ones(2, 3) + tg.ones(4), (RuntimeError, ValueError)),
])
def test_what_torch_refuses_is_refused_with_a_catchable_error(call, error):
    with pytest.raises(error):
        call()


def test_error_types():
    assert issubclass(DTypeError, TypeError) and issubclass(DTypeError, NotImplementedError)
    assert issubclass(IntegerDivisionByZero, ZeroDivisionError) and issubclass(IntegerDivisionByZero, RuntimeError)
    assert issubclass(ArgumentError, ValueError) and issubclass(ArgumentError, RuntimeError)


def test_every_function_is_a_method_too():
    x = tg.tensor([0.5, 0.25])
    for name in ("add", "sub", "mul", "div", "remainder", "fmod", "pow", "atan2", "maximum", "minimum",
                 "logaddexp", "eq", "ne", "lt", "le", "gt", "ge", "isclose", "logical_and", "logical_or", "logical_xor"):
        np.testing.assert_array_equal(getattr(x, name)(x).numpy(), getattr(tg, name)(x, x).numpy())
    for name in ("neg", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "exp2", "expm1", "log",
                 "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                 "sigmoid", "relu", "erf", "floor", "ceil", "round", "trunc", "frac", "isnan", "isinf",
                 "isfinite", "logical_not"):
        np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(tg, name)(x).numpy())
    assert abs(tg.tensor([-1.0])).item() == 1.0 and (+x) is x
