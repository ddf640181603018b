"""PyTorch's reductions and scans: sum mean prod max min amax amin argmax argmin var std norm logsumexp cumsum cumprod cummax cummin any all count_nonzero median: the `tg.` functions and the `Tensor` methods (ReductionMethods).

Dims are torch's `dim`/`keepdim` (an int, a negative int, a tuple or list, None or () for
all) or numpy's `axis`/`keepdims`. Gradients at ties, as torch: `max()`/`min()` without a
dim, `amax`/`amin` and `median()` split the gradient evenly among the tied elements;
`max(dim)`, `min(dim)`, `median(dim)`, `cummax` and `cummin` send it to the returned index.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import ops  # the package only: its modules are imported once Tensor exists (tensor.py)
from . import elementwise  # max(a, b) is torch.maximum
from .axis_alias import accept_axis

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__: list[str] = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std", "norm",
    "logsumexp", "cumsum", "cumprod", "cummax", "cummin", "any", "all", "count_nonzero", "median",
    "ValuesIndices", "softmax", "log_softmax", "var_mean", "std_mean", "aminmax", "nansum", "nanmean",
]


def softmax(input: Any, dim: int, dtype: Any = None) -> Any:  # noqa: A002 (torch's name)
    """torch.softmax: e^X / Σ_dim e^X (in `dtype`, if given, as torch casts first)."""
    return input.softmax(dim, dtype)


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Any:  # noqa: A002
    """torch.log_softmax: X − log Σ_dim e^X."""
    return input.log_softmax(dim, dtype)


class ValuesIndices(NamedTuple):
    """What torch returns as torch.return_types.max (min, median, cummax, cummin): the values
    and their int64 indices, by name or unpacked as `values, indices = x.max(1)`."""

    values: Any
    indices: Any


def _tensor(input: Any) -> Tensor:
    """`input` as a Tensor: an ndarray (`x.array`, or `x.numpy()`) is wrapped without a copy,
    so `torch.max(x.numpy(), 1)` runs as `torch.max(x.data, 1)` does."""
    if isinstance(input, np.ndarray):
        from ..tensor import Tensor

        return Tensor.from_numpy(input)
    return input


def _dims(dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> tuple[Any, bool]:
    """(dims, keepdim) from torch's or numpy's spelling (keepdims=, when given, wins)."""
    return ops.reduce.reduction_args(axis, keepdim, dim, keepdims)


def _constant(input: Tensor, array: np.ndarray) -> Tensor:
    """A result without a gradient (indices, counts, truth values): a plain Tensor, also when
    the input is a subclass such as nn.Parameter."""
    from ..tensor import Tensor

    return Tensor._from_op(np.asarray(array), None)


def _integers_as_int64(input: Tensor, dtype: Any) -> Tensor:
    """The input as `dtype` if given, else bool and integer tensors as int64: torch's sum,
    prod, cumsum and cumprod count in int64."""
    if dtype is None:
        return input if input.array.dtype.kind == "f" else input.to(np.int64)
    return input.to(dtype)


def _floating(input: Tensor, name: str) -> None:
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}(): input dtype must be a floating point dtype; got {input.dtype}")


# ---- sums and products --------------------------------------------------------------------
def sum(input: Tensor, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:  # noqa: A001
    input = _tensor(input)
    return ops.reduce.Sum.apply(_integers_as_int64(input, dtype), *_dims(dim, keepdim, axis, keepdims))


def mean(input: Tensor, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    if input.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be a floating point dtype; got {input.dtype}"
        )
    return ops.reduce.Mean.apply(input, *_dims(dim, keepdim, axis, keepdims))


def prod(input: Tensor, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    input = _tensor(input)
    return ops.reduce.Prod.apply(_integers_as_int64(input, dtype), *_dims(dim, keepdim, axis, keepdims))


# ---- extremes -----------------------------------------------------------------------------
def _extreme(input: Tensor, dim: Any, keepdim: Any, axis: Any, keepdims: Any, largest: bool) -> Any:
    name = "max" if largest else "min"
    dim, keepdim = _dims(dim, keepdim, axis, keepdims)
    if dim is None:
        return (ops.reduce.Max if largest else ops.reduce.Min).apply(input, None, keepdim)
    if isinstance(dim, tuple):
        raise TypeError(f"{name}() takes one int dim and returns (values, indices); for several dims use a{name}()")
    indices = ops.reduce.arg_extreme(input.array, dim, keepdim, "argmax" if largest else "argmin", name)
    return ValuesIndices(_at_indices(input, indices, dim, keepdim), _constant(input, indices))


def _at_indices(input: Tensor, indices: np.ndarray, dim: int, keepdim: bool) -> Tensor:
    """input's elements at `indices` along `dim` (a differentiable gather: the gradient goes
    to those elements only)."""
    if input.ndim == 0:
        return ops.movement.Reshape.apply(input, ())
    dim = ops.dims.wrap_dim(dim, input.ndim, "gather")
    return ops.movement.Index.apply(input, ops.reduce.along_dim(indices, dim, keepdim))


def max(input: Tensor, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Any:  # noqa: A001
    """max(input): the largest value. max(input, dim, keepdim=False): (values, indices).
    max(input, other): the elementwise maximum, as torch.maximum."""
    input = _tensor(input)
    if ops.xp.is_tensor(dim):
        return elementwise.maximum(input, dim)
    return _extreme(input, dim, keepdim, axis, keepdims, largest=True)


def min(input: Tensor, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Any:  # noqa: A001
    """min(input): the smallest value. min(input, dim, keepdim=False): (values, indices).
    min(input, other): the elementwise minimum, as torch.minimum."""
    input = _tensor(input)
    if ops.xp.is_tensor(dim):
        return elementwise.minimum(input, dim)
    return _extreme(input, dim, keepdim, axis, keepdims, largest=False)


def amax(input: Tensor, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    input = _tensor(input)
    return ops.reduce.Max.apply(input, *_dims(dim, keepdim, axis, keepdims))


def amin(input: Tensor, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    input = _tensor(input)
    return ops.reduce.Min.apply(input, *_dims(dim, keepdim, axis, keepdims))


def argmax(input: Tensor, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    input = _tensor(input)
    return _constant(input, ops.reduce.arg_extreme(input.array, *_dims(dim, keepdim, axis, keepdims), "argmax"))


def argmin(input: Tensor, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
    input = _tensor(input)
    return _constant(input, ops.reduce.arg_extreme(input.array, *_dims(dim, keepdim, axis, keepdims), "argmin"))


# ---- statistics ---------------------------------------------------------------------------
def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    """The variance with Bessel's correction unless told otherwise: divided by n − correction
    (correction=1 by default; unbiased=False means correction=0). var(input, unbiased) too."""
    input = _tensor(input)
    if isinstance(dim, bool):  # torch's older var(input, unbiased)
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise TypeError("var/std: give correction= or unbiased=, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    _floating(input, "var")
    axes, keep = _dims(dim, keepdim, axis, keepdims)
    return ops.statistics.Var.apply(input, axes, correction, keep)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    """The square root of var (same arguments)."""
    variance = var(input, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)
    return ops.elementwise.Sqrt.apply(variance)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The p-norm over `dim` (all elements by default): p = 2 or "fro" (Euclidean), 1, any
    p > 0, inf (largest |x|), -inf (smallest |x|), 0 (count of non-zeros)."""
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    _floating(input, "norm")
    dim, keepdim = _dims(dim, keepdim, None, None)
    if p == "fro":
        p = 2
    if isinstance(p, str):
        raise ValueError(f"norm: p={p!r} is not supported (use a number, inf, -inf or 'fro')")
    if p in (np.inf, -np.inf):
        magnitude = input * np.sign(input.array)  # |x|, whose slope sign(x) is a constant
        return (ops.reduce.Max if p > 0 else ops.reduce.Min).apply(magnitude, dim, keepdim)
    if p == 0:
        counts = np.add.reduce(input.array != 0, axis=ops.reduce.normalize_axes(dim, input.ndim, "norm"), keepdims=keepdim)
        return _constant(input, counts.astype(input.dtype))
    if p < 0:
        raise ValueError(f"norm: p={p} is not supported (use p > 0, 0, inf or -inf)")
    return ops.statistics.Norm.apply(input, float(p), dim, keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log Σ exp(input) over `dim`, without overflow."""
    input = _tensor(input)
    if input.dtype.kind != "f":  # integers give the default float dtype, as torch
        from ..dtypes import get_default_dtype

        input = input.to(get_default_dtype())
    return ops.statistics.LogSumExp.apply(input, *_dims(dim, keepdim, None, None))


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """median(input): the lower of the two middle values for an even count, as torch.
    median(input, dim, keepdim=False): (values, indices) along one dim."""
    input = _tensor(input)
    if dim is None:
        return ops.statistics.Median.apply(input)
    if input.ndim == 0:
        ops.dims.wrap_dim(dim, 0, "median")
        return ValuesIndices(_at_indices(input, None, 0, keepdim), _constant(input, np.zeros((), np.int64)))
    dim = ops.dims.wrap_dim(dim, input.ndim, "median")
    indices = ops.statistics.median_indices(input.array, dim)
    if keepdim:
        indices = np.expand_dims(indices, dim)
    return ValuesIndices(_at_indices(input, indices, dim, keepdim), _constant(input, indices))


# ---- scans --------------------------------------------------------------------------------
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    input = _integers_as_int64(_tensor(input), dtype)
    if input.ndim == 0:  # a 0-d tensor scans as one element
        return cumsum(input.reshape(1), ops.dims.wrap_dim(dim, 0, "cumsum")).reshape(())
    return ops.scan.CumSum.apply(input, ops.dims.wrap_dim(dim, input.ndim, "cumsum"), False)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    input = _integers_as_int64(_tensor(input), dtype)
    if input.ndim == 0:
        return cumprod(input.reshape(1), ops.dims.wrap_dim(dim, 0, "cumprod")).reshape(())
    return ops.scan.CumProd.apply(input, ops.dims.wrap_dim(dim, input.ndim, "cumprod"))


def _running_extreme(input: Tensor, dim: int, largest: bool) -> ValuesIndices:
    input = _tensor(input)
    name = "cummax" if largest else "cummin"
    if input.ndim == 0:
        ops.dims.wrap_dim(dim, 0, name)
        return ValuesIndices(_at_indices(input, None, 0, True), _constant(input, np.zeros((), np.int64)))
    dim = ops.dims.wrap_dim(dim, input.ndim, name)
    indices = ops.scan.running_extreme_indices(input.array, dim, largest)
    return ValuesIndices(_at_indices(input, indices, dim, True), _constant(input, indices))


def cummax(input: Tensor, dim: int) -> ValuesIndices:
    """(values, indices) of the running maximum along `dim`; a tie takes the later index."""
    return _running_extreme(input, dim, largest=True)


def cummin(input: Tensor, dim: int) -> ValuesIndices:
    """(values, indices) of the running minimum along `dim`; a tie takes the later index."""
    return _running_extreme(input, dim, largest=False)


# ---- truth and counts (no gradient) -------------------------------------------------------
def any(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:  # noqa: A001
    return _truth(input, np.logical_or, dim, keepdim, axis, keepdims, "any")


def all(input: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:  # noqa: A001
    return _truth(input, np.logical_and, dim, keepdim, axis, keepdims, "all")


def _truth(input: Tensor, logical: np.ufunc, dim: Any, keepdim: Any, axis: Any, keepdims: Any, name: str) -> Tensor:
    """any/all over dims: bool, except uint8 in, uint8 out (as torch)."""
    input = _tensor(input)
    dim, keepdim = _dims(dim, keepdim, axis, keepdims)
    axes = ops.reduce.normalize_axes(dim, input.ndim, name)
    result = logical.reduce(input.array.astype(bool, copy=False), axis=axes, keepdims=keepdim)
    return _constant(input, result.astype(np.uint8) if input.dtype == np.uint8 else result)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number (int64) of non-zero elements over `dim` (all by default)."""
    input = _tensor(input)
    axes = ops.reduce.normalize_axes(_dims(dim, False, None, None)[0], input.ndim, "count_nonzero")
    return _constant(input, np.add.reduce(input.array != 0, axis=axes, dtype=np.int64))


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction: Any = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over `dim`, with var's arguments (torch.var_mean)."""
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction: Any = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over `dim`, with std's arguments (torch.std_mean)."""
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


class MinMax(NamedTuple):
    """torch.return_types.aminmax: `low, high = x.aminmax()`."""

    min: Any
    max: Any


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
    """(amin, amax) over `dim` (all elements by default)."""
    return MinMax(amin(input, dim, keepdim), amax(input, dim, keepdim))


def _nan_as_zero(input: Tensor) -> Tensor:
    input = _tensor(input)
    return elementwise.where(elementwise.isnan(input), 0, input) if input.dtype.kind == "f" else input


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """sum, NaNs counted as zero (they get no gradient)."""
    return sum(_nan_as_zero(input), dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """mean of the elements that are not NaN (NaN where all are)."""
    input = _tensor(input) if dtype is None else _tensor(input).to(dtype)
    counted = elementwise.logical_not(elementwise.isnan(input)).sum(dim, keepdim)
    return nansum(input, dim, keepdim) / counted


class ReductionMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    def sum(self, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        return sum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def mean(self, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        return mean(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def prod(self, dim: Any = None, keepdim: Any = False, *, dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        return prod(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def max(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        return max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Any:
        return min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
        return aminmax(self, dim=dim, keepdim=keepdim)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return nanmean(self, dim, keepdim, dtype=dtype)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        return var(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: Any = False, *, correction: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
        return std(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return norm(self, p, dim, keepdim, dtype)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return logsumexp(self, dim, keepdim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        return median(self, dim, keepdim)

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return cumprod(self, dim, dtype=dtype)

    def cummax(self, dim: int) -> ValuesIndices:
        return cummax(self, dim)

    def cummin(self, dim: int) -> ValuesIndices:
        return cummin(self, dim)

    def any(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def all(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        return all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return count_nonzero(self, dim)


# torch takes numpy's axis= for dim= here too (api/axis_alias.py)
accept_axis(globals(), ['softmax', 'log_softmax', 'logsumexp', 'median', 'cumsum', 'cumprod', 'cummax', 'cummin', 'count_nonzero'])
accept_axis(ReductionMethods, ['logsumexp', 'median', 'cumsum', 'cumprod', 'cummax', 'cummin', 'count_nonzero'])

