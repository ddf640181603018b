"""The convolution family as functions, with torch.nn.functional's names and signatures.

conv2d and conv_transpose2d are ops (ops/conv.py, ops/conv_transpose.py); conv1d and
conv_transpose1d are those on a height-1 image; each also takes an unbatched input (no N), as a
batch of one; unfold and fold are im2col and col2im (each the other's adjoint) in
torch's layout, (N, C·kh·kw, L) with L = OH·OW blocks.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..errors import ShapeError
from ..ops import conv
from ..ops.conv import Geometry, as_pair, as_single, check_conv_args, output_size
from ..ops.conv_transpose import ConvTranspose2d, check_transposed_args
from ..ops.pad import pad
from ..tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"]

_IntOrPair = int | tuple[int, int]


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _IntOrPair = 1, padding: _IntOrPair | str = 0,
           dilation: _IntOrPair = 1, groups: int = 1) -> Tensor:
    """Cross-correlation of input (N, C, H, W) with weight (O, C/groups, kh, kw), plus bias (O,).
    padding: an int, a pair, "valid" (none) or "same" (output size = input size, stride 1).
    An unbatched (C, H, W) input gives an unbatched output, as torch."""
    if _is_unbatched("conv2d", input, 2):
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if isinstance(padding, str):
        input, padding = _same_or_valid("conv2d", input, padding, weight.shape[2:], as_pair(stride, "stride"), as_pair(dilation, "dilation"))
    return conv.Conv2d.apply(input, weight, bias, stride, padding, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int] = 1, padding: int | tuple[int] | str = 0,
           dilation: int | tuple[int] = 1, groups: int = 1) -> Tensor:
    """Cross-correlation of input (N, C, L) with weight (O, C/groups, k), plus bias (O,):
    conv2d of the (N, C, 1, L) image with the (O, C/groups, 1, k) kernel. Unbatched (C, L) too."""
    if _is_unbatched("conv1d", input, 1):
        return conv1d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    stride, dilation = as_single(stride, "conv1d: stride"), as_single(dilation, "conv1d: dilation")
    if isinstance(padding, str):
        input, padding = _same_or_valid("conv1d", input, padding, weight.shape[2:], stride, dilation)
    else:
        padding = as_single(padding, "conv1d: padding")
    check_conv_args("conv1d", input.shape, weight.shape, bias, stride, padding, dilation, groups)
    output = conv.Conv2d.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, *stride), (0, *padding), (1, *dilation), groups)
    return output.squeeze(2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _IntOrPair = 1, padding: _IntOrPair = 0,
                     output_padding: _IntOrPair = 0, groups: int = 1, dilation: _IntOrPair = 1) -> Tensor:
    """The transpose (adjoint) of conv2d: input (N, C_in, H, W), weight (C_in, C_out/groups, kh, kw),
    output (N, C_out, (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1, ... for W). Unbatched
    (C_in, H, W) too."""
    if _is_unbatched("conv_transpose2d", input, 2):
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups, dilation).squeeze(0)
    return ConvTranspose2d.apply(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple[int] = 1, padding: int | tuple[int] = 0,
                     output_padding: int | tuple[int] = 0, groups: int = 1, dilation: int | tuple[int] = 1) -> Tensor:
    """The transpose of conv1d: input (N, C_in, L), weight (C_in, C_out/groups, k):
    conv_transpose2d of the (N, C_in, 1, L) view with the (C_in, C_out/groups, 1, k) kernel.
    Unbatched (C_in, L) too."""
    if _is_unbatched("conv_transpose1d", input, 1):
        return conv_transpose1d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups, dilation).squeeze(0)
    stride, padding, output_padding, dilation = (
        as_single(value, f"conv_transpose1d: {option}")
        for value, option in zip((stride, padding, output_padding, dilation), ("stride", "padding", "output_padding", "dilation"))
    )
    check_transposed_args("conv_transpose1d", input.shape, weight.shape, bias, stride, padding, output_padding, groups, dilation)
    output = ConvTranspose2d.apply(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, *stride), (0, *padding), (0, *output_padding),
                                   groups, (1, *dilation))
    return output.squeeze(2)


def unfold(input: Tensor, kernel_size: _IntOrPair, dilation: _IntOrPair = 1, padding: _IntOrPair = 0, stride: _IntOrPair = 1) -> Tensor:
    """Every sliding block of input (N, C, H, W) as a column: (N, C·kh·kw, L), L = OH·OW
    blocks in row-major order; a (C, H, W) input gives (C·kh·kw, L)."""
    if input.ndim not in (3, 4):
        raise ShapeError(f"unfold: input must be 3-D (C, H, W) or 4-D (N, C, H, W); got shape {tuple(input.shape)}")
    batched = input if input.ndim == 4 else input.unsqueeze(0)
    geometry = _block_geometry("unfold", batched.shape[2:], kernel_size, dilation, padding, stride)
    rows = batched.shape[1] * geometry.kernel[0] * geometry.kernel[1]
    blocks = geometry.out_hw[0] * geometry.out_hw[1]
    # im2col's columns are ordered (OH, OW, N): batch-innermost, see ops/conv.py.
    columns = conv.Im2Col.apply(batched, geometry).reshape(rows, blocks, batched.shape[0]).permute(2, 0, 1)
    return columns if input.ndim == 4 else columns.squeeze(0)


def fold(input: Tensor, output_size: _IntOrPair, kernel_size: _IntOrPair, dilation: _IntOrPair = 1, padding: _IntOrPair = 0,
         stride: _IntOrPair = 1) -> Tensor:
    """The adjoint of unfold: each column of input (N, C·kh·kw, L) added back into its block of
    an (N, C, H, W) image (overlapping blocks add up); a (C·kh·kw, L) input gives (C, H, W)."""
    if input.ndim not in (2, 3):
        raise ShapeError(f"fold: input must be 2-D (C·kh·kw, L) or 3-D (N, C·kh·kw, L); got shape {input.shape}")
    batched = input if input.ndim == 3 else input.unsqueeze(0)
    batch, rows, blocks = batched.shape
    height, width = as_pair(output_size, "fold: output_size")
    geometry = _block_geometry("fold", (height, width), kernel_size, dilation, padding, stride)
    area = geometry.kernel[0] * geometry.kernel[1]
    if rows % area:
        raise ShapeError(f"fold: the input's dimension {input.ndim - 2} (size {rows}) must be divisible by the product of "
                         f"kernel_size {geometry.kernel}, {area}; input shape {input.shape}")
    if blocks != geometry.out_hw[0] * geometry.out_hw[1]:
        raise ShapeError(f"fold: output_size={(height, width)} with kernel_size={geometry.kernel}, dilation={geometry.dilation}, "
                         f"padding={geometry.padding}, stride={geometry.stride} has {geometry.out_hw[0]} × {geometry.out_hw[1]} = "
                         f"{geometry.out_hw[0] * geometry.out_hw[1]} blocks, but the input's last dimension is {blocks} "
                         f"(shape {input.shape})")
    columns = batched.permute(1, 2, 0).reshape(rows, blocks * batch)
    image = conv.Col2Im.apply(columns, (batch, rows // area, height, width), geometry)
    return image if input.ndim == 3 else image.squeeze(0)


def _is_unbatched(name: str, input: Tensor, spatial_dims: int) -> bool:
    """Whether input lacks the batch dim, as torch's convolutions allow: the functions then run on
    a batch of one, unsqueeze(0) in and squeeze(0) out (so the gradients pass through unchanged).
    Any other rank is an error in torch's words."""
    batched = spatial_dims + 2
    if input.ndim not in (batched - 1, batched):
        raise ShapeError(f"Expected {batched - 1}D (unbatched) or {batched}D (batched) input to {name}, "
                         f"but got input of size: {list(input.shape)}")
    return input.ndim == batched - 1


def _same_or_valid(name: str, input: Tensor, padding: str, kernel: Sequence[int], stride: Sequence[int],
                  dilation: Sequence[int]) -> tuple[Tensor, tuple[int, ...]]:
    """A padding string as numbers, as torch: "valid" is none; "same" pads d·(k − 1) in each
    dim, half on each side, and an odd one out at the end (bottom, right): the input comes
    back padded by those extras, the symmetric part as the padding to convolve with."""
    if padding == "valid":
        return input, (0,) * len(kernel)
    if padding != "same":
        raise ShapeError(f"{name}: invalid padding string {padding!r}, should be one of 'valid', 'same'")
    if any(s != 1 for s in stride):
        raise ShapeError(f"{name}: padding='same' is not supported for strided convolutions (stride={tuple(stride)})")
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    extras = [total % 2 for total in totals]
    if any(extras):
        if input.ndim != len(kernel) + 2:
            raise ShapeError(f"{name}: input must be {len(kernel) + 2}-D; got shape {input.shape}")
        # pad's pairs run from the last dim backwards: (left, right) of W, then (top, bottom) of H.
        input = pad(input, [amount for extra in reversed(extras) for amount in (0, extra)])
    return input, tuple(total // 2 for total in totals)


def _block_geometry(name: str, image_hw: Sequence[int], kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> Geometry:
    """unfold's and fold's sliding blocks on an image of image_hw, checked to be at least 1 × 1."""
    kernel, dilation, padding, stride = (as_pair(value, f"{name}: {option}") for value, option in
                                         zip((kernel_size, dilation, padding, stride), ("kernel_size", "dilation", "padding", "stride")))
    if min(kernel + dilation + stride) < 1 or min(padding) < 0:
        raise ShapeError(f"{name}: kernel_size, dilation and stride must be positive and padding non-negative; got "
                         f"kernel_size={kernel}, dilation={dilation}, padding={padding}, stride={stride}")
    out_hw = tuple(output_size(*sizes) for sizes in zip(image_hw, kernel, stride, padding, dilation))
    if min(out_hw) < 1:
        raise ShapeError(f"{name}: an image of spatial size {tuple(image_hw)} with kernel_size={kernel}, dilation={dilation}, "
                         f"padding={padding} has {out_hw} sliding blocks; each must be at least one")
    return Geometry(kernel, stride, padding, dilation, out_hw)
