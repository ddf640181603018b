"""The benchmarked networks written out by hand in numpy: forward, backward and SGD fused, with
no framework. This is the floor for any framework built on numpy.

Tricks a framework cannot easily do, used here on purpose: the learning rate is folded into
dE/dlogits once (every gradient after it comes out pre-scaled, so each update is one in-place
subtraction); activations are computed in place. The conv nets also:
- keep images batch-innermost, (C, H, W, N) in memory, from the input to the flatten (see
  conv_numpy.batch_last), so im2col, col2im and pooling move runs of W·N floats, and the
  flattened features are a (features, N) matrix with no copy;
- store each layer's bias with its weights as one matrix, [W | B] (fan_out, fan_in + 1) for
  the linear layers and [K | B]ᵀ (C·kh·kw + 1, O) for the convs (the orientations that ran
  fastest), and give each layer's input a row of ones, so one GEMM yields dE/dW and dE/dB
  and one subtraction updates both;
- apply relu and the conv bias after max-pooling (both commute with the max), on 4x fewer
  numbers, with relu' folded into the pooling mask;
- allocate every buffer once per batch size and reuse it.
"""
from __future__ import annotations

import numpy as np

from .conv_numpy import col2im_batch_last, column_blocks, im2col_batch_last


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray, scale: float) -> tuple[np.float32, np.ndarray]:
    """E = mean_n(−log softmax(Y_n)[t_n]) and scale · dE/dY = scale · (softmax(Y) − onehot(t)) / N."""
    rows = np.arange(len(labels))
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1, keepdims=True)
    loss = np.log(sums).mean() - shifted[rows, labels].mean()
    exp /= sums
    exp[rows, labels] -= 1
    exp *= scale / len(labels)
    return loss, exp


def softmax_cross_entropy_columns(logits: np.ndarray, labels: np.ndarray, scale: float) -> tuple[np.float32, np.ndarray]:
    """The same for logits (classes, N), one sample per column; logits is overwritten."""
    samples = np.arange(len(labels))
    logits -= np.maximum.reduce(logits, axis=0)  # ufuncs' reduce: no Python wrapper per call
    exp = np.exp(logits)
    sums = np.add.reduce(exp, axis=0)
    loss = (np.add.reduce(np.log(sums)) - np.add.reduce(logits[labels, samples])) / len(labels)
    exp *= (scale / len(labels)) / sums
    exp[labels, samples] -= scale / len(labels)
    return loss, exp


class Trainer:
    def __init__(self, weights: dict[str, np.ndarray], learning_rate: float):
        self.params = {name: value.copy() for name, value in weights.items()}
        self.learning_rate = learning_rate

    def parameters(self) -> dict[str, np.ndarray]:
        return self.params


class MLP(Trainer):
    """784-100-50-10, tanh, softmax cross-entropy."""

    def step(self, x: np.ndarray, labels: np.ndarray) -> np.float32:
        p = self.params
        h1 = x @ p["fc1.weight"].T
        h1 += p["fc1.bias"]
        np.tanh(h1, out=h1)
        h2 = h1 @ p["fc2.weight"].T
        h2 += p["fc2.bias"]
        np.tanh(h2, out=h2)
        logits = h2 @ p["fc3.weight"].T
        logits += p["fc3.bias"]
        loss, grad3 = softmax_cross_entropy(logits, labels, self.learning_rate)
        grad2 = grad3 @ p["fc3.weight"]
        grad2 *= 1 - h2 * h2
        grad1 = grad2 @ p["fc2.weight"]
        grad1 *= 1 - h1 * h1
        p["fc3.weight"] -= grad3.T @ h2
        p["fc3.bias"] -= grad3.sum(axis=0)
        p["fc2.weight"] -= grad2.T @ h1
        p["fc2.bias"] -= grad2.sum(axis=0)
        p["fc1.weight"] -= grad1.T @ x
        p["fc1.bias"] -= grad1.sum(axis=0)
        return loss


def with_bias_column(weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """[W | B]: a layer's weights (fan_out, ...) and bias (fan_out,) as one (fan_out, fan_in + 1) matrix."""
    return np.concatenate((weight.reshape(len(weight), -1), bias[:, None]), axis=1)


def tanh_backward(grad: np.ndarray, output: np.ndarray, scratch: np.ndarray) -> None:
    """grad *= 1 − Y², for Y = tanh(X), in place; scratch is a buffer of Y's shape."""
    np.multiply(output, output, out=scratch)
    np.subtract(1, scratch, out=scratch)
    grad *= scratch


class TutorialConv(Trainer):
    """conv 3x3 1→1 (valid), tanh, flatten, FC 676-100, tanh, FC 100-10, cross-entropy.

    Batch-innermost: the images as (28, 28, N), the conv output as (676, N), which is the
    flattened (features, N) matrix as it stands; then every layer is Y = [W | B] [X; 1]."""

    def __init__(self, weights: dict[str, np.ndarray], learning_rate: float):
        self.learning_rate = learning_rate
        self.conv = with_bias_column(weights["conv.weight"], weights["conv.bias"]).reshape(10)  # one filter
        self.fc1 = with_bias_column(weights["fc1.weight"], weights["fc1.bias"])  # (100, 677); as [W | B]ᵀ the step ran 1.1x slower
        self.fc2 = with_bias_column(weights["fc2.weight"], weights["fc2.bias"])  # (10, 101)
        self.params = {
            "conv.weight": self.conv[:-1].reshape(1, 1, 3, 3), "conv.bias": self.conv[-1:],
            "fc1.weight": self.fc1[:, :-1], "fc1.bias": self.fc1[:, -1],
            "fc2.weight": self.fc2[:, :-1], "fc2.bias": self.fc2[:, -1],
        }
        self.buffers: dict[int, dict[str, np.ndarray]] = {}

    @staticmethod
    def allocate(batch: int) -> dict[str, np.ndarray]:
        buffers = {
            "images": np.empty((28, 28, batch), np.float32),
            "cols": np.empty((10, 26 * 26 * batch), np.float32),
            "flat": np.empty((677, batch), np.float32),  # tanh(conv) and a row of ones
            "hidden": np.empty((101, batch), np.float32),  # tanh(fc1) and a row of ones
            "grad_flat": np.empty((676, batch), np.float32),
            "scratch_flat": np.empty((676, batch), np.float32),
            "scratch_hidden": np.empty((100, batch), np.float32),
        }
        for name in ("cols", "flat", "hidden"):
            buffers[name][-1] = 1
        return buffers

    def step(self, x: np.ndarray, labels: np.ndarray) -> np.float32:
        batch = len(labels)
        buffers = self.buffers.get(batch) or self.buffers.setdefault(batch, self.allocate(batch))
        images, cols, flat, hidden = buffers["images"], buffers["cols"], buffers["flat"], buffers["hidden"]
        images[...] = x.reshape(batch, 784).T.reshape(28, 28, batch)  # the only transpose
        im2col_batch_last(images[None], (3, 3), cols)
        conv = flat[:-1]
        np.matmul(self.conv, cols, out=conv.reshape(-1))
        np.tanh(conv, out=conv)
        h = hidden[:-1]
        np.matmul(self.fc1, flat, out=h)
        np.tanh(h, out=h)
        loss, grad_logits = softmax_cross_entropy_columns(self.fc2 @ hidden, labels, self.learning_rate)
        grad_h = self.fc2[:, :-1].T @ grad_logits
        tanh_backward(grad_h, h, buffers["scratch_hidden"])
        grad_flat = np.matmul(self.fc1[:, :-1].T, grad_h, out=buffers["grad_flat"])
        tanh_backward(grad_flat, conv, buffers["scratch_flat"])
        self.fc2 -= grad_logits @ hidden.T
        self.fc1 -= grad_h @ flat.T
        self.conv -= cols @ grad_flat.reshape(-1)  # one GEMV: dE/dK, and dE/dB from the ones row of cols
        return loss


def max_window_views(x: np.ndarray, axes: tuple[int, int]) -> list[np.ndarray]:
    """The four elements of every 2×2 window of x over `axes` (its H and W axes), in
    row-major window order: four strided views of x, no copies."""
    views = []
    for i in (0, 1):
        for j in (0, 1):
            index = [slice(None)] * x.ndim
            index[axes[0]], index[axes[1]] = slice(i, None, 2), slice(j, None, 2)
            views.append(x[tuple(index)])
    return views


def relu_max_pool2(
    x: np.ndarray, bias: np.ndarray | None = None, axes: tuple[int, int] = (-2, -1),
    out: np.ndarray | None = None, mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """relu(max_pool2d(x + B, 2)) for even H, W (over `axes`; B per channel, channels on axis
    0), and the mask that routes dE/dY back: to the first maximum of each window, if the
    result is > 0 (relu' folded in). The mask is one bool array of the result's shape per
    window offset, (4, *Y.shape): contiguous (the small CNN's step ran 1.08x slower with a
    mask laid out as x).
    `out` and `mask` may be given to fill.

    The max commutes with relu and with a per-channel bias, so this computes
    relu(max_pool2d(x) + B), on 4x fewer numbers. "First", as PyTorch: ties are common, since
    where relu zeroed a whole region the next conv outputs its bias at every pixel of it."""
    first, second, third, fourth = max_window_views(x, axes)
    maxima = np.maximum(first, second, out=out)
    np.maximum(maxima, third, out=maxima)
    np.maximum(maxima, fourth, out=maxima)
    bias = np.zeros(1, x.dtype) if bias is None else bias.reshape(-1, *[1] * (x.ndim - 1))
    unrouted = maxima > -bias  # where relu(max + B) > 0: exactly, as float addition keeps the sign
    mask = np.empty((4, *maxima.shape), dtype=bool) if mask is None else mask
    for view, routed in zip((first, second, third), mask):
        np.equal(view, maxima, out=routed)
        routed &= unrouted
        unrouted ^= routed  # routed ⊆ unrouted, so xor clears exactly those
    mask[3] = unrouted  # a maximum not among the first three is the fourth
    maxima += bias
    np.maximum(maxima, 0, out=maxima)
    return maxima, mask


def relu_max_pool2_backward(
    grad_output: np.ndarray, mask: np.ndarray, axes: tuple[int, int] = (-2, -1), out: np.ndarray | None = None
) -> np.ndarray:
    """dE/dX: each dE/dY at its window's routed element, 0 at the window's others."""
    if out is None:
        shape = list(grad_output.shape)
        shape[axes[0]] *= 2
        shape[axes[1]] *= 2
        out = np.empty(shape, dtype=grad_output.dtype)
    for routed, grad_view in zip(mask, max_window_views(out, axes)):
        np.multiply(grad_output, routed, out=grad_view)  # every element of out written once: no zero fill
    return out


class SmallCNN(Trainer):
    """conv 8 3x3 pad 1, relu, maxpool 2, conv 16 3x3 pad 1, relu, maxpool 2, linear 784→10.

    Batch-innermost from the input to the flatten. Each pooled output is written straight
    into the next layer's input buffer: the interior of conv2's zero-bordered input, and the
    (784 + 1, N) flattened features (torch's (C, H, W) order) with their row of ones."""

    def __init__(self, weights: dict[str, np.ndarray], learning_rate: float):
        self.learning_rate = learning_rate
        # The convs as [K | B]ᵀ (C·kh·kw + 1, O): 1.07x faster per step than as [K | B].
        self.conv1 = np.ascontiguousarray(with_bias_column(weights["conv1.weight"], weights["conv1.bias"]).T)  # (10, 8)
        self.conv2 = np.ascontiguousarray(with_bias_column(weights["conv2.weight"], weights["conv2.bias"]).T)  # (73, 16)
        self.fc = with_bias_column(weights["fc.weight"], weights["fc.bias"])  # (10, 785)
        self.params = {
            "conv1.weight": self.conv1[:-1].T.reshape(8, 1, 3, 3), "conv1.bias": self.conv1[-1],
            "conv2.weight": self.conv2[:-1].T.reshape(16, 8, 3, 3), "conv2.bias": self.conv2[-1],
            "fc.weight": self.fc[:, :-1], "fc.bias": self.fc[:, -1],
        }
        self.buffers: dict[int, dict[str, np.ndarray]] = {}

    @staticmethod
    def allocate(batch: int) -> dict[str, np.ndarray]:
        buffers = {
            "padded1": np.zeros((1, 30, 30, batch), np.float32),  # borders stay 0, the interior is rewritten
            "cols1": np.empty((10, 28 * 28 * batch), np.float32),
            "conv1": np.empty((8, 28, 28, batch), np.float32),
            "mask1": np.empty((4, 8, 14, 14, batch), bool),
            "padded2": np.zeros((8, 16, 16, batch), np.float32),
            "cols2": np.empty((73, 14 * 14 * batch), np.float32),
            "conv2": np.empty((16, 14, 14, batch), np.float32),
            "mask2": np.empty((4, 16, 7, 7, batch), bool),
            "flat": np.empty((785, batch), np.float32),
            "grad_pool2": np.empty((784, batch), np.float32),
            "grad_conv2": np.empty((16, 14, 14, batch), np.float32),
            "grad_cols2": np.empty((72, 14 * 14 * batch), np.float32),
            "grad_pool1": np.empty((8, 14, 14, batch), np.float32),
            "grad_conv1": np.empty((8, 28, 28, batch), np.float32),
        }
        for name in ("cols1", "cols2", "flat"):
            buffers[name][-1] = 1
        return buffers

    def step(self, x: np.ndarray, labels: np.ndarray) -> np.float32:
        batch = len(labels)
        buf = self.buffers.get(batch) or self.buffers.setdefault(batch, self.allocate(batch))
        buf["padded1"][0, 1:29, 1:29] = x.reshape(batch, 784).T.reshape(28, 28, batch)  # the only transpose
        im2col_batch_last(buf["padded1"], (3, 3), buf["cols1"])
        conv1 = buf["conv1"].reshape(8, -1)
        for block in column_blocks(conv1.shape[1]):
            np.matmul(self.conv1[:-1].T, buf["cols1"][:-1, block], out=conv1[:, block])  # the bias comes after pooling
        pool1 = buf["padded2"][:, 1:15, 1:15]
        relu_max_pool2(buf["conv1"], self.conv1[-1], (1, 2), out=pool1, mask=buf["mask1"])
        im2col_batch_last(buf["padded2"], (3, 3), buf["cols2"])
        np.matmul(self.conv2[:-1].T, buf["cols2"][:-1], out=buf["conv2"].reshape(16, -1))
        pool2 = buf["flat"][:-1].reshape(16, 7, 7, batch)
        relu_max_pool2(buf["conv2"], self.conv2[-1], (1, 2), out=pool2, mask=buf["mask2"])
        loss, grad_logits = softmax_cross_entropy_columns(self.fc @ buf["flat"], labels, self.learning_rate)
        grad_pool2 = np.matmul(self.fc[:, :-1].T, grad_logits, out=buf["grad_pool2"]).reshape(16, 7, 7, batch)
        self.fc -= grad_logits @ buf["flat"].T
        grad_conv2 = relu_max_pool2_backward(grad_pool2, buf["mask2"], (1, 2), out=buf["grad_conv2"]).reshape(16, -1)
        grad_cols2 = np.matmul(self.conv2[:-1], grad_conv2, out=buf["grad_cols2"])
        self.conv2 -= buf["cols2"] @ grad_conv2.T  # the ones row of cols2 gives dE/dB in the last row
        grad_pool1 = col2im_batch_last(grad_cols2.reshape(8, 3, 3, 14, 14, batch), 1, buf["grad_pool1"])
        grad_conv1 = relu_max_pool2_backward(grad_pool1, buf["mask1"], (1, 2), out=buf["grad_conv1"]).reshape(8, -1)
        grad_weight_bias1 = np.zeros_like(self.conv1)
        for block in column_blocks(grad_conv1.shape[1]):
            grad_weight_bias1 += buf["cols1"][:, block] @ grad_conv1[:, block].T
        self.conv1 -= grad_weight_bias1
        return loss


class XOR(Trainer):
    """2-3-1, tanh on both layers, MSE, full batch."""

    def step(self, x: np.ndarray, y: np.ndarray) -> np.float32:
        p = self.params
        h = np.tanh(x @ p["fc1.weight"].T + p["fc1.bias"])
        out = np.tanh(h @ p["fc2.weight"].T + p["fc2.bias"])
        error = out - y
        loss = (error * error).mean()
        grad_out = error * (2 * self.learning_rate / error.size) * (1 - out * out)
        grad_h = grad_out @ p["fc2.weight"]
        grad_h *= 1 - h * h
        p["fc2.weight"] -= grad_out.T @ h
        p["fc2.bias"] -= grad_out.sum(axis=0)
        p["fc1.weight"] -= grad_h.T @ x
        p["fc1.bias"] -= grad_h.sum(axis=0)
        return loss


def op_chain(x: np.ndarray, length: int) -> np.ndarray:
    """The per-op overhead row: `length` tiny elementwise ops (×0.9, +0.1, tanh, repeating)
    forward, then their backward by hand; returns dE/dx for E = Σ of the result."""
    tanh_outputs = []
    y = x
    for index in range(length):
        kind = index % 3
        if kind == 0:
            y = y * np.float32(0.9)
        elif kind == 1:
            y = y + np.float32(0.1)
        else:
            y = np.tanh(y)
            tanh_outputs.append(y)
    grad = np.ones_like(y)
    for index in reversed(range(length)):
        kind = index % 3
        if kind == 0:
            grad = grad * np.float32(0.9)
        elif kind == 2:
            out = tanh_outputs.pop()
            grad = grad * (1 - out * out)
    return grad
