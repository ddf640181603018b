"""`torch.cuda.amp`: the older spelling of torch.amp for CUDA. Without CUDA, as in torch, its
GradScaler warns and disables itself and its autocast is a region for "cuda"."""
from __future__ import annotations

from typing import Any

from ..amp import GradScaler as _GradScaler, autocast as _autocast


class GradScaler(_GradScaler):
    """torch.cuda.amp.GradScaler(...) is torch.amp.GradScaler("cuda", ...)."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


class autocast(_autocast):  # noqa: N801  torch's name
    """torch.cuda.amp.autocast(enabled=True, dtype=torch.float16) is torch.autocast("cuda", ...)."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True):
        super().__init__("cuda", dtype, enabled)
