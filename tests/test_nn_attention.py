"""Attention: scaled_dot_product_attention and MultiheadAttention. Finite differences (first
and second order) under Hypothesis, and PyTorch as an oracle for values, gradients and the
state_dict layout."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F

MASK_KINDS = ["none", "float", "bool", "causal"]


def _qkv(rng, batch=(2,), length=3, source=4, embed=3, value_embed=2):
    return (rng.standard_normal((*batch, length, embed)), rng.standard_normal((*batch, source, embed)),
            rng.standard_normal((*batch, source, value_embed)))


def _mask(kind, rng, length=3, source=4):
    """The keyword arguments for one mask kind; a bool mask keeps every row's first key,
    so no row is masked out entirely."""
    if kind == "float":
        return {"attn_mask": rng.standard_normal((length, source))}
    if kind == "bool":
        keep = rng.random((length, source)) < 0.6
        keep[:, 0] = True
        return {"attn_mask": keep}
    if kind == "causal":
        return {"is_causal": True}
    return {}


@pytest.mark.parametrize("kind", MASK_KINDS)
@settings(max_examples=5)
@given(seed=st.integers(0, 2**31 - 1))
def test_sdpa_gradients_match_finite_differences(check, kind, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (tg.tensor(a, requires_grad=True) for a in _qkv(rng, length=4 if kind == "causal" else 3))
    options = _mask(kind, rng, length=q.shape[-2])
    if "attn_mask" in options:
        options["attn_mask"] = tg.tensor(options["attn_mask"])
    assert check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **options), q, k, v)


def test_sdpa_refuses_mismatched_shapes_and_both_masks():
    q, k, v = tg.randn(2, 3), tg.randn(4, 3), tg.randn(4, 2)
    with pytest.raises(ShapeError, match="embedding size"):
        F.scaled_dot_product_attention(q, tg.randn(4, 5), v)
    with pytest.raises(ShapeError, match="attn_mask"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tg.zeros(3, 3))
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tg.zeros(2, 4), is_causal=True)


def test_sdpa_dropout_drops_weights():
    q, k, v = tg.randn(8, 3), tg.randn(8, 3), tg.ones(8, 2)
    tg.manual_seed(0)
    dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).data
    kept = F.scaled_dot_product_attention(q, k, v).data
    assert not np.allclose(dropped, kept)
    np.testing.assert_allclose(kept, 1.0, rtol=1e-6)  # each row of weights sums to 1


def test_mha_layout_and_errors():
    mha = nn.MultiheadAttention(4, 2)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert repr(mha) == ("MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, "
                         "out_features=4, bias=True)\n)")
    assert list(nn.MultiheadAttention(4, 2, bias=False).state_dict()) == ["in_proj_weight", "out_proj.weight"]
    np.testing.assert_array_equal(mha.in_proj_bias.data, 0)
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(5, 2)
    assert list(nn.MultiheadAttention(4, 2, add_bias_kv=True).state_dict()) == [
        "in_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"]
    assert list(nn.MultiheadAttention(4, 2, kdim=3, vdim=5).state_dict()) == [
        "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    x = tg.randn(3, 2, 4)
    with pytest.raises(ShapeError, match="attn_mask"):
        mha(x, x, x, attn_mask=tg.zeros(3, 2))
    with pytest.raises(ShapeError, match="key_padding_mask"):
        mha(x, x, x, key_padding_mask=tg.zeros(3, 3))
    with pytest.raises(RuntimeError, match="is_causal"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(ShapeError, match="key"):
        mha(x, tg.randn(3, 2, 5), x)
    out, weights = mha(x, x, x, need_weights=False)
    assert out.shape == (3, 2, 4) and weights is None


@settings(max_examples=3)
@given(seed=st.integers(0, 2**31 - 1))
def test_mha_gradients_match_finite_differences(check, seed):
    rng = np.random.default_rng(seed)
    tg.manual_seed(seed)
    mha = nn.MultiheadAttention(4, 2).double()
    padding = np.array([[False, False, True], [False, False, False]])
    query, key, value = (tg.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True) for _ in range(3))
    assert check(lambda q, k, v: mha(q, k, v, key_padding_mask=padding)[0], query, key, value)


# ---------------------------------------------------------------- PyTorch as the oracle


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is the optional oracle for attention")


@pytest.mark.parametrize("kind", MASK_KINDS)
def test_sdpa_matches_torch(kind):
    torch = _torch()
    rng = np.random.default_rng(1)
    arrays = _qkv(rng, batch=(2, 3), length=4, source=4 if kind == "causal" else 5)
    options = _mask(kind, rng, length=4, source=arrays[1].shape[-2])
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours_options = {name: tg.tensor(v) if name == "attn_mask" else v for name, v in options.items()}
    torch_options = {name: torch.tensor(v) if name == "attn_mask" else v for name, v in options.items()}
    y = F.scaled_dot_product_attention(*ours, scale=0.7, **ours_options)
    t = torch.nn.functional.scaled_dot_product_attention(*theirs, scale=0.7, **torch_options)
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(y.shape)
    (y * tg.tensor(upstream)).sum().backward()
    (t * torch.tensor(upstream)).sum().backward()
    for mine, expected in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.data, expected.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_query_with_no_key_gets_zero_weights_as_torch(kind):
    torch = _torch()
    rng = np.random.default_rng(4)
    arrays = _qkv(rng, batch=(), length=2, source=3)
    keep = np.array([[False, False, False], [True, False, True]])
    mask = keep if kind == "bool" else np.where(keep, rng.standard_normal(keep.shape), -np.inf)
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = F.scaled_dot_product_attention(*ours, attn_mask=tg.tensor(mask))
    t = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    y.sum().backward()
    t.sum().backward()
    for mine, expected in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.data, expected.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "bool", "float", "batched"])
def test_mha_matches_torch(batch_first, masks):
    torch = _torch()
    rng = np.random.default_rng(2)
    embed, heads, length, source, batch = 6, 3, 4, 5, 2
    ours = nn.MultiheadAttention(embed, heads, batch_first=batch_first).double()
    theirs = torch.nn.MultiheadAttention(embed, heads, batch_first=batch_first, dtype=torch.float64)
    state = {name: rng.standard_normal(tuple(p.shape)) for name, p in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    theirs.load_state_dict({name: torch.tensor(v) for name, v in state.items()})
    ours.load_state_dict({name: tg.tensor(v) for name, v in state.items()})
    q_shape, kv_shape = ((batch, length, embed), (batch, source, embed)) if batch_first else ((length, batch, embed), (source, batch, embed))
    arrays = [rng.standard_normal(q_shape), rng.standard_normal(kv_shape), rng.standard_normal(kv_shape)]
    options = {}
    if masks == "bool":
        padding = np.zeros((batch, source), dtype=bool)
        padding[0, -2:] = True
        blocked = rng.random((length, source)) < 0.3
        blocked[:, 0] = False
        options = {"key_padding_mask": padding, "attn_mask": blocked}
    elif masks == "float":
        options = {"key_padding_mask": rng.standard_normal((batch, source)), "attn_mask": rng.standard_normal((length, source))}
    elif masks == "batched":
        options = {"attn_mask": rng.standard_normal((batch * heads, length, source)), "average_attn_weights": False}
    ours_in = [tg.tensor(a, requires_grad=True) for a in arrays]
    torch_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, w = ours(*ours_in, **{k: tg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()})
    t, tw = theirs(*torch_in, **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()})
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rng.standard_normal(y.shape)
    (y * tg.tensor(upstream)).sum().backward()
    (t * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(ours.in_proj_weight.grad.data, theirs.in_proj_weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.out_proj.weight.grad.data, theirs.out_proj.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    for mine, expected in zip(ours_in, torch_in):
        np.testing.assert_allclose(mine.grad.data, expected.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_mha_unbatched_matches_torch():
    torch = _torch()
    ours, theirs = nn.MultiheadAttention(4, 2).double(), torch.nn.MultiheadAttention(4, 2, dtype=torch.float64)
    ours.load_state_dict({name: tg.tensor(v.detach().numpy()) for name, v in theirs.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((3, 4))
    y, w = ours(tg.tensor(x), tg.tensor(x), tg.tensor(x))
    t, tw = theirs(torch.tensor(x), torch.tensor(x), torch.tensor(x))
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_mha_with_own_key_and_value_sizes_matches_torch():
    torch = _torch()
    rng = np.random.default_rng(6)
    ours = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, batch_first=True).double()
    theirs = torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=5, batch_first=True, dtype=torch.float64)
    state = {name: rng.standard_normal(tuple(p.shape)) for name, p in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict({name: tg.tensor(v) for name, v in state.items()})
    theirs.load_state_dict({name: torch.tensor(v) for name, v in state.items()})
    arrays = [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 5))]
    ours_in = [tg.tensor(a, requires_grad=True) for a in arrays]
    torch_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    (y, w), (t, tw) = ours(*ours_in), theirs(*torch_in)
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    y.sum().backward()
    t.sum().backward()
    for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
        np.testing.assert_allclose(getattr(ours, name).grad.data, getattr(theirs, name).grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    for mine, expected in zip(ours_in, torch_in):
        np.testing.assert_allclose(mine.grad.data, expected.grad.numpy(), rtol=1e-9, atol=1e-12)
