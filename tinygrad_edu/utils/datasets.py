"""torch.utils.data's data sets: `Dataset`, `IterableDataset`, `TensorDataset`, `StackDataset`,
`Subset`, `ConcatDataset`, `ChainDataset` and `random_split`.

A map-style data set answers `dataset[i]` for i in 0..len-1; an iterable one only yields its
samples in order (a stream). The DataLoader (utils/dataloader.py) batches either.
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Any, Iterable, Iterator, Sequence

from ..random import Generator, numpy_generator
from ..tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "Subset", "ConcatDataset", "ChainDataset", "random_split"]


class Dataset:
    """A map-style data set, as torch.utils.data.Dataset: subclass it and define
    `__getitem__(index)` (one sample) and `__len__()` (how many), then hand it to DataLoader.
    `a + b` is their ConcatDataset."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"Subclasses of Dataset should implement __getitem__. ({type(self).__name__} does not)")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples, as torch.utils.data.IterableDataset: define `__iter__`. The
    DataLoader takes them in order (no sampler, no shuffle); `a + b` chains two streams."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__(), as an IterableDataset subclass")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples cut from Tensors along their first dimension: item i is
    `tuple(tensor[i] for tensor in tensors)`, as torch.utils.data.TensorDataset."""

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for position, tensor in enumerate(tensors):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"TensorDataset takes Tensors; argument {position} is a {type(tensor).__name__}")
            if tensor.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {position} is 0-d; its first dimension must count the samples")
        sizes = [tensor.shape[0] for tensor in tensors]
        if len(set(sizes)) > 1:
            raise _SizeMismatchError(f"Size mismatch between tensors: first dimensions {sizes} must agree")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class _SizeMismatchError(AssertionError, ValueError):
    """TensorDataset's tensors differ in length: torch raises AssertionError, tinygrad_edu
    raised ValueError; both `except` clauses catch this."""


class StackDataset(Dataset):
    """Data sets of one length side by side: item i is `(a[i], b[i], ...)` for
    StackDataset(a, b, ...), or `{"x": a[i], ...}` for StackDataset(x=a, ...), as torch's."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like input/output, "
                             "but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        datasets = list(args) if args else list(kwargs.values())
        self._length = len(datasets[0])
        if any(len(dataset) != self._length for dataset in datasets):
            raise ValueError("Size mismatch between datasets")
        self.datasets: tuple[Any, ...] | dict[str, Any] = args if args else kwargs

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __len__(self) -> int:
        return self._length


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order: item i is dataset[indices[i]]."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):  # as torch: the data set is asked for all of them at once
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """Samples at `indices` (what a DataLoader fetches for a batch), through the data set's
        own __getitems__ if it has one, as torch's."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Map-style data sets one after the other: len is the sum, item i is found in the data
    set whose range holds i (`cumulative_sizes`, as torch)."""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(dataset) for dataset in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"index {index} is out of range for ConcatDataset of length {len(self)}")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Iterable data sets one after the other (what `iterable_a + iterable_b` gives)."""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)  # type: ignore[arg-type]


def _lengths_of_fractions(total: int, fractions: Sequence[float]) -> list[int]:
    """torch's rounding: floor of each share, then the remainder handed out one by one from
    the first split on."""
    lengths = []
    for position, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Fraction at index {position} is not between 0 and 1")
        lengths.append(int(math.floor(total * fraction)))
    for extra in range(total - sum(lengths)):
        lengths[extra % len(lengths)] += 1
    for position, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {position} is 0. This might result in an empty dataset.")
    return lengths


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: Generator | None = None) -> list[Subset]:
    """Split `dataset` into non-overlapping random Subsets of the given lengths, or of the given
    fractions (summing to 1), as torch.utils.data.random_split. The order is drawn from
    `generator` (default: the global one, so `tg.manual_seed` makes it repeatable)."""
    total = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_of_fractions(total, lengths)
    if sum(lengths) != total:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! "
            f"({sum(lengths)} vs {total})")
    order = numpy_generator(generator).permutation(total).tolist()
    ends = itertools.accumulate(lengths)
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths)]  # type: ignore[misc]
