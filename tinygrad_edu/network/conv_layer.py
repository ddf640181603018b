"""`ConvLayer`: the tutorial's convolutional layer (stride 1, no padding), images as
(height, width, depth), on the engine's batched conv2d."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..nn import functional as F
from ..tensor import Tensor
from .layer import DTYPE, Layer, check_positive_int


class ConvLayer(Layer):
    """Y_k = B_k + Σ_d X_d ⋆ K_dk  (⋆: valid cross-correlation; d over the input's depth D,
    k over the layer_depth output channels).

    The engine derives dE/dK_dk = X_d ⋆ dE/dY_k, dE/dX_d = Σ_k dE/dY_k ∗ K_dk (full
    convolution) and dE/dB_k = Σ dE/dY_k.

    input_shape = (H, W, D), kernel_shape = (kh, kw); a sample has shape (H, W, D) and the
    output (H − kh + 1, W − kw + 1, layer_depth), as in the tutorial. The kernels K have the
    tutorial's shape (kh, kw, D, layer_depth) and the bias B (layer_depth,), drawn uniformly
    from [-0.5, 0.5) with numpy's global generator in the tutorial's order.

    Each output channel gets its bias once. (The tutorial's code adds it once per input
    channel and scales its gradient by layer_depth; that agrees with this only when both
    depths are 1.)
    """

    def __init__(self, input_shape: Sequence[int], kernel_shape: Sequence[int], layer_depth: int):
        super().__init__()
        if len(input_shape) != 3 or len(kernel_shape) != 2:
            raise ValueError(
                f"ConvLayer: input_shape must be (height, width, depth) and kernel_shape "
                f"(height, width); got {tuple(input_shape)} and {tuple(kernel_shape)}"
            )
        self.input_shape = tuple(check_positive_int(size, "input_shape", "ConvLayer") for size in input_shape)
        self.kernel_shape = tuple(check_positive_int(size, "kernel_shape", "ConvLayer") for size in kernel_shape)
        self.layer_depth = check_positive_int(layer_depth, "layer_depth", "ConvLayer")
        height, width, self.input_depth = self.input_shape
        kernel_h, kernel_w = self.kernel_shape
        if kernel_h > height or kernel_w > width:
            raise ValueError(f"ConvLayer: kernel {self.kernel_shape} is larger than the input {self.input_shape}")
        self.output_shape = (height - kernel_h + 1, width - kernel_w + 1, self.layer_depth)
        self.weights = Tensor(np.random.rand(kernel_h, kernel_w, self.input_depth, self.layer_depth) - 0.5, requires_grad=True, dtype=DTYPE)
        self.bias = Tensor(np.random.rand(self.layer_depth) - 0.5, requires_grad=True, dtype=DTYPE)

    def forward(self, input: Tensor) -> Tensor:
        if tuple(input.shape[1:]) != self.input_shape:
            raise ValueError(
                f"{self!r}: input of shape {tuple(input.shape)} (batch first) does not hold samples "
                f"of input_shape {self.input_shape} (height, width, depth)"
            )
        # conv2d works on (N, D, H, W) with kernels (layer_depth, D, kh, kw): permuting in the
        # graph keeps the tutorial's layouts for the user and lets gradients flow back to them.
        kernels = self.weights.permute(3, 2, 0, 1)
        output = F.conv2d(input.permute(0, 3, 1, 2), kernels, self.bias)
        return output.permute(0, 2, 3, 1)

    def named_parameters(self) -> dict[str, Tensor]:
        return {"weights": self.weights, "bias": self.bias}

    def __repr__(self) -> str:
        return f"ConvLayer({self.input_shape}, {self.kernel_shape}, {self.layer_depth})"
