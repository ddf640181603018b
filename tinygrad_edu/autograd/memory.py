"""What a graph keeps alive for backward: `saved_memory(loss)`.

Every op that records a graph keeps what its backward needs: the arrays it saved (Mul keeps
both inputs, conv2d its im2col columns, softmax its output) and constants such as masks. This
lists them per op, with their bytes and the total, so a learner sees why `no_grad` (which
records nothing) and freeing the graph after backward matter. Memory shared between several
ops (an input saved by two of them, views of one array) is counted once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..versions import owner


@dataclass
class SavedByOp:
    op: str
    output_shape: tuple[int, ...]
    arrays: list[tuple[tuple[int, ...], str]]  # (shape, dtype) of each array it holds
    bytes: int  # memory first counted at this op


class SavedMemory:
    """The report: `.ops` (one SavedByOp each, newest op first), `.total_bytes`, and a text
    table when printed."""

    def __init__(self, ops: list[SavedByOp]) -> None:
        self.ops = ops
        self.total_bytes = sum(op.bytes for op in ops)

    def __str__(self) -> str:
        lines = [f"{'op':<16} {'output':<18} {'bytes':>12}  arrays kept for backward"]
        for op in self.ops:
            arrays = ", ".join(f"{shape} {dtype}" for shape, dtype in op.arrays) or "-"
            lines.append(f"{op.op:<16} {str(op.output_shape):<18} {op.bytes:>12,}  {arrays}")
        lines.append(f"{'total':<35} {self.total_bytes:>12,}  ({self.total_bytes / 2**20:.2f} MiB)")
        return "\n".join(lines)


def _kept_arrays(ctx: Any) -> list[np.ndarray]:
    """The arrays an op's Context holds for its backward: saved ones, its cache, and any
    array-valued attribute (masks, shares)."""
    values = [*ctx.saved_tensors, ctx.cache, *vars(ctx).values()]
    found = []
    for value in values:
        candidates = value if isinstance(value, (tuple, list)) else (value,)
        found.extend(item for item in candidates if isinstance(item, np.ndarray))
    return found


def saved_memory(tensor: Any) -> SavedMemory:
    """The arrays the graph behind `tensor` holds for backward, op by op (newest first)."""
    seen_tensors: set[int] = set()
    counted: set[int] = set()
    stack, nodes = [tensor], []
    while stack:
        node = stack.pop()
        if id(node) in seen_tensors or node._ctx is None:
            continue
        seen_tensors.add(id(node))
        nodes.append(node)
        stack.extend(value for value in node._ctx.inputs if hasattr(value, "_ctx"))
    report = []
    for node in sorted(nodes, key=lambda t: -t._order):
        arrays = _kept_arrays(node._ctx)
        new_bytes = 0
        for array in arrays:
            memory = owner(array)
            if id(memory) not in counted:
                counted.add(id(memory))
                new_bytes += memory.nbytes
        report.append(SavedByOp(
            op=node._ctx.function.__name__, output_shape=tuple(node.shape),
            arrays=[(tuple(array.shape), str(array.dtype)) for array in arrays], bytes=new_bytes,
        ))
    return SavedMemory(report)
