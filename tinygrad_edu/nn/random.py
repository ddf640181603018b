"""The one random number generator behind parameter initialisation and dropout.

`manual_seed(seed)` (exported as `tg.manual_seed`) replaces it with a freshly seeded one, so
that two runs started with the same seed build the same initial weights and drop the same
units. Until it is called, the generator is seeded from the operating system's entropy.
"""
from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reseed the generator used by `nn.init` and dropout, as torch.manual_seed."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int; got {seed!r}")
    _generator = np.random.default_rng(int(seed))


def generator() -> np.random.Generator:
    """The current generator (looked up at each call: `manual_seed` replaces it)."""
    return _generator
