"""Activation functions (torch.nn.functional's), each a composition of differentiable Tensor
ops: their gradients, and gradients of gradients, come from those ops' backward.

Two habits keep the compositions exact where a naive formula is not:
- `where(c, a, b)` passes dE/dY to one branch and 0 to the other, but 0 · ∞ is NaN: so the
  branch not taken is fed a clamped input (e.g. expm1(min(X, 0)) in ELU), never an overflow.
- softplus(X) = log(1 + eˣ) is computed as X + log1p(e⁻ˣ) for X > 0 and log1p(eˣ) otherwise:
  no overflow for large X, no cancellation for very negative X, and both pieces have the same
  value and slope at 0 (so no kink appears at 0 that the function does not have).

`inplace=True` is accepted where torch has it and computes out of place: the result is the
same tensor values, returned as a new tensor (the input is left unchanged).
"""
from __future__ import annotations

import math
import warnings

from ..api.elementwise import where
from ..tensor import Tensor

# SELU's constants (Klambauer et al., 2017): the fixed point of mean 0 and variance 1.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _stable_softplus(input: Tensor) -> Tensor:
    """log(1 + eˣ) without overflow, smooth at 0 (see the module docstring)."""
    positive = input + (-input.clamp(min=0)).exp().log1p()
    return where(input > 0, positive, input.clamp(max=0).exp().log1p())


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """Y = X for X > 0, negative_slope · X otherwise."""
    return where(input > 0, input, input * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Y = X for X > 0, α (eˣ − 1) otherwise."""
    return where(input > 0, input, input.clamp(max=0).expm1() * alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Y = scale · elu(X, α) with SELU's fixed α ≈ 1.6733 and scale ≈ 1.0507."""
    return elu(input, SELU_ALPHA) * SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Y = X for X > 0, α (e^(X/α) − 1) otherwise."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0 (it divides X)")
    return where(input > 0, input, (input.clamp(max=0) * (1 / alpha)).expm1() * alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Y = X Φ(X) = X/2 (1 + erf(X/√2)); approximate="tanh":
    X/2 (1 + tanh(√(2/π) (X + 0.044715 X³)))."""
    if approximate == "none":
        return input * 0.5 * ((input * (1 / math.sqrt(2))).erf() + 1)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * 0.5 * (inner.tanh() + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh'; got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """Y = X σ(X) (also called swish)."""
    return input * input.sigmoid()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Y = X tanh(softplus(X))."""
    return input * _stable_softplus(input).tanh()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Y = log(1 + e^(βX)) / β, and Y = X where βX > threshold (as torch: there the two
    agree to float precision)."""
    scaled = input * beta
    smooth = scaled.clamp(max=threshold).exp().log1p() / beta
    return where(scaled > threshold, input, smooth)


def softsign(input: Tensor) -> Tensor:
    """Y = X / (1 + |X|)."""
    return input / (input.abs() + 1)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Y = min(max(X, min_val), max_val)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return input.clamp(min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """Y = min(max(X, 0), 6)."""
    return input.clamp(0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Y = min(max(X/6 + 1/2, 0), 1): a piecewise-linear sigmoid."""
    return (input * (1 / 6) + 0.5).clamp(0.0, 1.0)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Y = X · hardsigmoid(X) (MobileNetV3's swish)."""
    return input * hardsigmoid(input)


def logsigmoid(input: Tensor) -> Tensor:
    """Y = log σ(X) = −softplus(−X), stable for any X."""
    return -_stable_softplus(-input)


def _implicit_softmax_dim(ndim: int, name: str = "softmax") -> int:
    """torch's legacy rule for a softmax given no dim, with torch's deprecation warning: the
    batch is dim 0 of a 2-D or 4-D input, so the classes are dim 1; 0-, 1- and 3-D inputs
    use dim 0."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: object = None) -> Tensor:
    """Y = softmax(−X) along dim."""
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(_implicit_softmax_dim(input.ndim, "softmin") if dim is None else dim)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Y = X where X > threshold, `value` elsewhere."""
    return where(input > threshold, input, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Y = X where |X| > λ, 0 elsewhere."""
    return where(input.abs() > lambd, input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Y = X − λ above λ, X + λ below −λ, 0 between: X shrunk towards 0 by λ."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, 0.0))


def tanhshrink(input: Tensor) -> Tensor:
    """Y = X − tanh X."""
    return input - input.tanh()


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: X split in halves A, B along dim, Y = A ⊙ σ(B)."""
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {size}")
    first, second = input.chunk(2, dim)
    return first * second.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Y = X for X > 0, a ⊙ X otherwise, with a learned slope a per channel (dim 1), or one
    slope for all (weight of one element)."""
    if weight.numel() != 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {input.shape[1] if input.ndim >= 2 else 1}.")
        weight = weight.reshape((1, -1) + (1,) * (input.ndim - 2))
    return where(input > 0, input, input * weight)


# torch's in-place functional forms (F.relu_, ...): the tensor itself is overwritten and
# returned, with torch's rules for in-place ops (api/inplace.py: refused on a leaf that
# requires grad outside no_grad, recorded in the graph on a computed tensor).
def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return input._apply_inplace("elu_", lambda base: elu(base, alpha))


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return input._apply_inplace("celu_", lambda base: celu(base, alpha))


def selu_(input: Tensor) -> Tensor:
    return input._apply_inplace("selu_", selu)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return input._apply_inplace("leaky_relu_", lambda base: leaky_relu(base, negative_slope))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return input._apply_inplace("hardtanh_", lambda base: hardtanh(base, min_val, max_val))


_threshold = threshold  # threshold_'s argument takes the function's name (torch's spelling)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return input._apply_inplace("threshold_", lambda base: _threshold(base, threshold, value))
