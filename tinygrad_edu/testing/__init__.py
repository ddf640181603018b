"""Tools to prove a gradient: `gradcheck` (finite differences), and Hypothesis strategies
in `tinygrad_edu.testing.strategies` (imported on first use: Hypothesis is a test extra)."""
from typing import Any

from .gradcheck import GradcheckError, gradcheck, numerical_gradient

__all__ = ["gradcheck", "numerical_gradient", "GradcheckError", "strategies"]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        from . import strategies

        return strategies
    raise AttributeError(f"module 'tinygrad_edu.testing' has no attribute {name!r}")
