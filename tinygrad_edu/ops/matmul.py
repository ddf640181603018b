"""Matrix products: the fully connected layer's math, on BLAS.

MatMul: Y = A B;  dE/dA = dE/dY Bᵀ,  dE/dB = Aᵀ dE/dY (batched over leading dims, with
numpy's broadcasting of the batch dims and of 1-D operands).
Linear: Y = X Wᵀ + B, the tutorial's FC layer with PyTorch's (out, in) weight layout, fused
into one op so a layer costs one graph node.
"""
from __future__ import annotations

import math

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Context, Function
from . import xp
from .xp import unbroadcast


def _matmul(a: np.ndarray, b: np.ndarray, name: str) -> np.ndarray:
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"{name}: both operands need at least 1 dim; got shapes {a.shape} and {b.shape}")
    inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ShapeError(
            f"{name}: shapes {a.shape} and {b.shape} do not align: the last dim of the first "
            f"({inner_a}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} dim of the second ({inner_b})"
        )
    try:
        return a @ b
    except ValueError:
        raise ShapeError(f"{name}: batch dims of shapes {a.shape} and {b.shape} cannot be broadcast together") from None


class MatMul(Function):
    """Y = A B;  dE/dA = dE/dY Bᵀ,  dE/dB = Aᵀ dE/dY."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _matmul(a, b, "matmul")

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        # 1-D operands are a row (A) or a column (B) vector; put the dropped dims back,
        # B's last (m) first, so that A's (n) goes before it even when the output is 0-d.
        a2 = a.reshape((1, -1)) if a.ndim == 1 else a
        b2 = b.reshape((-1, 1)) if b.ndim == 1 else b
        grad2 = grad_output
        if b.ndim == 1:
            grad2 = xp.expand_dims(grad2, (-1,))
        if a.ndim == 1:
            grad2 = xp.expand_dims(grad2, (-2,))
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = _shaped(unbroadcast(grad2 @ xp.swapaxes(b2, -1, -2), a2.shape), a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = _shaped(unbroadcast(xp.swapaxes(a2, -1, -2) @ grad2, b2.shape), b.shape)
        return grad_a, grad_b


def _shaped(grad: Any, shape: tuple[int, ...]) -> Any:
    """Reshape only when needed: a same-shape reshape is a view, which a leaf must copy
    instead of adopting."""
    return grad if grad.shape == shape else grad.reshape(shape)


class Linear(Function):
    """Y = X Wᵀ + B  (X: (N, in), W: (out, in), B: (out,));
    dE/dX = dE/dY W,  dE/dW = dE/dYᵀ X,  dE/dB = Σ_batch dE/dY.

    The tutorial writes Y = XW + B with W of shape (in, out): the same layer, transposed
    weight. Leading batch dims of X (…, in) are allowed, as in torch.nn.functional.linear.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ShapeError(
                f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
                f"(the input's last dim must equal weight.shape[1] = in_features)"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise ShapeError(f"linear: bias of shape {bias.shape} does not fit weight of shape {weight.shape}")
        ctx.save_for_backward(x, weight)
        if x.ndim > 2:  # one (N·…, in) product: numpy would loop over the leading dims
            output = (x.reshape((math.prod(x.shape[:-1]), x.shape[-1])) @ weight.T).reshape((*x.shape[:-1], weight.shape[0]))
        else:
            output = x @ weight.T
        if bias is not None:
            output += bias
        return output

    @staticmethod
    def backward(ctx: Context, grad_output: Any) -> tuple[Any, Any, Any]:
        x, weight = ctx.saved_tensors
        grad_rows = _rows(grad_output)
        grad_x = None
        if ctx.needs_input_grad[0]:
            # In x's memory order: a flattened conv output (column-major, see ops/conv.py)
            # gets its gradient back column-major too, with no transposing copy downstream.
            column_major = isinstance(x, np.ndarray) and x.ndim == 2 and x.strides[0] < x.strides[1]
            if column_major:
                grad_x = (weight.T @ grad_output.T).T
            elif x.ndim > 2:
                grad_x = (grad_rows @ weight).reshape(x.shape)
            else:
                grad_x = grad_output @ weight
        grad_weight = grad_rows.T @ _rows(x) if ctx.needs_input_grad[1] else None
        grad_bias = xp.sum(grad_rows, 0) if ctx.needs_input_grad[2] else None
        return grad_x, grad_weight, grad_bias


def _rows(a: Any) -> Any:
    """`a` as a matrix with one row per sample, (N·…, features). A matrix is returned as it
    is: a reshape, even to its own shape, costs more than a small layer's products."""
    return a if a.ndim == 2 else a.reshape((-1, a.shape[-1]))
