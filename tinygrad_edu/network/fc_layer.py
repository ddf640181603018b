"""`FCLayer`: the tutorial's fully connected layer, Y = XW + B."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .layer import DTYPE, Layer, check_positive_int


class FCLayer(Layer):
    """Y = XW + B;  the engine derives dE/dX = dE/dY Wᵀ, dE/dW = Xᵀ dE/dY, dE/dB = dE/dY
    (the last two summed over the samples of a batch).

    W has shape (input_size, output_size) and B (1, output_size), as in the tutorial, both
    drawn uniformly from [-0.5, 0.5) with numpy's global generator in the tutorial's order:
    after `np.random.seed(s)` a layer starts from the tutorial's very weights.
    A sample has shape (1, input_size), or any shape whose last dim is input_size.
    """

    def __init__(self, input_size: int, output_size: int):
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size", "FCLayer")
        self.output_size = check_positive_int(output_size, "output_size", "FCLayer")
        self.weights = Tensor(np.random.rand(self.input_size, self.output_size) - 0.5, requires_grad=True, dtype=DTYPE)
        self.bias = Tensor(np.random.rand(1, self.output_size) - 0.5, requires_grad=True, dtype=DTYPE)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim < 2 or input.shape[-1] != self.input_size:
            raise ValueError(
                f"{self!r}: input of shape {tuple(input.shape)} (batch first) must end in "
                f"input_size = {self.input_size}"
            )
        # One row per sample makes the product a single 2-D matrix product, so that backward's
        # dE/dW = Xᵀ dE/dY is one GEMM over the batch rather than one product per sample summed.
        rows = input.reshape(-1, self.input_size)
        output = rows @ self.weights + self.bias
        return output.reshape(*input.shape[:-1], self.output_size)

    def named_parameters(self) -> dict[str, Tensor]:
        return {"weights": self.weights, "bias": self.bias}

    def __repr__(self) -> str:
        return f"FCLayer({self.input_size}, {self.output_size})"
