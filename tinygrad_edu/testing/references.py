"""The tutorial's layer math in plain numpy and scipy: closed-form references for autograd.

Each function is one formula from the tutorial "Neural Network from scratch in Python",
written the tutorial's way (a sample at a time, images as (height, width, depth), loops over
channels), so that a test can say: autograd's gradient equals this formula. These are
references, not the engine: they are slow on purpose and clear on purpose.

Notation: X the input, Y the output, E the error, dE/dY the gradient arriving from above
(`grad_output`), dE/dX the one handed below (`input_grad`).

    fully connected   Y = XW + B        dE/dX = dE/dY Wᵀ, dE/dW = Xᵀ dE/dY, dE/dB = Σ_batch dE/dY
    tanh              Y = tanh X        dE/dX = dE/dY ⊙ (1 − tanh² X)
    MSE               E = mean((Y* − Y)²)   dE/dY = 2/n (Y − Y*)
    flatten           Y = X as one row  dE/dX = dE/dY reshaped back
    conv              Y_k = B_k + Σ_d X_d ⋆ K_dk
                      dE/dK_dk = X_d ⋆ dE/dY_k,  dE/dX_d = Σ_k dE/dY_k ∗ K_dk,  dE/dB_k = Σ dE/dY_k

(⋆: valid cross-correlation, ∗: full convolution.) Conv shapes follow the tutorial:
X (H, W, D), kernels K (kh, kw, D, K), bias B (K,), Y (H − kh + 1, W − kw + 1, K).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import signal

# (dE/dX, dE/d weights, dE/dB): what each layer's backward hands back.
Grads = tuple[np.ndarray, np.ndarray, np.ndarray]


# ---- fully connected ------------------------------------------------------------------
def fc_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Y = XW + B, X (N, in), W (in, out) as in the tutorial, B (out,) or (1, out)."""
    return x @ weight + bias


def fc_backward(x: np.ndarray, weight: np.ndarray, grad_output: np.ndarray) -> Grads:
    """(dE/dX, dE/dW, dE/dB) = (dE/dY Wᵀ, Xᵀ dE/dY, dE/dY summed over the batch)."""
    return grad_output @ weight.T, x.T @ grad_output, grad_output.sum(axis=0)


# ---- activation ---------------------------------------------------------------------------
def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def tanh_prime(x: np.ndarray) -> np.ndarray:
    """tanh'(X) = 1 − tanh²(X)."""
    return 1 - np.tanh(x) ** 2


def activation_backward(
    x: np.ndarray, grad_output: np.ndarray, activation_prime: Callable[[np.ndarray], np.ndarray] = tanh_prime
) -> np.ndarray:
    """dE/dX = dE/dY ⊙ f'(X): an activation's input gradient, elementwise."""
    return grad_output * activation_prime(x)


# ---- loss -------------------------------------------------------------------------------
def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """E = mean((Y* − Y)²), the mean over every element."""
    return float(np.mean((y_true - y_pred) ** 2))


def mse_prime(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """dE/dY = 2/n (Y − Y*), n the number of elements."""
    return 2 * (y_pred - y_true) / y_true.size


# ---- flatten ----------------------------------------------------------------------------
def flatten_forward(x: np.ndarray) -> np.ndarray:
    """Y = X laid out as one row (1, n), as the tutorial's FlattenLayer."""
    return x.reshape(1, -1)


def flatten_backward(grad_output: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
    """dE/dX = dE/dY reshaped back to X's shape."""
    return grad_output.reshape(input_shape)


# ---- convolution (stride 1, valid) ------------------------------------------------------------
def conv_forward(x: np.ndarray, kernels: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Y_k = B_k + Σ_d X_d ⋆ K_dk (valid cross-correlation), once per output channel k."""
    height, width, depth = x.shape
    kernel_h, kernel_w, _, out_depth = kernels.shape
    output = np.zeros((height - kernel_h + 1, width - kernel_w + 1, out_depth))
    for k in range(out_depth):
        output[:, :, k] = bias[k]
        for d in range(depth):
            output[:, :, k] += signal.correlate2d(x[:, :, d], kernels[:, :, d, k], mode="valid")
    return output


def conv_backward(x: np.ndarray, kernels: np.ndarray, grad_output: np.ndarray) -> Grads:
    """(dE/dX, dE/dK, dE/dB) with
    dE/dX_d = Σ_k dE/dY_k ∗ K_dk (full convolution),
    dE/dK_dk = X_d ⋆ dE/dY_k (valid cross-correlation),
    dE/dB_k = Σ dE/dY_k (over all output positions)."""
    depth, out_depth = kernels.shape[2], kernels.shape[3]
    input_grad = np.zeros(x.shape)
    kernel_grad = np.zeros(kernels.shape)
    bias_grad = np.zeros(out_depth)
    for k in range(out_depth):
        for d in range(depth):
            input_grad[:, :, d] += signal.convolve2d(grad_output[:, :, k], kernels[:, :, d, k], mode="full")
            kernel_grad[:, :, d, k] = signal.correlate2d(x[:, :, d], grad_output[:, :, k], mode="valid")
        bias_grad[k] = grad_output[:, :, k].sum()
    return input_grad, kernel_grad, bias_grad


# ---- the tutorial's ConvLayer as published, bias quirk included -----------------------------
# Transcribed loop for loop (not built on conv_forward/conv_backward), so that comparing the
# two compares the tutorial's code with the formulas, not a function with itself.
def tutorial_conv_forward(x: np.ndarray, kernels: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The tutorial's ConvLayer.forward_propagation. B_k is added inside the loop over input
    channels, so output channel k carries it D times (D the input depth):
    Y_k = Σ_d (X_d ⋆ K_dk + B_k) = D·B_k + Σ_d X_d ⋆ K_dk."""
    height, width, depth = x.shape
    kernel_h, kernel_w, _, out_depth = kernels.shape
    output = np.zeros((height - kernel_h + 1, width - kernel_w + 1, out_depth))
    for k in range(out_depth):
        for d in range(depth):
            output[:, :, k] += signal.correlate2d(x[:, :, d], kernels[:, :, d, k], mode="valid") + bias[k]
    return output


def tutorial_conv_backward(x: np.ndarray, kernels: np.ndarray, grad_output: np.ndarray) -> Grads:
    """The tutorial's ConvLayer.backward_propagation (without the parameter update):
    dE/dX and dE/dK as `conv_backward`, but the bias gradient is scaled by the number of
    OUTPUT channels K (its `layer_depth`): dE/dB_k = K · Σ dE/dY_k.

    The true gradient of `tutorial_conv_forward` is D · Σ dE/dY_k (D the input depth), and
    that of the standard layer (`conv_forward`) is Σ dE/dY_k. So this bias gradient matches
    its own forward only when D = K, and matches the standard layer only when K = 1; all
    three agree when both depths are 1.
    """
    input_grad, kernel_grad, _ = conv_backward(x, kernels, grad_output)  # these two it gets right
    out_depth = kernels.shape[3]
    bias_grad = out_depth * grad_output.sum(axis=(0, 1))  # layer_depth · Σ dE/dY_k
    return input_grad, kernel_grad, bias_grad
