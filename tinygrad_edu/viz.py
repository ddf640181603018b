"""The computation graph behind a tensor, as Graphviz DOT text.

    y = (x @ w + b).tanh().sum()
    print(to_dot(y))                    # paste into https://dreampuf.github.io/GraphvizOnline
    open("graph.dot", "w").write(to_dot(y, params=model))   # then: dot -Tsvg graph.dot -o graph.svg

One box per op (its Function's name and output shape), one ellipse per leaf (its shape; filled
and marked `requires_grad` when gradients flow into it; named when it is one of `params`),
and an arrow from each input to the op that used it. The arrows point the way forward runs;
backward() walks them the other way.

Only what the engine records is drawn: an op none of whose inputs requires grad records no
graph (as in PyTorch), so its result shows as a leaf; scalars and other non-tensor arguments
are left out. Reading the graph changes nothing in it. backward() frees the graph (unless
retain_graph=True), after which an op no longer knows its inputs: draw before backward.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from .tensor import Tensor


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


def _op_label(tensor: Tensor) -> list[str]:
    ctx = tensor._ctx
    lines = [ctx.function.__name__, str(tuple(tensor.shape))]
    if ctx.freed:
        lines.append("(freed by backward)")
    return lines


def _leaf_label(tensor: Tensor, name: str | None) -> list[str]:
    lines = [name] if name else []
    lines.append(str(tuple(tensor.shape)))
    if tensor.requires_grad:
        lines.append("requires_grad")
    return lines


def to_dot(tensor: Tensor, params: Any = None, graph_name: str = "computation") -> str:
    """Graphviz DOT text of the graph that produced `tensor`.

    params: optional names for leaves, as a Module or a mapping name -> Tensor (e.g.
    `dict(model.named_parameters())`); a named leaf shows its name.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a Tensor; got {type(tensor).__name__}")
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
        attributes = ", penwidth=2" if current is tensor else ""
        if current._ctx is None:
            label = _leaf_label(current, names.get(id(current)))
            style = ", style=filled, fillcolor=lightblue" if current.requires_grad else ""
            nodes.append(f"  {me} [shape=ellipse, label={_quote(label)}{style}{attributes}];")
            continue
        nodes.append(f"  {me} [shape=box, label={_quote(_op_label(current))}{attributes}];")
        for parent in current._ctx.inputs:
            if isinstance(parent, Tensor):
                edges.append(f"  {node_id(parent)} -> {me};")
                stack.append(parent)
    lines = [f"digraph {_quote([graph_name])} {{", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    return "\n".join(lines + nodes + edges + ["}"]) + "\n"
