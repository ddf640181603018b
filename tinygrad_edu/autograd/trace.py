"""A backward pass, step by step: `with trace() as steps: loss.backward()`.

Each step is one op's backward as the engine runs it (newest op first): the Function, the
module whose parameter it used (when a model is given), its formula in the tutorial's notation
(from the Function's docstring), the shape of dE/dY coming in and of each dE/dX going out,
the axes a broadcast input's gradient was summed back over, and statistics of every gradient
(norm, mean, largest magnitude, zeros, NaNs; the values themselves for small tensors). Leaves
are steps too (`AccumulateGrad`, as torch names them): the gradient added into `.grad`.

`print(steps)` gives a text table; in Jupyter it renders as HTML; `steps.to_dot()` draws the
graph with its nodes numbered in backward order. Outside a `trace` block the engine does not
look at it: it reads the switch once per backward pass.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..observers import active_trace


@dataclass
class GradientStats:
    """What one gradient looks like: its shape, size statistics, and (if small) its values."""

    shape: tuple[int, ...]
    norm: float
    mean: float
    max_abs: float
    zeros: int
    nans: int
    values: list[Any] | None

    @classmethod
    def of(cls, gradient: Any, values_up_to: int) -> GradientStats:
        array = np.asarray(gradient.array if hasattr(gradient, "_ctx") else gradient, dtype=np.float64)
        finite = array[np.isfinite(array)]
        return cls(
            shape=tuple(array.shape),
            norm=float(np.sqrt((finite**2).sum())),
            mean=float(finite.mean()) if finite.size else float("nan"),
            max_abs=float(np.abs(finite).max()) if finite.size else float("nan"),
            zeros=int((array == 0).sum()),
            nans=int(np.isnan(array).sum()),
            values=np.round(array, 4).tolist() if array.size <= values_up_to else None,
        )

    def __str__(self) -> str:
        text = f"{self.shape} norm {self.norm:.4g} mean {self.mean:.4g} max|x| {self.max_abs:.4g}"
        if self.zeros:
            text += f" zeros {self.zeros}"
        if self.nans:
            text += f" NaNs {self.nans}"
        if self.values is not None:
            text += f" = {self.values}"
        return text


@dataclass
class Step:
    """One step of a backward pass."""

    number: int
    backward_pass: int
    op: str
    module: str | None
    formula: str
    grad_output: GradientStats
    input_grads: list[GradientStats | None]
    summed_axes: list[tuple[int, ...] | None]
    node: int = field(repr=False)  # id of the tensor whose gradient this step used
    parents: list[int] = field(repr=False, default_factory=list)

    def describe(self) -> str:
        where = f" ({self.module})" if self.module else ""
        lines = [f"step {self.number}: {self.op}{where}   {self.formula}".rstrip(), f"    dE/dY  {self.grad_output}"]
        for position, (stats, axes) in enumerate(zip(self.input_grads, self.summed_axes)):
            if stats is None:
                continue
            summed = f"   (summed back over axes {axes})" if axes else ""
            lines.append(f"    dE/dX{position} {stats}{summed}")
        return "\n".join(lines)


class trace:
    """`with trace(model=None, values_up_to=8) as steps:` records every backward step run
    inside the block. `model` (an nn.Module, or the tutorial's Network) names the ops that
    use its parameters."""

    def __init__(self, model: Any = None, values_up_to: int = 8) -> None:
        self.steps: list[Step] = []
        self.values_up_to = values_up_to
        self.parameter_names = _parameter_names(model)
        self.passes = 0

    def __enter__(self) -> trace:
        self.previous = active_trace[0]
        active_trace[0] = self
        return self

    def __exit__(self, *exc_info: object) -> None:
        active_trace[0] = self.previous

    # ---- called by the engine -------------------------------------------------------------
    def begin_pass(self) -> None:
        self.passes += 1

    def record(self, node: Any, ctx: Any, grad_output: Any, needs: tuple[bool, ...], input_grads: tuple[Any, ...]) -> None:
        """One op's backward: node is its output tensor, input_grads what it returned."""
        out_shape = tuple(grad_output.shape)
        stats, summed, parents = [], [], []
        for parent, need, grad in zip(ctx.inputs, needs, input_grads):
            if not hasattr(parent, "_ctx"):
                continue
            parents.append(id(parent))
            if not need or grad is None:
                stats.append(None)
                summed.append(None)
                continue
            stats.append(GradientStats.of(grad, self.values_up_to))
            summed.append(_summed_axes(tuple(parent.shape), out_shape))
        self._add(ctx.function.__name__, _formula(ctx.function), grad_output, stats, summed, node, parents, ctx.inputs)

    def record_leaf(self, node: Any, grad: Any) -> None:
        """A leaf's complete gradient, added into its .grad (torch's AccumulateGrad)."""
        name = self.parameter_names.get(id(node))
        formula = f"{name}.grad += dE/d{name}" if name else ".grad += dE/dX"
        self._add("AccumulateGrad", formula, grad, [], [], node, [], (node,))

    def _add(self, op: str, formula: str, grad_output: Any, stats: list[Any], summed: list[Any], node: Any, parents: list[int], inputs: tuple[Any, ...]) -> None:
        module = next((self.parameter_names[id(value)].rpartition(".")[0] or self.parameter_names[id(value)]
                       for value in inputs if id(value) in self.parameter_names), None)
        self.steps.append(Step(
            number=len(self.steps) + 1, backward_pass=self.passes, op=op, module=module, formula=formula,
            grad_output=GradientStats.of(grad_output, self.values_up_to), input_grads=stats,
            summed_axes=summed, node=id(node), parents=parents,
        ))

    # ---- what a learner reads -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def __iter__(self) -> Any:
        return iter(self.steps)

    def __str__(self) -> str:
        if not self.steps:
            return "(no backward step was recorded)"
        return "\n".join(step.describe() for step in self.steps)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in (
                step.number, step.op + (f" ({step.module})" if step.module else ""), step.formula,
                step.grad_output, "<br>".join(str(s) for s in step.input_grads if s is not None),
                ", ".join(str(a) for a in step.summed_axes if a),
            )) + "</tr>"
            for step in self.steps
        )
        header = "".join(f"<th>{title}</th>" for title in ("step", "op", "formula", "dE/dY", "dE/dX", "summed back"))
        return f"<table><tr>{header}</tr>{rows}</table>"

    def to_dot(self) -> str:
        """The graph of the traced pass, each op labelled with its backward step number."""
        number = {step.node: step.number for step in self.steps}
        lines = ['digraph "backward" {', "  rankdir=LR;", '  node [fontname="Helvetica"];']
        for step in self.steps:
            shape = "ellipse" if step.op == "AccumulateGrad" else "box"
            lines.append(f'  n{step.node} [shape={shape}, label="{step.number}: {step.op}\\n{step.grad_output.shape}"];')
        for step in self.steps:
            lines.extend(f"  n{parent} -> n{step.node};" for parent in step.parents if parent in number)
        lines.append("}")
        return "\n".join(lines) + "\n"


def _summed_axes(input_shape: tuple[int, ...], output_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The output axes a broadcast input's gradient is summed over, or None if the input was
    not broadcast (its shape broadcasts to the output's and differs from it)."""
    if input_shape == output_shape or np.prod(input_shape) >= np.prod(output_shape):
        return None  # as many elements (a reshape) or more: nothing was summed
    try:
        if np.broadcast_shapes(input_shape, output_shape) != output_shape:
            return None
    except ValueError:
        return None
    leading = len(output_shape) - len(input_shape)
    stretched = [leading + axis for axis, size in enumerate(input_shape) if size == 1 and output_shape[leading + axis] != 1]
    return tuple(range(leading)) + tuple(stretched)


def _formula(function: type) -> str:
    """The backward formula from a Function's docstring: its first paragraph, from the first
    "dE/d" on (the tutorial's notation), or its first line."""
    doc = (function.__doc__ or "").strip()
    paragraph = " ".join(line.strip() for line in doc.split("\n\n")[0].splitlines())
    return paragraph[paragraph.index("dE/d"):] if "dE/d" in paragraph else paragraph


def _parameter_names(model: Any) -> dict[int, str]:
    """id(parameter) -> dotted name, for an nn.Module or the tutorial's Network."""
    if model is None:
        return {}
    if hasattr(model, "named_parameters"):
        return {id(tensor): name for name, tensor in model.named_parameters()}
    names = {}
    for index, layer in enumerate(getattr(model, "layers", [])):
        for attribute, value in vars(layer).items():
            if hasattr(value, "_ctx") and value.requires_grad and value.is_leaf:
                names[id(value)] = f"layers[{index}].{attribute}"
    return names
