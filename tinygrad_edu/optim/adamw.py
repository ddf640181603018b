"""torch.optim.adamw's name (`from torch.optim.adamw import AdamW`): AdamW lives beside Adam
in adam.py, as one update rule with its weight decay decoupled."""
from .adam import AdamW

__all__ = ["AdamW"]
