"""`default_collate` and `default_convert`: how a DataLoader turns a list of samples into a
batch, as torch.utils.data's.

A batch has the structure of one sample, with a stacked Tensor wherever the sample had a
Tensor, an array or a number:

    (image, label) samples      ->  [images (N, ...), labels (N,)]   a list, as torch
    {"x": array, "y": 3}        ->  {"x": Tensor (N, ...), "y": Tensor (N,)}
    a namedtuple                ->  the same namedtuple of stacked fields
    strings                     ->  the strings as they came (a list; a tuple inside a sample)

dtypes are torch's: Tensors and numpy arrays and scalars keep theirs (a float64 array gives a
float64 batch), Python ints become int64, floats float64, bools bool.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor

__all__ = ["default_collate", "default_convert"]


def _stack(values: list[np.ndarray], names: list[str]) -> Tensor:
    for position, value in enumerate(values):
        if value.shape != values[0].shape:
            raise ShapeError(
                f"stack expects each tensor to be equal size, but got {list(values[0].shape)} at entry 0 and "
                f"{list(value.shape)} at entry {position} (the values at {names[0]} and {names[position]}: "
                f"they cannot be stacked into one batch)")
    # np.stack makes a fresh array, so the Tensor may share it instead of copying.
    return Tensor.from_numpy(np.stack(values))


def _collate(batch: Sequence[Any], names: list[str]) -> Any:
    first = batch[0]
    if isinstance(first, Tensor):
        return _stack([item.array for item in batch], names)
    if isinstance(first, (np.ndarray, np.generic)) and first.dtype.kind in "biufc":
        return _stack([np.asarray(item) for item in batch], names)
    if isinstance(first, np.ndarray):  # strings or objects: nothing to stack, as torch
        raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {first.dtype.str}")
    if isinstance(first, bool):
        return Tensor.from_numpy(np.array(batch, dtype=bool))
    if isinstance(first, int):
        return Tensor.from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return Tensor.from_numpy(np.array(batch, dtype=np.float64))  # torch: float64, not the default dtype
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, Mapping):
        return _mapping_like(first, {key: _collate([item[key] for item in batch], [f"{name}[{key!r}]" for name in names])
                                     for key in first})
    if isinstance(first, Sequence):
        width = len(first)
        for item, name in zip(batch, names):
            if not isinstance(item, Sequence) or len(item) != width:
                raise ShapeError(f"each element in list of batch should be of equal size ({name} is not a "
                                 f"tuple of {width} fields like {names[0]})")
        # Each field's values as a tuple, as torch's zip(*batch): strings inside samples stay a tuple.
        fields = [_collate(tuple(item[position] for item in batch), [f"{name}[{position}]" for name in names])
                  for position in range(width)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple keeps its type
            return type(first)(*fields)
        return fields  # tuples and lists both become lists, as torch's default_collate
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(first)} in {names[0]}")


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch (see the module's docstring)."""
    return _collate(list(batch), [f"item[{position}]" for position in range(len(batch))])


def default_convert(data: Any) -> Any:
    """What a DataLoader with batch_size=None yields, as torch's default_convert: numpy arrays
    and scalars become Tensors of their dtype (arrays of strings or objects are left alone),
    containers are walked through (a tuple becomes a list), everything else is left as it is."""
    if isinstance(data, (np.ndarray, np.generic)) and not isinstance(data, (np.str_, np.bytes_)):
        if data.dtype.kind in "OSUV":
            return data
        return Tensor.from_numpy(np.asarray(data))  # shares an array's memory, as torch.as_tensor
    if isinstance(data, Mapping):
        return _mapping_like(data, {key: default_convert(value) for key, value in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(value) for value in data]  # a tuple becomes a list, as torch
    return data


def _mapping_like(template: Mapping, values: dict[Any, Any]) -> Mapping:
    """`values` in a mapping of the template's type, as torch makes it: a copy of a mutable
    mapping (an OrderedDict, a defaultdict) updated with them, else the type built from a
    dict, else the dict."""
    if isinstance(template, MutableMapping):
        clone = copy.copy(template)
        clone.update(values)
        return clone
    try:
        return type(template)(values)
    except TypeError:  # a mapping type that cannot be built from a dict
        return values
