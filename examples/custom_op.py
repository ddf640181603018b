"""Write your own op: Softplus, proved, then trained with.

    softplus(x) = ln(1 + eˣ)        d softplus / dx = σ(x) = 1 / (1 + e⁻ˣ)

Three steps, as for every op in tinygrad_edu:
1. subclass `tg.Function`: forward turns X into Y, backward turns dE/dY into dE/dX;
2. prove the backward: `gradcheck` compares it with finite differences, once on a fixed
   input and then on many inputs and shapes drawn by Hypothesis (and, to show what a
   failure looks like, catches a copy of the op with a classic chain-rule mistake);
3. use it: a one-hidden-layer network with a Softplus activation fits y = sin(2x) + x/2 by
   plain gradient descent, written out by hand (p ← p − lr · dE/dp).

Run:  python examples/custom_op.py     (with the package and its test extra installed:
      `make test` or `pip install -e '.[test]'`; Hypothesis is part of that extra)
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import GradcheckError, gradcheck
from tinygrad_edu.testing.strategies import floats, shapes, tensors


class Softplus(tg.Function):
    """Y = ln(1 + eˣ);  dE/dX = dE/dY ⊙ σ(X)."""

    @staticmethod
    def forward(ctx: tg.Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        # logaddexp(0, x) = ln(e⁰ + eˣ), computed without overflow for large x.
        return np.logaddexp(0.0, x)

    @staticmethod
    def backward(ctx: tg.Context, grad_output: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        # σ(x) written with tanh: the same value as 1 / (1 + e⁻ˣ), with no overflow at x ≪ 0.
        return grad_output * 0.5 * (1.0 + np.tanh(0.5 * x))


def softplus(x: Tensor) -> Tensor:
    return Softplus.apply(x)


class SoftplusWithABug(Softplus):
    """The mistake gradcheck is there for: eˣ, the derivative of the inner function alone,
    where the chain rule asks for eˣ / (1 + eˣ) = σ(x)."""

    @staticmethod
    def backward(ctx: tg.Context, grad_output: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return grad_output * np.exp(x)


def prove_on_one_input() -> bool:
    x = Tensor(np.linspace(-5.0, 5.0, 11), requires_grad=True)
    return gradcheck(softplus, x)


def prove_on_random_inputs(max_examples: int = 50) -> int:
    """Run a Hypothesis property: gradcheck passes on every drawn tensor. Returns how many
    inputs were checked (Hypothesis raises, with the smallest failing input, if one fails)."""
    checked = []

    @settings(max_examples=max_examples, deadline=None, database=None)
    @given(tensors(shapes(min_dims=0, max_dims=3), floats(-10.0, 10.0)))
    def softplus_passes_gradcheck(x: Tensor) -> None:
        assert gradcheck(softplus, x)
        checked.append(x.shape)

    softplus_passes_gradcheck()
    return len(checked)


def train(steps: int = 2000, learning_rate: float = 0.05, hidden: int = 16, seed: int = 0) -> list[float]:
    """Fit y = sin(2x) + x/2 on [-2, 2] with a 1 → hidden → 1 Softplus network; return the
    full-batch MSE loss at every step."""
    rng = np.random.default_rng(seed)
    x_values = np.linspace(-2.0, 2.0, 64).reshape(-1, 1)
    x, y = Tensor(x_values), Tensor(np.sin(2 * x_values) + x_values / 2)
    w1 = Tensor(rng.normal(0.0, 1.0, (hidden, 1)), requires_grad=True)
    b1 = Tensor(rng.normal(0.0, 1.0, hidden), requires_grad=True)
    w2 = Tensor(rng.normal(0.0, 1.0 / np.sqrt(hidden), (1, hidden)), requires_grad=True)
    b2 = Tensor(np.zeros(1), requires_grad=True)
    parameters = [w1, b1, w2, b2]
    losses = []
    for _ in range(steps):
        prediction = F.linear(softplus(F.linear(x, w1, b1)), w2, b2)
        loss = F.mse_loss(prediction, y)
        for p in parameters:
            p.zero_grad()
        loss.backward()
        for p in parameters:
            p.data -= learning_rate * p.grad.data
        losses.append(loss.item())
    return losses


def main() -> None:
    print(f"gradcheck on 11 points in [-5, 5]: {'passed' if prove_on_one_input() else 'FAILED'}")
    print(f"Hypothesis: gradcheck passed on {prove_on_random_inputs()} random tensors")
    try:
        gradcheck(SoftplusWithABug.apply, Tensor(np.linspace(-5.0, 5.0, 11), requires_grad=True))
        print("the buggy Softplus was NOT caught")
    except GradcheckError as error:
        print(f"the buggy Softplus is caught: {error}")
    losses = train()
    for step in (0, 250, 500, 1000, 1500, len(losses) - 1):
        print(f"step {step:5d}  loss {losses[step]:.5f}")
    print(f"loss fell from {losses[0]:.5f} to {losses[-1]:.5f} ({losses[0] / losses[-1]:.0f}x smaller)")


if __name__ == "__main__":
    main()
