"""The benchmarked networks in PyTorch CPU, written as a PyTorch user would: nn layers,
torch.optim.SGD, zero_grad / backward / step. Import this module only when torch is installed."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def _load(model: nn.Module, weights: dict[str, np.ndarray]) -> nn.Module:
    model.load_state_dict({name: torch.from_numpy(value.copy()) for name, value in weights.items()})
    return model


class Trainer:
    def __init__(self, model: nn.Module, weights: dict[str, np.ndarray], learning_rate: float, loss: str):
        self.model = _load(model, weights)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=learning_rate)
        self.loss = F.cross_entropy if loss == "cross_entropy" else F.mse_loss

    def step(self, x: np.ndarray, y: np.ndarray) -> torch.Tensor:
        self.optimizer.zero_grad()
        loss = self.loss(self.model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        self.optimizer.step()
        return loss

    def parameters(self) -> dict[str, np.ndarray]:
        return {name: value.detach().numpy() for name, value in self.model.state_dict().items()}


class MLPModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 100), nn.Linear(100, 50), nn.Linear(50, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class TutorialConvModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv, self.fc1, self.fc2 = nn.Conv2d(1, 1, 3), nn.Linear(676, 100), nn.Linear(100, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.tanh(self.fc1(torch.tanh(self.conv(x)).flatten(1))))


class SmallCNNModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 8, 3, padding=1), nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(784, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


class XORModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(2, 3), nn.Linear(3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.fc2(torch.tanh(self.fc1(x))))


def trainer(network: str, weights: dict[str, np.ndarray], learning_rate: float) -> Trainer:
    models = {"mlp": MLPModel, "tutorial_conv": TutorialConvModel, "small_cnn": SmallCNNModel, "xor": XORModel}
    return Trainer(models[network](), weights, learning_rate, "mse" if network == "xor" else "cross_entropy")


def op_chain(x: torch.Tensor, length: int) -> torch.Tensor:
    """The per-op overhead row (same ops as hand_numpy.op_chain); returns dE/dx."""
    x = x.detach().requires_grad_(True)
    y = x
    for index in range(length):
        kind = index % 3
        y = y * 0.9 if kind == 0 else y + 0.1 if kind == 1 else torch.tanh(y)
    y.sum().backward()
    return x.grad


def conv2d_forward_backward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, grad_output: torch.Tensor, padding: int) -> tuple[torch.Tensor, ...]:
    """One conv2d forward + backward; x, weight and bias must require grad."""
    x.grad = weight.grad = bias.grad = None
    output = F.conv2d(x, weight, bias, padding=padding)
    output.backward(grad_output)
    return output, x.grad, weight.grad, bias.grad
