"""Random tensors, as torch makes them: `tg.rand`, `tg.randn`, `tg.randint`, `tg.normal`, ...

Each draws from the global generator (seeded by `tg.manual_seed`), or from the `generator=`
it is given (a `tg.Generator`), torch's numbers where torch_random.py makes them (rand,
randn, randint, randperm, normal, multinomial). None of them records a graph: a random draw is
a new leaf.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import backend, torch_random
from .creation import as_number, dtype_or, size_from_args, wrap
from .dtypes import float32, float64, int64, is_floating
from .random import Generator, get, numpy_generator
from .tensor import Tensor


def _float_dtype(dtype: Any, name: str) -> np.dtype:
    dtype = dtype_or(dtype, backend.DEFAULT_FLOAT)
    if not is_floating(dtype):
        raise TypeError(f"{name}: draws floating-point values; dtype {dtype} is not a float dtype")
    return dtype


def _torch_draws(draw: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """draw(count, dtype) shaped; float16 is drawn in float32 and rounded."""
    drawn = draw(int(np.prod(shape, dtype=np.int64)), dtype if dtype in (float32, float64) else float32)
    return backend.cast(drawn.reshape(shape), dtype)


def rand(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1), torch's numbers."""
    dtype, bits = _float_dtype(dtype, "rand"), get(generator).bit_generator
    draws = _torch_draws(lambda count, kind: torch_random.uniform(bits, count, kind), size_from_args(sizes, "rand", size), dtype)
    return wrap(draws, device, requires_grad)


def randn(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal: mean 0, standard deviation 1, torch's numbers."""
    dtype, source = _float_dtype(dtype, "randn"), get(generator)
    draws = _torch_draws(lambda count, kind: torch_random.normal(source, count, kind), size_from_args(sizes, "randn", size), dtype)
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
    draws = torch_random.integers(get(generator).bit_generator, int(np.prod(shape, dtype=np.int64)), low, high).reshape(shape)
    return wrap(backend.cast(draws, dtype_or(dtype, int64)), device, requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """0..n-1 in a random order."""
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative; got {n}")
    draws = torch_random.permutation(get(generator).bit_generator, n)
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
    source = get(generator)
    if tensors:  # torch: standard normals, then × std + mean
        draws = torch_random.normal(source, int(np.prod(shape, dtype=np.int64)), np.dtype(dtype)).reshape(shape)
        draws = draws * np.asarray(std_values, dtype) + np.asarray(mean_values, dtype)
    else:
        draws = torch_random.normal(source, int(np.prod(shape, dtype=np.int64)), np.dtype(dtype), mean_values, std_values).reshape(shape)
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
    if not replacement and (num_samples > weights.shape[1] or np.any(nonzero < num_samples)):
        raise RuntimeError(
            f"multinomial: cannot sample n_sample={num_samples} without replacement from "
            f"rows with fewer non-zero categories ({int(nonzero.min())})"
        )
    # torch's draws, computed in the input's float dtype as torch computes them
    native = np.atleast_2d(input.array if input.dtype.kind == "f" else weights).astype(np.float64 if input.dtype == np.float64 else np.float32)
    indices = torch_random.multinomial(get(generator).bit_generator, native, num_samples, replacement)
    return wrap(indices.astype(np.int64).reshape((num_samples,) if input.ndim == 1 else indices.shape))

