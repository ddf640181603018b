"""Tools to prove a gradient: `gradcheck` and `gradgradcheck` (finite differences of first
and second derivatives), and Hypothesis strategies
in `tinygrad_edu.testing.strategies` (imported on first use: Hypothesis is a test extra)."""
from typing import Any

import importlib

from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_gradient
from .parity import LayerParity, ParityReport, compare_with_torch

__all__ = ["gradcheck", "gradgradcheck", "numerical_gradient", "GradcheckError", "compare_with_torch", "ParityReport", "LayerParity", "strategies"]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        # import_module, not `from . import strategies`: that form asks this module for the
        # attribute first, which calls __getattr__ again, forever.
        return importlib.import_module(f"{__name__}.strategies")
    raise AttributeError(f"module 'tinygrad_edu.testing' has no attribute {name!r}")
