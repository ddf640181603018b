"""`tg.backends`: torch.backends' switches for GPU libraries, answered for a CPU-only engine."""
from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
