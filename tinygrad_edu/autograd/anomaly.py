"""Anomaly mode, as torch.autograd.detect_anomaly / set_detect_anomaly: a NaN or Inf made in
forward or in backward raises at once, naming the op, its input shapes and the line of the
user's code that created the op (its forward traceback, recorded only in this mode).

It costs nothing when off: turning it on swaps in a checked `Function.apply` (which records
where each op was created and checks its output), and backward checks gradients only in a
pass that started with it on.
"""
from __future__ import annotations

from typing import Any

from ..function import Function
from ..observers import anomaly_enabled, check_finite, user_frame

_plain_apply = Function.__dict__["apply"].__func__


def _checked_apply(cls: type[Function], *inputs: Any) -> Any:
    created_at = user_frame()
    output = _plain_apply(cls, *inputs)
    if output._ctx is not None:
        output._ctx.created_at = created_at
    check_finite(output, "forward output", cls.__name__, inputs, created_at)
    return output


def is_anomaly_enabled() -> bool:
    return anomaly_enabled[0]


def _set(mode: bool) -> None:
    anomaly_enabled[0] = bool(mode)
    Function.apply = classmethod(_checked_apply if mode else _plain_apply)


class set_detect_anomaly:
    """`set_detect_anomaly(True)` turns anomaly mode on at once; as a context manager it
    restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self.previous = anomaly_enabled[0]
        _set(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info: object) -> None:
        _set(self.previous)


class detect_anomaly:
    """`with detect_anomaly():` anomaly mode inside the block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.previous = anomaly_enabled[0]
        _set(self.check_nan)

    def __exit__(self, *exc_info: object) -> None:
        _set(self.previous)
