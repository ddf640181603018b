"""The tutorial's MLP, 784-100-50-10 with tanh, trained with cross-entropy the modern way:
nn.Sequential, an optimizer, a DataLoader, a progress bar, a checkpoint and curves.

    python examples/mnist_mlp.py                      # Fashion-MNIST, 5 epochs, Adam 1e-3
    python examples/mnist_mlp.py --optimizer sgd --lr 0.05 --compare-torch
    python examples/mnist_mlp.py --epochs 1 --diagnose   # each layer's health every epoch (makemore's checks)
"""
from typing import Any

from classifier import main


def build_model(nn: Any) -> Any:
    """The same layers in our nn or in torch.nn: the names and layouts agree."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 100), nn.Tanh(),
        nn.Linear(100, 50), nn.Tanh(),
        nn.Linear(50, 10),
    )


if __name__ == "__main__":
    main(__doc__.splitlines()[0], 5, 1e-3, build_model, lambda torch: build_model(torch.nn), "mnist_mlp")
