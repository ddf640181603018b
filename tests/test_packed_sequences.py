"""nn.utils.rnn (PackedSequence, pack/pad functions) and RNN/LSTM/GRU on packed input: finite
differences of first and second order (packing, padding, and a packed LSTM/GRU with respect to
input, states and every weight), PyTorch as the oracle for layouts, values, errors, final
states at each sequence's own end, and every gradient."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn.utils import rnn
from tinygrad_edu.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence
from tinygrad_edu.testing.strategies import arrays


def tensor(data):
    return tg.tensor(data, requires_grad=True)


@settings(max_examples=5)
@given(x=arrays((3, 4, 2)), lengths=st.permutations([3, 2, 2, 1]), batch_first=st.booleans())
def test_pack_then_pad_derivatives(check, x, lengths, batch_first):
    def round_trip(x):
        packed = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
        return packed.data, pad_packed_sequence(packed, batch_first, padding_value=0.5, total_length=4)[0]

    x = x.transpose(1, 0, 2) if batch_first else x
    assert check(round_trip, tensor(x))


@settings(max_examples=5)
@given(a=arrays((3, 2)), b=arrays((1, 2)), c=arrays((2, 2)), left=st.booleans())
def test_pad_sequence_derivatives(check, a, b, c, left):
    side = "left" if left else "right"
    assert check(lambda *s: pad_sequence(list(s), True, -1.0, side), tensor(a), tensor(b), tensor(c))


def test_packed_layout_and_round_trip():
    x = tg.arange(12.0).reshape(3, 4, 1)  # time-major: x[t, b] = 4t + b
    packed = pack_padded_sequence(x, [2, 3, 1, 2], enforce_sorted=False)
    # sorted by length (stable): sequences 1, 0, 3, 2; step t holds the batch_sizes[t] longest
    assert packed.sorted_indices.tolist() == [1, 0, 3, 2] and packed.unsorted_indices.tolist() == [1, 0, 3, 2]
    assert packed.batch_sizes.tolist() == [4, 3, 1] and packed.batch_sizes.dtype == tg.int64
    assert packed.data.reshape(-1).tolist() == [1, 0, 3, 2, 5, 4, 7, 9]
    padded, lengths = pad_packed_sequence(packed, padding_value=-1.0)
    assert lengths.tolist() == [2, 3, 1, 2] and lengths.dtype == tg.int64
    expected = np.where(np.arange(3)[:, None] < np.array([2, 3, 1, 2]), x.numpy()[..., 0], -1.0)
    np.testing.assert_array_equal(padded.numpy()[..., 0], expected)
    sequences = rnn.unpack_sequence(rnn.pack_sequence([tg.ones(2, 1), tg.zeros(3, 1)], enforce_sorted=False))
    assert [s.shape for s in sequences] == [(2, 1), (3, 1)]
    assert PackedSequence(packed.data, packed.batch_sizes, packed.sorted_indices).unsorted_indices.tolist() == [1, 0, 3, 2]
    assert PackedSequence((packed.data, packed.batch_sizes)).sorted_indices is None
    assert packed.double().data.dtype == tg.float64 and packed.float() is packed and not packed.is_cuda


def test_errors_name_the_problem():
    x = tg.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [2, 3, 1])
    with pytest.raises(RuntimeError, match="greater than 0"):
        pack_padded_sequence(x, [3, 0, 2], enforce_sorted=False)
    with pytest.raises(RuntimeError, match="batch_size=3"):
        pack_padded_sequence(x, [3, 2])
    with pytest.raises(RuntimeError, match="longer than the input's 4 time steps"):
        pack_padded_sequence(x, [5, 2, 1])
    with pytest.raises(ValueError, match="total_length=1"):
        pad_packed_sequence(pack_padded_sequence(x, [3, 2, 1]), total_length=1)
    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([tg.zeros(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match="same"):
        pad_sequence([tg.zeros(2, 3), tg.zeros(1, 4)])
    with pytest.raises(ValueError, match="packed data to be 2D"):
        nn.GRU(2, 3)(PackedSequence(tg.zeros(3, 1, 2), tg.tensor([2, 1])))


LAYERS = {
    "lstm-bidirectional": lambda: nn.LSTM(2, 2, bidirectional=True),
    "gru-2layers-batch-first": lambda: nn.GRU(2, 2, num_layers=2, batch_first=True),
}


@pytest.mark.parametrize("name", LAYERS)
@settings(max_examples=2)  # each example differentiates a whole unrolled graph twice
@given(x=arrays((3, 2, 2)), h=arrays((2, 2, 2)), c=arrays((2, 2, 2)))
def test_packed_layer_derivatives(check, name, x, h, c):
    layer = LAYERS[name]()
    names = [n for n, _ in layer.named_parameters()]

    def run(x, *rest):
        states, weights = rest[:-len(names)], rest[-len(names):]
        for n, w in zip(names, weights):
            object.__setattr__(layer, n, w)  # bypasses the Parameter-only guard on purpose
        packed = pack_padded_sequence(x, [2, 3], batch_first=layer.batch_first, enforce_sorted=False)
        output, hidden = layer(packed, states if len(states) == 2 else states[0])
        return (output.data,) + (hidden if isinstance(hidden, tuple) else (hidden,))

    x = x.transpose(1, 0, 2) if layer.batch_first else x
    states = [tensor(h), tensor(c)] if isinstance(layer, nn.LSTM) else [tensor(h)]
    weights = [tensor(p.numpy().astype(np.float64)) for p in layer.parameters()]
    assert check(run, tensor(x), *states, *weights)


def test_equal_lengths_give_the_padded_result():
    layer = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = tg.randn(5, 2, 3)
    output, (h_n, c_n) = layer(x)
    packed_output, (packed_h, packed_c) = layer(pack_padded_sequence(x, [5, 5]))
    np.testing.assert_allclose(pad_packed_sequence(packed_output)[0].numpy(), output.numpy(), rtol=1e-6)
    np.testing.assert_allclose(packed_h.numpy(), h_n.numpy(), rtol=1e-6)
    np.testing.assert_allclose(packed_c.numpy(), c_n.numpy(), rtol=1e-6)


def test_torch_programs_reach_the_packing_functions(tmp_path):
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch.nn.utils.rnn
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
        lstm = torch.nn.LSTM(3, 4, batch_first=True)
        packed = pack_padded_sequence(torch.randn(2, 5, 3), torch.tensor([2, 5]), batch_first=True, enforce_sorted=False)
        output, (h_n, c_n) = lstm(packed)
        padded, lengths = pad_packed_sequence(output, batch_first=True)
        print(type(output).__module__, tuple(padded.shape), lengths.tolist(), torch.nn.utils.rnn.PackedSequence is type(packed))
    """))
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu.as_torch", str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["tinygrad_edu.nn.utils.rnn", "(2,", "5,", "4)", "[2,", "5]", "True"]


torch = pytest.importorskip("torch", reason="PyTorch is the oracle for packed layouts, values and gradients")
torch_rnn = torch.nn.utils.rnn


def same(ours, theirs, **tolerance):
    if theirs is None:
        assert ours is None
        return
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), **(tolerance or dict(rtol=0, atol=0)))
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([4, 2, 2, 1], True), ([2, 4, 1, 2], False), ([3, 3, 3, 3], False)])
def test_utilities_match_torch(batch_first, lengths, enforce_sorted):
    x = np.random.default_rng(0).normal(size=(4, 4, 2))
    ours = pack_padded_sequence(tensor(x), tg.tensor(lengths), batch_first, enforce_sorted)
    theirs = torch_rnn.pack_padded_sequence(torch.tensor(x, requires_grad=True), torch.tensor(lengths), batch_first, enforce_sorted)
    for a, b in zip(ours, theirs):
        same(a, b)
    for total_length in (None, 6):
        for a, b in zip(pad_packed_sequence(ours, batch_first, float("nan"), total_length),
                        torch_rnn.pad_packed_sequence(theirs, batch_first, float("nan"), total_length)):
            same(a, b)
    sequences = [np.random.default_rng(n).normal(size=(n, 3)) for n in lengths]
    for side in ("left", "right"):
        same(pad_sequence([tg.tensor(s) for s in sequences], batch_first, 2.5, side),
             torch_rnn.pad_sequence([torch.tensor(s) for s in sequences], batch_first, 2.5, side))
    packed = rnn.pack_sequence([tg.tensor(s) for s in sequences], enforce_sorted)
    for a, b in zip(packed, torch_rnn.pack_sequence([torch.tensor(s) for s in sequences], enforce_sorted)):
        same(a, b)
    for a, b in zip(rnn.unpack_sequence(packed), sequences):
        np.testing.assert_array_equal(a.numpy(), b)


def test_errors_match_torch():
    cases = [lambda m, x: m.pack_padded_sequence(x, [2, 3, 1]), lambda m, x: m.pack_padded_sequence(x, [3, 2, 0]),
             lambda m, x: m.pack_padded_sequence(x, [3, 2]), lambda m, x: m.pack_padded_sequence(x[:0], [3, 2, 1]),
             lambda m, x: m.pad_sequence([]), lambda m, x: m.pad_packed_sequence(m.pack_sequence([x[0]]), total_length=1)]
    for case in cases:
        with pytest.raises(Exception) as theirs:
            case(torch_rnn, torch.zeros(4, 3, 2))
        with pytest.raises(type(theirs.value), match=str(theirs.value).split("(")[0][:40]):
            case(rnn, tg.zeros(4, 3, 2))


ORACLE = [
    ("LSTM", dict(num_layers=2, bidirectional=True)), ("GRU", dict(batch_first=True, bidirectional=True)),
    ("RNN", dict(num_layers=2, nonlinearity="relu")), ("LSTM", dict(batch_first=True, proj_size=2)),
]


@pytest.mark.parametrize("name,kwargs", ORACLE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ORACLE)])
@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 3, 1], True), ([2, 5, 1, 4], False)], ids=["sorted", "unsorted"])
@pytest.mark.parametrize("given_state", [False, True], ids=["zero-state", "given-state"])
def test_packed_layers_match_torch(name, kwargs, lengths, enforce_sorted, given_state):
    ours = getattr(nn, name)(3, 4, **kwargs).double()
    theirs = getattr(torch.nn, name)(3, 4, **kwargs).double()
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(4)
    batch_first = kwargs.get("batch_first", False)
    x = rng.normal(size=(4, 5, 3) if batch_first else (5, 4, 3))
    count = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    sizes = [kwargs.get("proj_size") or 4] + ([4] if name == "LSTM" else [])
    states = [rng.normal(size=(count, 4, size)) for size in sizes] if given_state else None
    upstream = [rng.normal(size=shape) for shape in
                [(sum(lengths), (kwargs.get("proj_size") or 4) * count // kwargs.get("num_layers", 1))]
                + [(count, 4, size) for size in sizes]]

    def run(module, utils, make):
        inputs = [make(x)] + ([make(s) for s in states] if states else [])
        packed = utils.pack_padded_sequence(inputs[0], lengths, batch_first, enforce_sorted)
        hx = None if not states else (tuple(inputs[1:]) if name == "LSTM" else inputs[1])
        output, hidden = module(packed, hx)
        outs = [output.data] + list(hidden if isinstance(hidden, tuple) else (hidden,))
        sum(((o * make(u)).sum() for o, u in zip(outs, upstream)), start=make(np.zeros(()))).backward()
        return outs, inputs, output

    outs, inputs, output = run(ours, rnn, lambda a: tg.tensor(a, requires_grad=True))
    outs_t, inputs_t, output_t = run(theirs, torch_rnn, lambda a: torch.tensor(a, requires_grad=True))
    assert isinstance(output, PackedSequence)
    for a, b in zip(output[1:], output_t[1:]):
        same(a, b)
    for a, b in zip(outs + [i.grad for i in inputs], outs_t + [i.grad for i in inputs_t]):
        same(a, b, rtol=1e-10, atol=1e-12)
    for (key, p), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), p_t.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=key)


def test_packed_second_derivatives_match_torch():
    ours, theirs = nn.GRU(3, 4, bidirectional=True).double(), torch.nn.GRU(3, 4, bidirectional=True).double()
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(9)
    x, upstream, direction = rng.normal(size=(4, 3, 3)), rng.normal(size=(9, 8)), rng.normal(size=(4, 3, 3))

    def hessian_vector(module, utils, grad, make):
        inputs = make(x)
        output, _ = module(utils.pack_padded_sequence(inputs, [4, 1, 4], enforce_sorted=False))
        first, = grad((output.data * make(upstream)).sum(), [inputs], create_graph=True)
        (first * make(direction)).sum().backward()  # d/dθ of ⟨∂E/∂x, v⟩: second order through time
        return first, [p.grad for p in module.parameters()]

    first, second = hessian_vector(ours, rnn, tg.autograd.grad, tensor)
    first_t, second_t = hessian_vector(theirs, torch_rnn, torch.autograd.grad, lambda a: torch.tensor(a, requires_grad=True))
    for a, b in zip([first] + second, [first_t] + second_t):
        same(a, b, rtol=1e-9, atol=1e-12)
