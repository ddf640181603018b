"""TransformerEncoderLayer and TransformerEncoder: finite differences (first and second order)
under Hypothesis, and PyTorch as an oracle for values, gradients, state_dict keys and reprs."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import functional as F


@pytest.mark.parametrize("norm_first", [False, True])
@settings(max_examples=3)
@given(seed=st.integers(0, 2**31 - 1))
def test_encoder_layer_gradients_match_finite_differences(check, norm_first, seed):
    tg.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation="gelu", norm_first=norm_first).double()
    x = tg.tensor(np.random.default_rng(seed).standard_normal((3, 2, 4)), requires_grad=True)
    assert check(lambda x: layer(x, src_key_padding_mask=np.array([[False, False, True], [False] * 3])), x)


def test_encoder_copies_the_layer_and_refuses_unknown_activations():
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(4))
    assert encoder.layers[0].linear1.weight is not encoder.layers[1].linear1.weight
    np.testing.assert_array_equal(encoder.layers[0].linear1.weight.data, encoder.layers[1].linear1.weight.data)
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    assert nn.TransformerEncoderLayer(4, 2, activation=F.silu, dropout=0.0)(tg.randn(3, 4)).shape == (3, 4)


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the optional oracle for the Transformer encoder")


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_matches_torch(norm_first, batch_first):
    torch = _torch()
    rng = np.random.default_rng(5)
    options = dict(dim_feedforward=8, dropout=0.0, activation="gelu", batch_first=batch_first, norm_first=norm_first)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(6, 3, **options), 2, norm=nn.LayerNorm(6)).double()
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(6, 3, **options, dtype=torch.float64), 2,
                                         norm=torch.nn.LayerNorm(6, dtype=torch.float64), enable_nested_tensor=False)
    state = {name: rng.standard_normal(tuple(p.shape)) for name, p in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    assert repr(ours.layers[0]) == repr(theirs.layers[0])
    ours.load_state_dict({name: tg.tensor(v) for name, v in state.items()})
    theirs.load_state_dict({name: torch.tensor(v) for name, v in state.items()})
    x = rng.standard_normal((2, 5, 6) if batch_first else (5, 2, 6))
    mask = np.triu(np.ones((5, 5), dtype=bool), 1)  # True: may not attend (key after the query)
    padding = np.array([[False] * 4 + [True], [False] * 5])
    mine, expected = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = ours(mine, mask=tg.tensor(mask), src_key_padding_mask=tg.tensor(padding), is_causal=True)
    t = theirs(expected, mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(padding), is_causal=True)
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-9, atol=1e-11)
    upstream = rng.standard_normal(y.shape)
    (y * tg.tensor(upstream)).sum().backward()
    (t * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(mine.grad.data, expected.grad.numpy(), rtol=1e-8, atol=1e-10)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).grad.data, p.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=name)
