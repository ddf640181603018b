"""`DataLoader`: a data set cut into batches of Tensors, shuffled with a seed.

    loader = DataLoader((x_train, y_train), batch_size=64, shuffle=True, seed=0)
    for epoch in range(epochs):
        for images, labels in loader:        # Tensors: float32 images, int64 labels
            loss = F.cross_entropy(model(images), labels)
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

from ..tensor import Tensor

Batch = Tensor | tuple[Tensor, ...]


class DataLoader:
    """Batches of a data set, as Tensors, like `torch.utils.data.DataLoader`.

    `dataset` is either
      - a tuple of arrays (numpy arrays or Tensors) with the same first dimension, e.g.
        `(images, labels)`: each batch is a tuple of Tensors, cut from every array at once by
        one fancy index (no Python loop over samples); a single array gives single Tensors;
      - or any object with `__len__` and `__getitem__` (a list of samples included) whose
        items are arrays, numbers, or tuples of them: the items of a batch are stacked per
        field.
    Float data becomes float32 Tensors (the framework's default), integer data keeps its
    dtype (int64 labels go straight into `F.cross_entropy`).

    `shuffle=True` draws a new order each epoch (each `iter()`) from one generator seeded with
    `seed`: the same seed gives the same sequence of epochs in every run; `seed=None` a fresh
    one. `drop_last=True` leaves out a last batch smaller than `batch_size`. `len(loader)` is
    the number of batches per epoch.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 seed: int | None = None, drop_last: bool = False):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, type(None))):
            raise TypeError(f"seed must be None or a non-negative integer; got {seed!r} ({type(seed).__name__})")
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be None or a non-negative integer; got {seed!r}")
        if isinstance(dataset, Mapping):
            raise TypeError(
                "dataset is a dict: DataLoader takes item i of a dataset as dataset[i] for i in "
                "0..len-1; pass a tuple of arrays such as (inputs, targets), or a list of samples"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self._arrays = _as_arrays(dataset)
        if self._arrays is None and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"dataset must be a tuple of arrays or have __len__ and __getitem__; "
                f"got {type(dataset).__name__}"
            )
        self._num_samples = len(self._arrays[0]) if self._arrays is not None else len(dataset)
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        if self.drop_last:
            return self._num_samples // self.batch_size
        return -(-self._num_samples // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        count = self._num_samples
        order = self._rng.permutation(count) if self.shuffle else np.arange(count)
        stop = count - count % self.batch_size if self.drop_last else count
        for start in range(0, stop, self.batch_size):
            yield self._batch(order[start:start + self.batch_size])

    def _batch(self, indices: np.ndarray) -> Batch:
        if self._arrays is None:
            return _stack([self.dataset[int(index)] for index in indices], indices)
        # Fancy indexing makes a fresh array, so the Tensor may share it instead of copying.
        fields = tuple(Tensor.from_numpy(array[indices]) for array in self._arrays)
        return fields if isinstance(self.dataset, tuple) else fields[0]


def _as_array(value: Any) -> np.ndarray:
    array = value.data if isinstance(value, Tensor) else np.asarray(value)
    # Floats become the framework's float32 once, here, rather than batch by batch.
    return array.astype(np.float32, copy=False) if array.dtype.kind == "f" else array


def _as_arrays(dataset: Any) -> list[np.ndarray] | None:
    """The arrays of a tuple-of-arrays (or single array) dataset, checked; None otherwise."""
    if isinstance(dataset, (np.ndarray, Tensor)):
        arrays = [_as_array(dataset)]
    elif isinstance(dataset, tuple):
        if not dataset:
            raise ValueError("dataset is an empty tuple: pass (inputs, targets, ...) arrays")
        for position, array in enumerate(dataset):
            if not isinstance(array, (np.ndarray, Tensor)):
                raise TypeError(
                    f"dataset tuple item {position} is a {type(array).__name__}; a tuple dataset "
                    f"holds numpy arrays or Tensors (a list of samples works as a dataset itself)"
                )
        arrays = [_as_array(array) for array in dataset]
    else:
        return None
    for position, array in enumerate(arrays):
        if array.ndim == 0:
            raise ValueError(
                f"dataset array {position} is 0-d: its first dimension must count the samples")
    lengths = [len(array) for array in arrays]
    if len(set(lengths)) > 1:
        raise ValueError(
            f"dataset arrays have different lengths {lengths}: each array's first dimension "
            f"counts the samples, so they must agree"
        )
    return arrays


def _stack(items: list[Any], indices: np.ndarray) -> Batch:
    """Stack dataset items into Tensors, field by field when the items are tuples."""
    if not isinstance(items[0], (tuple, list)):
        return _stack_field([_as_array(item) for item in items], "the dataset items", indices)
    width = len(items[0])
    for item, index in zip(items, indices):
        if not isinstance(item, (tuple, list)) or len(item) != width:
            raise ValueError(
                f"dataset[{index}] is not a tuple of {width} fields like dataset[{indices[0]}]")
    return tuple(
        _stack_field([_as_array(item[position]) for item in items],
                     f"field {position} of the dataset items", indices)
        for position in range(width)
    )


def _stack_field(values: list[np.ndarray], what: str, indices: np.ndarray) -> Tensor:
    shapes = {value.shape for value in values}
    if len(shapes) > 1:
        raise ValueError(
            f"{what} have different shapes {sorted(shapes)} within the batch of indices "
            f"{indices.tolist()}: they cannot be stacked"
        )
    # np.stack makes a fresh array, so the Tensor may share it instead of copying.
    array = np.stack(values)
    return Tensor.from_numpy(array.astype(np.float32, copy=False) if array.dtype.kind == "f" else array)
