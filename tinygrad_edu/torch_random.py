"""torch's CPU random numbers, drawn as torch draws them from its MT19937 generator, so that a
seeded program makes the numbers it makes under PyTorch (makemore's `torch.rand(3,
generator=g)` is tensor([0.6064, 0.3033, 0.0903]) here too).

Every tg.Generator is an MT19937 seeded as torch seeds it (random.py); these functions read its
32-bit words in torch's order and turn them into numbers with torch's formulas:

- uniform (rand, uniform_): one word per float32, its low 24 bits × 2⁻²⁴; float64 from a 64-bit
  draw (two words, the first high), its low 53 bits × 2⁻⁵³;
- integers (randint): a word modulo the range (a 64-bit draw for ranges from 2³² up);
- permutations (randperm): swap position i with i + word mod (n − i);
- exponential (exponential_, and multinomial's draws): −log(1 − u) / λ, u a 53-bit double;
- normal (randn, normal_): below 16 elements, Box–Muller in double on pairs of 53-bit doubles,
  the second value of a pair kept for the next draw; from 16 elements, all uniforms first, then
  Box–Muller in the tensor's dtype on blocks of 16 (the last 16 redrawn when the size is not a
  multiple of 16), float32 with torch's vector log and sincos, ported; about 1 float32 normal
  in 1000 still differs from torch's in the last bit;
- multinomial: one draw (or any draw without replacement) as argmax (top-k) of p / q, q
  exponential; more draws with replacement by searching the normalised cumulative sums for a
  53-bit uniform each.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

_FLOAT_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def words(bits: np.random.MT19937, count: int) -> np.ndarray:
    """The next `count` 32-bit words (as uint64)."""
    return bits.random_raw(count) if count else np.zeros(0, np.uint64)


def words64(bits: np.random.MT19937, count: int) -> np.ndarray:
    """The next `count` 64-bit draws: two words each, the first one high."""
    pairs = words(bits, 2 * count)
    return (pairs[0::2] << np.uint64(32)) | pairs[1::2]


def uniform_double(bits: np.random.MT19937, count: int) -> np.ndarray:
    """`count` doubles in [0, 1) from 53 bits of 64-bit draws."""
    return (words64(bits, count) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53


def uniform(bits: np.random.MT19937, count: int, dtype: np.dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """`count` values uniform on [low, high) in `dtype`, computed in that dtype as torch."""
    digits = _FLOAT_DIGITS[dtype]
    drawn = words64(bits, count) if digits == 53 else words(bits, count)
    unit = ((drawn & np.uint64((1 << digits) - 1)).astype(np.float64) * 2.0 ** -digits).astype(dtype)
    low_, high_ = dtype.type(low), dtype.type(high)
    if low == 0.0 and high == 1.0:
        return unit
    return unit * (high_ - low_) + low_


def integers(bits: np.random.MT19937, count: int, low: int, high: int) -> np.ndarray:
    """`count` int64 values in [low, high)."""
    span = high - low
    drawn = words(bits, count) if span < 2 ** 32 else words64(bits, count)
    return (drawn % np.uint64(span)).astype(np.int64) + low


def permutation(bits: np.random.MT19937, n: int) -> np.ndarray:
    """0..n-1 shuffled by torch's swaps."""
    order = np.arange(n, dtype=np.int64)
    drawn = words(bits, max(n - 1, 0))
    for i in range(n - 1):
        j = i + int(drawn[i]) % (n - i)
        order[i], order[j] = order[j], order[i]
    return order


def exponential(bits: np.random.MT19937, count: int, rate: float, dtype: np.dtype) -> np.ndarray:
    return (-np.log1p(-uniform_double(bits, count)) / rate).astype(dtype)


def normal(generator: Any, count: int, dtype: np.dtype, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """`count` normal draws in `dtype` (see the module's notes)."""
    bits = generator.bit_generator
    if count >= 16 and dtype in (np.float32, np.float64):
        return _normal_fill(bits, count, np.dtype(dtype), mean, std)
    values = np.empty(count, np.float64)
    for k in range(count):
        cached, generator.next_normal = generator.next_normal, None
        if cached is None:
            u1, u2 = uniform_double(bits, 2)
            radius, theta = math.sqrt(-2.0 * math.log1p(-u2)), 2.0 * math.pi * u1
            generator.next_normal = radius * math.sin(theta)
            cached = radius * math.cos(theta)
        values[k] = cached * std + mean
    return values.astype(dtype)


def _normal_fill(bits: np.random.MT19937, count: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    data = uniform(bits, count, dtype)
    blocks = count // 16
    _box_muller_16(data[:blocks * 16].reshape(blocks, 16), dtype, mean, std)
    if count % 16:
        tail = uniform(bits, 16, dtype).reshape(1, 16)
        _box_muller_16(tail, dtype, mean, std)
        data[count - 16:] = tail[0]
    return data


def _box_muller_16(blocks: np.ndarray, dtype: np.dtype, mean: float, std: float) -> None:
    """In place: each row's first 8 uniforms paired with its last 8 become 16 normals. float32
    as torch's AVX2 kernel computes it (its Cephes log and sincos, below); float64 as its
    scalar loop does."""
    u1 = dtype.type(1) - blocks[:, :8]
    u2 = blocks[:, 8:].copy()
    if dtype == np.float32:
        radius = np.sqrt(np.float32(-2) * _cephes_log(u1))
        sine, cosine = _cephes_sincos(np.float32(2.0 * math.pi) * u2)
        blocks[:, :8] = _fma(radius * cosine, _F32(std), _F32(mean))
        blocks[:, 8:] = _fma(radius * sine, _F32(std), _F32(mean))
    else:
        radius = np.sqrt(-2.0 * np.log(u1))
        theta = 2.0 * math.pi * u2
        blocks[:, :8] = radius * np.cos(theta) * std + mean
        blocks[:, 8:] = radius * np.sin(theta) * std + mean


# ---- float32 log and sincos as torch's avx_mathfun.h computes them (Cephes polynomials), the
# multiply-adds fused as the compiler fuses them there
_F32 = np.float32
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)


def _fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """a · b + c rounded once to float32 (the product of two float32 is exact in float64)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)).astype(_F32)


def _cephes_log(x: np.ndarray) -> np.ndarray:
    x = np.maximum(x.astype(_F32), _F32(1.17549435e-38))
    bits = x.view(np.int32)
    exponent = ((bits >> 23) - 0x7F).astype(_F32) + _F32(1)
    x = ((bits & ~0x7F800000) | np.int32(0x3F000000)).view(_F32)  # the mantissa, in [0.5, 1)
    small = x < _F32(0.707106781186547524)
    exponent = exponent - np.where(small, _F32(1), _F32(0))
    x = (x - _F32(1)) + np.where(small, x, _F32(0))
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for coefficient in _LOG_P[1:]:
        y = _fma(y, x, _F32(coefficient))
    y = y * x * z
    y = _fma(exponent, _F32(-2.12194440e-4), y)
    y = _fma(-z, _F32(0.5), y)
    return _fma(exponent, _F32(0.693359375), x + y)


def _cephes_sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sine_negative = np.signbit(x)
    x = np.abs(x)
    octant = ((x * _F32(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = octant.astype(_F32)
    sine_negative = sine_negative ^ ((octant & 4) != 0)
    cosine_negative = (~(octant - 2) & 4) != 0
    use_sine_polynomial = (octant & 2) == 0
    for part in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma(y, _F32(part), x)  # x − y·π/4 in three exact pieces
    z = x * x
    cosine = _fma(_fma(_F32(2.443315711809948e-5), z, _F32(-1.388731625493765e-3)), z, _F32(4.166664568298827e-2))
    cosine = _fma(-z, _F32(0.5), cosine * z * z) + _F32(1)
    sine = _fma(_fma(_F32(-1.9515295891e-4), z, _F32(8.3321608736e-3)), z, _F32(-1.6666654611e-1))
    sine = _fma(sine * z, x, x)
    sine, cosine = np.where(use_sine_polynomial, sine, cosine), np.where(use_sine_polynomial, cosine, sine)
    return np.where(sine_negative, -sine, sine), np.where(cosine_negative, -cosine, cosine)


def multinomial(bits: np.random.MT19937, weights: np.ndarray, num_samples: int, replacement: bool) -> np.ndarray:
    """Category indices (rows, num_samples) for the rows of non-negative `weights`."""
    if num_samples == 1 or not replacement:
        q = exponential(bits, weights.size, 1.0, weights.dtype).reshape(weights.shape)
        keys = weights / q
        # the largest keys first, the first of equal keys first (as argmax and topk)
        return np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples].astype(np.int64)
    cumulative = np.cumsum(weights, axis=-1, dtype=weights.dtype)
    cumulative = cumulative / cumulative[:, -1:]
    result = np.empty((weights.shape[0], num_samples), np.int64)
    for row in range(weights.shape[0]):
        result[row] = np.searchsorted(cumulative[row], uniform_double(bits, num_samples), side="left")
    return np.minimum(result, weights.shape[1] - 1)
