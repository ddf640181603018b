"""`tg.cuda`: what torch.cuda answers on a machine without CUDA.

Programs ask before they choose a device (`"cuda" if torch.cuda.is_available() else "cpu"`),
so the questions are answered; anything that needs a GPU raises CPUOnlyError.
"""
from __future__ import annotations

from typing import Any

from ..devices import CPUOnlyError
from ..random import check_seed


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """torch.cuda.manual_seed: without CUDA there is nothing to seed, and torch documents the
    call as silently ignored; the seed is still checked, so a wrong one is caught here."""
    check_seed(seed)


def manual_seed_all(seed: int) -> None:
    """torch.cuda.manual_seed_all: ignored without CUDA (as torch), the seed still checked."""
    check_seed(seed)


def current_device() -> int:
    raise CPUOnlyError("tinygrad_edu runs on the CPU only: there is no current CUDA device")


def get_device_name(device: Any = None) -> str:
    raise CPUOnlyError("tinygrad_edu runs on the CPU only: there is no CUDA device to name")


def synchronize(device: Any = None) -> None:
    raise CPUOnlyError("tinygrad_edu runs on the CPU only: there is no CUDA device to synchronize")


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False, as torch answers without CUDA (nanoGPT asks before choosing bfloat16)."""
    return False


from . import amp  # noqa: E402  torch.cuda.amp (after the functions: amp imports none of them)
