"""torch.utils.data's samplers: which indices a DataLoader reads, in which order.

    SequentialSampler(data)        0, 1, 2, ...
    RandomSampler(data)            a fresh permutation each epoch (or draws with replacement)
    SubsetRandomSampler(indices)   the given indices, shuffled each epoch
    WeightedRandomSampler(weights, n)   n indices drawn with probabilities ∝ weights
    BatchSampler(sampler, n, drop_last)   the indices grouped into lists of n

The random ones draw from `generator=` if given, else from the global generator, so
`tg.manual_seed` makes the batches repeatable (the permutations are numpy's, not torch's).
Each sampler can also give a whole epoch's order as one array (`_order`), which is how the
DataLoader's fast path cuts batches without a Python loop over samples.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from ..random import Generator, numpy_generator

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """The base class: define `__iter__` (indices) and, if it is known, `__len__`."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")


class SequentialSampler(Sampler):
    def __init__(self, data_source: Any):
        self.data_source = data_source

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A permutation of all indices per epoch; with `replacement=True`, `num_samples` draws."""

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if num_samples is not None and (isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _order(self) -> np.ndarray:
        size = len(self.data_source)
        rng = numpy_generator(self.generator)
        if size == 0:
            return np.arange(0)
        if self.replacement:
            return rng.integers(0, size, self.num_samples)
        # As torch, num_samples beyond len repeats whole permutations.
        whole, rest = divmod(self.num_samples, size)
        return np.concatenate([rng.permutation(size) for _ in range(whole)] + [rng.permutation(size)[:rest]])

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a fresh random order each epoch."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None):
        self.indices = indices
        self.generator = generator

    def _order(self) -> np.ndarray:
        return np.asarray(self.indices)[numpy_generator(self.generator).permutation(len(self.indices))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices in 0..len(weights)-1, index i drawn with probability
    weights[i] / sum(weights) (with replacement by default): the usual cure for unbalanced classes."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None):
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        weights = np.asarray(weights.array if hasattr(weights, "array") else weights, dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {weights.shape}")
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise ValueError("weights must be finite, non-negative, and not all zero")
        if not replacement and num_samples > np.count_nonzero(weights):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _order(self) -> np.ndarray:
        return numpy_generator(self.generator).choice(
            len(self.weights), self.num_samples, replace=self.replacement, p=self.weights / self.weights.sum())

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of `sampler` into lists of `batch_size` (the last one shorter unless
    `drop_last`)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)
