"""tinygrad_edu.viz: the graph behind a tensor as Graphviz DOT text, as a text tree, and as a
picture for Jupyter, with values and gradients when asked.

The text is parsed back (nodes, labels, edges) and checked against expressions whose graph and
numbers are known; where Graphviz's `dot` is installed it must also accept the text.
"""
import html
import re
import shutil
import subprocess
from xml.etree import ElementTree

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.network import ActivationLayer, FCLayer, Network, tanh, tanh_prime
from tinygrad_edu.viz import graph, to_dot, to_text

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


# ---- the graph with numbers (show_values / show_grads), the text tree, graph() for Jupyter ----

def relu_of_product():
    """y = relu(a ⊙ b).sum() with a = [2, 3], b = [4, -1]: a ⊙ b = [8, -3], relu keeps [8, 0],
    so dy/d(a ⊙ b) = [1, 0], dy/da = b ⊙ [1, 0] = [4, 0], dy/db = a ⊙ [1, 0] = [2, 0]."""
    a = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([4.0, -1.0]), requires_grad=True)
    product = a * b
    product.retain_grad()
    y = product.relu().sum()
    y.backward(retain_graph=True)
    return y, a, b


def test_values_and_grads_appear_in_the_dot_labels():
    y, a, b = relu_of_product()
    nodes, _ = parse(to_dot(y, params={"a": a, "b": b}, show_values=True, show_grads=True))
    assert sorted(label for _, label, _ in nodes.values()) == sorted([
        ["Sum", "()", "data 8", "grad not kept"],
        ["ReLU", "(2,)", "data [8, 0]", "grad not kept"],
        ["Mul", "(2,)", "data [8, -3]", "grad [1, 0]"],
        ["a", "(2,)", "requires_grad", "data [2, 3]", "grad [4, 0]"],
        ["b", "(2,)", "requires_grad", "data [4, -1]", "grad [2, 0]"],
    ])


def test_values_and_grads_appear_in_the_text_tree():
    y, a, b = relu_of_product()
    assert to_text(y, show_values=True, show_grads=True, params={"a": a, "b": b}) == (
        "Sum ()  data 8  grad not kept\n"
        "└─ ReLU (2,)  data [8, 0]  grad not kept\n"
        "   └─ Mul (2,)  data [8, -3]  grad [1, 0]\n"
        "      ├─ leaf a (2,) requires_grad  data [2, 3]  grad [4, 0]\n"
        "      └─ leaf b (2,) requires_grad  data [4, -1]  grad [2, 0]\n"
    )


def test_a_big_tensor_shows_its_statistics_and_a_leaf_before_backward_has_no_grad():
    z = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)  # mean 5.5, std √(143/12) = 3.452
    y = (z * z).sum()
    before = parse(to_dot(y, show_values=True, show_grads=True))[0]
    assert ["(3, 4)", "requires_grad", "data mean 5.5 std 3.452 min 0 max 11", "grad None"] in [l for _, l, _ in before.values()]
    y.backward(retain_graph=True)  # dy/dz = 2z: mean 11, std 6.904, from 0 to 22
    after = parse(to_dot(y, show_values=True, show_grads=True))[0]
    assert ["(3, 4)", "requires_grad", "data mean 5.5 std 3.452 min 0 max 11", "grad mean 11 std 6.904 min 0 max 22"] in [
        l for _, l, _ in after.values()]
    assert "Mul (3, 4)  data mean 42.17 std 39.41 min 0 max 121\n" in to_text(y, show_values=True)


def test_to_text_of_a_three_op_graph():
    y, x, w, b = linear_tanh_sum()
    hidden = y._ctx.inputs[0]  # tanh(x @ w + b), before the sum
    assert to_text(hidden, params={"weight": w, "bias": b}) == (
        "Tanh (4, 3)\n"
        "└─ Add (4, 3)\n"
        "   ├─ MatMul (4, 3)\n"
        "   │  ├─ leaf (4, 2)\n"
        "   │  └─ leaf weight (2, 3) requires_grad\n"
        "   └─ leaf bias (3,) requires_grad\n"
    )


def test_to_text_writes_a_tensor_used_twice_once_and_says_when_backward_freed_the_graph():
    x = Tensor(np.ones(3), requires_grad=True)
    y = (x * x).sum()
    assert to_text(y) == (
        "Sum ()\n"
        "└─ Mul (3,)\n"
        "   ├─ leaf (3,) requires_grad\n"
        "   └─ leaf (3,) requires_grad  (same as above)\n"
    )
    y.backward()
    assert to_text(y) == "Sum () (freed by backward)\n"


def test_to_text_of_a_deep_chain_needs_no_recursion():
    y = Tensor(np.ones(2), requires_grad=True)
    for _ in range(1500):
        y = y + 1.0
    lines = to_text(y).splitlines()
    assert len(lines) == 1501 and lines[-1] == " " * 3 * 1499 + "└─ leaf (2,) requires_grad"


def test_to_text_and_graph_want_a_tensor():
    for draw in (to_text, graph):
        with pytest.raises(TypeError, match="expected a Tensor; got ndarray"):
            draw(np.ones(3))


def test_graph_shows_the_text_tree_when_graphviz_is_absent(monkeypatch):
    y, a, b = relu_of_product()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    picture = graph(y, show_values=True)
    assert picture._repr_svg_() is None
    assert picture._repr_html_() == "<pre>" + html.escape(to_text(y, show_values=True)) + "</pre>"
    assert str(picture) == to_text(y, show_values=True)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's `dot` is not installed (apt-get install graphviz)")
def test_graph_is_an_svg_picture_when_graphviz_is_installed():
    y, a, b = relu_of_product()
    picture = graph(y, params={"a": a}, show_values=True, show_grads=True)
    svg = picture._repr_svg_()
    root = ElementTree.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "grad [4, 0]" in texts and "data [8, -3]" in texts
    assert picture._repr_html_() is None  # Jupyter prefers HTML to SVG: give it only the picture
