"""`torch.autocast` / `torch.amp.autocast`: a region where torch would run some ops in a
lower precision (bfloat16 or float16).

tinygrad_edu has no bfloat16 (numpy has none) and no per-op precision policy, so an enabled
region runs every op in its inputs' own dtype, float32 as a rule, and says so once with a
warning: the numbers are float32's, close to and more precise than torch's. A disabled region
(`enabled=False`, what nanoGPT uses on the CPU) is exactly torch's: nothing changes.
"""
from __future__ import annotations

import functools
import threading
import warnings
from typing import Any, Callable

_state = threading.local()  # per thread, as torch's autocast state


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether the innermost autocast region of this thread is enabled."""
    return getattr(_state, "enabled", False)


def is_autocast_available(device_type: str) -> bool:
    """torch answers True for "cpu" and "cuda"; "cpu" is the one that runs here."""
    return device_type in ("cpu", "cuda")


class autocast:  # noqa: N801  torch's name
    """Context manager and decorator: `with torch.autocast(device_type="cpu", dtype=torch.bfloat16):`.

    Enabled, the region computes in the tensors' own dtypes (a UserWarning says so once per
    region); disabled, it changes nothing. Regions nest; leaving one restores the outer state.
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True, cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device_type, self.fast_dtype, self._enabled = device_type, dtype, bool(enabled)

    def __enter__(self) -> autocast:
        self._outer = is_autocast_enabled()
        if self._enabled:
            warnings.warn(
                f"autocast: tinygrad_edu runs the region in the tensors' own dtypes (float32), "
                f"not in {self.fast_dtype or 'a lower precision'}", UserWarning, stacklevel=2)
        _state.enabled = self._enabled
        return self

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self._outer

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def in_region(*args: Any, **kwargs: Any) -> Any:
            with autocast(self.device_type, self.fast_dtype, self._enabled):
                return function(*args, **kwargs)
        return in_region
