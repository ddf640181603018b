"""Error types that are PyTorch's and ours at once: torch raises RuntimeError for shape
mismatches, and tinygrad_edu raised ValueError before; both `except` clauses catch these."""
from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes do not fit together (the message names both shapes)."""
