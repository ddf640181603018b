"""The benchmarked networks in tinygrad_edu, written as its users write them (and as
torch_models.py writes them in PyTorch): nn layers, optim.SGD, zero_grad / backward / step."""
from __future__ import annotations

import numpy as np

from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.nn import functional as F


class Trainer:
    def __init__(self, model: nn.Module, weights: dict[str, np.ndarray], learning_rate: float, loss: str):
        self.model = model
        self.model.load_state_dict(weights)
        self.optimizer = optim.SGD(self.model.parameters(), lr=learning_rate)
        self.loss = F.cross_entropy if loss == "cross_entropy" else F.mse_loss

    def step(self, x: np.ndarray, y: np.ndarray) -> Tensor:
        self.optimizer.zero_grad()
        loss = self.loss(self.model(Tensor.from_numpy(x)), Tensor.from_numpy(y))  # as torch.from_numpy
        loss.backward()
        self.optimizer.step()
        return loss

    def parameters(self) -> dict[str, np.ndarray]:
        return self.model.state_dict()


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 100), nn.Linear(100, 50), nn.Linear(50, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc3(self.fc2(self.fc1(x).tanh()).tanh())


class TutorialConv(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv, self.fc1, self.fc2 = nn.Conv2d(1, 1, 3), nn.Linear(676, 100), nn.Linear(100, 10)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.fc1(self.conv(x).tanh().flatten(1)).tanh())


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 8, 3, padding=1), nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(784, 10)

    def forward(self, x: Tensor) -> Tensor:
        x = F.max_pool2d(self.conv1(x).relu(), 2)
        x = F.max_pool2d(self.conv2(x).relu(), 2)
        return self.fc(x.flatten(1))


class XOR(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(2, 3), nn.Linear(3, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.fc1(x).tanh()).tanh()


class TutorialMLP(MLP):
    """The tutorial's MNIST net: the MLP with tanh on its output too (it trains with MSE)."""

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x).tanh()


def trainer(network: str, weights: dict[str, np.ndarray], learning_rate: float) -> Trainer:
    models = {"mlp": MLP, "tutorial_conv": TutorialConv, "small_cnn": SmallCNN, "xor": XOR}
    return Trainer(models[network](), weights, learning_rate, "mse" if network == "xor" else "cross_entropy")


def op_chain(x: np.ndarray, length: int) -> np.ndarray:
    """The per-op overhead row (same ops as hand_numpy.op_chain); returns dE/dx."""
    leaf = Tensor(x, requires_grad=True)
    y = leaf
    for index in range(length):
        kind = index % 3
        y = y * 0.9 if kind == 0 else y + 0.1 if kind == 1 else y.tanh()
    y.sum().backward()
    return leaf.grad.array


def conv2d_forward_backward(x: Tensor, weight: Tensor, bias: Tensor, grad_output: Tensor, padding: int) -> tuple[np.ndarray, ...]:
    """One conv2d forward + backward; x, weight and bias must require grad."""
    x.grad = weight.grad = bias.grad = None
    output = F.conv2d(x, weight, bias, padding=padding)
    output.backward(grad_output)
    return output.array, x.grad.array, weight.grad.array, bias.grad.array
