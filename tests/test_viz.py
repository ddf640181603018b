"""tinygrad_edu.viz.to_dot: the graph behind a tensor as Graphviz DOT text.

The text is parsed back (nodes, labels, edges) and checked against expressions whose graph is
known; where Graphviz's `dot` is installed it must also accept the text.
"""
import re
import shutil
import subprocess

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.network import ActivationLayer, FCLayer, Network, tanh, tanh_prime
from tinygrad_edu.viz import to_dot

NODE = re.compile(r'^  (n\d+) \[shape=(box|ellipse), label="((?:[^"\\]|\\.)*)"(.*)\];$')
EDGE = re.compile(r"^  (n\d+) -> (n\d+);$")
HEADER = ['digraph "computation" {', "  rankdir=LR;", '  node [fontname="Helvetica"];']


def parse(dot: str) -> tuple[dict, list]:
    """{node id: (shape, label lines, other attributes)} and [(from, to)]; fails on any line
    that is neither a node, an edge, nor the fixed header and closing brace."""
    lines = dot.splitlines()
    assert lines[:3] == HEADER and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[3:-1]:
        if match := NODE.match(line):
            name, shape, label, rest = match.groups()
            assert name not in nodes, f"node {name} declared twice"
            nodes[name] = (shape, label.split("\\n"), rest)
        elif match := EDGE.match(line):
            edges.append(match.groups())
        else:
            pytest.fail(f"not a node or edge statement: {line!r}")
    assert all(a in nodes and b in nodes for a, b in edges), "an edge names an undeclared node"
    return nodes, edges


def by_label(nodes: dict) -> dict:
    return {tuple(label): name for name, (_, label, _) in nodes.items()}


def linear_tanh_sum():
    x = Tensor(np.ones((4, 2)))
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    return (x @ w + b).tanh().sum(), x, w, b


def test_one_box_per_op_one_ellipse_per_leaf_and_an_edge_from_each_input():
    y, *_ = linear_tanh_sum()
    nodes, edges = parse(to_dot(y))
    ops = [label for shape, label, _ in nodes.values() if shape == "box"]
    leaves = [label for shape, label, _ in nodes.values() if shape == "ellipse"]
    assert sorted(ops) == sorted([["MatMul", "(4, 3)"], ["Add", "(4, 3)"], ["Tanh", "(4, 3)"], ["Sum", "()"]])
    assert sorted(leaves) == sorted([["(4, 2)"], ["(2, 3)", "requires_grad"], ["(3,)", "requires_grad"]])
    n = by_label(nodes)
    expected = {
        (n[("(4, 2)",)], n[("MatMul", "(4, 3)")]),
        (n[("(2, 3)", "requires_grad")], n[("MatMul", "(4, 3)")]),
        (n[("MatMul", "(4, 3)")], n[("Add", "(4, 3)")]),
        (n[("(3,)", "requires_grad")], n[("Add", "(4, 3)")]),
        (n[("Add", "(4, 3)")], n[("Tanh", "(4, 3)")]),
        (n[("Tanh", "(4, 3)")], n[("Sum", "()")]),
    }
    assert len(edges) == len(expected) and set(edges) == expected


def test_leaves_that_require_grad_are_filled_and_the_output_is_outlined():
    y, *_ = linear_tanh_sum()
    nodes, _ = parse(to_dot(y))
    for shape, label, rest in nodes.values():
        if shape == "ellipse":
            assert ("fillcolor=lightblue" in rest) == ("requires_grad" in label)
    outlined = [label for _, label, rest in nodes.values() if "penwidth=2" in rest]
    assert outlined == [["Sum", "()"]]


def test_a_tensor_used_twice_is_one_node_with_two_edges():
    x = Tensor(np.ones(3), requires_grad=True)
    nodes, edges = parse(to_dot(x * x))
    assert len(nodes) == 2
    n = by_label(nodes)
    assert edges == [(n[("(3,)", "requires_grad")], n[("Mul", "(3,)")])] * 2


def test_drawing_leaves_the_graph_intact_for_backward():
    y, x, w, b = linear_tanh_sum()
    first = to_dot(y)
    assert to_dot(y) == first
    y.backward()
    np.testing.assert_allclose(w.grad.data, np.full((2, 3), 4 * (1 - np.tanh(2.0) ** 2)), rtol=1e-6)
    assert b.grad.shape == (3,)


def test_a_graph_freed_by_backward_says_so():
    y, *_ = linear_tanh_sum()
    y.backward()
    nodes, edges = parse(to_dot(y))
    assert list(nodes.values())[0][1] == ["Sum", "()", "(freed by backward)"] and edges == []


def test_params_name_their_leaves_from_a_mapping_or_a_network():
    y, x, w, b = linear_tanh_sum()
    labels = [label for _, label, _ in parse(to_dot(y, params={"weight": w, "bias": b}))[0].values()]
    assert ["weight", "(2, 3)", "requires_grad"] in labels and ["bias", "(3,)", "requires_grad"] in labels

    np.random.seed(0)
    net = Network()
    net.add(FCLayer(2, 3))
    net.add(ActivationLayer(tanh, tanh_prime))
    output = net.forward(Tensor(np.ones((5, 1, 2)), dtype=np.float64))
    labels = [label for _, label, _ in parse(to_dot(output, params=net))[0].values()]
    assert ["layers[0].weights", "(2, 3)", "requires_grad"] in labels
    assert ["Activation(tanh)", "(5, 1, 3)"] in labels


def test_a_deep_chain_draws_without_recursion():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(3000):
        y = y + 1.0
    nodes, edges = parse(to_dot(y))
    assert sum(shape == "box" for shape, _, _ in nodes.values()) == 3000 and len(edges) == 3000


def test_to_dot_wants_a_tensor():
    with pytest.raises(TypeError, match="expected a Tensor; got ndarray"):
        to_dot(np.ones(3))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed (apt-get install graphviz)")
def test_graphviz_accepts_the_text_even_with_quotes_and_backslashes_in_names(tmp_path):
    y, x, w, b = linear_tanh_sum()
    path = tmp_path / "graph.dot"
    path.write_text(to_dot(y, params={'say "hi"\\': w}))
    result = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout and "say &quot;hi&quot;\\" in result.stdout
