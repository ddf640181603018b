"""Fit sin(x) on [-π, π] with a cubic, letting autograd find the gradients.

The same fit as polynomial_manual_gradients.py: y ≈ a + b t + c t² + d t³ with t = x / π and
E = mean((ŷ − y)²), but the coefficients are tensors with requires_grad=True, loss.backward()
fills their .grad, and the update runs under torch.no_grad() so that it is not recorded.

A plain PyTorch program: run it with `python polynomial_autograd.py`, or on tinygrad_edu with
`python -m tinygrad_edu.as_torch polynomial_autograd.py`.
"""
import argparse
import math

import torch

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=1000)
parser.add_argument("--lr", type=float, default=0.3)
args = parser.parse_args()

dtype = torch.float
device = "cuda" if torch.cuda.is_available() else "cpu"

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
y = torch.sin(x)
t = x / math.pi

# Fixed starting coefficients: the run is the same in every framework.
a = torch.zeros((), dtype=dtype, device=device, requires_grad=True)
b = torch.zeros((), dtype=dtype, device=device, requires_grad=True)
c = torch.zeros((), dtype=dtype, device=device, requires_grad=True)
d = torch.zeros((), dtype=dtype, device=device, requires_grad=True)
coefficients = [a, b, c, d]

for step in range(args.steps):
    y_pred = a + b * t + c * t ** 2 + d * t.pow(3)
    loss = (y_pred - y).pow(2).mean()
    if step % 200 == 0:
        print(f"step {step:5d}  loss {loss.item():.6f}")

    loss.backward()
    with torch.no_grad():
        for coefficient in coefficients:
            coefficient -= args.lr * coefficient.grad
            coefficient.grad = None

with torch.no_grad():
    loss = (a + b * t + c * t ** 2 + d * t.pow(3) - y).pow(2).mean()
print(f"y = {a.item():.4f} + {b.item():.4f} t + {c.item():.4f} t^2 + {d.item():.4f} t^3")
print(f"final loss: {loss.item():.8f}")
