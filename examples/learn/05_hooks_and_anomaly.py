"""Step 5: watch a backward pass from outside, and catch a NaN where it is born.

Hooks are how you look inside backpropagation without changing any layer's code:
- `tensor.register_hook(fn)` sees a tensor's complete gradient dE/dT as backward reaches it;
- `module.register_full_backward_hook(fn)` sees a layer's dE/dX and dE/dY: the tutorial's
  `backward_propagation(output_error)` returning `input_error`, watched from outside.
Anomaly mode (`tg.autograd.detect_anomaly()`) stops at the first NaN or Inf in forward or in
backward, and names the op and the line of your code that created it. Without it, a NaN made
deep inside backward only shows up later, as a NaN loss or NaN weights.
"""
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn

tg.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
target = tg.tensor([[0.0], [1.0], [1.0], [0.0]])

# 1. A layer's dE/dX and dE/dY: for tanh, dE/dX = dE/dY ⊙ (1 − Y²), checked by hand.
seen = {}
model[1].register_full_backward_hook(lambda module, grad_input, grad_output: seen.update(dX=grad_input[0].numpy(), dY=grad_output[0].numpy()))
hidden = model[0](x)
hidden.register_hook(lambda grad: seen.update(hidden=grad.numpy()))
loss = ((model[2](model[1](hidden)) - target) ** 2).mean()
loss.backward()
by_hand = seen["dY"] * (1 - np.tanh(hidden.detach().numpy()) ** 2)
print("tanh layer: dE/dY", seen["dY"].shape, "-> dE/dX", seen["dX"].shape)
print(f"max difference, hook's dE/dX vs dE/dY * (1 - tanh^2): {np.abs(seen['dX'] - by_hand).max():.2e}")
print(f"max difference, tensor hook on the Linear's output vs the layer hook: {np.abs(seen['hidden'] - seen['dX']).max():.2e}")

# 2. A NaN born in backward: sqrt has no finite slope at 0.
with tg.autograd.detect_anomaly():
    weights = tg.tensor([0.0, 4.0], requires_grad=True)
    root = weights.sqrt()  # d sqrt(w)/dw = 1/(2 sqrt(w)): infinite at w = 0
    try:
        (root * 0).sum().backward()  # 0 * inf = NaN
    except RuntimeError as error:
        print("anomaly mode stopped backward:", error)
