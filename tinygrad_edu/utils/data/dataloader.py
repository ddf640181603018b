"""torch.utils.data.dataloader's names (`from torch.utils.data.dataloader import
default_collate`, older code's spelling): tinygrad_edu/utils/dataloader.py's DataLoader and
the collate functions."""
from ..collate import default_collate, default_convert
from ..dataloader import DataLoader, get_worker_info

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]
