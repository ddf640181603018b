"""`tg.backends.cuda`: torch.backends.cuda's switches, without CUDA.

Programs set `torch.backends.cuda.matmul.allow_tf32 = True` as a habit (nanoGPT does); the
flags are kept so that such lines run, and they change nothing here: the CPU computes float32
matmuls in float32, never in TF32.
"""
from __future__ import annotations


class _MatmulFlags:
    """torch.backends.cuda.matmul: attributes a program may set and read back."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()
_sdp_enabled = {"flash": True, "mem_efficient": True, "math": True}


def is_built() -> bool:
    return False


def flash_sdp_enabled() -> bool:
    return _sdp_enabled["flash"]


def mem_efficient_sdp_enabled() -> bool:
    return _sdp_enabled["mem_efficient"]


def math_sdp_enabled() -> bool:
    return _sdp_enabled["math"]


def enable_flash_sdp(enabled: bool) -> None:
    """Recorded only: scaled_dot_product_attention has one (math) path here."""
    _sdp_enabled["flash"] = bool(enabled)


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Recorded only: scaled_dot_product_attention has one (math) path here."""
    _sdp_enabled["mem_efficient"] = bool(enabled)


def enable_math_sdp(enabled: bool) -> None:
    """Recorded only: scaled_dot_product_attention has one (math) path here."""
    _sdp_enabled["math"] = bool(enabled)
