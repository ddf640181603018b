"""Proof 3, second order (DESIGN.md §4, issue 8): PyTorch as the oracle for gradients of
gradients. For every op, the same float64 inputs go through ours and torch's, and both
frameworks compute, with their own double backward:

    g    = ∂⟨f(x), v₁⟩/∂x                  (create_graph=True: g carries a graph)
    hvp  = ∂⟨g, v₂⟩/∂(x, v₁)               = (H v₂,  J v₂)

where H is the Hessian of ⟨f(x), v₁⟩ and J the Jacobian of f. v₁ requires grad too, as in
torch.autograd.gradgradcheck: for an op that is linear in x (sum, reshape, matmul in one
argument, ...) H is zero, and what proves its double backward is the derivative of its
backward with respect to dE/dY = v₁. Each op is also run followed by tanh, so that its backward
receives a dE/dY that itself depends on x, as inside a network.

At the end, a third derivative of a scalar function, differentiated three times in each.

PyTorch is an optional extra: without it this whole file skips.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad
from tinygrad_edu.nn import functional as F

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional extra (pip install torch); the oracle tests compare against it"
)
TF = torch.nn.functional

# float64 on both sides; the two differ only in summation order and last-ulp rounding, which
# a second derivative compounds at most a few times. atol covers entries that are exactly 0
# in one framework and a cancellation residue (~1e-16) in the other.
RTOL, ATOL = 1e-9, 1e-11


class Framework(NamedTuple):
    """What the comparison needs from each framework."""

    leaf: Callable[[np.ndarray], Any]  # a tensor that requires grad
    constant: Callable[[np.ndarray], Any]  # a tensor that does not
    grad: Callable[..., Any]  # its autograd.grad


OURS = Framework(
    leaf=lambda x: Tensor(x, requires_grad=True, dtype=x.dtype),
    constant=lambda x: Tensor(x, dtype=x.dtype),
    grad=grad,
)
THEIRS = Framework(
    leaf=lambda x: torch.tensor(x, requires_grad=True),
    constant=torch.from_numpy,
    grad=lambda *args, **options: torch.autograd.grad(*args, **options),
)


def _as_array(gradient: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A gradient as an array; None (an input the output does not depend on) as zeros."""
    if gradient is None:
        return np.zeros(shape)
    return gradient.detach().numpy()


def second_order(
    framework: Framework, f: Callable[..., Any], inputs: list[np.ndarray], v1: np.ndarray, v2: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """In one framework: f's output, g = ∂⟨f, v₁⟩/∂inputs and hvp = ∂⟨g, v₂⟩/∂(inputs, v₁)."""
    leaves = [framework.leaf(x) for x in inputs]
    direction = framework.leaf(v1)
    output = f(*leaves)
    gradients = framework.grad([output], leaves, grad_outputs=[direction], create_graph=True)
    # ⟨g, v₂⟩ written with the framework's own ops, then differentiated once more.
    inner = sum((g * framework.constant(v)).sum() for g, v in zip(gradients, v2))
    hvp = framework.grad([inner], [*leaves, direction], allow_unused=True)
    return (
        output.detach().numpy(),
        [_as_array(g, x.shape) for g, x in zip(gradients, inputs)],
        [_as_array(h, x.shape) for h, x in zip(hvp, [*inputs, v1])],
    )


def assert_second_order_matches_torch(
    ours: Callable[..., Any], theirs: Callable[..., Any] | None, *inputs: np.ndarray,
    seed: int = 0, rtol: float = RTOL, atol: float = ATOL,
) -> None:
    """Compare f's output, its gradient along v₁, and the Hessian- and Jacobian-vector products
    of the second backward, ours against torch's (theirs = ours when None: most ops are
    spelled alike)."""
    theirs = theirs or ours
    rng = np.random.default_rng(seed + 1000)
    output_shape = ours(*[OURS.constant(x) for x in inputs]).shape
    v1 = rng.standard_normal(output_shape).astype(inputs[0].dtype)
    v2 = [rng.standard_normal(x.shape).astype(x.dtype) for x in inputs]

    our_y, our_g, our_h = second_order(OURS, ours, list(inputs), v1, v2)
    their_y, their_g, their_h = second_order(THEIRS, theirs, list(inputs), v1, v2)
    np.testing.assert_allclose(our_y, their_y, rtol=rtol, atol=atol, err_msg="forward")
    for k, (mine, reference) in enumerate(zip(our_g, their_g)):
        np.testing.assert_allclose(mine, reference, rtol=rtol, atol=atol, err_msg=f"first derivative, input {k}")
    names = [f"Hessian-vector product, input {k}" for k in range(len(inputs))] + ["Jacobian-vector product (∂/∂v₁)"]
    for name, mine, reference in zip(names, our_h, their_h):
        assert mine.shape == reference.shape, name
        assert mine.dtype == reference.dtype, name
        np.testing.assert_allclose(mine, reference, rtol=rtol, atol=atol, err_msg=name)


# ---- inputs: fixed seeds, away from kinks -------------------------------------------------
def normal(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def uniform(shape: tuple[int, ...], low: float, high: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, shape)


def away_from_zero(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """|x| in [0.2, 2], random signs: relu's kink at 0 and a divisor's pole stay far away."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values at least 0.1 apart, shuffled: no ties for max or max-pool to break."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    grid = (np.arange(size) - size / 2) * 0.2
    return rng.permutation(grid + rng.uniform(-0.05, 0.05, size)).reshape(shape)


THEN = {"alone": lambda y: y, "then tanh": lambda y: y.tanh()}


def check(case: tuple[Callable[..., Any], Callable[..., Any] | None, list[np.ndarray]], then: str) -> None:
    ours, theirs, inputs = case
    theirs = theirs or ours
    wrap = THEN[then]
    assert_second_order_matches_torch(lambda *xs: wrap(ours(*xs)), lambda *xs: wrap(theirs(*xs)), *inputs)


# ---- elementwise --------------------------------------------------------------------------
ELEMENTWISE = {
    "add": (lambda a, b: a + b, None, [normal((2, 3, 4)), normal((3, 1), 1)]),
    "sub": (lambda a, b: a - b, None, [normal((3, 1)), normal((2, 3, 4), 1)]),
    "mul": (lambda a, b: a * b, None, [normal((2, 3, 4)), normal((4,), 1)]),
    "div": (lambda a, b: a / b, None, [normal((2, 3, 4)), away_from_zero((3, 1), 1)]),
    "div by a tensor of the same shape": (lambda a, b: a / b, None, [normal((3, 4)), away_from_zero((3, 4), 1)]),
    "pow, tensor exponent": (lambda a, b: a**b, None, [uniform((2, 3), 0.5, 2.0), normal((3,), 1)]),
    "pow, scalar exponent 2.5": (lambda a: a**2.5, None, [uniform((2, 3), 0.2, 3.0)]),
    "pow, scalar exponent -1.5": (lambda a: a**-1.5, None, [uniform((2, 3), 0.2, 3.0)]),
    "pow, integer exponent 3": (lambda a: a**3, None, [normal((2, 3))]),
    "pow, exponent 2": (lambda a: a**2, None, [normal((2, 3))]),
    # At x = 0 the slope of x² and x³ is 0 but x²'s curvature is not: no mask may hide it.
    "pow, exponent 2 at exact zeros": (lambda a: a**2, None, [np.array([0.0, -1.5, 0.0, 2.0])]),
    "pow, exponent 3 at exact zeros": (lambda a: a**3, None, [np.array([0.0, -1.5, 0.0, 2.0])]),
    "pow, float exponent 2.0 on negative bases": (lambda a: a**2.0, None, [np.array([-0.5, -1.5, 2.0])]),
    "pow, exponent 1": (lambda a: a**1, None, [normal((3,))]),
    "pow, scalar base": (lambda a: 2.0**a, None, [normal((2, 3))]),
    "pow, scalar base below 1": (lambda a: 0.3**a, None, [normal((2, 3))]),
    "scalars on both sides": (lambda a: 3.0 - a * 2.0 + 1.5 / (a * a + 1.0), None, [normal((5,))]),
    "neg": (lambda a: -a, None, [normal((2, 3))]),
    "exp": (lambda a: a.exp(), None, [normal((2, 3))]),
    "log": (lambda a: a.log(), None, [uniform((2, 3), 0.1, 3.0)]),
    "sqrt": (lambda a: a.sqrt(), None, [uniform((2, 3), 0.1, 3.0)]),
    "tanh": (lambda a: a.tanh(), None, [uniform((2, 3), -3.0, 3.0)]),
    "sigmoid": (lambda a: a.sigmoid(), None, [uniform((2, 3), -5.0, 5.0)]),
    "tanh, saturated": (lambda a: a.tanh(), None, [np.array([-20.0, -3.0, 0.0, 20.0])]),
    "sigmoid, saturated": (lambda a: a.sigmoid(), None, [np.array([-30.0, -5.0, 0.0, 30.0])]),
    "relu": (lambda a: a.relu(), None, [away_from_zero((3, 4))]),
    "relu squared": (lambda a: a.relu() * a.relu(), None, [away_from_zero((3, 4))]),
    "double() of a float64 tensor, in a product": (lambda a: a.double() * a, None, [normal((2, 3))]),
    "float() then double(), in a product": (lambda a: a.float().double() * a, None, [normal((2, 3))]),
    "one input in many places": (lambda a: a.sum() * a / a.exp() + a * a, None, [normal((3,))]),
}


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise(name, then):
    check(ELEMENTWISE[name], then)


@pytest.mark.parametrize("then", THEN)
def test_double_from_float32(then):
    """A float32 leaf cast up: the gradients come back to it in float32 in both frameworks, so
    the last float32 ulp (6e-8) is the tolerance; the math between runs in float64."""
    x = normal((2, 3)).astype(np.float32)
    wrap = THEN[then]
    assert_second_order_matches_torch(lambda t: wrap(t.double() ** 3), None, x, rtol=1e-6, atol=1e-7)


# ---- reductions ---------------------------------------------------------------------------
REDUCTION_DIMS = [
    dict(),
    dict(dim=1),
    dict(dim=-1, keepdim=True),
    dict(dim=(0, 2)),
    dict(dim=(0, 2), keepdim=True),
]


def _label(options: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in options.items()) or "all"


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("options", REDUCTION_DIMS, ids=_label)
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_and_mean(name, options, then):
    case = (lambda t: getattr(t, name)(**options), None, [normal((2, 3, 4))])
    check(case, then)


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("options", REDUCTION_DIMS, ids=_label)
def test_max(options, then):
    dims = options.get("dim", (0, 1, 2))
    keepdim = options.get("keepdim", False)
    case = (lambda t: t.amax(**options), lambda t: torch.amax(t, dim=dims, keepdim=keepdim), [distinct((2, 3, 4))])
    check(case, then)


def test_max_of_a_product_routes_the_second_derivative_to_the_winner():
    # max(x ⊙ x) has a nonzero Hessian (2 at the winner): a test that max's backward, taken
    # again, keeps its routing.
    assert_second_order_matches_torch(lambda t: (t * t).amax(dim=1), lambda t: torch.amax(t * t, dim=1), distinct((3, 4), 1))


# ---- movement and indexing ----------------------------------------------------------------
MOVEMENT = {
    "reshape": (lambda t: t.reshape(4, 6), None),
    "reshape with -1": (lambda t: t.reshape(-1, 3), None),
    "view": (lambda t: t.view(6, 4), None),
    "flatten": (lambda t: t.flatten(), None),
    "flatten(1)": (lambda t: t.flatten(1), None),
    "transpose": (lambda t: t.transpose(0, 2), None),
    "transpose, negative dims": (lambda t: t.transpose(-1, -2), None),
    "permute": (lambda t: t.permute(2, 0, 1), None),
    ".T": (lambda t: t.T, lambda t: t.permute(2, 1, 0)),
    "slices": (lambda t: t[1:, ::2, 1:3], None),
    "integer and ellipsis": (lambda t: t[..., 1], None),
    "newaxis and negative index": (lambda t: t[None, -1, :, 2:], None),
}


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("name", MOVEMENT)
def test_movement_and_basic_indexing(name, then):
    ours, theirs = MOVEMENT[name]
    check((ours, theirs, [normal((2, 3, 4))]), then)


PICKS = np.array([2, 0, 2, 1, 2, -1])  # repeats: their gradients add up


@pytest.mark.parametrize("then", THEN)
def test_integer_array_index_with_repeats(then):
    check((lambda t: t[Tensor(PICKS)], lambda t: t[torch.from_numpy(PICKS)], [normal((3, 4))]), then)


@pytest.mark.parametrize("then", THEN)
def test_integer_array_index_on_a_later_dim(then):
    check((lambda t: t[:, PICKS], lambda t: t[:, torch.from_numpy(PICKS)], [normal((2, 3, 4))]), then)


MASK = np.random.default_rng(7).random((3, 4)) > 0.4


@pytest.mark.parametrize("then", THEN)
def test_two_integer_arrays(then):
    rows, cols = np.array([0, 2, 0, 0]), np.array([1, 1, 3, 1])  # (0, 1) picked three times
    check((lambda t: t[rows, cols], lambda t: t[torch.from_numpy(rows), torch.from_numpy(cols)], [normal((3, 4))]), then)


@pytest.mark.parametrize("then", THEN)
def test_boolean_mask(then):
    check((lambda t: t[MASK], lambda t: t[torch.from_numpy(MASK)], [normal((3, 4))]), then)


@pytest.mark.parametrize("then", THEN)
def test_boolean_mask_over_the_leading_dim(then):
    rows = np.array([True, False, True])
    check((lambda t: t[rows], lambda t: t[torch.from_numpy(rows)], [normal((3, 4))]), then)


# ---- matrix products ----------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3, 4), (4, 2)),
    ((2, 1, 3, 4), (5, 4, 2)),  # batched, with broadcasting over the batch
    ((4,), (2, 4, 3)),  # 1-D on the left: a row vector, removed afterwards
    ((2, 3, 4), (4,)),  # 1-D on the right: a column vector
    ((4,), (4,)),  # the dot product
    ((1, 4), (4, 1)),
    ((4,), (4, 3)),
    ((3, 4), (4,)),
    ((2, 3, 4), (2, 4, 5)),
    ((3, 2, 3, 4), (4, 5)),  # a matrix broadcast over two batch dims
]


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES)
def test_matmul(shape_a, shape_b, then):
    check((lambda a, b: a @ b, None, [normal(shape_a), normal(shape_b, 1)]), then)


@pytest.mark.parametrize("name", ["x xᵀ", "x x"])
def test_matmul_of_an_input_with_itself(name):
    # The Hessian couples the two operands of one product.
    f = (lambda a: a @ a.T) if name == "x xᵀ" else (lambda a: a @ a)
    assert_second_order_matches_torch(f, None, normal((3, 3)))


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("batch", [(), (5,), (2, 3)], ids=str)
def test_linear(batch, then):
    x, weight, bias = normal((*batch, 4)), normal((3, 4), 1), normal((3,), 2)
    check((F.linear, TF.linear, [x, weight, bias]), then)
    check((F.linear, TF.linear, [x, weight]), then)


# ---- convolution and pooling --------------------------------------------------------------
CONV_CASES = [
    # input shape, weight shape, stride, padding
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
    ((2, 3, 6, 7), (4, 3, 3, 3), 2, 1),
    ((1, 2, 5, 6), (3, 2, 2, 3), (2, 1), (1, 2)),
    ((2, 1, 4, 4), (2, 1, 1, 1), 1, 0),
    ((1, 2, 7, 7), (2, 2, 2, 2), 3, 0),  # stride larger than the kernel: some inputs unused
    ((1, 1, 2, 2), (1, 1, 3, 3), 1, 2),  # padding wider than the input
]


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("input_shape, weight_shape, stride, padding", CONV_CASES)
def test_conv2d(input_shape, weight_shape, stride, padding, then):
    x, weight, bias = normal(input_shape), normal(weight_shape, 1), normal((weight_shape[0],), 2)
    options = dict(stride=stride, padding=padding)
    check((lambda i, w, b: F.conv2d(i, w, b, **options), lambda i, w, b: TF.conv2d(i, w, b, **options), [x, weight, bias]), then)
    check((lambda i, w: F.conv2d(i, w, **options), lambda i, w: TF.conv2d(i, w, **options), [x, weight]), then)


def test_conv2d_of_an_input_with_itself():
    # The same tensor as input and as kernel: both halves of conv's backward meet in the Hessian.
    assert_second_order_matches_torch(lambda t: F.conv2d(t, t, padding=1), lambda t: TF.conv2d(t, t, padding=1), normal((2, 2, 3, 3)))


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize(
    "input_shape, kernel, stride",
    [((2, 3, 4, 4), 2, None), ((1, 2, 5, 5), 3, 2), ((2, 2, 4, 5), 2, 1), ((1, 1, 6, 4), (3, 2), (2, 1)), ((1, 1, 5, 5), 2, None)],
)
def test_max_pool2d(input_shape, kernel, stride, then):
    # Overlapping windows (stride < kernel) send several outputs' gradients to one input.
    x = distinct(input_shape)
    check((lambda t: F.max_pool2d(t, kernel, stride), lambda t: TF.max_pool2d(t, kernel, stride), [x]), then)


def test_max_pool2d_of_a_square():
    # max-pool of x ⊙ x: a nonzero Hessian, routed through overlapping windows.
    x = distinct((1, 2, 4, 4))
    assert_second_order_matches_torch(lambda t: F.max_pool2d(t * t, 2, 1), lambda t: TF.max_pool2d(t * t, 2, 1), x)


# ---- softmax and losses -------------------------------------------------------------------
@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["log_softmax", "softmax"])
def test_softmax_and_log_softmax(name, dim, then):
    ours, theirs = getattr(F, name), getattr(TF, name)
    check((lambda t: ours(t, dim=dim), lambda t: theirs(t, dim=dim), [uniform((3, 4, 2), -3.0, 3.0)]), then)


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction, then):
    prediction, target = normal((4, 3)), normal((4, 3), 1)
    check(
        (
            lambda p, t: F.mse_loss(p, t, reduction=reduction),
            lambda p, t: TF.mse_loss(p, t, reduction=reduction),
            [prediction, target],
        ),
        then,
    )


EXTREME_LOGITS = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("name", ["log_softmax", "softmax"])
def test_softmax_and_log_softmax_at_logits_of_a_thousand(name):
    ours, theirs = getattr(F, name), getattr(TF, name)
    assert_second_order_matches_torch(lambda t: ours(t, dim=1), lambda t: theirs(t, dim=1), EXTREME_LOGITS)


TARGETS = np.array([1, 0, 3, 3, 2], dtype=np.int64)


@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(reduction, then):
    logits = uniform((5, 4), -3.0, 3.0)
    check(
        (
            lambda y: F.cross_entropy(y, Tensor(TARGETS), reduction=reduction),
            lambda y: TF.cross_entropy(y, torch.from_numpy(TARGETS), reduction=reduction),
            [logits],
        ),
        then,
    )


def test_cross_entropy_at_logits_of_a_thousand():
    targets = np.array([1, 0, 2])
    assert_second_order_matches_torch(
        lambda y: F.cross_entropy(y, Tensor(targets)), lambda y: TF.cross_entropy(y, torch.from_numpy(targets)), EXTREME_LOGITS
    )


def test_mse_loss_against_a_constant_target():
    target = normal((2, 3), 1)
    assert_second_order_matches_torch(
        lambda p: F.mse_loss(p, Tensor(target, dtype=np.float64)), lambda p: TF.mse_loss(p, torch.from_numpy(target)), normal((2, 3))
    )


# ---- a composed graph ---------------------------------------------------------------------
def test_composed_network():
    """conv → tanh → max-pool → flatten → linear → sigmoid → linear → cross-entropy, plus a
    weight penalty: every parameter's Hessian-vector product through the whole graph."""
    labels = np.array([2, 0], dtype=np.int64)
    images = normal((2, 1, 6, 6))
    kernels, bias = normal((3, 1, 3, 3), 1) * 0.5, normal((3,), 2)
    w1, w2 = normal((5, 12), 3) * 0.5, normal((4, 5), 4) * 0.5

    def network(nn: Any, targets: Any) -> Callable[..., Any]:
        def loss(x: Any, k: Any, b: Any, u: Any, v: Any) -> Any:
            hidden = nn.max_pool2d(nn.conv2d(x, k, b, stride=1, padding=1).tanh(), 3, 3).flatten(1)
            logits = nn.linear(nn.linear(hidden, u).sigmoid(), v)
            penalty = (u * u).sum() * 0.01 + (k**2).mean()
            return nn.cross_entropy(logits, targets) + penalty

        return loss

    assert_second_order_matches_torch(
        network(F, Tensor(labels)), network(TF, torch.from_numpy(labels)), images, kernels, bias, w1, w2
    )


def test_composed_elementwise_graph_of_two_inputs():
    def f(a: Any, b: Any) -> Any:
        return ((a * b).exp() / (1.0 + b * b) + (a**2.0 + 1.0).log() * b.sigmoid() - (a - b).tanh() ** 3).sqrt()

    # The argument of the sqrt stays positive for these inputs (checked by the forward pass).
    a, b = uniform((3, 4), 0.5, 1.0), uniform((4,), 0.5, 1.0, 1)
    assert np.all(np.isfinite(f(Tensor(a, dtype=np.float64), Tensor(b, dtype=np.float64)).numpy()))
    assert_second_order_matches_torch(f, None, a, b)


# ---- higher orders ------------------------------------------------------------------------
def third_derivative(framework: Framework, x: np.ndarray, u: np.ndarray, w: np.ndarray) -> list[np.ndarray]:
    """For f(x) = Σ tanh(x) ⊙ eˣ: ∇f, (∇²f) u and (∇³f)[u, w], each a vector of x's shape."""
    leaf = framework.leaf(x)
    f = (leaf.tanh() * leaf.exp()).sum()
    (first,) = framework.grad([f], [leaf], create_graph=True)
    (second,) = framework.grad([(first * framework.constant(u)).sum()], [leaf], create_graph=True)
    (third,) = framework.grad([(second * framework.constant(w)).sum()], [leaf])
    return [value.detach().numpy() for value in (first, second, third)]


def test_third_derivative_of_a_scalar_function():
    x, u, w = uniform((6,), -1.5, 1.5), normal((6,), 1), normal((6,), 2)
    for order, (mine, reference) in enumerate(zip(third_derivative(OURS, x, u, w), third_derivative(THEIRS, x, u, w)), start=1):
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=ATOL, err_msg=f"derivative of order {order}")


def test_third_derivative_along_a_direction():
    """d³/dt³ f(x + t d) at t = 0 is (∇³f)[d, d, d]; f is a sum of one-variable functions, so it
    is also Σ f'''(xᵢ) dᵢ³, with f''' of tanh(x) eˣ written out by hand."""
    x, d = uniform((6,), -1.5, 1.5, 5), normal((6,), 6)
    ours = third_derivative(OURS, x, d, d)[2] @ d
    theirs = third_derivative(THEIRS, x, d, d)[2] @ d
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)
    # (t eˣ)''' = (t + 3t' + 3t'' + t''') eˣ (Leibniz), with t = tanh x, t' = 1 − t²,
    # t'' = −2 t t', t''' = −2 t'² − 2 t t''.
    t = np.tanh(x)
    t1 = 1 - t * t
    t2 = -2 * t * t1
    t3 = -2 * t1 * t1 - 2 * t * t2
    by_hand = np.exp(x) * (t + 3 * t1 + 3 * t2 + t3)
    np.testing.assert_allclose(ours, by_hand @ d**3, rtol=1e-12)


# torch warns that .grad holding its own graph makes a reference cycle; that is the point here.
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
def test_third_derivative_through_backward_with_create_graph():
    """The other door: x.grad from backward(create_graph=True), differentiated twice more."""
    x = uniform((5,), -1.0, 1.0, 4)
    results = []
    for framework in (OURS, THEIRS):
        leaf = framework.leaf(x)
        (leaf.sigmoid() * leaf**3).sum().backward(create_graph=True)
        first = leaf.grad
        (second,) = framework.grad([first.sum()], [leaf], create_graph=True)
        (third,) = framework.grad([second.sum()], [leaf])
        results.append([value.detach().numpy() for value in (first, second, third)])
    for order, (mine, reference) in enumerate(zip(*results), start=1):
        np.testing.assert_allclose(mine, reference, rtol=RTOL, atol=ATOL, err_msg=f"derivative of order {order}")
