"""The benchmarked networks written out by hand in numpy: forward, backward and SGD fused, with
no framework. This is the floor for any framework built on numpy.

Tricks a framework cannot easily do, used here on purpose: the learning rate is folded into
dE/dlogits once (every gradient after it comes out pre-scaled, so each update is one in-place
subtraction); activations are computed in place; relu's mask is folded into max-pool's; the
CNN keeps channel-major (C, N, H, W) layout from end to end (see conv_numpy.kmajor).
"""
from __future__ import annotations

import numpy as np

from .conv_numpy import conv_backward_cnhw, conv_forward_cnhw


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


class TutorialConv(Trainer):
    """conv 3x3 1→1 (valid), tanh, flatten, FC 676-100, tanh, FC 100-10, cross-entropy."""

    def step(self, x: np.ndarray, labels: np.ndarray) -> np.float32:
        p = self.params
        batch = len(labels)
        images = x.transpose(1, 0, 2, 3)  # (1, N, 28, 28): a view, channel-major
        conv, cols = conv_forward_cnhw(images, p["conv.weight"], p["conv.bias"], 0)
        np.tanh(conv, out=conv)
        flat = conv.transpose(1, 0, 2, 3).reshape(batch, -1)  # one channel: no copy
        h = flat @ p["fc1.weight"].T
        h += p["fc1.bias"]
        np.tanh(h, out=h)
        logits = h @ p["fc2.weight"].T
        logits += p["fc2.bias"]
        loss, grad_logits = softmax_cross_entropy(logits, labels, self.learning_rate)
        grad_h = grad_logits @ p["fc2.weight"]
        grad_h *= 1 - h * h
        grad_flat = grad_h @ p["fc1.weight"]
        grad_flat *= 1 - flat * flat
        grad_conv = grad_flat.reshape(batch, *conv.shape[:1], *conv.shape[2:]).transpose(1, 0, 2, 3)
        _, grad_kernel, grad_conv_bias = conv_backward_cnhw(grad_conv, cols, p["conv.weight"], images.shape, 0, False)
        p["fc2.weight"] -= grad_logits.T @ h
        p["fc2.bias"] -= grad_logits.sum(axis=0)
        p["fc1.weight"] -= grad_h.T @ flat
        p["fc1.bias"] -= grad_h.sum(axis=0)
        p["conv.weight"] -= grad_kernel
        p["conv.bias"] -= grad_conv_bias
        return loss


def relu_max_pool2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """max_pool2d(relu(x), 2) for x (C, N, H, W) with even H, W, and the mask that routes
    dE/dY back: to the first maximum of each window, if it is > 0 (relu' folded in).

    "First", as PyTorch: ties are common here, since where relu zeroed a whole region the
    next conv outputs its bias at every pixel of it."""
    channels, batch, height, width = x.shape
    tiles = x.reshape(channels, batch, height // 2, 2, width // 2, 2)
    pooled = np.maximum(np.maximum(tiles[:, :, :, 0, :, 0], tiles[:, :, :, 0, :, 1]), np.maximum(tiles[:, :, :, 1, :, 0], tiles[:, :, :, 1, :, 1]))
    np.maximum(pooled, 0, out=pooled)
    mask = np.empty(tiles.shape, dtype=bool)
    unrouted = pooled > 0
    for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)):
        hit = unrouted & (tiles[:, :, :, i, :, j] == pooled)
        mask[:, :, :, i, :, j] = hit
        unrouted &= ~hit
    return pooled, mask


def relu_max_pool2_backward(grad_output: np.ndarray, mask: np.ndarray) -> np.ndarray:
    channels, batch, out_h, _, out_w, _ = mask.shape
    return (mask * grad_output[:, :, :, None, :, None]).reshape(channels, batch, out_h * 2, out_w * 2)


class SmallCNN(Trainer):
    """conv 8 3x3 pad 1, relu, maxpool 2, conv 16 3x3 pad 1, relu, maxpool 2, linear 784→10."""

    def step(self, x: np.ndarray, labels: np.ndarray) -> np.float32:
        p = self.params
        batch = len(labels)
        images = x.transpose(1, 0, 2, 3)
        conv1, cols1 = conv_forward_cnhw(images, p["conv1.weight"], p["conv1.bias"], 1)
        pool1, mask1 = relu_max_pool2(conv1)
        conv2, cols2 = conv_forward_cnhw(pool1, p["conv2.weight"], p["conv2.bias"], 1)
        pool2, mask2 = relu_max_pool2(conv2)
        flat = pool2.transpose(1, 0, 2, 3).reshape(batch, -1)  # torch's (C, H, W) flatten order
        logits = flat @ p["fc.weight"].T
        logits += p["fc.bias"]
        loss, grad_logits = softmax_cross_entropy(logits, labels, self.learning_rate)
        grad_pool2 = (grad_logits @ p["fc.weight"]).reshape(batch, *pool2.shape[:1], *pool2.shape[2:]).transpose(1, 0, 2, 3)
        grad_conv2 = relu_max_pool2_backward(grad_pool2, mask2)
        grad_pool1, grad_kernel2, grad_bias2 = conv_backward_cnhw(grad_conv2, cols2, p["conv2.weight"], pool1.shape, 1, True)
        grad_conv1 = relu_max_pool2_backward(grad_pool1, mask1)
        _, grad_kernel1, grad_bias1 = conv_backward_cnhw(grad_conv1, cols1, p["conv1.weight"], images.shape, 1, False)
        p["fc.weight"] -= grad_logits.T @ flat
        p["fc.bias"] -= grad_logits.sum(axis=0)
        p["conv2.weight"] -= grad_kernel2
        p["conv2.bias"] -= grad_bias2
        p["conv1.weight"] -= grad_kernel1
        p["conv1.bias"] -= grad_bias1
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
