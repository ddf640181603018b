"""Optimizers: they read each parameter's .grad and update its .data in place."""
from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam"]
