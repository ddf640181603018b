"""Parameter initialisers, as torch.nn.init: each fills a tensor in place and returns it.

Why the scale matters: a layer with fan_in inputs of variance 1 and weights of variance σ²
produces outputs of variance fan_in · σ². Keeping that near 1 through many layers keeps the
signal (and dE/dX on the way back) from vanishing or exploding:

    xavier (Glorot):  Var(W) = gain² · 2 / (fan_in + fan_out)
    kaiming (He):     Var(W) = gain² / fan          (fan = fan_in or fan_out)

A uniform distribution U(−b, b) has variance b²/3, so the uniform variants use b = √3 · std.
For a weight of shape (out, in, k1, k2, ...), fan_in = in · k1 · k2 ··· and
fan_out = out · k1 · k2 ···, as in PyTorch.
"""
from __future__ import annotations

import math
import warnings
from typing import Callable

import numpy as np

from ..ops.promotion import ArgumentError
from ..random import Generator, numpy_generator
from ..tensor import Tensor

_UNIT_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which a nonlinearity shrinks the standard deviation, compensated by init:
    1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu
    (slope = param, default 0.01), 3/4 for selu (torch's value, found empirically)."""
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative slope must be a number; got {slope!r}")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r} (known: "
        f"{', '.join(_UNIT_GAIN)}, tanh, relu, leaky_relu, selu)"
    )


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a tensor with at least 2 dims (out, in, ...); got shape {tensor.shape}"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


# torch's private names, which many published models call to initialise their own layers.
_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """fan_in or fan_out of the weight, as `mode` says (either case)."""
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported: mode must be 'fan_in' or 'fan_out'")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    # In place, into the existing array: an optimizer holding this tensor keeps seeing it.
    tensor.array[...] = values
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with draws from U(a, b), from `generator` (default: the global one)."""
    if not a <= b:
        raise ArgumentError(f"uniform_: the lower bound a={a} must not exceed the upper bound b={b}")
    return _fill(tensor, numpy_generator(generator).uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std²), from `generator` (default: the global one)."""
    if std < 0:
        raise ArgumentError(f"normal_: std must be non-negative; got {std}")
    return _fill(tensor, numpy_generator(generator).normal(mean, std, size=tensor.shape))


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """U(−b, b) with b = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def _no_elements(tensor: Tensor) -> bool:
    # torch warns and leaves a tensor with no elements alone (its fan may be 0).
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """U(−b, b) with b = √3 · gain / √fan; `a` is leaky_relu's negative slope.

    PyTorch's Linear and Conv2d use a = √5, which makes b = 1/√fan_in.
    """
    if _no_elements(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """N(0, std²) with std = gain / √fan."""
    if _no_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value val."""
    return _fill(tensor, val)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, as many as fit):
    a Linear layer that passes its inputs through."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported; got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std²) restricted to [a, b] (a and b are values, not
    multiples of std): draws outside are redrawn until all fall inside."""
    if not a < b:
        raise ArgumentError(f"trunc_normal_: the lower bound a={a} must be below the upper bound b={b}")
    if std <= 0:
        raise ValueError(f"trunc_normal_: std must be positive; got {std}")
    mass = 0.5 * (math.erf((b - mean) / (std * math.sqrt(2))) - math.erf((a - mean) / (std * math.sqrt(2))))
    if mass < 1e-4:
        # Redrawing would take ~1/mass rounds: refuse rather than hang.
        raise ValueError(f"trunc_normal_: [a, b] = [{a}, {b}] holds only {mass:.2g} of N({mean}, {std}²)")
    draws = numpy_generator(generator)
    values = draws.normal(mean, std, size=tensor.shape)
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = draws.normal(mean, std, size=int(outside.sum()))
        outside = (values < a) | (values > b)
    return _fill(tensor, values)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times gain (Saxe et al., 2013): the weight viewed
    as (rows, everything else) has orthonormal rows or columns, so it keeps the norm of what it
    multiplies, which is what deep or recurrent nets need. From the QR decomposition of a
    Gaussian matrix, signs fixed so that the result is uniformly distributed."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported; got shape {tensor.shape}")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = numpy_generator(generator).normal(0.0, 1.0, size=(rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a conv weight (out, in, k1[, k2[, k3]]) with the Dirac delta: 1 at the kernel's
    centre linking input channel d to output channel d of each of the `groups` groups, 0
    elsewhere, so the convolution passes its input through (as many channels as fit)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.shape[0] // groups
    channels = np.arange(min(per_group, tensor.shape[1]))
    values = np.zeros(tensor.shape)
    centre = tuple(size // 2 for size in tensor.shape[2:])
    for group in range(groups):
        values[(group * per_group + channels, channels) + centre] = 1
    return _fill(tensor, values)


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None) -> Tensor:
    """Fill a 2-D tensor from N(0, std²), then zero ⌈sparsity · rows⌉ randomly chosen rows of
    each column (Martens, 2010): a sparse initial weight."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    draws = numpy_generator(generator)
    values = draws.normal(0.0, std, size=(rows, cols))
    zeros = math.ceil(sparsity * rows)
    for col in range(cols):
        values[draws.permutation(rows)[:zeros], col] = 0
    return _fill(tensor, values)


def _deprecated(initializer: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """torch's old name (without the trailing _), which warns and calls the new one."""
    new_name = initializer.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs) -> Tensor:
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning, stacklevel=2)
        return initializer(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__doc__ = f"{old_name}(...): deprecated, use {new_name}."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
