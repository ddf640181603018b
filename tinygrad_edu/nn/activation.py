"""Elementwise activations as modules, Y = f(X), dE/dX = dE/dY ⊙ f'(X): the tutorial's
ActivationLayer with f fixed. The functions are in nn/activation_functions.py (as F.*);
softmax-like modules (Softmax, LogSoftmax, Softmin) are in nn/softmax_modules.py.

`inplace=True` is accepted where torch has it and computes out of place (the values are the
same; the input tensor is not overwritten).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..devices import cpu_device
from ..dtypes import get_default_dtype, to_dtype
from ..tensor import Tensor
from . import activation_functions as A
from .module import Module
from .parameter import Parameter


def _inplace_repr(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class Tanh(Module):
    """Y = tanh X;  dE/dX = dE/dY ⊙ (1 − Y²)."""

    def forward(self, input: Tensor) -> Tensor:
        return input.tanh()


class ReLU(Module):
    """Y = max(X, 0);  dE/dX = dE/dY ⊙ [X > 0]."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return input.relu()

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """Y = 1 / (1 + e⁻ˣ);  dE/dX = dE/dY ⊙ Y (1 − Y)."""

    def forward(self, input: Tensor) -> Tensor:
        return input.sigmoid()


class LeakyReLU(Module):
    """Y = X for X > 0, negative_slope · X otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_repr(self.inplace)}"


class ELU(Module):
    """Y = X for X > 0, α (eˣ − 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class CELU(ELU):
    """Y = X for X > 0, α (e^(X/α) − 1) otherwise."""

    def forward(self, input: Tensor) -> Tensor:
        return A.celu(input, self.alpha)


class SELU(Module):
    """Y = scale · elu(X, α), α ≈ 1.6733, scale ≈ 1.0507 (self-normalizing networks)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.selu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(SELU):
    """Y = X σ(X)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.silu(input)


class Mish(SELU):
    """Y = X tanh(softplus(X))."""

    def forward(self, input: Tensor) -> Tensor:
        return A.mish(input)


class ReLU6(SELU):
    """Y = min(max(X, 0), 6)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.relu6(input)


class Hardsigmoid(SELU):
    """Y = min(max(X/6 + 1/2, 0), 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.hardsigmoid(input)


class Hardswish(SELU):
    """Y = X · hardsigmoid(X)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.hardswish(input)


class GELU(Module):
    """Y = X Φ(X) (exact, with erf) or its tanh approximation (approximate="tanh")."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return A.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Y = log(1 + e^(βX)) / β, linear above the threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """Y = X / (1 + |X|)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.softsign(input)


class LogSigmoid(Module):
    """Y = log σ(X)."""

    def forward(self, input: Tensor) -> Tensor:
        return A.logsigmoid(input)


class _EmptyRangeError(ValueError, AssertionError):
    """A bad argument (ValueError), raised where torch asserts (so `except AssertionError`
    written for torch catches it too)."""


class Hardtanh(Module):
    """Y = min(max(X, min_val), max_val). min_value / max_value are torch's deprecated names
    for min_val / max_val: they warn (FutureWarning) and win, as in torch."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", FutureWarning, stacklevel=2)
            max_val = max_value
        if max_val <= min_val:
            raise _EmptyRangeError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace)}"


class Threshold(Module):
    """Y = X where X > threshold, `value` elsewhere."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_repr(self.inplace)}"


class Hardshrink(Module):
    """Y = X where |X| > λ, 0 elsewhere."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return A.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """Y = X − λ above λ, X + λ below −λ, 0 between."""

    def forward(self, input: Tensor) -> Tensor:
        return A.softshrink(input, self.lambd)


class Tanhshrink(Module):
    """Y = X − tanh X."""

    def forward(self, input: Tensor) -> Tensor:
        return A.tanhshrink(input)


class GLU(Module):
    """The gated linear unit along dim: halves A, B of X, Y = A ⊙ σ(B)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return A.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """Y = X for X > 0, a X otherwise, the slope a learned: one for all channels
    (num_parameters=1) or one per channel (dim 1), starting at `init`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        cpu_device(device)
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(np.full(num_parameters, init), dtype=get_default_dtype() if dtype is None else to_dtype(dtype))

    def reset_parameters(self) -> None:
        self.weight.array[...] = self.init

    def forward(self, input: Tensor) -> Tensor:
        return A.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
