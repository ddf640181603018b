"""Step 1: the same XOR net, three ways.

What you will see:
(a) the tutorial's network written out in numpy: each layer has forward_propagation (X → Y)
    and backward_propagation (dE/dY → dE/dX), with the formulas by hand;
(b) the same net, from the same initial weights, on tinygrad_edu's engine: nobody writes a
    backward any more; `autograd.trace` prints the backward pass the engine runs, step by step,
    and the formulas it prints are the ones of (a);
(c) PyTorch on the same weights, when it is installed.
The three gradients agree to rounding, and so do the three nets after training.

Why it matters: autograd is the tutorial's chain of backward_propagation calls, run for you
in the right order, with one formula per op instead of one per layer.

Run: python examples/learn/01_xor_three_ways.py
"""
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGET = np.array([[0.0], [1.0], [1.0], [0.0]])
rng = np.random.default_rng(1)
W1, B1, W2, B2 = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, (3, 1)), rng.uniform(-1, 1, 1)
# At a rate of 0.5 the steps overshoot and training turns chaotic: a rounding difference of
# 1e-16 between two correct programs grows to 0.2. At 0.2 it stays at rounding.
LEARNING_RATE, EPOCHS = 0.2, 500


# ---- (a) the tutorial's layers, by hand ------------------------------------------------------
class FCLayer:
    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights, self.bias = weights.copy(), bias.copy()

    def forward_propagation(self, x: np.ndarray) -> np.ndarray:
        self.input = x
        return x @ self.weights + self.bias                       # Y = XW + B

    def backward_propagation(self, dE_dY: np.ndarray) -> np.ndarray:
        self.dE_dW = self.input.T @ dE_dY                         # dE/dW = Xᵀ dE/dY
        self.dE_dB = dE_dY.sum(axis=0)                            # dE/dB = dE/dY, summed over the batch
        return dE_dY @ self.weights.T                             # dE/dX = dE/dY Wᵀ


class ActivationLayer:  # tanh
    def forward_propagation(self, x: np.ndarray) -> np.ndarray:
        self.input = x
        return np.tanh(x)

    def backward_propagation(self, dE_dY: np.ndarray) -> np.ndarray:
        return dE_dY * (1 - np.tanh(self.input) ** 2)             # dE/dX = dE/dY ⊙ f'(X)


def hand_step(layers: list, learning_rate: float) -> None:
    y = X
    for layer in layers:
        y = layer.forward_propagation(y)
    gradient = 2 / y.size * (y - TARGET)                          # MSE: dE/dY = 2/n (Y − Y*)
    for layer in reversed(layers):                                # the chain rule, by hand
        gradient = layer.backward_propagation(gradient)
    for layer in layers[::2]:                                     # the FCLayers hold the parameters
        layer.weights -= learning_rate * layer.dE_dW
        layer.bias -= learning_rate * layer.dE_dB


hand = [FCLayer(W1, B1), ActivationLayer(), FCLayer(W2, B2), ActivationLayer()]
hand_step(hand, learning_rate=0.0)  # one pass to compute the first gradients, no update
print(f"(a) by hand, the last FCLayer's dE/dW = Xᵀ dE/dY = {hand[2].dE_dW.ravel().round(4)}, dE/dB = {hand[2].dE_dB.round(4)}\n")

# ---- (b) the engine: the same net, the same weights, no backward written ----------------------
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1), nn.Tanh()).double()
model.load_state_dict({"0.weight": W1.T, "0.bias": B1, "2.weight": W2.T, "2.bias": B2})  # torch stores W as (out, in)
loss = F.mse_loss(model(tg.tensor(X)), tg.tensor(TARGET))
with tg.autograd.trace(model=model) as steps:
    loss.backward()
print("(b) the engine's backward pass, step by step (read it against (a): steps 2 and 4 are")
print("    ActivationLayer's backward, steps 3 and 5 FCLayer's; nn.Linear stores W as (out, in),")
print("    so its dE/dW = dE/dYᵀ X is the tutorial's Xᵀ dE/dY transposed):")
print(steps)
engine = [model[0].weight.grad.numpy().T, model[0].bias.grad.numpy(), model[2].weight.grad.numpy().T, model[2].bias.grad.numpy()]
by_hand = [hand[0].dE_dW, hand[0].dE_dB, hand[2].dE_dW, hand[2].dE_dB]
print(f"\nmax difference of the gradients, by hand vs engine: {max(np.abs(a - b).max() for a, b in zip(by_hand, engine)):.2e}")

# ---- train all of them: the same steps, the same nets ----------------------------------------
optimizer = optim.SGD(model.parameters(), lr=LEARNING_RATE)
for _ in range(EPOCHS):
    hand_step(hand, LEARNING_RATE)
    optimizer.zero_grad()
    F.mse_loss(model(tg.tensor(X)), tg.tensor(TARGET)).backward()
    optimizer.step()
hand_prediction = np.tanh(np.tanh(X @ hand[0].weights + hand[0].bias) @ hand[2].weights + hand[2].bias)
with tg.no_grad():
    engine_prediction = model(tg.tensor(X)).numpy()
print(f"after {EPOCHS} epochs, by hand: {hand_prediction.ravel().round(3)}   engine: {engine_prediction.ravel().round(3)}   (target {TARGET.ravel()})")
print(f"max difference of the trained predictions, by hand vs engine: {np.abs(hand_prediction - engine_prediction).max():.2e}")

# ---- (c) PyTorch, when installed -------------------------------------------------------------
try:
    import torch
except ImportError:
    print("(c) PyTorch is not installed: skipped (pip install torch to see it agree)")
else:
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1), torch.nn.Tanh()).double()
    net.load_state_dict({"0.weight": torch.tensor(W1.T), "0.bias": torch.tensor(B1), "2.weight": torch.tensor(W2.T), "2.bias": torch.tensor(B2)})
    torch.nn.functional.mse_loss(net(torch.tensor(X)), torch.tensor(TARGET)).backward()
    torch_grads = [net[0].weight.grad.numpy().T, net[0].bias.grad.numpy(), net[2].weight.grad.numpy().T, net[2].bias.grad.numpy()]
    print(f"(c) max difference of the gradients, by hand vs PyTorch: {max(np.abs(a - b).max() for a, b in zip(by_hand, torch_grads)):.2e}")
    torch_optimizer = torch.optim.SGD(net.parameters(), lr=LEARNING_RATE)
    for _ in range(EPOCHS):
        torch_optimizer.zero_grad()
        torch.nn.functional.mse_loss(net(torch.tensor(X)), torch.tensor(TARGET)).backward()
        torch_optimizer.step()
    with torch.no_grad():
        torch_prediction = net(torch.tensor(X)).numpy()
    print(f"max difference of the trained predictions, by hand vs PyTorch: {np.abs(hand_prediction - torch_prediction).max():.2e}")
