"""F.interpolate: resizing (N, C, L) or (N, C, H, W) batches, with torch's arguments, output
sizes and source-position formulas.

- "nearest" (and "nearest-exact"): output position a copies input position ⌊a·r⌋
  (⌊(a + ½)·r⌋), r = in/out or 1/scale_factor.
- "linear" (3-D) and "bilinear" (4-D): a mix 1 − λ, λ of the two input positions around the
  source position.
Both are Y = A_h X A_wᵀ (ops/resampling.py), row a of A holding a single 1 (nearest) or the two
weights (linear), so dE/dX = A_hᵀ dE/dY A_w, and the backward is matmuls too. (For nearest, a
gather and its scatter-add backward ran 3x slower than the matmuls, at 28×28 → 56×56.)
- "bicubic" (4-D): Keys' cubic convolution (A = −0.75) of the four input positions around the
  source position, as torch's; also separable, Y = A_h X A_wᵀ.
- "area": adaptive average pooling to the output size, as torch.
pixel_shuffle / pixel_unshuffle trade channels for resolution (sub-pixel convolution's
upsampling): a reshape, a permutation and a reshape, whose backward is their inverse.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

from ..errors import ShapeError
from ..ops.resampling import cubic_matrix, linear_matrix, nearest_positions, selection_matrix, separable
from ..tensor import Tensor
from .pooling_functional import adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle"]

SUPPORTED_MODES = {"nearest": (3, 4), "nearest-exact": (3, 4), "linear": (3,), "bilinear": (4,), "bicubic": (4,), "area": (3, 4)}
TORCH_ONLY_MODES = ("trilinear", "lanczos")


def interpolate(input: Tensor, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None, mode: str = "nearest", align_corners: bool | None = None, recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """input resized to `size`, or scaled by `scale_factor` (output size ⌊in·scale⌋)."""
    spatial = _check_mode(input, mode, align_corners, antialias)
    in_sizes = tuple(input.shape[2:])
    out_sizes, scales = _output_sizes(in_sizes, size, scale_factor, recompute_scale_factor)
    if min(out_sizes) < 1:
        raise ShapeError(f"interpolate: input and output sizes should be greater than 0; got input {in_sizes}, output {out_sizes}")
    if mode == "area":
        planes = input if spatial == 2 else input.unsqueeze(-2)
        pooled = adaptive_avg_pool2d(planes, out_sizes if spatial == 2 else (1, *out_sizes))
        return pooled if spatial == 2 else pooled.squeeze(-2)
    if mode in ("nearest", "nearest-exact"):
        exact, shortcuts = mode == "nearest-exact", spatial == 2
        matrices = [selection_matrix(nearest_positions(n, out, scale, exact, shortcuts), n, input.dtype) for n, out, scale in zip(in_sizes, out_sizes, scales)]
    else:
        if input.dtype.kind != "f":
            raise NotImplementedError(f"interpolate: {mode} mode is not implemented for {input.dtype} input (as torch); convert it with .float()")
        weights = cubic_matrix if mode == "bicubic" else linear_matrix
        matrices = [weights(n, out, bool(align_corners), scale, input.dtype) for n, out, scale in zip(in_sizes, out_sizes, scales)]
    return separable(input, *matrices) if spatial == 2 else separable(input, None, matrices[0])


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """torch's deprecated spelling of interpolate."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """torch's deprecated spelling of interpolate(..., mode="nearest")."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """torch's deprecated spelling of interpolate(..., mode="bilinear", align_corners=True)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r): the r² channels of each output channel become the
    r×r pixels of each input pixel (Y[c, h·r + i, w·r + j] = X[c·r² + i·r + j, h, w])."""
    r = _check_factor("pixel_shuffle", "upscale_factor", upscale_factor, input)
    *leading, channels, height, width = input.shape
    if channels % (r * r):
        raise ShapeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={channels} is not divisible by {r * r}")
    n = len(leading)
    split = input.reshape(*leading, channels // (r * r), r, r, height, width)
    # (…, C, i, j, H, W) → (…, C, H, i, W, j)
    moved = split.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return moved.reshape(*leading, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W): the inverse of pixel_shuffle."""
    r = _check_factor("pixel_unshuffle", "downscale_factor", downscale_factor, input)
    *leading, channels, height, width = input.shape
    for name, size, dim in (("height", height, -2), ("width", width, -1)):
        if size % r:
            raise ShapeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but input.size({dim})={size} is not divisible by {r}")
    n = len(leading)
    split = input.reshape(*leading, channels, height // r, r, width // r, r)
    # (…, C, H, i, W, j) → (…, C, i, j, H, W)
    moved = split.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return moved.reshape(*leading, channels * r * r, height // r, width // r)


def _check_factor(name: str, argument: str, factor: int, input: Tensor) -> int:
    if input.ndim < 3:
        raise ShapeError(f"{name} expects input to have at least 3 dimensions, but got input with {input.ndim} dimension(s)")
    if not isinstance(factor, int) or factor < 1:
        raise ValueError(f"{name} expects a positive {argument}, but got {factor!r}")
    return factor


def _check_mode(input: Tensor, mode: str, align_corners: bool | None, antialias: bool) -> int:
    """The number of spatial dims, once mode, input and options are known to fit together."""
    if mode in TORCH_ONLY_MODES or mode not in SUPPORTED_MODES:
        known = "torch's mode" if mode in TORCH_ONLY_MODES else "mode"
        raise NotImplementedError(f"interpolate: {known} {mode!r} is not supported here; the supported modes are {', '.join(map(repr, SUPPORTED_MODES))}")
    if input.ndim not in SUPPORTED_MODES[mode]:
        needs = " or ".join(f"{n}D" for n in SUPPORTED_MODES[mode])
        raise NotImplementedError(f"interpolate: got {input.ndim}D input of shape {tuple(input.shape)}, but {mode} mode needs {needs} input (N, C, ...)")
    if align_corners is not None and mode not in ("linear", "bilinear", "bicubic"):
        raise ValueError(f"interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic (got mode {mode!r})")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported here (torch applies it only to bilinear and bicubic downsampling)")
    return input.ndim - 2


def _output_sizes(in_sizes: tuple[int, ...], size: Any, scale_factor: Any, recompute_scale_factor: bool | None) -> tuple[tuple[int, ...], tuple[float | None, ...]]:
    """The output sizes, and the scale each dim's source positions use (None: in/out)."""
    dims = len(in_sizes)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined" if size is not None else "interpolate: either size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size")
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
        if len(sizes) != dims:
            raise ValueError(f"interpolate: input and output must have the same number of spatial dimensions; got input spatial sizes {list(in_sizes)} and output size {size!r}")
        return tuple(int(s) for s in sizes), (None,) * dims
    scales = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (tuple, list)) else (float(scale_factor),) * dims
    if len(scales) != dims:
        raise ValueError(f"interpolate: input and scale_factor must have the same number of spatial dimensions; got input spatial sizes {list(in_sizes)} and scale_factor {scale_factor!r}")
    out_sizes = tuple(math.floor(n * scale) for n, scale in zip(in_sizes, scales))
    return out_sizes, (None,) * dims if recompute_scale_factor else scales
