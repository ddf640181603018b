"""Step 2: a broadcast input's gradient is a sum.

y = x * b, with x of shape (3, 2) and b of shape (2,): numpy (and torch) stretch b over x's
3 rows, as if b were copied three times. What you will see: the engine's trace shows Mul's
dE/db arriving as a (3, 2) array and leaving as shape (2,), "summed back over axes (0,)"; then
the same number computed by hand in numpy.

Why it is a sum: the one b[j] is used in each of the 3 rows, y[i, j] = x[i, j] · b[j], and a
value used in several places collects the gradient of every use (the chain rule adds the
paths): dE/db[j] = Σ_i dE/dy[i, j] · x[i, j]. Broadcasting in forward is copying; copying's
backward is summing. It is also why FCLayer's dE/dB is dE/dY summed over the batch: the bias
is broadcast over the samples.

Run: python examples/learn/02_broadcasting_sums_back.py
"""
import numpy as np

import tinygrad_edu as tg

x_values = np.arange(1.0, 7.0).reshape(3, 2)        # [[1, 2], [3, 4], [5, 6]]
b_values = np.array([10.0, -1.0])
weights = np.array([[1.0, 0.5], [2.0, 0.0], [-1.0, 3.0]])  # E = Σ weights ⊙ y, so dE/dy = weights

x = tg.tensor(x_values, requires_grad=True)
b = tg.tensor(b_values, requires_grad=True)
y = x * b                                               # b is broadcast over the 3 rows
loss = (y * tg.tensor(weights)).sum()

with tg.autograd.trace() as steps:
    loss.backward()
print("The engine's backward pass:")
print(steps)

# The same by hand: dE/dy is `weights`; Mul's formula gives dE/db for each copy of b ...
per_copy = weights * x_values                           # shape (3, 2): one row per copy of b
print(f"\ndE/db for each of the 3 copies of b (by hand, shape {per_copy.shape}):\n{per_copy}")
# ... and the copies were one b, so their gradients add up over the broadcast axis.
by_hand = per_copy.sum(axis=0)
print(f"summed over axis 0: {by_hand}   the engine's b.grad: {b.grad.numpy()}")
print(f"max difference of b's gradient, by hand vs engine: {np.abs(by_hand - b.grad.numpy()).max():.2e}")
# x was not broadcast: its gradient keeps its shape, one dE/dy[i, j] · b[j] per element.
print(f"max difference of x's gradient {tuple(x.grad.shape)}, by hand vs engine: {np.abs(weights * b_values - x.grad.numpy()).max():.2e}")
