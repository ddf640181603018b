"""tinygrad_edu: a small, fast, honest autograd framework on numpy."""
# tensor first: it imports the ops, which import function, which imports Tensor back.
from .tensor import Tensor
from .function import Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from . import autograd, nn, optim
from .nn.random import manual_seed
from .serialization import load, save

__all__ = [
    "Tensor", "Function", "Context", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "autograd", "nn", "optim", "manual_seed", "save", "load",
]
__version__ = "0.1.0"
