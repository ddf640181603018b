"""Error types that are PyTorch's and ours at once: torch raises RuntimeError for shape
mismatches, and tinygrad_edu raised ValueError before; both `except` clauses catch these."""
from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes do not fit together (the message names both shapes)."""


class TargetIndexError(IndexError, ValueError):
    """A class index outside 0..C−1 (torch raises IndexError "Target 5 is out of bounds.";
    tinygrad_edu raised ValueError before)."""


class TargetDtypeError(RuntimeError, TypeError):
    """Targets of a dtype the loss cannot take (torch raises RuntimeError "expected target
    dtype to be Long or Byte"; tinygrad_edu raised TypeError before)."""


class ArgumentAssertionError(ValueError, AssertionError):
    """A bad constructor argument that torch rejects with a bare `assert` (AssertionError):
    `except ValueError` and `except AssertionError` both catch it."""
