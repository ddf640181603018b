"""Random number generators: `tg.manual_seed`, `tg.Generator`, `tg.initial_seed`.

Everything random in the engine (tg.rand, nn.init, dropout) draws from one numpy Generator
owned by `default_generator`, unless a call is given its own `generator=`. Seeding it makes a
run repeatable: the same seed gives the same weights, the same batches, the same dropout.

As in torch, the process's global generator starts from a random seed (so `initial_seed()`
differs between runs until `manual_seed` is called), while a new `Generator()` starts from
torch's fixed default seed. Each generator is torch's MT19937, seeded as torch seeds it, and
rand, randn, randint, randperm, normal, multinomial, uniform_, normal_ and exponential_ draw
torch's numbers from it (torch_random.py); other draws (bernoulli, dropout, what nn.init and
the DataLoader draw through `numpy_generator`) read the same stream numpy's way.
"""
from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from .devices import cpu_device

# torch's seed for a freshly made torch.Generator().
DEFAULT_GENERATOR_SEED = 67280421310721


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int; got {seed!r}")
    return int(seed)


def _mt19937(seed: int) -> np.random.MT19937:
    """An MT19937 seeded as torch's CPU generator is (the 32-bit init_genrand of the seed's low
    32 bits), through numpy's public legacy seeding."""
    _, key, position, _, _ = np.random.RandomState(seed & 0xFFFFFFFF).get_state()
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": position}}
    return bits


class Generator:
    """A random number generator with its own state, as torch.Generator: pass it as
    `generator=` to draw independently of the global one."""

    def __init__(self, device: Any = "cpu"):
        self.device = cpu_device(device)
        self.manual_seed(DEFAULT_GENERATOR_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart from `seed`; returns the generator, so `Generator().manual_seed(0)` works."""
        self._initial_seed = check_seed(seed)
        self.bit_generator = _mt19937(self._initial_seed)
        # one stream: torch's draws (torch_random.py) and numpy's (the other random users)
        # read the same MT19937 words
        self.numpy_generator = np.random.Generator(self.bit_generator)
        self.next_normal: float | None = None  # the second value of a Box–Muller pair
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last started from."""
        return self._initial_seed

    def seed(self) -> int:
        """Restart from a fresh non-deterministic seed, and return it."""
        seed = secrets.randbits(63)
        self.manual_seed(seed)
        return seed

    def __repr__(self) -> str:
        return f"Generator(initial_seed={self._initial_seed})"


default_generator = Generator()
default_generator.seed()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (tg.rand, nn.init, dropout), as torch.manual_seed."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator was last started from."""
    return default_generator.initial_seed()


def get(generator: Generator | None = None) -> Generator:
    """`generator`, or the global one (looked up at each call)."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a tg.Generator; got {type(generator).__name__}")
    return generator


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The numpy Generator to draw from: `generator`'s, or the global one's (looked up at each
    call, since manual_seed replaces it)."""
    return get(generator).numpy_generator
