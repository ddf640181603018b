"""In-place writes, and the backward passes they would silently corrupt (PyTorch's version
counters).

An op saves arrays for its backward (Mul saves both inputs). If one of those arrays is then
overwritten in place (`w -= lr * w.grad`, `x.add_(1)`, an optimizer step), running that backward
would use the new numbers with the old graph: a wrong gradient, and no error. So every in-place
write through tinygrad_edu records *when* it happened, on the memory it wrote: the array that
owns the memory (a view writes into its base's memory, so views are covered too). Times are
taken from the same counter that numbers tensors as they are made (`tensor._creation_order`),
so "after the op was recorded" is simply "a larger number than the op's output tensor".

Backward checks a node only when some write happened after that node was made (one comparison
per node otherwise), and then raises, naming the op, if it saved an array written since. Writes
straight into `tensor.array` (the ndarray), and in-place ops on `tensor.data` (torch's detached
Tensor over the same memory), bypass this, as they bypass PyTorch's counters.
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import tensor  # the module: Tensor inherits the in-place methods that import this one

# id(memory-owning array) -> [time of its last in-place write, weak reference to it]
_written_at: dict[int, list[Any]] = {}
# The time of the newest in-place write anywhere: backward's one-comparison fast path.
newest_write = [-1]
# Writers that write the same arrays again and again (an optimizer's step, every training step):
# id(writer) -> [time of its last write, the arrays it wrote, ids of their memory or None until
# asked for]. One record per writer, replaced at each step, instead of a stamp per array: see
# `mark_written_by`.
_bulk_writes: dict[int, list[Any]] = {}


def owner(array: np.ndarray) -> np.ndarray:
    """The array that owns `array`'s memory (itself, unless it is a view)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def mark_written(*arrays: np.ndarray) -> None:
    """Record an in-place write into each array's memory, now."""
    now = next(tensor._creation_order)
    _stamp(arrays, now)
    newest_write[0] = now


def _stamp(arrays: Any, time: int) -> None:
    for array in arrays:
        memory = array if array.base is None else owner(array)
        entry = _written_at.get(id(memory))
        if entry is None:
            # The entry goes when the memory does, so an id reused later starts clean.
            key = id(memory)
            _written_at[key] = [time, weakref.ref(memory, lambda _, key=key: _written_at.pop(key, None))]
        elif entry[0] < time:
            entry[0] = time


def mark_written_by(writer: Any, arrays: list[np.ndarray]) -> None:
    """Record that `writer` (an optimizer) wrote into `arrays`, now: what `mark_written` does,
    for a writer that writes the same arrays on every training step. The record replaces the
    writer's previous one (that write is older than any graph built since), so a step pays
    for one record instead of a stamp per array. Which memory the arrays own is worked out
    only when a backward asks (`last_write`), which a training loop never does: its graphs
    are all newer than the step. When the writer goes, its last write becomes stamps."""
    now = next(tensor._creation_order)
    key = id(writer)
    if key not in _bulk_writes:
        weakref.finalize(writer, _retire, key)
    _bulk_writes[key] = [now, arrays, None]
    newest_write[0] = now


def _retire(key: int) -> None:
    time, arrays, _ = _bulk_writes.pop(key, (-1, (), None))
    _stamp(arrays, time)


def last_write(memory_id: int) -> int:
    """The time of the newest write into the memory with this id (-1: never written)."""
    entry = _written_at.get(memory_id)
    newest = -1 if entry is None else entry[0]
    for record in _bulk_writes.values():
        time, arrays, ids = record
        if time > newest:
            if ids is None:  # first asked since this write: kept until the writer's next one
                ids = record[2] = frozenset(id(owner(array)) for array in arrays)
            if memory_id in ids:
                newest = time
    return newest


def check_saved(ctx: Any, output: Any) -> None:
    """Raise if an array that `ctx`'s op saved for backward was written in place after the
    op ran (its output tensor was made)."""
    for position, array in enumerate(ctx.saved_tensors):
        if not isinstance(array, np.ndarray):
            continue
        if last_write(id(owner(array))) > output._order:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {ctx.function.__name__} saved a tensor of shape "
                f"{array.shape} (saved value {position}) for its backward, and it was written in "
                f"place afterwards. Write out of place (x = x + y), or clone() it before writing"
            )
