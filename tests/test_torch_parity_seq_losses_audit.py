"""Where an audit against PyTorch found losses, init, clipping, attention and recurrent layers
differing from torch: each test failed before its fix. PyTorch is the oracle where installed;
gradients are also checked by finite differences."""
import inspect
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.testing import gradcheck
from tinygrad_edu.nn import functional as F


def _torch():
    return pytest.importorskip("torch")


# ---- losses -----------------------------------------------------------------------------------
def test_cross_entropy_errors_are_torchs_types():
    logits = tg.randn(3, 5)
    with pytest.raises(IndexError, match="out of bounds"):  # the fused path raised ValueError
        F.cross_entropy(logits, tg.tensor([0, 1, 5]))
    with pytest.raises(RuntimeError, match="Long or Byte"):  # int32 labels: torch refuses them
        F.cross_entropy(logits, tg.tensor(np.array([0, 1, 2], dtype=np.int32)))
    with pytest.raises(RuntimeError, match="Long or Byte"):
        F.nll_loss(logits, tg.tensor(np.array([0, 1, 2], dtype=np.int32)))
    with pytest.raises(RuntimeError, match="Long or Byte"):  # float targets not of the input's shape
        F.cross_entropy(logits, tg.tensor([0.0, 1.0, 2.0]))
    uint8 = F.cross_entropy(logits, tg.tensor(np.array([0, 1, 2], dtype=np.uint8)))
    assert np.isclose(uint8.item(), F.cross_entropy(logits, tg.tensor([0, 1, 2])).item())


def test_cross_entropy_all_targets_ignored_is_nan_with_zero_gradient():
    torch = _torch()
    x = np.random.default_rng(0).standard_normal((2, 5)).astype(np.float32)
    ours, theirs = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    loss, expected = F.cross_entropy(ours, tg.tensor([-100, -100])), torch.nn.functional.cross_entropy(theirs, torch.tensor([-100, -100]))
    loss.backward(), expected.backward()
    assert np.isnan(loss.item()) and np.isnan(expected.item())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())  # zeros, not nan


def test_mse_loss_promotes_an_int_target_as_torch():
    torch = _torch()
    x = np.random.default_rng(1).standard_normal(3).astype(np.float32)
    ours = F.mse_loss(tg.tensor(x), tg.tensor([1, 2, 3]))
    theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor([1, 2, 3]))
    assert ours.dtype == tg.float32 and str(theirs.dtype) == "torch.float32"  # was float64
    assert np.isclose(ours.item(), theirs.item())


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_pointwise_losses_broadcast_a_target_of_another_shape_with_a_warning(name):
    torch = _torch()
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((3, 1)), rng.standard_normal(3)
    with pytest.warns(UserWarning, match="different to the input size"):
        ours = getattr(F, name)(tg.tensor(x, requires_grad=True), tg.tensor(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y))
    assert np.isclose(ours.item(), theirs.item())  # mse_loss raised ValueError before
    with pytest.raises(RuntimeError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(F, name)(tg.randn(3, 5), tg.randn(4))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_l1_take_torchs_elementwise_weight(name, reduction):
    torch = _torch()
    rng = np.random.default_rng(3)
    x, y, w = rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.random((2, 3)) + 0.1
    ours = getattr(F, name)(tg.tensor(x), tg.tensor(y), reduction=reduction, weight=tg.tensor(w))
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y), reduction=reduction, weight=torch.tensor(w))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    assert gradcheck(lambda x: getattr(F, name)(x, tg.tensor(y, dtype=tg.float64), reduction=reduction,
                                                 weight=tg.tensor(w, dtype=tg.float64)),
                     tg.tensor(x, dtype=tg.float64, requires_grad=True))
    with pytest.raises(ValueError, match="same size"):
        getattr(F, name)(tg.tensor(x), tg.tensor(y), weight=tg.ones(3))


def test_mse_loss_takes_the_legacy_flags():
    x, y = tg.randn(2, 3), tg.randn(2, 3)
    assert F.mse_loss(x, y, size_average=False).item() == pytest.approx(F.mse_loss(x, y, reduction="sum").item())
    assert F.mse_loss(x, y, reduce=False).shape == (2, 3)


def test_kl_div_is_torchs_xlogy_and_warns_on_mean():
    torch = _torch()
    x, t = np.log(np.array([0.2, 0.3, 0.5])), np.array([0.0, -0.5, 1.5])
    ours = F.kl_div(tg.tensor(x), tg.tensor(t), reduction="none").numpy()
    theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs)  # nan for the negative target, as torch; was finite
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(tg.tensor(x), tg.tensor(np.abs(t)))


def test_loss_module_signatures_are_torchs():
    torch = _torch()
    for name in ["MSELoss", "L1Loss", "SmoothL1Loss", "KLDivLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss"]:
        ours, theirs = inspect.signature(getattr(nn, name)), inspect.signature(getattr(torch.nn, name))
        assert list(ours.parameters) == list(theirs.parameters), name  # "allowed" leaked in before
    for name in ["mse_loss", "l1_loss"]:
        ours, theirs = inspect.signature(getattr(F, name)), inspect.signature(getattr(torch.nn.functional, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == [(p.name, p.default) for p in theirs.parameters.values()]


# ---- nn.init ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, args", [("uniform_", ()), ("normal_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
                                        ("kaiming_uniform_", ()), ("kaiming_normal_", ()), ("trunc_normal_", ()),
                                        ("orthogonal_", ()), ("sparse_", (0.5,))])
def test_random_initialisers_take_a_generator(name, args):
    draw = lambda seed: getattr(nn.init, name)(tg.zeros(6, 4), *args, generator=tg.Generator().manual_seed(seed)).numpy()  # noqa: E731
    np.testing.assert_array_equal(draw(7), draw(7))
    assert not np.array_equal(draw(7), draw(8))


def test_init_signatures_are_torchs():
    torch = _torch()
    for name in ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                 "trunc_normal_", "orthogonal_", "sparse_", "dirac_", "eye_", "constant_", "calculate_gain"]:
        ours, theirs = inspect.signature(getattr(nn.init, name)), inspect.signature(getattr(torch.nn.init, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == [(p.name, p.default) for p in theirs.parameters.values()], name


@pytest.mark.parametrize("nonlinearity", ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "selu"])
def test_calculate_gain_knows_torchs_other_names(nonlinearity):
    torch = _torch()
    assert nn.init.calculate_gain(nonlinearity) == torch.nn.init.calculate_gain(nonlinearity)


@pytest.mark.parametrize("shape, groups", [((6, 4, 3), 1), ((6, 4, 3, 3), 2), ((4, 6, 3, 2, 5), 1)])
def test_dirac_is_torchs(shape, groups):
    torch = _torch()
    ours = nn.init.dirac_(tg.ones(*shape), groups)
    np.testing.assert_array_equal(ours.numpy(), torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())


def test_sparse_zeroes_the_same_number_in_each_column():
    weight = nn.init.sparse_(tg.ones(10, 4), sparsity=0.3, std=0.01)
    assert ((weight.numpy() == 0).sum(axis=0) == 3).all()


def test_init_private_helpers_and_deprecated_names_as_torch():
    assert nn.init._calculate_fan_in_and_fan_out(tg.zeros(4, 3, 2)) == (6, 8)
    assert nn.init._calculate_correct_fan(tg.zeros(4, 3, 2), "fan_out") == 8
    with pytest.warns(FutureWarning, match="deprecated"):
        assert nn.init.constant(tg.zeros(2), 3.0).numpy().tolist() == [3.0, 3.0]


def test_kaiming_of_an_empty_tensor_warns_and_does_nothing_as_torch():
    with pytest.warns(UserWarning, match="zero-element"):
        assert nn.init.kaiming_uniform_(tg.zeros(0, 3)).shape == (0, 3)  # raised ValueError before


def test_bad_init_bounds_raise_torchs_runtime_error():
    with pytest.raises(RuntimeError):
        nn.init.uniform_(tg.zeros(3), 2.0, 1.0)
    with pytest.raises(RuntimeError):
        nn.init.normal_(tg.zeros(3), 0.0, -1.0)


# ---- nn.utils ---------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_get_total_norm_and_clip_grads_with_norm_as_torch(norm_type):
    torch = _torch()
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(5).astype(np.float32)]
    ours = [tg.zeros(*g.shape, requires_grad=True) for g in grads]
    theirs = [torch.zeros(*g.shape, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad, t.grad = tg.tensor(g), torch.tensor(g)
    total = nn.utils.get_total_norm([p.grad for p in ours], norm_type)
    expected = torch.nn.utils.get_total_norm([p.grad for p in theirs], norm_type)
    assert np.isclose(total.item(), expected.item())
    nn.utils.clip_grads_with_norm_(ours, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 1.0, expected)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-5)
    with pytest.warns(FutureWarning):
        nn.utils.clip_grad_norm(ours, 1.0)


def test_clip_grad_norm_takes_a_generator_of_parameters():
    layer = nn.Linear(3, 2)
    layer(tg.randn(4, 3)).sum().backward()
    expected = np.sqrt(sum((p.grad.numpy().astype(np.float64) ** 2).sum() for p in layer.parameters()))
    assert np.isclose(nn.utils.clip_grad_norm_(layer.parameters(), 1e-3).item(), expected, rtol=1e-5)
    assert np.isclose(np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in layer.parameters())), 1e-3, rtol=1e-3)


# ---- attention and the Transformer ------------------------------------------------------------
def _load_from_torch(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


def test_sdpa_enable_gqa_shares_key_value_heads_as_torch():
    torch = _torch()
    rng = np.random.default_rng(5)
    q, k, v = rng.standard_normal((2, 4, 3, 8)), rng.standard_normal((2, 2, 5, 8)), rng.standard_normal((2, 2, 5, 6))
    ours = F.scaled_dot_product_attention(tg.tensor(q), tg.tensor(k), tg.tensor(v), is_causal=True, enable_gqa=True)
    theirs = torch.nn.functional.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v), is_causal=True,
                                                              enable_gqa=True)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-7, atol=1e-10)
    assert gradcheck(lambda k, v: F.scaled_dot_product_attention(tg.tensor(q), k, v, enable_gqa=True),
                     tg.tensor(k, requires_grad=True), tg.tensor(v, requires_grad=True))


@pytest.mark.parametrize("add_bias_kv, add_zero_attn", [(True, False), (False, True), (True, True)])
def test_multihead_attention_add_bias_kv_and_add_zero_attn_as_torch(add_bias_kv, add_zero_attn):
    torch = _torch()
    theirs = torch.nn.MultiheadAttention(8, 2, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, dtype=torch.float64)
    ours = nn.MultiheadAttention(8, 2, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn, dtype=tg.float64)  # refused before
    _load_from_torch(ours, theirs)
    rng = np.random.default_rng(6)
    q, kv = rng.standard_normal((3, 2, 8)), rng.standard_normal((4, 2, 8))
    padding, causal = np.array([[False, False, False, True], [False] * 4]), np.triu(np.ones((3, 4), bool), 1)
    (out, weights), (expected, expected_weights) = (
        module(lib.tensor(q), lib.tensor(kv), lib.tensor(kv), key_padding_mask=lib.tensor(padding), attn_mask=lib.tensor(causal))
        for module, lib in ((ours, tg), (theirs, torch)))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(weights.detach().numpy(), expected_weights.detach().numpy(), rtol=1e-7, atol=1e-10)
    out.sum().backward(), expected.sum().backward()
    for (name, p), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-9, err_msg=name)
    assert gradcheck(lambda x: ours(x, tg.tensor(kv), tg.tensor(kv), need_weights=False)[0],
                     tg.tensor(q, requires_grad=True))


@pytest.mark.parametrize("batch_first, norm_first", [(False, False), (True, True)])
def test_transformer_and_decoder_match_torch(batch_first, norm_first):
    torch = _torch()
    theirs = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first, norm_first=norm_first, dtype=torch.float64)
    ours = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=batch_first, norm_first=norm_first, dtype=tg.float64)
    _load_from_torch(ours, theirs)  # encoder.*, decoder.layers.0.multihead_attn.*, norm3, ...
    rng = np.random.default_rng(7)
    src, tgt = rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 4, 8))
    if not batch_first:
        src, tgt = src.transpose(1, 0, 2).copy(), tgt.transpose(1, 0, 2).copy()
    padding = np.array([[False] * 3 + [True] * 2, [False] * 5])
    ours_src, ours_tgt = tg.tensor(src, requires_grad=True), tg.tensor(tgt, requires_grad=True)
    out = ours(ours_src, ours_tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, dtype=tg.float64),
               src_key_padding_mask=tg.tensor(padding), memory_key_padding_mask=tg.tensor(padding), tgt_is_causal=True)
    theirs_src, theirs_tgt = torch.tensor(src, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    expected = theirs(theirs_src, theirs_tgt, tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64),
                      src_key_padding_mask=torch.tensor(padding), memory_key_padding_mask=torch.tensor(padding), tgt_is_causal=True)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-7, atol=1e-9)
    out.sum().backward(), expected.sum().backward()
    np.testing.assert_allclose(ours_src.grad.numpy(), theirs_src.grad.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours_tgt.grad.numpy(), theirs_tgt.grad.numpy(), rtol=1e-6, atol=1e-9)


def test_transformer_decoder_layer_gradients_by_finite_differences():
    layer = nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, dtype=tg.float64)
    memory = tg.randn(3, 1, 4, dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda x, m: layer(x, m), tg.randn(2, 1, 4, dtype=tg.float64, requires_grad=True), memory)


def test_generate_square_subsequent_mask_is_torchs():
    torch = _torch()
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.dtype == tg.float32
    np.testing.assert_array_equal(mask.numpy(), torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())


@pytest.mark.parametrize("name", ["TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer", "MultiheadAttention",
                                  "RNNCell", "LSTMCell", "GRUCell"])
def test_constructor_signatures_are_torchs(name):
    torch = _torch()

    def defaults(cls, relu):  # torch's default activation is its F.relu, ours is ours
        return [(p.name, "F.relu" if p.default is relu else p.default) for p in inspect.signature(cls).parameters.values()]

    assert defaults(getattr(nn, name), F.relu) == defaults(getattr(torch.nn, name), torch.nn.functional.relu)


# ---- recurrent layers -------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [lambda **kw: nn.LSTM(3, 4, 2, proj_size=2, **kw), lambda **kw: nn.GRU(3, 4, **kw),
                                   lambda **kw: nn.RNN(3, 4, 1, "relu", **kw), lambda **kw: nn.LSTMCell(3, 4, **kw),
                                   lambda **kw: nn.GRUCell(3, 4, **kw), lambda **kw: nn.RNNCell(3, 4, **kw)])
def test_recurrent_layers_take_device_and_dtype(layer):
    module = layer(device="cpu", dtype=tg.float64)
    assert {p.dtype for p in module.parameters()} == {tg.float64}
    assert {p.dtype for p in layer().parameters()} == {tg.float32}


def test_rnn_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)


# ---- the losses that were missing -------------------------------------------------------------
_rng = np.random.default_rng(8)
_SIGNS = lambda *shape: _rng.choice([-1.0, 1.0], size=shape)  # noqa: E731
_MISSING_LOSSES = [
    ("margin_ranking_loss", [_rng.standard_normal(5), _rng.standard_normal(5), _SIGNS(5)], {"margin": 0.3}, (0, 1)),
    ("hinge_embedding_loss", [_rng.standard_normal((3, 4)), _SIGNS(3, 4)], {"margin": 0.5}, (0,)),
    ("soft_margin_loss", [_rng.standard_normal((3, 4)), _SIGNS(3, 4)], {}, (0,)),
    ("cosine_embedding_loss", [_rng.standard_normal((4, 6)), _rng.standard_normal((4, 6)), _SIGNS(4)], {"margin": 0.2}, (0, 1)),
    ("multilabel_soft_margin_loss", [_rng.standard_normal((3, 5)), (_rng.random((3, 5)) > 0.5) * 1.0],
     {"weight": _rng.random(5)}, (0,)),
    ("multi_margin_loss", [_rng.standard_normal((4, 5)), np.array([0, 4, 2, 2])], {"p": 2, "margin": 0.7, "weight": _rng.random(5)}, (0,)),
    ("multilabel_margin_loss", [_rng.standard_normal((3, 5)), np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 2, 3, 0]])], {}, (0,)),
    ("triplet_margin_loss", [_rng.standard_normal((4, 6)) for _ in range(3)], {"p": 1, "swap": True}, (0, 1, 2)),
    ("triplet_margin_with_distance_loss", [_rng.standard_normal((4, 6)) for _ in range(3)], {"swap": True}, (0, 1, 2)),
    ("poisson_nll_loss", [_rng.standard_normal((3, 4)), _rng.poisson(2, (3, 4)) * 1.0], {"full": True}, (0,)),
    ("poisson_nll_loss", [_rng.random((3, 4)) + 0.1, _rng.poisson(2, (3, 4)) * 1.0], {"log_input": False}, (0,)),
    ("gaussian_nll_loss", [_rng.standard_normal((3, 4)), _rng.standard_normal((3, 4)), _rng.random((3, 1)) + 0.1], {"full": True}, (0, 2)),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, inputs, options, differentiable", _MISSING_LOSSES, ids=[case[0] for case in _MISSING_LOSSES])
def test_missing_losses_match_torch(name, inputs, options, differentiable, reduction):
    torch = _torch()
    given = lambda lib: {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in dict(options, reduction=reduction).items()}  # noqa: E731
    ours_in = [tg.tensor(x, requires_grad=i in differentiable) for i, x in enumerate(inputs)]
    theirs_in = [torch.tensor(x, requires_grad=i in differentiable) for i, x in enumerate(inputs)]
    ours, theirs = getattr(F, name)(*ours_in, **given(tg)), getattr(torch.nn.functional, name)(*theirs_in, **given(torch))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-7, atol=1e-12)
    ours.sum().backward(), theirs.sum().backward()
    for i in differentiable:
        np.testing.assert_allclose(ours_in[i].grad.numpy(), theirs_in[i].grad.numpy(), rtol=1e-6, atol=1e-12)
    leaves = [tg.tensor(inputs[i], requires_grad=True) for i in differentiable]

    def loss(*leaves):
        args = list(ours_in)
        for i, leaf in zip(differentiable, leaves):
            args[i] = leaf
        return getattr(F, name)(*args, **given(tg))
    assert gradcheck(loss, *leaves)


@pytest.mark.parametrize("name, args, options", [
    ("MarginRankingLoss", 3, {"margin": 0.1}), ("HingeEmbeddingLoss", 2, {}), ("SoftMarginLoss", 2, {}),
    ("CosineEmbeddingLoss", 3, {}), ("MultiLabelSoftMarginLoss", 2, {}), ("MultiMarginLoss", 2, {"p": 2}),
    ("MultiLabelMarginLoss", 2, {}), ("TripletMarginLoss", 3, {"margin": 0.5}), ("PoissonNLLLoss", 2, {"full": True}),
    ("GaussianNLLLoss", 3, {"eps": 1e-3}), ("NLLLoss2d", 2, {}), ("TripletMarginWithDistanceLoss", 3, {"margin": 2.0})])
def test_missing_loss_modules_as_torch(name, args, options):
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # NLLLoss2d's deprecation, in both
        ours, theirs = getattr(nn, name)(**options), getattr(torch.nn, name)(**options)
    for method in ("__init__", "forward"):
        assert list(inspect.signature(getattr(type(ours), method)).parameters) == list(inspect.signature(getattr(type(theirs), method)).parameters)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    case = {"MarginRankingLoss": 0, "HingeEmbeddingLoss": 1, "SoftMarginLoss": 2, "CosineEmbeddingLoss": 3,
            "MultiLabelSoftMarginLoss": 4, "MultiMarginLoss": 5, "MultiLabelMarginLoss": 6, "TripletMarginLoss": 7,
            "PoissonNLLLoss": 9, "GaussianNLLLoss": 11, "TripletMarginWithDistanceLoss": 8}
    if name == "NLLLoss2d":
        inputs = [np.log(_rng.dirichlet(np.ones(3), (2, 4, 4)).transpose(0, 3, 1, 2)), _rng.integers(0, 3, (2, 4, 4))]
    else:
        inputs = _MISSING_LOSSES[case[name]][1]
    assert len(inputs) == args
    np.testing.assert_allclose(ours(*[tg.tensor(x) for x in inputs]).numpy(), theirs(*[torch.tensor(x) for x in inputs]).numpy(), rtol=1e-7)


def test_missing_losses_errors_as_torch():
    with pytest.raises(RuntimeError):
        F.multi_margin_loss(tg.randn(3, 4), tg.tensor([0, 1, 4]))
    with pytest.raises(ValueError, match="p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="incorrect size"):
        F.gaussian_nll_loss(tg.randn(3, 4), tg.randn(3, 4), tg.ones(2))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(tg.randn(3, 4), tg.randn(3, 4), -tg.ones(3, 4))
    with pytest.raises(RuntimeError, match="same dimension"):
        F.margin_ranking_loss(tg.randn(3), tg.randn(3), tg.ones(3, 1))
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(tg.randn(3, 2), tg.randn(3, 2), tg.randn(3, 2), margin=0.0)


def test_rnn_input_of_another_dtype_is_a_value_error_as_torch():
    lstm = nn.LSTM(3, 4)
    with pytest.raises(ValueError, match="does not match weight dtype"):  # silently float64 before
        lstm(tg.randn(5, 2, 3, dtype=tg.float64))
    assert lstm.double()(tg.randn(5, 2, 3, dtype=tg.float64))[0].dtype == tg.float64


def test_rnn_flat_weights_as_torch():
    torch = _torch()
    ours, theirs = nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2), torch.nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2)
    assert ours._flat_weights_names == theirs._flat_weights_names
    assert [p.shape for p in ours._flat_weights] == [tuple(p.shape) for p in theirs._flat_weights]


def test_multihead_attention_indivisible_heads_is_torchs_assertion_error():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(8, 3)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("padded", [True, False])
def test_ctc_loss_matches_torch(reduction, padded):
    torch = _torch()
    rng = np.random.default_rng(9)
    steps, batch, classes = 8, 4, 5
    log_probs = torch.randn(steps, batch, classes, dtype=torch.float64).log_softmax(2).numpy()
    rows = np.array([[1, 1, 2, 3], [2, 0, 0, 0], [3, 3, 3, 1], [4, 1, 4, 1]])  # repeats need a blank between
    target_lengths, input_lengths = np.array([4, 1, 3, 0]), np.array([8, 6, 7, 5])
    targets = rows if padded else np.concatenate([row[:n] for row, n in zip(rows, target_lengths)])
    ours_in, theirs_in = tg.tensor(log_probs, requires_grad=True), torch.tensor(log_probs, requires_grad=True)
    ours = F.ctc_loss(ours_in, tg.tensor(targets), tg.tensor(input_lengths), tg.tensor(target_lengths), reduction=reduction)
    theirs = torch.nn.functional.ctc_loss(theirs_in, torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths),
                                          reduction=reduction)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-9)
    ours.sum().backward(), theirs.sum().backward()
    # torch's gradient convention (that of the logits under a log_softmax), reproduced as is.
    np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-7, atol=1e-12)
    logits = rng.standard_normal((steps, batch, classes))
    assert gradcheck(lambda z: F.ctc_loss(z.log_softmax(2), tg.tensor(targets), tg.tensor(input_lengths), tg.tensor(target_lengths),
                                          reduction=reduction), tg.tensor(logits, requires_grad=True))


def test_ctc_loss_module_impossible_alignment_and_zero_infinity():
    torch = _torch()
    assert list(inspect.signature(nn.CTCLoss).parameters) == list(inspect.signature(torch.nn.CTCLoss).parameters)
    log_probs = tg.randn(3, 1, 4, dtype=tg.float64).log_softmax(2)
    arguments = (log_probs, tg.tensor([[1, 1, 1]]), tg.tensor([3]), tg.tensor([3]))  # 1, 1, 1 needs 5 steps
    assert nn.CTCLoss()(*arguments).item() == float("inf")
    assert nn.CTCLoss(zero_infinity=True)(*arguments).item() == 0.0


@pytest.mark.parametrize("name, inputs, options, differentiable", _MISSING_LOSSES, ids=[case[0] for case in _MISSING_LOSSES])
def test_missing_losses_second_order(check, name, inputs, options, differentiable):
    """First and second derivatives by finite differences (the `check` fixture runs both)."""
    constants = [tg.tensor(x) for x in inputs]
    given = {k: tg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}

    def loss(*leaves):
        args = list(constants)
        for i, leaf in zip(differentiable, leaves):
            args[i] = leaf
        return getattr(F, name)(*args, **given)
    assert check(loss, *[tg.tensor(inputs[i], requires_grad=True) for i in differentiable])


@pytest.mark.parametrize("separate", [False, True])
def test_multi_head_attention_forward_is_torchs(separate):
    """The functional form models call directly (CLIP's attention pooling, for one)."""
    torch = _torch()
    rng = np.random.default_rng(10)
    E, H, L, S, N = 8, 2, 3, 5, 2
    arrays = dict(query=rng.standard_normal((L, N, E)), key=rng.standard_normal((S, N, E)), value=rng.standard_normal((S, N, E)),
                  in_proj_bias=rng.standard_normal(3 * E), bias_k=rng.standard_normal((1, 1, E)), bias_v=rng.standard_normal((1, 1, E)),
                  out_proj_weight=rng.standard_normal((E, E)), out_proj_bias=rng.standard_normal(E),
                  key_padding_mask=np.array([[False] * 4 + [True], [False] * 5]))
    if separate:
        arrays.update(q_proj_weight=rng.standard_normal((E, E)), k_proj_weight=rng.standard_normal((E, E)),
                      v_proj_weight=rng.standard_normal((E, E)))
    else:
        arrays["in_proj_weight"] = rng.standard_normal((3 * E, E))

    def run(lib, function):
        given = {name: lib.tensor(array) for name, array in arrays.items()}
        given.setdefault("in_proj_weight", None)
        return function(embed_dim_to_check=E, num_heads=H, add_zero_attn=True, dropout_p=0.0, training=False,
                        use_separate_proj_weight=separate, average_attn_weights=False, **given)
    ours, theirs = run(tg, F.multi_head_attention_forward), run(torch, torch.nn.functional.multi_head_attention_forward)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-10)
    ours_names = list(inspect.signature(F.multi_head_attention_forward).parameters)
    assert ours_names == list(inspect.signature(torch.nn.functional.multi_head_attention_forward).parameters)


def test_losses_refuse_integer_inputs_and_targets_as_torch():
    probabilities, labels = tg.tensor([0.2, 0.7]), tg.tensor([0, 1])
    with pytest.raises(RuntimeError, match="float"):  # computed with the int labels before
        F.binary_cross_entropy(probabilities, labels)
    with pytest.raises(RuntimeError, match="float"):
        nn.BCEWithLogitsLoss()(probabilities, labels)
    with pytest.raises(RuntimeError, match="Integral"):
        F.kl_div(probabilities, labels, reduction="sum")
    with pytest.raises(NotImplementedError):  # OverflowError before
        F.cross_entropy(tg.tensor([[1, 2], [3, 4]]), tg.tensor([0, 1]))
    with pytest.raises(NotImplementedError):  # a loss from the integers before
        F.nll_loss(tg.tensor([[1, 2], [3, 4]]), tg.tensor([0, 1]))
    with pytest.raises(NotImplementedError):  # a float64 loss before
        F.mse_loss(tg.tensor([1, 2]), tg.tensor([0, 1]))
    assert F.mse_loss(probabilities, tg.tensor([False, True])).dtype == tg.float32  # a bool target is fine, as torch


def test_rnn_base_classes_are_public_as_torch():
    torch = _torch()
    assert isinstance(nn.LSTM(3, 4), nn.RNNBase) and isinstance(nn.GRUCell(3, 4), nn.RNNCellBase)  # AttributeError before
    assert list(nn.RNNBase("GRU", 3, 4, 2).state_dict()) == list(torch.nn.RNNBase("GRU", 3, 4, 2).state_dict())
    with pytest.raises(ValueError, match="Unrecognized RNN mode"):
        nn.RNNBase("XX", 3, 4)
