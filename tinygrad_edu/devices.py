"""Devices: `tg.device("cpu")`, and what asking for any other device says.

tinygrad_edu computes with numpy, on the CPU. A program written for PyTorch still names
devices (`device = "cuda" if torch.cuda.is_available() else "cpu"`; `x.to(device)`), so
devices exist here as torch has them: any device torch can name can be *named*, and
`cpu` is the only one a tensor can be *on*. Moving a tensor anywhere else raises
`CPUOnlyError`, which says so.
"""
from __future__ import annotations

import re
from typing import Any

# The device types torch's device strings may start with (torch.device("gpu") is an error).
_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "mtia", "hpu", "privateuseone")
_DEVICE_STRING = re.compile(r"([a-z_]+)(?::(\d+))?")


class CPUOnlyError(RuntimeError, AssertionError):
    """Asked for a device other than the CPU. A RuntimeError; also an AssertionError, which is
    what torch built without CUDA raises for `.cuda()`, so either `except` catches it."""


class device:  # noqa: N801 -- torch's name, lower case
    """A device name: `device("cpu")`, `device("cuda:0")`, `device("cuda", 1)`."""

    __slots__ = ("type", "index")

    def __init__(self, type_or_string: Any, index: int | None = None):
        if isinstance(type_or_string, device):
            self.type, self.index = type_or_string.type, type_or_string.index
            return
        if isinstance(type_or_string, int) and not isinstance(type_or_string, bool):
            # torch reads a bare int as an accelerator's index (cuda:N).
            type_or_string, index = "cuda", type_or_string
        if not isinstance(type_or_string, str):
            raise TypeError(f"device() takes a string such as 'cpu'; got {type(type_or_string).__name__}")
        match = _DEVICE_STRING.fullmatch(type_or_string)
        if match is None:
            raise RuntimeError(f"Invalid device string: {type_or_string!r}")
        if match.group(1) not in _KNOWN_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device string: {type_or_string}")
        if match.group(2) is not None and index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type_or_string}")
        self.type = match.group(1)
        self.index = int(match.group(2)) if match.group(2) is not None else index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash(str(self))  # equal to its string, so hashed as its string (dict keys agree)


CPU = device("cpu")


def cpu_device(requested: Any) -> device:
    """`requested` (None, "cpu", a device, ...) checked to be the CPU; CPUOnlyError otherwise."""
    if requested is None:
        return CPU
    wanted = device(requested)
    if wanted.type != "cpu":
        raise CPUOnlyError(
            f"tinygrad_edu runs on the CPU only (numpy): device {str(wanted)!r} is not available. "
            f"Use device='cpu', or write device = 'cuda' if torch.cuda.is_available() else 'cpu' "
            f"(tg.cuda.is_available() is False)"
        )
    return CPU


def set_default_device(requested: Any) -> None:
    """torch.set_default_device: the CPU (or None) is accepted, as it is already the default."""
    cpu_device(requested)


def get_default_device() -> device:
    return CPU
