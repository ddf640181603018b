"""`tg.amp`: torch.amp's automatic mixed precision, as far as a float32 CPU engine has it.

`autocast` marks a region (autocast_mode.py); `GradScaler` scales the loss against float16
underflow (grad_scaler.py).
"""
from .autocast_mode import autocast, is_autocast_available, is_autocast_enabled
from .grad_scaler import GradScaler

__all__ = ["autocast", "is_autocast_available", "is_autocast_enabled", "GradScaler"]
