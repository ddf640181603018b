"""`DataLoader`: a data set cut into batches of Tensors, as torch.utils.data.DataLoader.

    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    for epoch in range(epochs):
        for images, labels in loader:        # Tensors: float32 images, int64 labels
            loss = F.cross_entropy(model(images), labels)

Indices come from a sampler (SequentialSampler, or RandomSampler when shuffle=True), grouped by
a BatchSampler; each batch's samples are read and merged by `collate_fn` (default_collate).
The fast path: when the data set is a TensorDataset (or a Subset of one: random_split's parts),
a tuple of arrays or one array and the
collate is the default, a batch is cut from every array by one fancy index, with no Python
loop over samples.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping

import numpy as np

from ..random import Generator
from ..tensor import Tensor
from .collate import _collate, default_convert
from .datasets import IterableDataset, Subset, TensorDataset
from .samplers import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info() -> None:
    """Always None: as in torch's main process, since tinygrad_edu loads without worker
    processes (an IterableDataset that shards its stream by worker reads the whole stream)."""
    return None


class DataLoader:
    """Batches of a data set, as Tensors. torch's signature; `dataset` is

      - a map-style data set (`__len__` and `__getitem__`: a Dataset, a list of samples, ...):
        samples are stacked by `collate_fn` into what torch yields (a list of Tensors for
        tuple samples, a dict for dict samples, ...);
      - an IterableDataset: samples taken in order (no sampler, no shuffle);
      - tinygrad_edu's shortcut: a tuple of equal-length arrays (numpy arrays or Tensors), e.g.
        `(images, labels)`, giving tuples of Tensors, or a single array, giving Tensors.

    dtypes are torch's (an array's dtype is kept, Python floats become float64), except in the
    tuple shortcut, where numpy floats become float32 (the framework's default).
    `shuffle=True` draws a new order each epoch from `generator` (else the global generator:
    `tg.manual_seed` makes it repeatable); `seed=` is a shortcut for a private generator seeded
    once. `num_workers`, `pin_memory`, `timeout`, `worker_init_fn`, `multiprocessing_context`,
    `prefetch_factor`, `persistent_workers`, `pin_memory_device` and `in_order` are accepted so
    torch programs run: loading always happens in the calling process, in order.
    """

    _initialized = False  # set at the end of __init__: then the batching attributes are frozen, as torch's

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True, seed: int | None = None):
        _check_arguments(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, seed, generator)
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if seed is not None:
            generator = Generator().manual_seed(seed)
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.generator = generator
        self.seed = seed
        self._iterable = isinstance(dataset, IterableDataset)
        # The fast path's arrays; for a Subset (of a Subset ...) of a TensorDataset, also the
        # map from the Subset's indices to the arrays' rows.
        base, self._rows = _unwrap_subsets(dataset)
        self._arrays = _as_arrays(base) if self._rows is None or type(base) is TensorDataset else None
        if batch_sampler is not None:
            batch_size, drop_last = None, False  # as torch: the batch sampler decides both
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = drop_last
        self._default_collate = collate_fn is None
        self.collate_fn = collate_fn if collate_fn is not None else (_default_collate_fn if self.batch_size is not None or batch_sampler is not None else default_convert)
        if self._iterable:
            self.sampler, self.batch_sampler = None, None
            self._initialized = True
            return
        if sampler is None:
            # The samplers count the samples with len(data_source): a tuple of arrays is counted by range.
            source = range(self._count()) if isinstance(dataset, (tuple, np.ndarray, Tensor)) else dataset
            sampler = RandomSampler(source, generator=generator) if shuffle else SequentialSampler(source)
        self.sampler = sampler
        if batch_sampler is None and self.batch_size is not None:
            batch_sampler = BatchSampler(sampler, self.batch_size, drop_last)
        self.batch_sampler = batch_sampler
        self._fast = self._arrays is not None and self._default_collate and self.batch_size is not None \
            and isinstance(sampler, (SequentialSampler, RandomSampler)) and isinstance(batch_sampler, BatchSampler) \
            and batch_sampler.sampler is sampler
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        # The fast path and len() were worked out from these at construction.
        if self._initialized and name in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    def _count(self) -> int:
        if self._arrays is not None and self._rows is None:
            return len(self._arrays[0])
        return len(self.dataset)

    def __len__(self) -> int:
        if self._iterable:
            count = len(self.dataset)  # a TypeError if the stream has no length, as torch
            if self.batch_size is None:
                return count
            return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            return self._iterate_stream()
        if self._fast:
            return self._iterate_arrays()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)
        return (self._fetch(indices) for indices in self.batch_sampler)

    def _iterate_arrays(self) -> Iterator[Any]:
        order = self.sampler._order()
        count = len(order)
        stop = count - count % self.batch_size if self.drop_last else count
        for start in range(0, stop, self.batch_size):
            yield self._cut(order[start:start + self.batch_size])

    def _cut(self, indices: np.ndarray) -> Any:
        # Fancy indexing makes a fresh array, so the Tensor may share it instead of copying.
        if self._rows is not None:
            indices = self._rows[indices]
        fields = [Tensor.from_numpy(array[indices]) for array in self._arrays]
        if not isinstance(self.dataset, (tuple, np.ndarray, Tensor)):  # a TensorDataset or a Subset of one
            return fields  # a list, as torch's default_collate gives for tuple samples
        return tuple(fields) if isinstance(self.dataset, tuple) else fields[0]

    def _fetch(self, indices: list[int]) -> Any:
        # numpy integers become ints (a list indexed by np.int64 works, but not every data set's
        # __getitem__ accepts them); any other key a sampler yields is passed on as it is.
        keys = [int(index) if isinstance(index, np.integer) else index for index in indices]
        if callable(getattr(self.dataset, "__getitems__", None)):  # a data set that reads a batch at once, as torch
            items = self.dataset.__getitems__(keys)
        else:
            items = [self.dataset[key] for key in keys]
        if self._default_collate:
            return _collate(items, [f"dataset[{index}]" for index in indices])
        return self.collate_fn(items)

    def _iterate_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch: list[Any] = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)


def _default_collate_fn(batch: list[Any]) -> Any:
    return _collate(batch, [f"item[{position}]" for position in range(len(batch))])


def _check_arguments(dataset: Any, batch_size: Any, shuffle: Any, sampler: Any, batch_sampler: Any,
                     num_workers: Any, drop_last: bool, seed: Any, generator: Any) -> None:
    """torch's checks, with its messages, plus the tinygrad_edu shortcuts' own."""
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, type(None))):
        raise TypeError(f"seed must be None or a non-negative integer; got {seed!r} ({type(seed).__name__})")
    if seed is not None and seed < 0:
        raise ValueError(f"seed must be None or a non-negative integer; got {seed!r}")
    if seed is not None and generator is not None:
        raise TypeError("give either seed= or generator=, not both")
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
    if isinstance(dataset, Mapping):
        raise TypeError(
            "dataset is a dict: DataLoader takes item i of a dataset as dataset[i] for i in "
            "0..len-1; pass a tuple of arrays such as (inputs, targets), or a list of samples"
        )
    if isinstance(dataset, IterableDataset):
        for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, but got {name}={value}")
    elif not isinstance(dataset, (tuple, np.ndarray, Tensor)) and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
        raise TypeError(f"dataset must be a tuple of arrays or have __len__ and __getitem__; got {type(dataset).__name__}")
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
    if batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")


def _float32(array: np.ndarray) -> np.ndarray:
    """The tuple shortcut's arrays (ours, not torch's): float arrays become float32, the
    framework's default float, so (images, labels) as loaded meet float32 weights."""
    return array.astype(np.float32, copy=False) if array.dtype.kind == "f" else array


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None, persistent_workers: bool) -> None:
    """torch's checks of the worker options, with its messages: they are accepted (and unused,
    loading happens in this process) only in the combinations torch accepts."""
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable "
                         "multiprocessing, otherwise set prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _unwrap_subsets(dataset: Any) -> tuple[Any, np.ndarray | None]:
    """The data set under any Subsets, and which of its rows the outer Subset's items are
    (item k of Subset(Subset(base, inner), outer) is base[inner[outer[k]]])."""
    rows = None
    while type(dataset) is Subset:
        indices = np.asarray(dataset.indices, dtype=np.int64)
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    return dataset, rows


def _as_arrays(dataset: Any) -> list[np.ndarray] | None:
    """The arrays of a TensorDataset or a tuple-of-arrays (or single array) dataset, checked;
    None for any other data set."""
    if type(dataset) is TensorDataset:  # a subclass may change __getitem__: no shortcut
        return [tensor.array for tensor in dataset.tensors]
    if isinstance(dataset, (np.ndarray, Tensor)):
        # a map-style data set to torch too (item i is row i): its dtype is kept, as torch's collate keeps it
        arrays = [dataset.array if isinstance(dataset, Tensor) else dataset]
    elif isinstance(dataset, tuple):
        if not dataset:
            raise ValueError("dataset is an empty tuple: pass (inputs, targets, ...) arrays")
        for position, array in enumerate(dataset):
            if not isinstance(array, (np.ndarray, Tensor)):
                raise TypeError(
                    f"dataset tuple item {position} is a {type(array).__name__}; a tuple dataset "
                    f"holds numpy arrays or Tensors (a list of samples works as a dataset itself)"
                )
        arrays = [_float32(array.array if isinstance(array, Tensor) else array) for array in dataset]
    else:
        return None
    for position, array in enumerate(arrays):
        if array.ndim == 0:
            raise ValueError(f"dataset array {position} is 0-d: its first dimension must count the samples")
    lengths = [len(array) for array in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"dataset arrays have different lengths {lengths}: each array's first dimension "
            f"counts the samples, so they must agree"
        )
    return arrays
