"""The object tree of a checkpoint as JSON, with its arrays kept aside.

`save` turns the object it is given into a JSON tree whose leaves are Python numbers, with
each array replaced by its number in the list of arrays (stored next to the tree as
"0.npy", "1.npy", ..., numbered in the order they appear):

    {"model": {"0.weight": W, "0.bias": b}, "epoch": 3}
      → {"dict": [["model", {"dict": [["0.weight", {"array": 0}], ["0.bias", {"array": 1}]]}],
                  ["epoch", 3]]}       and the arrays [W, b]

Keys live only in the JSON, never in member names, so every string is a key that round-trips
("x" and "x.npy", "a/b", "", a NUL byte, 70,000 characters). Python's json keeps an int an
int and a float a float (NaN and infinities included), so numbers come back with their type.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from ..tensor import Tensor
from .errors import CheckpointError
from .npy import NUMBER_KINDS

MAX_DEPTH = 100  # containers nested deeper than this are refused on save and on load
KeyPath = tuple[Any, ...]  # the keys from the top-level object down to a value


def encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    """The JSON tree of `obj`; its arrays are appended to `arrays`. Anything that cannot be
    saved is a TypeError or ValueError naming where it is."""
    return _encode(obj, arrays, (), set())


def decode(tree: Any, read_array: Callable[[int], np.ndarray], source: str) -> tuple[Any, int]:
    """The object `tree` describes, reading array i with `read_array(i)`, and how many arrays
    it holds. A tree `encode` could not have written is a CheckpointError naming `source`."""
    decoder = _Decoder(read_array, source)
    return decoder.decode(tree, 0), decoder.arrays_read


def describe(path: KeyPath) -> str:
    """Where a value is, as Python would index it: obj['model']['0.weight']."""
    return "obj" + "".join(f"[{_short_repr(key)}]" for key in path)


def _short_repr(key: Any) -> str:
    text = repr(key)
    return text if len(text) <= 60 else f"{text[:40]}...({len(text)} characters)"


def _encode(value: Any, arrays: list[np.ndarray], path: KeyPath, open_containers: set[int]) -> Any:
    if isinstance(value, Mapping):
        if id(value) in open_containers:
            raise ValueError(f"tg.save: the dict at {describe(path)} contains itself; a checkpoint must be a tree")
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"tg.save: dicts nested more than {MAX_DEPTH} deep, at {describe(path)}")
        open_containers.add(id(value))
        items = []
        for key, child in value.items():
            if not isinstance(key, str):
                raise TypeError(f"tg.save: keys must be strings; got {key!r} ({type(key).__name__}) in {describe(path)}")
            items.append([key, _encode(child, arrays, (*path, key), open_containers)])
        open_containers.remove(id(value))
        return {"dict": items}
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Tensor):
        array = value.data
    elif isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array__"):
        array = np.asarray(value)
    else:
        raise TypeError(
            f"tg.save: {describe(path)} is a {type(value).__name__}; only dicts, arrays, Tensors, "
            f"ints, floats and bools can be saved"
        )
    if array.dtype.kind not in NUMBER_KINDS:
        raise TypeError(
            f"tg.save: {describe(path)} has dtype {array.dtype}; only numeric arrays can be saved "
            f"(anything else would need pickle, which tg.load refuses)"
        )
    arrays.append(array)
    return {"array": len(arrays) - 1}


class _Decoder:
    def __init__(self, read_array: Callable[[int], np.ndarray], source: str):
        self.read_array = read_array
        self.source = source
        self.arrays_read = 0

    def decode(self, node: Any, depth: int) -> Any:
        if type(node) in (bool, int, float):
            return node
        if isinstance(node, dict) and len(node) == 1:
            (kind, content), = node.items()
            if kind == "dict" and isinstance(content, list) and depth < MAX_DEPTH:
                return self._dict(content, depth)
            if kind == "array" and type(content) is int and content == self.arrays_read:
                self.arrays_read += 1
                return self.read_array(content)
        raise self._corrupt(f"an entry it cannot hold: {_short_repr(node)}")

    def _dict(self, items: list[Any], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for item in items:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                raise self._corrupt(f"a malformed dict item: {_short_repr(item)}")
            if item[0] in result:
                raise self._corrupt(f"the key {_short_repr(item[0])} twice in one dict")
            result[item[0]] = self.decode(item[1], depth + 1)
        return result

    def _corrupt(self, problem: str) -> CheckpointError:
        return CheckpointError(self.source, f"corrupt header: {problem}")
