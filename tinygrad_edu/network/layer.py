"""`Layer`: the tutorial's base class, now carried out by the autograd engine.

In the tutorial every layer writes two methods by hand: `forward_propagation` (X -> Y) and
`backward_propagation` (dE/dY -> dE/dX, updating its parameters on the way). Here a layer
writes only `forward(input)`, with Tensor ops, and lists its `named_parameters()`; the engine
records the graph and derives every gradient. The tutorial's two methods still exist on every
layer and do what they did, so a student can chain layers by hand exactly as the tutorial does:

    output = x
    for layer in layers:
        output = layer.forward_propagation(output)          # arrays in, arrays out
    error = mse_prime(y, output)
    for layer in reversed(layers):
        error = layer.backward_propagation(error, learning_rate)

The tutorial computes in float64 numpy; so does this API (`DTYPE`), which is what lets
`Network.fit` reproduce the tutorial's training to the last digits.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor

DTYPE = np.float64


def as_float_array(data: Any, name: str) -> np.ndarray:
    """`data` (an array, a nested list, a list of same-shaped arrays, a Tensor) as float64."""
    if isinstance(data, Tensor):
        data = data.array
    try:
        array = np.asarray(data, dtype=DTYPE)
    except ValueError:
        raise ValueError(
            f"{name}: could not make one float array of it; every sample must have the same shape"
        ) from None
    except TypeError:
        raise TypeError(f"{name}: expected numbers (an array or nested lists); got {type(data).__name__}") from None
    return array


def check_positive_int(value: object, name: str, layer: str) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive int; got {value!r}")
    return int(value)


class Layer:
    """A layer: Y = layer(X). Subclasses write `forward(input)` on Tensors whose first dim is
    the batch, and return their learnable Tensors from `named_parameters()`.

    `input` and `output` hold the Tensors of the last `forward_propagation` (the ends of this
    layer's own little graph; `.array` gives the tutorial's arrays).
    """

    def __init__(self) -> None:
        self.input: Tensor | None = None
        self.output: Tensor | None = None

    def forward(self, input: Tensor) -> Tensor:
        """Y for a batch X (first dim: the samples), built from Tensor ops so the engine can
        differentiate it."""
        raise NotImplementedError(
            f"{type(self).__name__} must define forward(input) on Tensors (first dim: the batch); "
            f"the engine derives backward from it"
        )

    def named_parameters(self) -> dict[str, Tensor]:
        """The Tensors that training updates, by attribute name (none for a layer without weights)."""
        return {}

    def parameters(self) -> list[Tensor]:
        return list(self.named_parameters().values())

    def step(self, learning_rate: float) -> None:
        """The tutorial's update for every parameter P: P <- P - learning_rate * dE/dP.
        The gradient is then cleared, as the next sample's must not add to it."""
        for parameter in self.parameters():
            if parameter.grad is not None:
                parameter.array -= learning_rate * parameter.grad.array
                parameter.grad = None

    def forward_propagation(self, input_data: Any) -> np.ndarray:
        """The tutorial's forward for ONE sample: returns Y as an array.

        The sample becomes a fresh leaf Tensor that requires grad, so this layer's graph
        starts here and `backward_propagation` can hand back dE/dX.
        """
        sample = as_float_array(input_data, f"{type(self).__name__}.forward_propagation")
        self.input = Tensor(sample, requires_grad=True, dtype=DTYPE)
        batch_of_one = self.forward(self.input.reshape((1,) + sample.shape))
        self.output = batch_of_one.reshape(batch_of_one.shape[1:])
        return self.output.array

    def backward_propagation(self, output_error: Any, learning_rate: float) -> np.ndarray:
        """The tutorial's backward for the sample of the last `forward_propagation`: given
        output_error = dE/dY, runs the engine's backward through this layer's graph, applies
        P <- P - learning_rate * dE/dP to its parameters, and returns input_error = dE/dX."""
        name = type(self).__name__
        if self.output is None or self.input is None:
            raise RuntimeError(f"{name}.backward_propagation: call forward_propagation first")
        grad_output = as_float_array(output_error, f"{name}.backward_propagation")
        if grad_output.shape != self.output.shape:
            raise ValueError(
                f"{name}.backward_propagation: output_error has shape {tuple(grad_output.shape)} but "
                f"the layer's output has shape {tuple(self.output.shape)} (dE/dY has Y's shape)"
            )
        self.output.backward(Tensor(grad_output, dtype=DTYPE))
        self.step(learning_rate)
        input_grad = self.input.grad
        self.input.grad = None
        return input_grad.array
