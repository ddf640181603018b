"""The random number generator behind parameter initialisation and dropout.

It is the engine's global generator (tinygrad_edu/random.py), so `tg.manual_seed(seed)` (also
exported here, as `nn.manual_seed`) makes initial weights and dropout masks repeatable.
"""
from __future__ import annotations

import numpy as np

from ..random import manual_seed, numpy_generator

__all__ = ["manual_seed", "generator"]


def generator() -> np.random.Generator:
    """The global numpy Generator (looked up at each call: `manual_seed` replaces it)."""
    return numpy_generator()
