"""The computation graph behind a tensor: as Graphviz DOT text, as an indented text tree, and
as a picture in Jupyter.

    y = (x @ w + b).tanh().sum()
    print(to_dot(y))                    # paste into https://dreampuf.github.io/GraphvizOnline
    open("graph.dot", "w").write(to_dot(y, params=model))   # then: dot -Tsvg graph.dot -o graph.svg
    print(to_text(y))                   # the same graph as a tree, no Graphviz needed
    graph(y, show_values=True)          # the last line of a Jupyter cell: SVG, or the tree

One box per op (its Function's name and output shape), one ellipse per leaf (its shape; filled
and marked `requires_grad` when gradients flow into it; named when it is one of `params`),
and an arrow from each input to the op that used it. The arrows point the way forward runs;
backward() walks them the other way.

With show_values=True each node also shows its value, and with show_grads=True its gradient,
as micrograd draws them: a few numbers in full (up to SMALL elements), a bigger tensor by its
mean, std, min and max. Only leaves and tensors that called retain_grad() keep a gradient
(as in PyTorch); any other op says "grad not kept".

Only what the engine records is drawn: an op none of whose inputs requires grad records no
graph (as in PyTorch), so its result shows as a leaf; scalars and other non-tensor arguments
are left out. Reading the graph changes nothing in it. backward() frees the graph (unless
retain_graph=True), after which an op no longer knows its inputs: draw before backward, or
pass retain_graph=True to see the gradients on the whole graph.
"""
from __future__ import annotations

import html
import shutil
import subprocess
from typing import Any, Iterable, Mapping

import numpy as np

from .tensor import Tensor

SMALL = 6  # tensors with at most this many elements show every value; bigger ones, statistics


def _names_of(params: Any) -> dict[int, str]:
    """id(tensor) -> name, from a Module (anything with named_parameters()), a mapping
    name -> tensor, or pairs (name, tensor)."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        pairs: Iterable[tuple[str, Any]] = params.named_parameters()
    elif isinstance(params, Mapping):
        pairs = params.items()
    else:
        pairs = params
    return {id(tensor): str(name) for name, tensor in pairs}


def _quote(lines: list[str]) -> str:
    """A DOT string literal of several lines (quotes and backslashes escaped)."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _numbers(array: Any) -> str:
    """A few values to 4 significant digits, or a big array's statistics."""
    values = np.asarray(array, dtype=np.float64) + 0.0  # + 0.0 turns -0 (as in -1 × 0) into 0
    if values.size <= SMALL:
        text = np.array2string(values, separator=", ", formatter={"float_kind": lambda v: f"{v:.4g}"})
        return " ".join(text.split())  # one line: a matrix's rows side by side
    return f"mean {values.mean():.4g} std {values.std():.4g} min {values.min():.4g} max {values.max():.4g}"


def _grad_line(tensor: Tensor) -> str | None:
    """What backward left for `tensor`: its .grad, or why there is none (None: a leaf that
    never gets one)."""
    if tensor._ctx is not None and not tensor.retains_grad:
        return "grad not kept"
    if not tensor.requires_grad:
        return None
    if tensor.grad is None:
        return "grad None"
    return "grad " + _numbers(tensor.grad.array)


def _label(tensor: Tensor, names: dict[int, str], show_values: bool, show_grads: bool) -> list[str]:
    """The lines that describe one node: what it is, its shape, then its numbers if asked."""
    ctx = tensor._ctx
    if ctx is not None:
        lines = [ctx.function.__name__, str(tuple(tensor.shape))]
        if ctx.freed:
            lines.append("(freed by backward)")
    else:
        name = names.get(id(tensor))
        lines = ([name] if name else []) + [str(tuple(tensor.shape))]
        if tensor.requires_grad:
            lines.append("requires_grad")
    if show_values:
        lines.append("data " + _numbers(tensor.array))
    if show_grads and (grad := _grad_line(tensor)) is not None:
        lines.append(grad)
    return lines


def _inputs(tensor: Tensor) -> list[Tensor]:
    """The tensors an op was computed from (none for a leaf or a freed op)."""
    return [] if tensor._ctx is None else [t for t in tensor._ctx.inputs if isinstance(t, Tensor)]


def _check(tensor: Any, caller: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{caller}: expected a Tensor; got {type(tensor).__name__}")


def to_dot(tensor: Tensor, params: Any = None, graph_name: str = "computation", show_values: bool = False, show_grads: bool = False) -> str:
    """Graphviz DOT text of the graph that produced `tensor`.

    params: optional names for leaves, as a Module or a mapping name -> Tensor (e.g.
    `dict(model.named_parameters())`); a named leaf shows its name.
    show_values / show_grads: each node also shows its value / its gradient.
    """
    _check(tensor, "to_dot")
    names = _names_of(params)
    node_ids: dict[int, str] = {}
    nodes: list[str] = []
    edges: list[str] = []

    def node_id(t: Tensor) -> str:
        return node_ids.setdefault(id(t), f"n{len(node_ids)}")

    # Iterative depth-first walk, so a graph thousands of ops deep draws without recursion.
    stack = [tensor]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        me = node_id(current)
        label = _quote(_label(current, names, show_values, show_grads))
        attributes = ", penwidth=2" if current is tensor else ""
        if current._ctx is None:
            style = ", style=filled, fillcolor=lightblue" if current.requires_grad else ""
            nodes.append(f"  {me} [shape=ellipse, label={label}{style}{attributes}];")
            continue
        nodes.append(f"  {me} [shape=box, label={label}{attributes}];")
        for parent in _inputs(current):
            edges.append(f"  {node_id(parent)} -> {me};")
            stack.append(parent)
    lines = [f"digraph {_quote([graph_name])} {{", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    return "\n".join(lines + nodes + edges + ["}"]) + "\n"


def to_text(tensor: Tensor, show_values: bool = False, show_grads: bool = False, params: Any = None) -> str:
    """The graph as an indented tree, the output at the top and each op's inputs below it:

        Sum ()
        └─ Tanh (4, 3)
           └─ Add (4, 3)
              ├─ MatMul (4, 3)
              │  ├─ leaf (4, 2)
              │  └─ leaf weight (2, 3) requires_grad
              └─ leaf bias (3,) requires_grad

    A tensor used twice is written out once; its second appearance says "(same as above)".
    """
    _check(tensor, "to_text")
    names = _names_of(params)
    lines: list[str] = []
    seen: set[int] = set()
    stack = [(tensor, "", "")]  # (node, the indent of its line, its branch mark)
    while stack:
        current, indent, branch = stack.pop()
        label = _label(current, names, show_values, show_grads)
        kind = "" if current._ctx is not None else "leaf "
        # The name and shape read as one phrase; the numbers after them, two spaces apart.
        head = " ".join(line for line in label if not line.startswith(("data ", "grad ")))
        numbers = [line for line in label if line.startswith(("data ", "grad "))]
        line = "  ".join([indent + branch + kind + head, *numbers])
        if id(current) in seen:
            lines.append(line + "  (same as above)")
            continue
        seen.add(id(current))
        lines.append(line)
        below = indent + {"": "", "├─ ": "│  ", "└─ ": "   "}[branch]
        inputs = _inputs(current)
        for position in reversed(range(len(inputs))):
            stack.append((inputs[position], below, "└─ " if position == len(inputs) - 1 else "├─ "))
    return "\n".join(lines) + "\n"


class Graph:
    """A tensor's graph for Jupyter, drawn when it is made (the numbers of that moment):
    an SVG picture when Graphviz's `dot` is installed, else the text tree. print() shows the
    tree."""

    def __init__(self, tensor: Tensor, params: Any = None, graph_name: str = "computation", show_values: bool = False, show_grads: bool = False):
        self.dot = to_dot(tensor, params, graph_name, show_values, show_grads)
        self.text = to_text(tensor, show_values, show_grads, params)
        self._svg: str | None = None

    def _repr_svg_(self) -> str | None:
        """The picture, from `dot -Tsvg`; None (Jupyter then shows the HTML) without Graphviz."""
        if self._svg is None and shutil.which("dot") is not None:
            result = subprocess.run(["dot", "-Tsvg"], input=self.dot, capture_output=True, text=True, timeout=60)
            if result.returncode != 0:
                raise RuntimeError(f"Graphviz's dot could not draw the graph: {result.stderr.strip()}")
            self._svg = result.stdout
        return self._svg

    def _repr_html_(self) -> str | None:
        """The text tree, only when there is no SVG: Jupyter prefers HTML to SVG when given both."""
        if self._repr_svg_() is not None:
            return None
        return f"<pre>{html.escape(self.text)}</pre>"

    def __str__(self) -> str:
        return self.text


def graph(tensor: Tensor, **options: Any) -> Graph:
    """The graph of `tensor` to display in Jupyter (options: those of to_dot)."""
    _check(tensor, "graph")
    return Graph(tensor, **options)
