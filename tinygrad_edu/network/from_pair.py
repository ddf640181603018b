"""Functions made from a user's pair of plain numpy functions: (f, f') and (loss, loss').

The tutorial hands its layers a function and its derivative, `ActivationLayer(tanh,
tanh_prime)` and `net.use(mse, mse_prime)`. Each pair here becomes an engine `Function`, one
node in the graph, whose forward is the first function and whose backward is built from the
second. Any pair works, as long as the derivative is right: a wrong derivative gives wrong
gradients, and `tinygrad_edu.testing.gradcheck` is how to find out.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..function import Context, Function
from ..ops import xp

ArrayFunction = Callable[[np.ndarray], Any]
LossFunction = Callable[[np.ndarray, np.ndarray], Any]


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__name__", type(function).__name__)


def _same_kind(value: Any, argument: Any, derivative: Callable[..., Any]) -> Any:
    """A derivative's value: an array on arrays; on Tensors (double backward) a Tensor, which
    it is when the derivative is written with Tensor operations (`1 - x.tanh() ** 2`, or the
    functions of `tinygrad_edu.network.activations`)."""
    if not xp.is_tensor(argument):
        return np.asarray(value)
    if not xp.is_tensor(value):
        raise TypeError(
            f"{_name(derivative)} returned a {type(value).__name__} for a Tensor: it is not "
            f"written with Tensor operations, so its result cannot be differentiated again"
        )
    return value


def elementwise_from_pair(function: ArrayFunction, derivative: ArrayFunction) -> type[Function]:
    """A Function with Y = f(X) and dE/dX = dE/dY ⊙ f'(X).

    f must work elementwise on an array of any shape (np.tanh does): it sees the whole batch.
    """
    name = _name(function)

    class Activation(Function):
        """Y = f(X);  dE/dX = dE/dY ⊙ f'(X)  (the tutorial's ActivationLayer, f and f' given)."""

        @staticmethod
        def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
            output = np.asarray(function(x))
            if output.shape != x.shape:
                raise ValueError(
                    f"activation {name}: returned shape {output.shape} for an input of shape "
                    f"{x.shape}; an activation must work elementwise"
                )
            ctx.save_for_backward(x)
            return output

        @staticmethod
        def backward(ctx: Context, grad_output: Any) -> Any:
            (x,) = ctx.saved_tensors
            input_grad = grad_output * _same_kind(derivative(x), x, derivative)
            if input_grad.shape != x.shape:
                raise ValueError(
                    f"activation derivative {_name(derivative)}: returned a shape that does not "
                    f"fit the input's {x.shape}; it must be elementwise, f'(X) of X's shape"
                )
            return input_grad

    Activation.__name__ = Activation.__qualname__ = f"Activation({name})"
    return Activation


def loss_from_pair(loss: LossFunction, loss_prime: LossFunction) -> type[Function]:
    """A Function of (prediction, target), both with a leading batch dim of B samples:

        E = (1/B) Σ_b loss(target_b, prediction_b),   dE/dprediction_b = (1/B) loss_prime(target_b, prediction_b)

    The pair sees one sample at a time, as in the tutorial, because a user's loss says
    nothing about how it would treat a batch (the tutorial's MNIST targets have shape (10,)
    and its outputs (1, 10): numpy broadcasting makes that work per sample, not per batch).
    Averaging over the batch keeps the learning rate meaning what it means per sample; with
    B = 1 this is exactly the tutorial's loss and gradient.
    """
    name = _name(loss)

    class Loss(Function):
        """E = (1/B) Σ_b loss(Y*_b, Y_b);  dE/dY_b = loss_prime(Y*_b, Y_b) / B  (the tutorial's use(loss, loss_prime))."""

        @staticmethod
        def forward(ctx: Context, prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
            if ctx.needs_input_grad[1]:
                raise ValueError(
                    f"loss {name}: the target requires grad, but (loss, loss_prime) gives a "
                    f"gradient for the prediction only; pass targets without requires_grad"
                )
            if len(prediction) != len(target):
                raise ValueError(
                    f"loss {name}: {len(prediction)} predictions (shape {prediction.shape}) but "
                    f"{len(target)} targets (shape {target.shape})"
                )
            losses = [np.asarray(loss(true, predicted)) for true, predicted in zip(target, prediction)]
            if any(value.size != 1 for value in losses):
                shape = next(value.shape for value in losses if value.size != 1)
                raise ValueError(f"loss {name}: returned shape {shape}; a loss must return one number per sample")
            ctx.save_for_backward(prediction, target)
            return np.mean(losses)

        @staticmethod
        def backward(ctx: Context, grad_output: Any) -> tuple[Any, None]:
            prediction, target = ctx.saved_tensors
            sample_grads = [_same_kind(loss_prime(true, predicted), prediction, loss_prime) for true, predicted in zip(target, prediction)]
            for grad in sample_grads:
                if grad.shape != prediction.shape[1:]:
                    raise ValueError(
                        f"loss derivative {_name(loss_prime)}: returned shape {grad.shape} for a "
                        f"prediction of shape {prediction.shape[1:]}; dE/dY has Y's shape"
                    )
            return xp.stack(sample_grads) * (grad_output / len(prediction)), None

    Loss.__name__ = Loss.__qualname__ = f"Loss({name})"
    return Loss
