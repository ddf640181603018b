"""torch's factory arguments of a layer's constructor, `device=` and `dtype=`, for layers
that build their parameters in float32 first (recurrent, attention, transformer)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from .module import Module


def apply_factory_kwargs(module: Module, device: Any, dtype: Any) -> None:
    """Check that `device` is the CPU (CPUOnlyError otherwise) and give every floating
    parameter `dtype`, or the default dtype (tg.set_default_dtype) when None, as torch."""
    cpu_device(device)
    dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
    if dtype != np.float32:
        module.to(dtype)
