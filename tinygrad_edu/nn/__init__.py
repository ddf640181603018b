"""Neural-network building blocks on the autograd engine."""
from . import functional

__all__ = ["functional"]
