"""Random tensors, as torch makes them: `tg.rand`, `tg.randn`, `tg.randint`, `tg.normal`, ...

Each draws from the global generator (seeded by `tg.manual_seed`), or from the `generator=`
it is given (a `tg.Generator`). None of them records a graph: a random draw is a new leaf.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import backend
from .creation import as_number, dtype_or, size_from_args, wrap
from .dtypes import float32, float64, int64, is_floating
from .random import Generator, numpy_generator
from .tensor import Tensor


def _float_dtype(dtype: Any, name: str) -> np.dtype:
    dtype = dtype_or(dtype, backend.DEFAULT_FLOAT)
    if not is_floating(dtype):
        raise TypeError(f"{name}: draws floating-point values; dtype {dtype} is not a float dtype")
    return dtype


def _float_draws(draw: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """numpy draws float32 and float64 directly; float16 is drawn in float32 and rounded."""
    return backend.cast(draw(shape, dtype=dtype if dtype in (float32, float64) else float32), dtype)


def rand(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    dtype = _float_dtype(dtype, "rand")
    return wrap(_float_draws(numpy_generator(generator).random, size_from_args(sizes, "rand", size), dtype), device, requires_grad)


def randn(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal: mean 0, standard deviation 1."""
    dtype = _float_dtype(dtype, "randn")
    draws = _float_draws(numpy_generator(generator).standard_normal, size_from_args(sizes, "randn", size), dtype)
    return wrap(draws, device, requires_grad)


def randint(*args: Any, low: int | None = None, high: int | None = None, size: Any = None,
            generator: Generator | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high): `randint(high, size)` or
    `randint(low, high, size)` (size a tuple), int64 unless `dtype` says otherwise."""
    numbers = list(args)
    if size is None:
        if not numbers or not isinstance(numbers[-1], (tuple, list)):
            raise TypeError("randint(): size must be given, as a tuple: randint(high, (2, 3)) or randint(low, high, (2, 3))")
        size = numbers.pop()
    if high is None:
        high = numbers.pop() if numbers else None
    if low is None:
        low = numbers.pop() if numbers else 0
    if high is None or numbers:
        raise TypeError(f"randint(): expected (high, size) or (low, high, size); got {args!r}")
    low, high = int(as_number(low)), int(as_number(high))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    shape = size_from_args((size,), "randint")
    draws = numpy_generator(generator).integers(low, high, shape, dtype=np.int64)
    return wrap(backend.cast(draws, dtype_or(dtype, int64)), device, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """0..n-1 in a random order."""
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative; got {n}")
    draws = numpy_generator(generator).permutation(n)
    return wrap(backend.cast(draws, dtype_or(dtype, int64)), device, requires_grad)


# ---- shaped like another tensor ----------------------------------------------------------------
def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return rand(input.shape, generator=generator, dtype=dtype_or(dtype, input.dtype), device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    return randn(input.shape, generator=generator, dtype=dtype_or(dtype, input.dtype), device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, generator: Generator | None = None,
                 dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """`randint_like(x, high)` or `randint_like(x, low, high)`; the dtype is x's."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype_or(dtype, input.dtype),
                   device=device, requires_grad=requires_grad)


# ---- drawn from given parameters ---------------------------------------------------------------
def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal draws with the given mean and standard deviation: each may be a tensor (the
    result takes their broadcast shape and float dtype) or a number (then `size` is needed
    if neither is a tensor)."""
    tensors = [value for value in (mean, std) if isinstance(value, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal(): size is taken only when mean and std are both numbers")
        dtype = dtype_or(dtype, np.result_type(*(t.dtype for t in tensors)))
        if not is_floating(dtype):
            raise TypeError(f"normal(): mean and std must be floating-point tensors; got dtype {dtype}")
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
    else:
        if size is None:
            raise TypeError("normal(): with a number mean and std, size is needed: normal(0.0, 1.0, (2, 3))")
        dtype, shape = _float_dtype(dtype, "normal"), size_from_args((size,), "normal")
    mean_values, std_values = (value.array if isinstance(value, Tensor) else value for value in (mean, std))
    if np.any(np.asarray(std_values) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(std_values)}")
    draws = numpy_generator(generator).normal(mean_values, std_values, shape)
    return wrap(backend.cast(draws, dtype), device, requires_grad)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None) -> Tensor:
    """1 with probability `input` (elementwise; or `p` everywhere), else 0; dtype input's."""
    probabilities = input.array if p is None else np.full(input.shape, p)
    if not np.all((probabilities >= 0) & (probabilities <= 1)):
        raise RuntimeError("bernoulli: expects all probabilities p to be in [0, 1] (0 <= p <= 1)")
    draws = numpy_generator(generator).random(input.shape) < probabilities
    return wrap(backend.cast(draws, input.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """Category indices drawn with probabilities proportional to `input`'s rows (1-D: one row),
    int64 of shape (rows, num_samples); without replacement each category comes at most once."""
    weights = np.atleast_2d(np.asarray(input.array, dtype=np.float64))
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim; got {input.ndim} dims")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError("multinomial: probability tensor contains either inf, nan or element < 0")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample {num_samples} (<= 0) samples")
    nonzero = np.count_nonzero(weights, axis=1)
    if np.any(nonzero == 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    rng = numpy_generator(generator)
    if replacement:
        indices = _sample_with_replacement(weights, num_samples, rng)
    else:
        if num_samples > weights.shape[1] or np.any(nonzero < num_samples):
            raise RuntimeError(
                f"multinomial: cannot sample n_sample={num_samples} without replacement from "
                f"rows with fewer non-zero categories ({int(nonzero.min())})"
            )
        # Exponential race: each category's finishing time is Exp(1) / weight; the first
        # num_samples to finish are a draw without replacement (zero weights never finish).
        with np.errstate(divide="ignore"):
            times = rng.standard_exponential(weights.shape) / weights
        indices = np.argsort(times, axis=1, kind="stable")[:, :num_samples]
    return wrap(indices.astype(np.int64).reshape((num_samples,) if input.ndim == 1 else indices.shape))


def _sample_with_replacement(weights: np.ndarray, num_samples: int, rng: np.random.Generator) -> np.ndarray:
    """Inverse-CDF sampling for every row in one searchsorted: row r's CDF is shifted to [r, r+1]."""
    rows, categories = weights.shape
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    offsets = np.arange(rows)[:, None]
    targets = rng.random((rows, num_samples)) + offsets
    flat = np.searchsorted((cdf + offsets).ravel(), targets.ravel(), side="right")
    return np.minimum(flat.reshape(rows, num_samples) - offsets * categories, categories - 1)
