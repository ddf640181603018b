"""tinygrad_edu: a small, fast, honest autograd framework on numpy."""
# tensor first: it imports the ops, which import function, which imports Tensor back.
from .tensor import Tensor
from .function import Context, Function, enable_grad, is_grad_enabled, no_grad
from . import nn

__all__ = ["Tensor", "Function", "Context", "no_grad", "enable_grad", "is_grad_enabled", "nn"]
__version__ = "0.1.0"
