"""`default_collate` and `default_convert`: how a DataLoader turns a list of samples into a
batch, as torch.utils.data's.

A batch has the structure of one sample, with a stacked Tensor wherever the sample had a
Tensor, an array or a number:

    (image, label) samples      ->  [images (N, ...), labels (N,)]   a list, as torch
    {"x": array, "y": 3}        ->  {"x": Tensor (N, ...), "y": Tensor (N,)}
    a namedtuple                ->  the same namedtuple of stacked fields
    strings                     ->  the list of strings

Tensors keep their dtype; Python ints become int64, bools bool. One difference from torch:
numpy float arrays and Python floats become float32 (the framework's default float), where
torch keeps float64.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["default_collate", "default_convert"]


def _float32(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float32, copy=False) if array.dtype.kind == "f" else array


def _stack(values: list[np.ndarray], names: list[str]) -> Tensor:
    shapes = {value.shape for value in values}
    if len(shapes) > 1:
        raise ValueError(
            f"the values at {', '.join(names)} have different shapes {sorted(shapes)}: "
            f"they cannot be stacked into one batch")
    # np.stack makes a fresh array, so the Tensor may share it instead of copying.
    return Tensor.from_numpy(np.stack(values))


def _collate(batch: list[Any], names: list[str]) -> Any:
    first = batch[0]
    if isinstance(first, Tensor):
        return _stack([item.data for item in batch], names)
    if isinstance(first, (np.ndarray, np.generic)) and first.dtype.kind in "biuf":
        return _stack([_float32(np.asarray(item)) for item in batch], names)
    if isinstance(first, bool):
        return Tensor.from_numpy(np.array(batch, dtype=bool))
    if isinstance(first, int):
        return Tensor.from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return Tensor.from_numpy(np.array(batch, dtype=np.float32))
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, Mapping):
        collated = {key: _collate([item[key] for item in batch], [f"{name}[{key!r}]" for name in names])
                    for key in first}
        try:
            return collated if type(first) is dict else type(first)(collated)
        except TypeError:  # a mapping type that cannot be built from a dict
            return collated
    if isinstance(first, Sequence):
        width = len(first)
        for item, name in zip(batch, names):
            if not isinstance(item, Sequence) or len(item) != width:
                raise ValueError(f"{name} is not a tuple of {width} fields like {names[0]}: each element in "
                                 f"list of batch should be of equal size")
        fields = [_collate([item[position] for item in batch], [f"{name}[{position}]" for name in names])
                  for position in range(width)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple keeps its type
            return type(first)(*fields)
        return fields  # tuples and lists both become lists, as torch's default_collate
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(first).__name__} in {names[0]}")


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch (see the module's docstring)."""
    return _collate(list(batch), [f"item[{position}]" for position in range(len(batch))])


def default_convert(data: Any) -> Any:
    """What a DataLoader with batch_size=None yields: arrays become Tensors (containers walked
    through), everything else is left as it is, as torch's default_convert."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return Tensor.from_numpy(_float32(data))
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(value) for value in data]  # a tuple becomes a list, as torch
    return data
