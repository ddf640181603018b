"""LSTM with proj_size (h = W_hr (o ⊙ tanh c), of size proj_size): finite differences of first
and second order through time with respect to input, both states and every weight (weight_hr
included); PyTorch as the oracle for parameter names and shapes, reprs, values, final states,
gradients, and a state_dict moved to torch and back."""
import numpy as np
import pytest
from hypothesis import given, settings

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.testing.strategies import arrays


def tensor(data):
    return tg.tensor(data, requires_grad=True)


@settings(max_examples=2)  # each example differentiates a whole unrolled graph twice
@given(x=arrays((2, 1, 2)), h=arrays((2, 1, 1)), c=arrays((2, 1, 2)))
def test_projected_lstm_derivatives(check, x, h, c):
    layer = nn.LSTM(2, 2, num_layers=2, proj_size=1)  # layer 1 reads layer 0's projected h
    names = [n for n, _ in layer.named_parameters()]

    def run(x, h, c, *weights):
        for n, w in zip(names, weights):
            object.__setattr__(layer, n, w)  # bypasses the Parameter-only guard on purpose
        output, (h_n, c_n) = layer(x, (h, c))
        return output, h_n, c_n

    weights = [tensor(p.numpy().astype(np.float64)) for p in layer.parameters()]
    assert check(run, tensor(x), tensor(h), tensor(c), *weights)


def test_shapes_and_errors():
    layer = nn.LSTM(5, 4, num_layers=2, bidirectional=True, proj_size=3)
    shapes = dict((name, p.shape) for name, p in layer.named_parameters())
    assert shapes["weight_hh_l0"] == (16, 3) and shapes["weight_hr_l0_reverse"] == (3, 4)
    assert shapes["weight_ih_l1"] == (16, 6)  # the layer below gives 2 directions × proj_size
    output, (h_n, c_n) = layer(tg.randn(7, 2, 5))
    assert (output.shape, h_n.shape, c_n.shape) == ((7, 2, 6), (4, 2, 3), (4, 2, 4))
    with pytest.raises(ValueError, match="smaller than hidden_size"):
        nn.LSTM(5, 4, proj_size=4)
    with pytest.raises(ValueError, match="positive integer or zero"):
        nn.LSTM(5, 4, proj_size=-1)
    with pytest.raises(ShapeError, match=r"h_0 of shape \(4, 2, 3\)"):
        layer(tg.randn(7, 2, 5), (tg.zeros(4, 2, 4), tg.zeros(4, 2, 4)))
    with pytest.raises(ShapeError, match=r"c_0 of shape \(4, 2, 4\)"):
        layer(tg.randn(7, 2, 5), (tg.zeros(4, 2, 3), tg.zeros(4, 2, 3)))


torch = pytest.importorskip("torch", reason="PyTorch is the oracle for LSTM projections")

OPTIONS = [dict(proj_size=2), dict(proj_size=1, num_layers=2, bidirectional=True, batch_first=True),
           dict(proj_size=3, bias=False, num_layers=2)]


@pytest.mark.parametrize("kwargs", OPTIONS, ids=["one-layer", "bidirectional-2layers-batch-first", "no-bias"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("given_state", [False, True], ids=["zero-state", "given-state"])
def test_matches_torch(kwargs, batched, given_state):
    ours, theirs = nn.LSTM(3, 4, **kwargs).double(), torch.nn.LSTM(3, 4, **kwargs).double()
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 5, 3) if kwargs.get("batch_first") else (5, 2, 3))
    x = x if batched else x[0]
    count = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    batch = (2,) if batched else ()
    states = [rng.normal(size=(count, *batch, size)) for size in (kwargs["proj_size"], 4)] if given_state else []

    def run(module, make):
        inputs = [make(a) for a in [x] + states]
        output, (h_n, c_n) = module(inputs[0], tuple(inputs[1:]) or None)
        upstream = np.random.default_rng(7)
        sum(((o * make(upstream.normal(size=tuple(o.shape)))).sum() for o in (output, h_n, c_n)), start=make(np.zeros(()))).backward()
        return [output, h_n, c_n] + [i.grad for i in inputs]

    for a, b in zip(run(ours, tensor), run(theirs, lambda a: torch.tensor(a, requires_grad=True))):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    for (key, p), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), p_t.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=key)


def test_state_dict_round_trips_through_torch():
    theirs = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    ours = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    back = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    back.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    for (key, a), b in zip(theirs.state_dict().items(), back.state_dict().values()):
        assert torch.equal(a, b), key
    x = np.random.default_rng(8).normal(size=(4, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(tg.tensor(x))[0].numpy(), theirs(torch.tensor(x))[0].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_all_weights_and_flatten_parameters_as_torch():
    ours = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, bias=False)
    theirs = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, bias=False)
    assert [[tuple(w.shape) for w in ws] for ws in ours.all_weights] == [[tuple(w.shape) for w in ws] for ws in theirs.all_weights]
    assert ours.all_weights[3][2] is ours.weight_hr_l1_reverse
    x = tg.randn(3, 2, 3)
    before = ours(x)[0].numpy()
    assert ours.flatten_parameters() is None and theirs.flatten_parameters() is None
    np.testing.assert_array_equal(ours(x)[0].numpy(), before)
