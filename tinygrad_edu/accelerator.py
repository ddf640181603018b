"""`tg.accelerator`: torch.accelerator's answers on a machine with none (tinygrad_edu is CPU-only)."""
from __future__ import annotations

from typing import Any


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> Any:
    """None: there is no accelerator (torch returns None too when it finds none)."""
    return None
