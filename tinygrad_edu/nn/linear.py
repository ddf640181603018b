"""`Linear`: the tutorial's fully connected layer, Y = X Wᵀ + B, with PyTorch's layout
(weight of shape (out_features, in_features)) and PyTorch's default initialisation."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def check_positive(value: int, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive int; got {value!r}")
    return int(value)


class Linear(Module):
    """Y = X Wᵀ + B;  dE/dX = dE/dY W,  dE/dW = dE/dYᵀ X,  dE/dB = Σ_batch dE/dY.

    W ~ U(−1/√in, 1/√in) and B ~ U(−1/√in, 1/√in), as torch.nn.Linear.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__()
        self.in_features = check_positive(in_features, "in_features", "Linear")
        self.out_features = check_positive(out_features, "out_features", "Linear")
        cpu_device(device)  # torch's factory arguments: the CPU, and the default float dtype unless given
        dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype), dtype=dtype)
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype), dtype=dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv2d: kaiming_uniform_ with a = √5, which is
    U(−1/√fan_in, 1/√fan_in), and the bias from the same range."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init.calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in)
        init.uniform_(bias, -bound, bound)
