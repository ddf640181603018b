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
straight into `tensor.data` (the ndarray) bypass this, as they bypass PyTorch's counters.
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


def owner(array: np.ndarray) -> np.ndarray:
    """The array that owns `array`'s memory (itself, unless it is a view)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def mark_written(*arrays: np.ndarray) -> None:
    """Record an in-place write into each array's memory, now (an optimizer step marks all its
    parameters in one call: this runs on every training step)."""
    now = next(tensor._creation_order)
    for array in arrays:
        memory = array if array.base is None else owner(array)
        entry = _written_at.get(id(memory))
        if entry is None:
            # The entry goes when the memory does, so an id reused later starts clean.
            key = id(memory)
            _written_at[key] = [now, weakref.ref(memory, lambda _, key=key: _written_at.pop(key, None))]
        else:
            entry[0] = now
    newest_write[0] = now


def check_saved(ctx: Any, output: Any) -> None:
    """Raise if an array that `ctx`'s op saved for backward was written in place after the
    op ran (its output tensor was made)."""
    for position, array in enumerate(ctx.saved_tensors):
        if not isinstance(array, np.ndarray):
            continue
        entry = _written_at.get(id(owner(array)))
        if entry is not None and entry[0] > output._order:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {ctx.function.__name__} saved a tensor of shape "
                f"{array.shape} (saved value {position}) for its backward, and it was written in "
                f"place afterwards. Write out of place (x = x + y), or clone() it before writing"
            )
