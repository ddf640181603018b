"""`tg.use_deterministic_algorithms`: torch's switch for refusing nondeterministic kernels.

Every op here is deterministic on the CPU (the same inputs and seed give the same bits), so
the switch is kept and read back (`are_deterministic_algorithms_enabled`) and never has
anything to refuse.
"""
from __future__ import annotations

_settings = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: mode must be a bool; got {mode!r}")
    _settings["enabled"], _settings["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _settings["enabled"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _settings["warn_only"]
