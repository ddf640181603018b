"""The object tree of a checkpoint as JSON, with its arrays kept aside.

`save` turns the object it is given into a JSON tree. Numbers, strings and None stay as
they are (Python's json keeps an int an int and a float a float, NaN and infinities
included); containers and arrays become one-key objects; each array or Tensor is replaced by
its number in the list of arrays, stored next to the tree as "0.npy", "1.npy", ... in the
order they appear:

    {"model": OrderedDict(weight=W), "epoch": 3, "betas": (0.9, 0.999), "note": None}
      → {"dict": [["model", {"ordered_dict": [["weight", {"tensor": 0}]]}], ["epoch", 3],
                  ["betas", {"tuple": [0.9, 0.999]}], ["note", null]]}     and the arrays [W]

Containers: "dict", "ordered_dict" ([key, value] pairs, keys being strings, numbers, bools
or None, as in torch's optimizer state), "list", "tuple". Arrays: "array" (a numpy array
comes back) and "tensor" (a Tensor comes back). Keys live only in the JSON, never in member
names, so every key round-trips ("x" and "x.npy", "a/b", "", a NUL byte, 70,000 characters).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Mapping

import numpy as np

from ..tensor import Tensor
from .errors import CheckpointError
from .npy import NUMBER_KINDS

MAX_DEPTH = 100  # containers nested deeper than this are refused on save and on load
KeyPath = tuple[Any, ...]  # the keys and indices from the top-level object down to a value
_SCALARS = (bool, int, float, str, type(None))  # what JSON holds as it is, as values and as keys
_DICTS = {"dict": dict, "ordered_dict": OrderedDict}
ReadArray = Callable[[int, str], Any]  # (array number, "array" or "tensor") -> the value


def encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    """The JSON tree of `obj`; its arrays are appended to `arrays`. Anything that cannot be
    saved is a TypeError or ValueError naming where it is."""
    return _encode(obj, arrays, (), set())


def decode(tree: Any, read_array: ReadArray, source: str) -> tuple[Any, int]:
    """The object `tree` describes, reading array i with `read_array(i, kind)`, and how many
    arrays it holds. A tree `encode` could not have written is a CheckpointError naming
    `source`."""
    decoder = _Decoder(read_array, source)
    return decoder.decode(tree, 0), decoder.arrays_read


def _describe(path: KeyPath) -> str:
    """Where a value is, as Python would index it: obj['model']['0.weight']."""
    return "obj" + "".join(f"[{_short_repr(key)}]" for key in path)


def _short_repr(key: Any) -> str:
    text = repr(key)
    return text if len(text) <= 60 else f"{text[:40]}...({len(text)} characters)"


def _encode(value: Any, arrays: list[np.ndarray], path: KeyPath, open_containers: set[int]) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (Mapping, list, tuple)):
        if id(value) in open_containers:
            raise ValueError(f"tg.save: the {type(value).__name__} at {_describe(path)} contains itself; "
                             f"a checkpoint must be a tree")
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"tg.save: containers nested more than {MAX_DEPTH} deep, at {_describe(path)}")
        open_containers.add(id(value))
        node = _encode_container(value, arrays, path, open_containers)
        open_containers.remove(id(value))
        return node
    if isinstance(value, Tensor):
        kind, array = "tensor", value.array
    elif isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array__"):
        kind, array = "array", np.asarray(value)
    else:
        raise TypeError(
            f"tg.save: {_describe(path)} is a {type(value).__name__}; a checkpoint holds dicts, lists, "
            f"tuples, Tensors, numpy arrays, ints, floats, bools, strings and None"
        )
    if array.dtype.kind not in NUMBER_KINDS:
        raise TypeError(
            f"tg.save: {_describe(path)} has dtype {array.dtype}; only numeric arrays can be saved "
            f"(anything else would need pickle, which tg.load refuses)"
        )
    arrays.append(array)
    return {kind: len(arrays) - 1}


def _encode_container(value: Any, arrays: list[np.ndarray], path: KeyPath, open_containers: set[int]) -> Any:
    if isinstance(value, Mapping):
        items = []
        for key, child in value.items():
            if not isinstance(key, _SCALARS):
                raise TypeError(f"tg.save: keys must be strings, numbers, bools or None; got {_short_repr(key)} "
                                f"({type(key).__name__}) in {_describe(path)}")
            items.append([key, _encode(child, arrays, (*path, key), open_containers)])
        return {"ordered_dict" if isinstance(value, OrderedDict) else "dict": items}
    kind = "list" if isinstance(value, list) else "tuple"
    return {kind: [_encode(child, arrays, (*path, index), open_containers) for index, child in enumerate(value)]}


class _Decoder:
    def __init__(self, read_array: ReadArray, source: str):
        self.read_array = read_array
        self.source = source
        self.arrays_read = 0

    def decode(self, node: Any, depth: int) -> Any:
        if type(node) in _SCALARS:
            return node
        if isinstance(node, dict) and len(node) == 1:
            (kind, content), = node.items()
            if kind in ("array", "tensor") and type(content) is int and content == self.arrays_read:
                self.arrays_read += 1
                return self.read_array(content, kind)
            if isinstance(content, list) and depth < MAX_DEPTH:
                if kind in _DICTS:
                    return self._dict(_DICTS[kind](), content, depth)
                if kind == "list":
                    return [self.decode(child, depth + 1) for child in content]
                if kind == "tuple":
                    return tuple(self.decode(child, depth + 1) for child in content)
        raise self._corrupt(f"an entry it cannot hold: {_short_repr(node)}")

    def _dict(self, result: dict[Any, Any], items: list[Any], depth: int) -> dict[Any, Any]:
        for item in items:
            if not (isinstance(item, list) and len(item) == 2 and type(item[0]) in _SCALARS):
                raise self._corrupt(f"a malformed dict item: {_short_repr(item)}")
            if item[0] in result:
                raise self._corrupt(f"the key {_short_repr(item[0])} twice in one dict")
            result[item[0]] = self.decode(item[1], depth + 1)
        return result

    def _corrupt(self, problem: str) -> CheckpointError:
        return CheckpointError(self.source, f"corrupt header: {problem}")
