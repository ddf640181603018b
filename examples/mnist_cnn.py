"""A small CNN: conv 8 3x3 pad 1, relu, maxpool 2, conv 16 3x3 pad 1, relu, maxpool 2, linear.

    python examples/mnist_cnn.py                      # Fashion-MNIST, 3 epochs, Adam 2e-3
    python examples/mnist_cnn.py --epochs 1 --compare-torch
    python examples/mnist_cnn.py --epochs 1 --diagnose   # each layer's health every epoch (makemore's checks)
"""
from typing import Any

from classifier import main


def build_model(nn: Any) -> Any:
    """The same layers in our nn or in torch.nn: the names and layouts agree."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )


if __name__ == "__main__":
    main(__doc__.splitlines()[0], 3, 2e-3, build_model, lambda torch: build_model(torch.nn), "mnist_cnn")
