"""Fit sin(x) on [-π, π] with a cubic built from nn.Sequential, nn.MSELoss and torch.optim.

The cubic a + b t + c t² + d t³ (t = x / π) is a Linear layer on the features (t, t², t³):
its weight holds b, c, d and its bias a. nn.Flatten(0, 1) turns the (n, 1) output into (n,)
to match y. optimizer.step() does the update that the other versions write out by hand,
here with momentum.

A plain PyTorch program: run it with `python polynomial_nn_optim.py`, or on tinygrad_edu with
`python -m tinygrad_edu.as_torch polynomial_nn_optim.py`.
"""
import argparse
import math

import torch
from torch import nn, optim

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=500)
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()

device = "cuda" if torch.cuda.is_available() else "cpu"

x = torch.linspace(-math.pi, math.pi, 2000, device=device)
y = torch.sin(x)
t = x / math.pi
features = torch.stack([t, t ** 2, t ** 3], dim=1)  # (2000, 3)

model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1)).to(device)
# Start from zero coefficients instead of the random default: the run is then the same in
# every framework.
nn.init.zeros_(model[0].weight)
nn.init.zeros_(model[0].bias)

loss_fn = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

for step in range(args.steps):
    loss = loss_fn(model(features), y)
    if step % 100 == 0:
        print(f"step {step:5d}  loss {loss.item():.6f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    loss = loss_fn(model(features), y)
linear = model[0]
b, c, d = linear.weight[0].tolist()
print(f"y = {linear.bias.item():.4f} + {b:.4f} t + {c:.4f} t^2 + {d:.4f} t^3")
print(f"final loss: {loss.item():.8f}")
