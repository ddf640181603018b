"""`tg.backends`: torch.backends' switches for GPU libraries, answered for a CPU-only engine."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
