"""PyTorch's counting functions: histogram, histc, bincount (the `tg.` functions and the
`Tensor` methods, CountingMethods). None is differentiable, as in torch: each returns
constants."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__: list[str] = ["histogram", "histc", "bincount"]


class HistogramResult(NamedTuple):
    """torch.return_types.histogram: `hist, bin_edges = torch.histogram(x)`."""

    hist: Any
    bin_edges: Any


def _constant(array: np.ndarray) -> Any:
    from ..tensor import Tensor

    return Tensor._from_op(array, None)


def _float_data(input: Any, name: str) -> np.ndarray:
    array = input.array
    if array.dtype.kind != "f":
        # torch's message and type for an integer input
        raise NotImplementedError(f'"{name}" not implemented for {input.dtype}: pass a float tensor')
    return array


def histogram(input: Any, bins: Any = 100, *, range: tuple[float, float] | None = None, weight: Any = None, density: bool = False) -> HistogramResult:
    """Counts of the elements of a float tensor in `bins` equal bins between `range` (the
    data's min and max by default; ±0.5 around a constant input), or between the edges of a
    1-D tensor `bins`. Returns (hist, bin_edges) in the input's dtype; `weight` weighs each
    element, `density=True` scales hist to integrate to 1."""
    array = _float_data(input, "histogram_cpu")
    edges = getattr(bins, "array", bins)
    weights = None if weight is None else weight.array.ravel()
    hist, edges = np.histogram(array.ravel(), bins=edges, range=range, weights=weights, density=density)
    return HistogramResult(_constant(hist.astype(array.dtype)), _constant(np.asarray(edges, dtype=array.dtype)))


def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Any:
    """Counts of the elements of a float tensor in `bins` equal bins between `min` and `max`
    (the data's own min and max when both are 0); elements outside are left out. Returns a
    tensor of the input's dtype."""
    array = _float_data(input, "histogram_cpu")
    if min == 0 and max == 0 and array.size:
        min, max = array.min().item(), array.max().item()
    if min > max:
        raise RuntimeError(f"torch.histc: max must be larger than min; got min={min}, max={max}")
    hist, _ = np.histogram(array.ravel(), bins=bins, range=(min, max))
    return _constant(hist.astype(array.dtype))


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:
    """How often each value 0, 1, ..., max occurs in a 1-D tensor of non-negative integers
    (at least `minlength` counts). int64 counts, or sums of `weights` in their dtype."""
    array = input.array
    if array.ndim != 1 or array.dtype.kind not in "iu" or (array.size and array.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _constant(np.bincount(array, minlength=minlength).astype(np.int64))
    counts = np.bincount(array, weights=weights.array, minlength=minlength)
    return _constant(counts.astype(weights.array.dtype if weights.array.dtype.kind == "f" else np.float64))


class CountingMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()

    def histogram(self, bins: Any = 100, *, range: tuple[float, float] | None = None, weight: Any = None, density: bool = False) -> HistogramResult:
        return histogram(self, bins, range=range, weight=weight, density=density)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Any:
        return histc(self, bins, min, max)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Any:
        return bincount(self, weights, minlength)
