"""The curves of a training run as a PNG: loss and test accuracy per epoch, and with --diagnose
each layer's activation spread and update/weight ratio (makemore's health checks). matplotlib is
optional (the `plot` extra): without it nothing is drawn."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_curves(history: Any, path: Path) -> bool:
    """Loss and accuracy per epoch as a PNG, when matplotlib (the `plot` extra) is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    epochs = range(1, len(history.train_loss) + 1)
    panels = 4 if history.diagnostics else 2
    figure, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 3.5))
    loss_axes, accuracy_axes = axes[:2]
    loss_axes.plot(epochs, history.train_loss, marker="o", label="train")
    loss_axes.plot(epochs, history.test_loss, marker="o", label="test")
    loss_axes.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
    loss_axes.legend()
    accuracy_axes.plot(epochs, [100 * a for a in history.test_accuracy], marker="o", color="tab:green")
    accuracy_axes.set(xlabel="epoch", ylabel="%", title="test accuracy")
    if history.diagnostics:
        plot_diagnostics(history.diagnostics, *axes[2:])
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def plot_diagnostics(epochs: list[list[dict[str, Any]]], activation_axes: Any, update_axes: Any) -> None:
    """Per epoch: each layer's activation std, and each parameter's log10 update/weight."""
    numbers = range(1, len(epochs) + 1)
    for position, layer in enumerate(epochs[0]):
        label = f"{layer['name']} {layer['kind']}"
        activation_axes.plot(numbers, [rows[position]["std"] for rows in epochs], marker="o", label=label)
        for index, parameter in enumerate(layer["parameters"]):
            ratios = [rows[position]["parameters"][index]["log10_update_ratio"] for rows in epochs]
            update_axes.plot(numbers, ratios, marker="o", label=f"{label}.{parameter['name']}")
    activation_axes.set(xlabel="epoch", ylabel="std", title="activations (last batch)")
    activation_axes.legend(fontsize="x-small")
    update_axes.axhline(-3, color="gray", linestyle="--")  # makemore's rule of thumb
    update_axes.set(xlabel="epoch", ylabel="log10 std(update)/std(weight)", title="update / weight")
    update_axes.legend(fontsize="x-small")
