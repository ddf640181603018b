"""The differentiable ops: one `Function` subclass each, forward and backward side by side.

`__all__` lists every module of this package, so `from tinygrad_edu.ops import *` (the last
lines of tensor.py, once `Tensor` exists) imports them all; the `tg.` functions and Tensor
methods in `tinygrad_edu/api/` then reach an op as `ops.<module>.<Op>`.
"""
import pkgutil

__all__ = [module.name for module in pkgutil.iter_modules(__path__)]
