"""Hypothesis strategies for gradient tests: shapes, tensors, broadcastable pairs and conv
cases, drawn so that finite differences are meaningful.

Finite differences go wrong where a function has a kink (relu at 0, a tie in max): the
strategies keep away from those points by construction (`away_from_kinks`), so tests never
need a looser tolerance.

    @given(tensors(shape=shapes()))
    def test_softplus(x):
        assert gradcheck(Softplus.apply, x)

Elements: `floats()` anywhere, `floats(0.1, 3.0)` for log/sqrt, `nonzero_floats()` for
denominators, `away_from_kinks()` (with unique=True) for relu, max and max-pooling.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor

# Grid spacing of `away_from_kinks`: far above the 2ε = 2e-6 a central difference spans.
KINK_GAP = 1e-3


def shapes(min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, size-1 and odd sides included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def floats(low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[float]:
    """Finite float64 values in [low, high]."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def nonzero_floats(min_abs: float = 0.5, limit: float = 2.0) -> st.SearchStrategy[float]:
    """Values with min_abs ≤ |x| ≤ limit, of either sign: denominators, where 1/x and its
    derivatives stay moderate and a step of ε never crosses 0."""
    return st.one_of(floats(-limit, -min_abs), floats(min_abs, limit))


def away_from_kinks(limit: float = 2.0) -> st.SearchStrategy[float]:
    """Values on a grid of step KINK_GAP offset by half a step: never 0, and two distinct
    values are at least KINK_GAP apart (use with unique=True to avoid ties)."""
    steps = int(limit / KINK_GAP)
    return st.integers(-steps, steps - 1).map(lambda i: (i + 0.5) * KINK_GAP)


def arrays(shape: Any, elements: st.SearchStrategy[float] | None = None, unique: bool = False) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of `shape` (a tuple or a strategy of tuples)."""
    return hnp.arrays(np.float64, shape, elements=elements if elements is not None else floats(), unique=unique)


def tensors(shape: Any = None, elements: st.SearchStrategy[float] | None = None, requires_grad: bool = True, unique: bool = False) -> st.SearchStrategy[Tensor]:
    """float64 Tensors (requiring grad by default) of `shape`, or of a shape from `shapes()`."""
    return arrays(shape if shape is not None else shapes(), elements, unique).map(
        lambda data: Tensor(data, requires_grad=requires_grad, dtype=np.float64)
    )


def broadcastable_shapes(max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs of shapes that numpy broadcasts together (size-1 dims, missing leading dims)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=max_dims, max_side=max_side).map(
        lambda result: result.input_shapes
    )


def broadcastable_tensors(
    first: st.SearchStrategy[float] | None = None,
    second: st.SearchStrategy[float] | None = None,
    max_dims: int = 3,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[Tensor, Tensor]]:
    """Pairs of float64 Tensors (requiring grad) whose shapes broadcast together, with
    elements from `first` and `second`: the inputs of a binary op."""
    return broadcastable_shapes(max_dims, max_side).flatmap(
        lambda pair: st.tuples(tensors(pair[0], first), tensors(pair[1], second))
    )


@st.composite
def matmul_shapes(draw: st.DrawFn, max_batch_dims: int = 2, max_side: int = 4) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Pairs of shapes that `a @ b` accepts: (…, n, k) @ (…, k, m) with batch dims that
    broadcast, and a 1-D (k,) vector on the left, the right or both sides, as often as not."""
    n, k, m = draw(st.integers(1, max_side)), draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    batch_a, batch_b = draw(broadcastable_shapes(max_batch_dims, max_side))
    shape_a = (k,) if draw(st.booleans()) else (*batch_a, n, k)
    shape_b = (k,) if draw(st.booleans()) else (*batch_b, k, m)
    return shape_a, shape_b


def reduction_axes(ndim: int) -> st.SearchStrategy[Any]:
    """An `axis` for a reduction over a tensor with `ndim` dims: None (all), one int
    (negative ones too) or a tuple of distinct axes."""
    if ndim == 0:
        return st.none()
    axis = st.integers(-ndim, ndim - 1)
    several = st.lists(axis, min_size=1, max_size=ndim, unique_by=lambda a: a % ndim).map(tuple)
    return st.one_of(st.none(), axis, several)


@dataclass(frozen=True)
class ConvCase:
    """One conv2d configuration whose output is at least 1×1."""

    batch: int
    in_channels: int
    out_channels: int
    height: int
    width: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.in_channels, self.height, self.width)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return (self.out_channels, self.in_channels, *self.kernel)


@st.composite
def conv_cases(draw: st.DrawFn, max_channels: int = 3, max_side: int = 7, max_kernel: int = 3, max_stride: int = 3, max_padding: int = 2) -> ConvCase:
    """Conv2d configurations: odd and even sizes, rectangular kernels, strides, paddings."""
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    padding = (draw(st.integers(0, min(max_padding, kernel[0] - 1))), draw(st.integers(0, min(max_padding, kernel[1] - 1))))
    height = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), max_side))
    width = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), max_side))
    return ConvCase(
        batch=draw(st.integers(1, 2)),
        in_channels=draw(st.integers(1, max_channels)),
        out_channels=draw(st.integers(1, max_channels)),
        height=height,
        width=width,
        kernel=kernel,
        stride=(draw(st.integers(1, max_stride)), draw(st.integers(1, max_stride))),
        padding=padding,
    )


@dataclass(frozen=True)
class PoolCase:
    """One max_pool2d configuration whose output is at least 1×1."""

    input_shape: tuple[int, int, int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]


@st.composite
def pool_cases(draw: st.DrawFn, max_side: int = 7, max_kernel: int = 3) -> PoolCase:
    """Max-pool configurations: tiling (stride = kernel), overlapping (stride < kernel),
    gapped (stride > kernel) and mixed windows, each layout drawn as often as the others."""
    layouts = ["tiling", "overlapping", "gapped", "mixed"] if max_kernel > 1 else ["tiling", "gapped", "mixed"]
    layout = draw(st.sampled_from(layouts))
    smallest = 2 if layout == "overlapping" else 1
    kernel = (draw(st.integers(smallest, max_kernel)), draw(st.integers(smallest, max_kernel)))
    stride_range = {
        "tiling": lambda k: st.just(k),
        "overlapping": lambda k: st.integers(1, k - 1),
        "gapped": lambda k: st.integers(k + 1, k + 2),
        "mixed": lambda k: st.integers(1, max_kernel + 1),
    }[layout]
    stride = (draw(stride_range(kernel[0])), draw(stride_range(kernel[1])))
    shape = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 3)),
        draw(st.integers(kernel[0], max_side)),
        draw(st.integers(kernel[1], max_side)),
    )
    return PoolCase(input_shape=shape, kernel=kernel, stride=stride)
