"""`tg.set_float32_matmul_precision` / `tg.get_float32_matmul_precision`, torch's setting for
how float32 matmuls may be computed ("highest", "high" lets TF32 or bfloat16 in, "medium").

Programs set "high" for speed on a GPU (build-nanogpt does); the setting is kept and read back,
and every float32 matmul here stays full float32 whatever it says.
"""
from __future__ import annotations

_PRECISIONS = ("highest", "high", "medium")
_precision = "highest"


def set_float32_matmul_precision(precision: str) -> None:
    global _precision
    if precision not in _PRECISIONS:
        raise RuntimeError(f"Invalid precision {precision!r}: expected one of {', '.join(_PRECISIONS)}")
    _precision = precision


def get_float32_matmul_precision() -> str:
    return _precision
