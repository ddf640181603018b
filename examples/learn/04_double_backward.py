"""Step 4: gradients of gradients.

f(x) = x³ − 2x.  By hand: f'(x) = 3x² − 2 and f''(x) = 6x.
What you will see: `autograd.grad(..., create_graph=True)` returns f'(x) as a Tensor that
carries a graph of its own (the backward pass, recorded as ops), so differentiating it again
gives f''(x); Newton's method, x ← x − f'(x) / f''(x), then finds the minimum of f at
x = √(2/3) in a few steps; and the picture of f'(x)'s own graph (`viz.to_dot(df)`, and the
same as a text tree with `viz.to_text`): the ops of f's backward pass, 3 · x² + (−2), leading
back to x. That graph is why f'(x) can be differentiated again.

Why it matters: a backward pass is itself a computation, so it can be differentiated. That is
what Newton's method, Hessian-vector products and gradient penalties need (README, "Gradients
of gradients").

Run: python examples/learn/04_double_backward.py
"""
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.viz import to_dot, to_text


def f(x: tg.Tensor) -> tg.Tensor:
    return x**3 - 2 * x


x = tg.tensor([2.0], requires_grad=True, dtype=np.float64)
(df,) = tg.autograd.grad(f(x).sum(), [x], create_graph=True)   # f'(x), with a graph
(d2f,) = tg.autograd.grad(df.sum(), [x], retain_graph=True)      # f''(x); keep df's graph to draw it
print(f"at x = 2: f'(x) = {df.item():.6g} (by hand 3·2² − 2 = 10), f''(x) = {d2f.item():.6g} (by hand 6·2 = 12)")
print(f"max difference of f' and f'', engine vs by hand: {max(abs(df.item() - 10.0), abs(d2f.item() - 12.0)):.2e}")

print("\nThe graph of f'(x) itself, as DOT (render with: dot -Tsvg), its first lines:")
print("\n".join(to_dot(df).splitlines()[:9]) + "\n  ...")
print("and as a text tree with the values at x = 2: f'(2) = 3 · 2² + (−2) = 10, recorded as ops")
print(to_text(df, show_values=True).rstrip())

print("\nNewton's method from x = 2, x ← x − f'(x) / f''(x):")
value = 2.0
for step in range(1, 6):
    x = tg.tensor([value], requires_grad=True, dtype=np.float64)
    (df,) = tg.autograd.grad(f(x).sum(), [x], create_graph=True)
    (d2f,) = tg.autograd.grad(df.sum(), [x])
    value = value - df.item() / d2f.item()
    print(f"  step {step}: x = {value:.10f}")
print(f"distance to the minimum √(2/3): {abs(value - np.sqrt(2 / 3)):.2e}")
