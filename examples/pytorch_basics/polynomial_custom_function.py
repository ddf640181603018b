"""Fit sin(x) on [-π, π] through a Legendre polynomial written as a custom autograd Function.

    ŷ = a + b · P3(c + d t),   t = x / π,   E = mean((ŷ − y)²)
    P3(z) = ½ (5 z³ − 3 z),    P3'(z) = 3/2 (5 z² − 1)

`LegendreP3` is the tutorial's layer contract in PyTorch's form: forward turns Z into Y and
saves what backward needs; backward turns dE/dY into dE/dZ = dE/dY ⊙ P3'(Z). Autograd chains
it with the ops around it (+, *) to give dE/da ... dE/dd.

A plain PyTorch program: run it with `python polynomial_custom_function.py`, or on tinygrad_edu
with `python -m tinygrad_edu.as_torch polynomial_custom_function.py`.
"""
import argparse
import math

import torch


class LegendreP3(torch.autograd.Function):
    """Y = ½ (5 Z³ − 3 Z);  dE/dZ = dE/dY ⊙ 3/2 (5 Z² − 1)."""

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return 0.5 * (5 * z ** 3 - 3 * z)

    @staticmethod
    def backward(ctx, grad_output):
        (z,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * z ** 2 - 1)


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=1000)
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()

dtype = torch.float
device = "cuda" if torch.cuda.is_available() else "cpu"

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
y = torch.sin(x)
t = x / math.pi

# Fixed starting coefficients (c + d t stays inside [-1, 1], where P3 is tame): the run is
# the same in every framework.
a = torch.full((), 0.0, dtype=dtype, device=device, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, device=device, requires_grad=True)
c = torch.full((), 0.0, dtype=dtype, device=device, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, device=device, requires_grad=True)
coefficients = [a, b, c, d]

P3 = LegendreP3.apply
for step in range(args.steps):
    y_pred = a + b * P3(c + d * t)
    loss = (y_pred - y).pow(2).mean()
    if step % 200 == 0:
        print(f"step {step:5d}  loss {loss.item():.6f}")

    loss.backward()
    with torch.no_grad():
        for coefficient in coefficients:
            coefficient -= args.lr * coefficient.grad
            coefficient.grad = None

with torch.no_grad():
    loss = (a + b * P3(c + d * t) - y).pow(2).mean()
print(f"y = {a.item():.4f} + {b.item():.4f} P3({c.item():.4f} + {d.item():.4f} t)")
print(f"final loss: {loss.item():.8f}")
