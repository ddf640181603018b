"""Training diagnostics: the health checks of Andrej Karpathy's makemore lectures, per layer.

    with Diagnostics(model, optimizer) as diag:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(diag)

For each layer (each module without sub-modules, in model order) the table shows:
- its output's mean and std: activations that shrink or grow from layer to layer mean the
  initialisation is off, and the gradients will shrink or grow with them;
- for Tanh, the fraction of saturated units (|tanh| > 0.97): there tanh' = 1 − tanh² is nearly
  0, so almost no gradient flows back through them (makemore keeps it below ~5%);
- for ReLU, the fraction of dead units (0 for every sample in the batch): they pass back no
  gradient at all, so their weights never change;
- for each of its parameters, the gradient's norm, and log10(std of the update / std of the
  weight) over the optimizer's step: around -3 is healthy; much lower learns slowly, much
  higher changes the weights too fast.

The activations are caught by forward hooks, so the block must start before forward; the
update by copying the weights just before `optimizer.step()` (done by the block when given
the optimizer, else call `before_step()` yourself). The gradients and weights are read when
the table is made. Without a Diagnostics block, nothing is hooked and nothing costs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .nn.activation import ReLU, Tanh
from .nn.module import Module
from .optim.optimizer import Optimizer

SATURATED = 0.97  # |tanh| above this counts as saturated, as in makemore


@dataclass
class ParameterRow:
    name: str  # the parameter's name in its module ("weight")
    grad_norm: float | None  # ‖grad‖₂ over all its elements; None before backward
    log10_update_ratio: float | None  # log10(std(update) / std(weight)); None without a watched step


@dataclass
class LayerRow:
    name: str  # the module's dotted name in the model ("1", "encoder.fc")
    kind: str  # its class ("Linear")
    shape: tuple[int, ...] | None  # its output's shape; None if it did not run
    mean: float | None
    std: float | None
    saturated: float | None  # fraction of |tanh| > SATURATED (Tanh layers only)
    dead: float | None  # fraction of units that are 0 for the whole batch (ReLU layers only)
    parameters: list[ParameterRow] = field(default_factory=list)


class Diagnostics:
    """Per-layer health of one training step of `model` (see the module's docstring)."""

    def __init__(self, model: Module, optimizer: Optimizer | None = None):
        self.model, self.optimizer = model, optimizer
        # Layers: modules with no sub-modules, and any module that holds parameters itself.
        self.layers = [(name, module) for name, module in model.named_modules()
                       if next(module.children(), None) is None or next(module._own_parameters(), None) is not None]
        self._activations: dict[str, tuple[tuple[int, ...], float, float, float | None, float | None]] = {}
        self._weights_before: dict[int, np.ndarray] = {}
        self._handles: list[Any] = []
        self._wrapper_found: Any = None

    def __enter__(self) -> Diagnostics:
        """Hook every layer's forward (and the optimizer's step), forgetting the last step's numbers."""
        self._activations.clear()
        self._weights_before.clear()
        self._handles = [module.register_forward_hook(self._recorder(name)) for name, module in self.layers]
        if self.optimizer is not None:
            self._wrapper_found = vars(self.optimizer).get("step")  # someone's wrapper, kept for __exit__
            step = self.optimizer.step

            def watched_step(*args: Any, **kwargs: Any) -> Any:
                self.before_step()
                return step(*args, **kwargs)

            self.optimizer.step = watched_step  # type: ignore[method-assign]  # until __exit__
        return self

    def __exit__(self, *exception: Any) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self.optimizer is not None:
            if self._wrapper_found is None:
                del self.optimizer.step  # the class's step again
            else:
                self.optimizer.step = self._wrapper_found  # type: ignore[method-assign]

    def _recorder(self, name: str) -> Any:
        def record(module: Module, args: Any, output: Any) -> None:
            values = output.array
            saturated = float((np.abs(values) > SATURATED).mean()) if isinstance(module, Tanh) else None
            # A unit is one output position (feature, or channel and pixel); dead if 0 for every sample.
            dead = float((values == 0).all(axis=0).mean()) if isinstance(module, ReLU) and values.ndim > 0 else None
            self._activations[name] = (values.shape, float(values.mean()), float(values.std()), saturated, dead)

        return record

    def before_step(self) -> None:
        """Copy the weights, so that the table can show how much the step changes them."""
        self._weights_before = {id(p): p.array.copy() for p in self.model.parameters()}

    def _parameter_row(self, name: str, parameter: Any) -> ParameterRow:
        grad_norm = None if parameter.grad is None else float(np.linalg.norm(parameter.grad.array))
        before = self._weights_before.get(id(parameter))
        ratio = None
        if before is not None and before.std() > 0:
            update = (parameter.array - before).std(dtype=np.float64)
            with np.errstate(divide="ignore"):  # no change at all: log10(0) = -inf, shown as such
                ratio = float(np.log10(update / before.std(dtype=np.float64)))
        return ParameterRow(name, grad_norm, ratio)

    def table(self) -> list[LayerRow]:
        """One row per layer, in model order: the last forward's activations, and the
        gradients and weights as they are now."""
        rows = []
        for name, module in self.layers:
            shape, mean, std, saturated, dead = self._activations.get(name, (None, None, None, None, None))
            parameters = [self._parameter_row(p_name, p) for p_name, p in module._own_parameters()]
            rows.append(LayerRow(name, type(module).__name__, shape, mean, std, saturated, dead, parameters))
        return rows

    def __str__(self) -> str:
        header = ["layer", "module", "output", "mean", "std", "saturated", "dead", "parameter", "grad norm", "log10 update/weight"]
        lines = []
        for row in self.table():
            layer = [row.name, row.kind, "" if row.shape is None else str(row.shape),
                     _number(row.mean), _number(row.std), _percent(row.saturated), _percent(row.dead)]
            for position, parameter in enumerate(row.parameters or [None]):
                left = layer if position == 0 else [""] * len(layer)
                right = ["", "", ""] if parameter is None else [
                    parameter.name, _number(parameter.grad_norm), _number(parameter.log10_update_ratio, "+.2f")]
                lines.append(left + right)
        widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
        text_columns = {0, 1, 2, 7}  # left-aligned; the numbers right-aligned
        return "\n".join(
            "  ".join(cell.ljust(width) if i in text_columns else cell.rjust(width) for i, (cell, width) in enumerate(zip(cells, widths))).rstrip()
            for cells in [header, *lines]
        ) + "\n(healthy, as in makemore: tanh saturated < ~5%, no dead relu, log10 update/weight near -3)"


def _number(value: float | None, style: str = ".4g") -> str:
    return "" if value is None else format(value, style)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"
