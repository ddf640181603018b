"""`Network`: the tutorial's container of layers, with `fit` and `predict`, on the engine.

Where the tutorial runs each layer's hand-written backward in turn, `fit` builds ONE graph
for the whole network and its loss, calls the engine's `backward()` once, then lets every
layer apply P <- P - learning_rate * dE/dP. With `batch_size=1` this is the tutorial's
per-sample training to the last digits (each layer's dE/dX is computed from the weights as
they were before the update, exactly as the tutorial computes it before updating).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..function import Function, no_grad
from ..tensor import Tensor
from .from_pair import loss_from_pair
from ..optim.optimizer import check_non_negative
from .layer import DTYPE, Layer, as_float_array, check_positive_int

# predict() runs the samples in chunks: batched for speed, bounded for memory (a conv layer's
# im2col matrix grows with the number of samples).
PREDICT_CHUNK = 256


class Network:
    """A stack of layers trained on a loss: `add`, `use`, `fit`, `predict`, as in the tutorial."""

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.loss: Callable[[np.ndarray, np.ndarray], Any] | None = None
        self.loss_prime: Callable[[np.ndarray, np.ndarray], Any] | None = None
        self.loss_function: type[Function] | None = None

    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"Network.add: expected a Layer (FCLayer, ActivationLayer, ...); got {layer!r}")
        self.layers.append(layer)

    def use(self, loss: Callable[[np.ndarray, np.ndarray], Any], loss_prime: Callable[[np.ndarray, np.ndarray], Any]) -> None:
        """Train on loss(y_true, y_pred), whose derivative in y_pred is loss_prime(y_true, y_pred)."""
        if not callable(loss) or not callable(loss_prime):
            raise TypeError("Network.use: loss and loss_prime must be functions of (y_true, y_pred)")
        self.loss = loss
        self.loss_prime = loss_prime
        self.loss_function = loss_from_pair(loss, loss_prime)

    def named_parameters(self) -> list[tuple[str, Tensor]]:
        """("layers[i].weights", tensor) pairs: every layer's parameters, named by place."""
        return [
            (f"layers[{index}].{name}", parameter)
            for index, layer in enumerate(self.layers)
            for name, parameter in layer.named_parameters().items()
        ]

    def forward(self, input: Tensor) -> Tensor:
        """The whole network on a batch (first dim: the samples), as one graph."""
        if not self.layers:
            raise RuntimeError("Network: no layers; add some with net.add(...)")
        output = input
        for layer in self.layers:
            output = layer.forward(output)
        return output

    def predict(self, input_data: Any) -> list[np.ndarray]:
        """The network's output for every sample of input_data, as a list of arrays."""
        samples = as_float_array(input_data, "Network.predict")
        if samples.ndim == 0:
            raise ValueError("Network.predict: input_data must be a sequence of samples")
        result: list[np.ndarray] = []
        with no_grad():
            for start in range(0, len(samples), PREDICT_CHUNK):
                output = self.forward(Tensor(samples[start : start + PREDICT_CHUNK], dtype=DTYPE))
                result.extend(output.array)
        return result

    def fit(self, x_train: Any, y_train: Any, epochs: int, learning_rate: float, batch_size: int = 1) -> None:
        """Train for `epochs` passes over the samples, in order, printing the mean loss of each.

        batch_size=1 is the tutorial's training: one update per sample. With batch_size=B the
        samples go through the network B at a time and each update follows the MEAN of their
        B gradients, so a learning rate means the same step size as per sample (summing
        instead would make the step B times larger).
        """
        if self.loss_function is None:
            raise RuntimeError("Network.fit: no loss; call net.use(loss, loss_prime) first, e.g. net.use(mse, mse_prime)")
        x = as_float_array(x_train, "Network.fit: x_train")
        y = as_float_array(y_train, "Network.fit: y_train")
        if x.ndim == 0 or y.ndim == 0 or len(x) != len(y) or len(x) == 0:
            raise ValueError(
                f"Network.fit: x_train and y_train must hold the same number (> 0) of samples; "
                f"got shapes {x.shape} and {y.shape}"
            )
        if not isinstance(epochs, (int, np.integer)) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"Network.fit: epochs must be an int >= 0; got {epochs!r}")
        batch_size = check_positive_int(batch_size, "batch_size", "Network.fit")
        check_non_negative(learning_rate, "learning_rate", "Network.fit")
        samples = len(x)
        for i in range(epochs):
            err = 0.0
            for start in range(0, samples, batch_size):
                inputs = Tensor(x[start : start + batch_size], dtype=DTYPE)
                targets = Tensor(y[start : start + batch_size], dtype=DTYPE)
                error = self.loss_function.apply(self.forward(inputs), targets)
                # The batch's mean loss, back to a sum, so the epoch's figure is the mean per
                # sample whatever the batch size (the tutorial prints the mean per sample).
                err += error.item() * len(inputs)
                error.backward()
                for layer in self.layers:
                    layer.step(learning_rate)
            err /= samples
            print("epoch %d/%d   error=%f" % (i + 1, epochs, err))
