"""torch.utils.data._utils.collate's names (`from torch.utils.data._utils.collate import
default_collate`, older code's spelling): tinygrad_edu/utils/collate.py's functions."""
from ...collate import default_collate, default_convert

__all__ = ["default_collate", "default_convert"]
