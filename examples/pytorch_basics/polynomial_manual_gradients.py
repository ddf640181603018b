"""Fit sin(x) on [-π, π] with a cubic, with raw tensors and gradients worked out by hand.

    y ≈ a + b t + c t² + d t³,   t = x / π  (a scaled input keeps the four features
                                              of similar size, so one learning rate suits all)
    E = mean((ŷ − y)²)
    dE/dŷ = 2 (ŷ − y) / n,  dE/da = Σ dE/dŷ,  dE/db = Σ dE/dŷ · t,  ...

A plain PyTorch program: run it with `python polynomial_manual_gradients.py`, or on
tinygrad_edu with `python -m tinygrad_edu.as_torch polynomial_manual_gradients.py`.
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
n = x.shape[0]

# Fixed starting coefficients: the run is the same in every framework.
a = torch.zeros((), dtype=dtype, device=device)
b = torch.zeros((), dtype=dtype, device=device)
c = torch.zeros((), dtype=dtype, device=device)
d = torch.zeros((), dtype=dtype, device=device)

for step in range(args.steps):
    t2 = t * t
    t3 = t.pow(3)
    y_pred = a + b * t + c * t2 + d * t3
    residual = y_pred - y
    loss = (residual ** 2).mean()
    if step % 200 == 0:
        print(f"step {step:5d}  loss {loss.item():.6f}")

    grad_y_pred = 2.0 * residual / n
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * t).sum()
    grad_c = (grad_y_pred * t2).sum()
    grad_d = (grad_y_pred * t3).sum()

    a -= args.lr * grad_a
    b -= args.lr * grad_b
    c -= args.lr * grad_c
    d -= args.lr * grad_d

loss = ((a + b * t + c * t * t + d * t.pow(3) - y) ** 2).mean()
print(f"y = {a.item():.4f} + {b.item():.4f} t + {c.item():.4f} t^2 + {d.item():.4f} t^3")
print(f"final loss: {loss.item():.8f}")
