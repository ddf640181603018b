"""Recurrent layers (RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU): finite differences of first
and second order through time, with respect to inputs, states and every weight; PyTorch as the
oracle for values, final states, parameter gradients, state_dict keys and reprs."""
import numpy as np
import pytest
from hypothesis import given, settings

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.testing.strategies import arrays

BATCH, STEPS, IN, HIDDEN = 2, 2, 2, 2


def differentiable(module: nn.Module):
    """fn(x, h, *weights) running `module` with gradcheck's float64 copies of its weights
    swapped in, so the proof covers the weight gradients too."""
    names = [name for name, _ in module.named_parameters()]

    def fn(*inputs):
        x, state, weights = inputs[0], inputs[1:-len(names)], inputs[-len(names):]
        for name, weight in zip(names, weights):
            object.__setattr__(module, name, weight)  # bypasses the Parameter-only guard on purpose
        hx = tuple(state) if len(state) == 2 else state[0]
        out = module(x, hx)
        return out if isinstance(module, (nn.RNNCell, nn.GRUCell, nn.LSTMCell)) else (out[0],) + (
            tuple(out[1]) if isinstance(out[1], tuple) else (out[1],))

    return fn, [tg.tensor(p.numpy().astype(np.float64), requires_grad=True) for p in module.parameters()]


def tensor(data):
    return tg.tensor(data, requires_grad=True)


CELLS = [
    lambda: nn.RNNCell(IN, HIDDEN), lambda: nn.RNNCell(IN, HIDDEN, bias=False),
    lambda: nn.LSTMCell(IN, HIDDEN), lambda: nn.GRUCell(IN, HIDDEN),
]


@pytest.mark.parametrize("make", CELLS, ids=["rnn", "rnn-nobias", "lstm", "gru"])
@given(x=arrays((BATCH, IN)), h=arrays((BATCH, HIDDEN)), c=arrays((BATCH, HIDDEN)))
def test_cell_derivatives(check, make, x, h, c):
    cell = make()
    fn, weights = differentiable(cell)
    states = [tensor(h), tensor(c)] if isinstance(cell, nn.LSTMCell) else [tensor(h)]
    assert check(fn, tensor(x), *states, *weights)


def test_relu_cell_derivatives_away_from_the_kink(check):
    cell = nn.RNNCell(IN, HIDDEN, nonlinearity="relu")
    fn, weights = differentiable(cell)
    x, h = np.array([[1.0, -0.5], [0.3, 0.8]]), np.array([[0.2, 0.4], [-0.6, 0.1]])
    pre = x @ weights[0].numpy().T + weights[2].numpy() + h @ weights[1].numpy().T + weights[3].numpy()
    assert np.abs(pre).min() > 1e-3  # finite differences must not straddle relu's kink
    assert check(fn, tensor(x), tensor(h), *weights)


LAYERS = [
    lambda: nn.RNN(IN, HIDDEN, num_layers=2), lambda: nn.LSTM(IN, HIDDEN, num_layers=2, batch_first=True),
    lambda: nn.GRU(IN, HIDDEN, bidirectional=True), lambda: nn.LSTM(IN, HIDDEN, bias=False, bidirectional=True),
]


@pytest.mark.parametrize("make", LAYERS, ids=["rnn-2layers", "lstm-batch-first", "gru-bidirectional", "lstm-bi-nobias"])
@settings(max_examples=3)  # each example differentiates a whole unrolled graph twice: keep the suite fast
@given(x=arrays((1, STEPS, IN)), h=arrays((2, 1, HIDDEN)), c=arrays((2, 1, HIDDEN)))
def test_layer_derivatives_through_time(check, make, x, h, c):
    layer = make()
    fn, weights = differentiable(layer)
    if not layer.batch_first:
        x = x.transpose(1, 0, 2)
    states = [tensor(h), tensor(c)] if isinstance(layer, nn.LSTM) else [tensor(h)]
    assert check(fn, tensor(x), *states, *weights)


def test_errors_name_the_problem():
    with pytest.raises(ShapeError, match="2D or 3D"):
        nn.LSTM(2, 3)(tg.zeros((1, 1, 1, 2)))
    with pytest.raises(ShapeError, match="input_size=2"):
        nn.GRUCell(2, 3)(tg.zeros((4, 5)))
    with pytest.raises(ShapeError, match="hidden state"):
        nn.RNN(2, 3, num_layers=2)(tg.zeros((4, 1, 2)), tg.zeros((1, 1, 3)))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNNCell(2, 3, nonlinearity="sigmoid")


def test_dropout_between_layers_only_while_training():
    layer = nn.GRU(2, 3, num_layers=2, dropout=0.5)
    x = tg.tensor(np.random.default_rng(0).normal(size=(4, 2, 2)), dtype=tg.float32)  # the layer's dtype, as torch requires
    layer.eval()
    first, second = layer(x)[0].numpy(), layer(x)[0].numpy()
    np.testing.assert_array_equal(first, second)
    layer.train()
    nn.manual_seed(0)
    assert not np.allclose(layer(x)[0].numpy(), first)


torch = pytest.importorskip("torch", reason="PyTorch is the oracle for values, gradients and state_dict layouts")

ORACLE = [
    ("RNNCell", dict(nonlinearity="tanh")), ("RNNCell", dict(bias=False)), ("LSTMCell", {}), ("GRUCell", {}),
    ("RNN", dict(num_layers=2, nonlinearity="relu", bidirectional=True)),
    ("LSTM", dict(num_layers=2, batch_first=True)), ("LSTM", dict(bidirectional=True, bias=False)),
    ("GRU", dict(num_layers=3, bidirectional=True, batch_first=True)),
]


def _pair(name, kwargs):
    ours = getattr(nn, name)(3, 4, **kwargs).double()
    theirs = getattr(torch.nn, name)(3, 4, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    return ours, theirs


def _flat(out):
    return [t for item in (out if isinstance(out, tuple) else (out,))
            for t in (item if isinstance(item, tuple) else (item,))]


@pytest.mark.parametrize("name,kwargs", ORACLE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ORACLE)])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("given_state", [False, True], ids=["zero-state", "given-state"])
def test_matches_torch(name, kwargs, batched, given_state):
    ours, theirs = _pair(name, kwargs)
    rng = np.random.default_rng(1)
    is_cell = name.endswith("Cell")
    batch_first = kwargs.get("batch_first", False)
    x = rng.normal(size=(2, 3) if is_cell else ((2, 5, 3) if batch_first else (5, 2, 3)))
    if not batched:
        x = x[0]
    layers = 1 if is_cell else kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    state_shape = ((2,) if batched else ()) + (4,) if is_cell else (layers,) + ((2,) if batched else ()) + (4,)
    states = [rng.normal(size=state_shape) for _ in range(2 if "LSTM" in name else 1)] if given_state else None

    def run(lib, module, make):
        hx = None if states is None else (tuple(make(s) for s in states) if "LSTM" in name else make(states[0]))
        out = _flat(module(make(x), hx))
        weights = [rng_upstream.normal(size=o.shape) for o in out]
        sum(((o * make(w)).sum() for o, w in zip(out, weights)), start=make(np.zeros(()))).backward()
        return out

    rng_upstream = np.random.default_rng(2)
    out_ours = run(tg, ours, lambda a: tg.tensor(a, requires_grad=True))
    rng_upstream = np.random.default_rng(2)
    out_theirs = run(torch, theirs, lambda a: torch.tensor(a, requires_grad=True))
    for a, b in zip(out_ours, out_theirs):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    for (key, p), (key_t, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert key == key_t
        np.testing.assert_allclose(p.grad.numpy(), p_t.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=key)


def test_state_dict_round_trips_through_torch():
    theirs = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    ours = nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(3).normal(size=(4, 2, 3))
    np.testing.assert_allclose(ours(tg.tensor(x))[0].numpy(), theirs(torch.tensor(x))[0].detach().numpy(), rtol=1e-10)
