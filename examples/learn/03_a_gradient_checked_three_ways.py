"""Step 3: how do you know a backward is right? Check it three ways.

The op: SiLU (also called swish), y = x · σ(x), written as your own `tg.Function`. Its
derivative needs the product rule: dy/dx = σ(x) + x · σ(x)(1 − σ(x)).
What you will see:
(a) its gradient against the closed form worked out on paper another way, with the quotient
    rule on x / (1 + e⁻ˣ): dy/dx = (1 + e⁻ˣ + x e⁻ˣ) / (1 + e⁻ˣ)²;
(b) against finite differences, (f(x + ε) − f(x − ε)) / 2ε, with `testing.gradcheck`, which
    needs no paper at all;
(c) against PyTorch's silu, when PyTorch is installed;
then a copy with the classic mistake (the product rule forgotten: σ(x) alone, as if σ(x) did
not depend on x), which gradcheck catches, naming the element and both values.

Why it matters: a wrong backward does not crash; the net just learns worse. Every op in
tinygrad_edu is proved these three ways (README, "The three proofs"); yours can be too.

Run: python examples/learn/03_a_gradient_checked_three_ways.py
"""
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.testing import GradcheckError, gradcheck


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e⁻ˣ), without overflow for x ≪ 0


class SiLU(tg.Function):
    """Y = X ⊙ σ(X);  dE/dX = dE/dY ⊙ (σ(X) + X ⊙ σ(X)(1 − σ(X)))."""

    @staticmethod
    def forward(ctx: tg.Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return x * sigmoid(x)

    @staticmethod
    def backward(ctx: tg.Context, grad_output: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        s = sigmoid(x)
        return grad_output * (s + x * s * (1 - s))


class SiLUWithABug(SiLU):
    """The product rule forgotten: σ(X) is treated as a constant."""

    @staticmethod
    def backward(ctx: tg.Context, grad_output: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return grad_output * sigmoid(x)


points = np.linspace(-4.0, 4.0, 9)
x = tg.tensor(points, requires_grad=True)
SiLU.apply(x).sum().backward()                          # dE/dY = 1, so x.grad = dy/dx
e = np.exp(-points)
closed_form = (1 + e + points * e) / (1 + e) ** 2    # the quotient rule's form, not backward's
print(f"x       {points}")
print(f"x.grad  {x.grad.numpy().round(4)}")
print(f"(a) max difference, engine vs closed form: {np.abs(x.grad.numpy() - closed_form).max():.2e}")

print(f"(b) gradcheck (finite differences, float64): {'passed' if gradcheck(SiLU.apply, tg.tensor(points, requires_grad=True)) else 'failed'}")

try:
    import torch
except ImportError:
    print("(c) PyTorch is not installed: skipped (pip install torch to compare)")
else:
    x_torch = torch.tensor(points, requires_grad=True)
    torch.nn.functional.silu(x_torch).sum().backward()
    print(f"(c) max difference, engine vs PyTorch: {np.abs(x.grad.numpy() - x_torch.grad.numpy()).max():.2e}")

try:
    gradcheck(SiLUWithABug.apply, tg.tensor(points, requires_grad=True))
    print("the wrong backward was NOT caught")
except GradcheckError as error:
    print(f"gradcheck caught the wrong backward: {error}")
