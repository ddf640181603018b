"""torch.utils' namespace: `utils.data` (data sets, samplers, collation, DataLoader)."""
from . import data

__all__ = ["data"]
