"""What real PyTorch programs (makemore, nanoGPT, the PyTorch tutorials, d2l) do with tensors,
and torch's answer for each: one test per idiom that failed or differed before.

The torch oracle runs in this process where PyTorch is installed (`pytest.importorskip`).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.testing import gradcheck


# ---- numpy array op Tensor: `p.data += -lr * p.grad` (makemore), with .data the ndarray ---------
def test_data_plus_equals_tensor_updates_the_parameter_in_place():
    torch = pytest.importorskip("torch")
    for framework in (tg, torch):
        w = framework.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        w.data += -0.5 * w.grad  # makemore's update
        w.data -= 0.25 * w.grad
        assert w.tolist() == pytest.approx([1.0 - 1.5 * 1.0, 2.0 - 1.5 * 2.0])
        assert w.requires_grad and w.is_leaf


def test_data_update_stays_out_of_the_graph_and_keeps_the_array():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    array = w.array
    w.data *= tg.tensor([2.0, 3.0])
    assert w.array is array and w.tolist() == [2.0, 6.0]
    w.array += np.array([1.0, 1.0], dtype=np.float32) * tg.tensor([1.0, 2.0])  # ndarray += Tensor
    assert w.array is array and w.tolist() == [3.0, 8.0]


def test_array_operator_tensor_gives_the_tensor_in_the_graph():
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 2.0]], dtype=np.float32)
    w = tg.tensor([[3.0], [4.0]], requires_grad=True)
    tw = torch.tensor([[3.0], [4.0]], requires_grad=True)
    for ours, theirs in ((x @ w, torch.from_numpy(x) @ tw), (x * w, torch.from_numpy(x) * tw),
                         (x - w, torch.from_numpy(x) - tw), (x / w, torch.from_numpy(x) / tw)):
        assert isinstance(ours, tg.Tensor) and ours.grad_fn is not None
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)
    comparison = np.array([3.0, 5.0]) < tg.tensor([4.0, 4.0])
    assert isinstance(comparison, tg.Tensor) and comparison.tolist() == [True, False]


def test_numpy_ufunc_methods_on_a_tensor_are_refused():
    """np.exp(tensor) is a Tensor (tests/test_numpy_ufuncs_on_tensors.py); a ufunc's other
    methods (reduce, accumulate, at) are not taken."""
    with pytest.raises(TypeError):
        np.add.reduce(tg.tensor([1.0]))


# ---- Python's number protocols --------------------------------------------------------------
def test_format_of_a_one_number_tensor_is_the_numbers():
    torch = pytest.importorskip("torch")
    for value in (2.746443748474121, 3):
        assert f"{tg.tensor(value)}" == f"{torch.tensor(value)}"
        assert f"{tg.tensor(value):.2f}" == f"{torch.tensor(value):.2f}"
        assert "{:>8f}".format(tg.tensor(value)) == "{:>8f}".format(torch.tensor(value))
    with pytest.raises(TypeError):
        f"{tg.tensor([1.0, 2.0]):.2f}"


def test_float_int_and_percent_formatting():
    torch = pytest.importorskip("torch")
    for make in (tg.tensor, torch.tensor):
        assert float(make([[3.5]])) == 3.5 and int(make([-2.7])) == -2
        assert "%.2f%%" % (make(0.25) * 100) == "25.00%"
    with pytest.raises(ValueError):
        float(tg.tensor([1.0, 2.0]))


def test_index_protocol_only_for_one_integer():
    torch = pytest.importorskip("torch")
    names = ["a", "b", "c"]
    assert names[tg.tensor(1)] == names[torch.tensor(1)] == "b"
    assert list(range(tg.tensor([3]))) == [0, 1, 2]
    for bad in (tg.tensor(1.0), tg.tensor([1, 2])):
        with pytest.raises(TypeError, match="only integer tensors of a single element"):
            names[bad]


def test_contains():
    torch = pytest.importorskip("torch")
    for value in (2, 2.0, 5, tg.tensor(1)):
        theirs = torch.tensor(value.item()) if isinstance(value, tg.Tensor) else value
        assert (value in tg.tensor([1, 2])) == (theirs in torch.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        "a" in tg.tensor([1])


# ---- histogram, histc, bincount (makemore part 3's activation statistics) -------------------
def test_histogram_as_torch():
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).normal(size=200).astype(np.float32)
    cases = [dict(), dict(bins=7, density=True), dict(bins=3, range=(-1.0, 1.0))]
    for kwargs in cases:
        ours, theirs = tg.histogram(tg.tensor(data), **kwargs), torch.histogram(torch.tensor(data), **kwargs)
        np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-5)
        # torch's float32 linspace and numpy's float64 one cast to float32 differ in the last bit
        np.testing.assert_allclose(ours.bin_edges.numpy(), theirs.bin_edges.numpy(), rtol=1e-6, atol=1e-6)
        assert ours.hist.dtype == tg.float32
    edges = [0.0, 0.5, 2.0]
    hist, _ = tg.tensor(data).histogram(tg.tensor(edges), weight=tg.tensor(np.abs(data)))
    expected, _ = torch.histogram(torch.tensor(data), torch.tensor(edges), weight=torch.tensor(np.abs(data)))
    np.testing.assert_allclose(hist.numpy(), expected.numpy(), rtol=1e-5)
    constant_hist, constant_edges = tg.histogram(tg.tensor([1.0, 1.0, 1.0]), bins=4)
    assert constant_hist.tolist() == [0, 0, 3, 0] and constant_edges.tolist() == [0.5, 0.75, 1.0, 1.25, 1.5]
    with pytest.raises(NotImplementedError):
        tg.histogram(tg.tensor([1, 2]))


def test_histc_and_bincount_as_torch():
    torch = pytest.importorskip("torch")
    data = [0.0, 1.0, 2.0, 3.0, 10.0]
    for kwargs in (dict(bins=4), dict(bins=4, min=0, max=3)):
        assert tg.histc(tg.tensor(data), **kwargs).tolist() == torch.histc(torch.tensor(data), **kwargs).tolist()
    counts = [1, 1, 3]
    assert tg.bincount(tg.tensor(counts)).tolist() == torch.bincount(torch.tensor(counts)).tolist()
    assert tg.bincount(tg.tensor(counts)).dtype == tg.int64
    weighted = tg.tensor(counts).bincount(tg.tensor([0.5, 0.5, 1.0]), minlength=6)
    assert weighted.tolist() == torch.bincount(torch.tensor(counts), torch.tensor([0.5, 0.5, 1.0]), minlength=6).tolist()
    assert weighted.dtype == tg.float32
    for bad in (tg.tensor([-1, 2]), tg.tensor([[1, 2]]), tg.tensor([1.0])):
        with pytest.raises(RuntimeError, match="1-d non-negative integral"):
            tg.bincount(bad)


# ---- axis= for dim= (d2l writes numpy's spelling) -------------------------------------------
@pytest.mark.parametrize("call", [
    lambda m, x: x.cumsum(axis=0), lambda m, x: m.cumsum(x, axis=1), lambda m, x: x.cumprod(axis=1),
    lambda m, x: x.logsumexp(axis=1), lambda m, x: x.median(axis=1).values, lambda m, x: x.count_nonzero(axis=0),
    lambda m, x: x.cummax(axis=0).values, lambda m, x: m.softmax(x, axis=0), lambda m, x: m.log_softmax(x, axis=1),
    lambda m, x: x.sort(axis=1).values, lambda m, x: x.argsort(axis=0), lambda m, x: x.topk(2, axis=1).values,
    lambda m, x: x.index_select(axis=0, index=m.tensor([1])), lambda m, x: x.unsqueeze(axis=0),
    lambda m, x: x[None].squeeze(axis=0), lambda m, x: x.repeat_interleave(2, axis=0),
    lambda m, x: x.chunk(2, axis=1)[0], lambda m, x: x.unbind(axis=1)[1], lambda m, x: x.narrow(axis=1, start=1, length=2),
])
def test_axis_is_dim(call):
    torch = pytest.importorskip("torch")
    data = np.array([[3.0, 1.0, 2.0, 0.0], [4.0, 6.0, 5.0, 7.0]], dtype=np.float32)
    ours, theirs = call(tg, tg.tensor(data)), call(torch, torch.tensor(data))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_axis_and_dim_together_is_an_error():
    with pytest.raises(TypeError, match="both dim and its alias axis"):
        tg.tensor([1.0]).cumsum(dim=0, axis=0)


# ---- mv, addmm, addmv, baddbmm (d2l's linear algebra) ---------------------------------------
def _products(m, a, b, v, c, p, q):
    return [m.mv(a, v), a.mv(v), m.addmm(c, a, b), m.addmm(c[0], a, b, beta=0.5, alpha=2.0),
            c.addmm(a, b, beta=0, alpha=3), m.addmv(c[:, 0], a, v, beta=2), m.baddbmm(p[:, :, :2], p, q, alpha=0.5)]


def test_matrix_vector_products_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=shape).astype(np.float32) for shape in [(3, 4), (4, 2), (4,), (3, 2), (2, 3, 4), (2, 4, 2)]]
    ours = _products(tg, *[tg.tensor(a, requires_grad=True) for a in arrays])
    theirs = _products(torch, *[torch.tensor(a, requires_grad=True) for a in arrays])
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_matrix_vector_product_gradients():
    rng = np.random.default_rng(2)
    a, b, v, c = (tg.tensor(rng.normal(size=s), dtype=tg.float64, requires_grad=True) for s in [(3, 4), (4, 2), (4,), (3, 2)])
    p, q = (tg.tensor(rng.normal(size=s), dtype=tg.float64, requires_grad=True) for s in [(2, 3, 4), (2, 4, 2)])
    assert gradcheck(lambda a, b, c: tg.addmm(c, a, b, beta=0.5, alpha=2.0), a, b, c)
    assert gradcheck(lambda a, v, c: tg.addmv(c[:, 0], a, v, beta=2), a, v, c)
    assert gradcheck(lambda p, q: tg.baddbmm(p[:, :, :2], p, q, alpha=0.5), p, q)
    assert gradcheck(tg.mv, a, v)


def test_addmm_with_beta_zero_ignores_nan_input():
    result = tg.addmm(tg.full((2, 2), float("nan")), tg.eye(2), tg.eye(2), beta=0)
    assert result.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(Exception):
        tg.addmm(tg.ones(3, 3), tg.eye(2), tg.eye(2))
    with pytest.raises(Exception):
        tg.mv(tg.ones(2), tg.ones(2))


# ---- nanoGPT's CUDA and mixed-precision lines, on a CPU ---------------------------------------
def test_nanogpt_switches_run_and_change_nothing():
    torch = pytest.importorskip("torch")
    tg.backends.cuda.matmul.allow_tf32 = True
    tg.backends.cudnn.allow_tf32 = True
    assert tg.backends.cuda.matmul.allow_tf32 is True
    assert tg.cuda.is_bf16_supported() == torch.cuda.is_bf16_supported() is False
    assert tg.backends.cuda.is_built() is False and tg.backends.cuda.flash_sdp_enabled() is True
    table = {"float32": tg.float32, "bfloat16": tg.bfloat16, "float16": tg.float16}  # nanoGPT builds this
    assert table["float32"] == tg.float32 and tg.float32 != tg.bfloat16
    with pytest.raises(TypeError, match="bfloat16"):
        tg.zeros(2, dtype=tg.bfloat16)
    with pytest.raises(TypeError, match="bfloat16"):
        tg.ones(2).to(tg.bfloat16)
    assert tg.get_float32_matmul_precision() == "highest"
    tg.set_float32_matmul_precision("high")
    assert tg.get_float32_matmul_precision() == "high"
    tg.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError):
        tg.set_float32_matmul_precision("fast")


def test_autocast_disabled_is_nothing_and_enabled_says_float32():
    x = tg.ones(2, 2)
    assert not tg.is_autocast_enabled()
    with tg.amp.autocast(device_type="cpu", enabled=False):
        assert not tg.is_autocast_enabled()
        assert (x @ x).dtype == tg.float32
    with pytest.warns(UserWarning, match="float32"):
        with tg.autocast(device_type="cpu", dtype=tg.bfloat16):
            assert tg.is_autocast_enabled()
            assert (x @ x).dtype == tg.float32
    assert not tg.is_autocast_enabled()

    @tg.autocast("cpu", enabled=False)
    def forward(a):
        return a * 2
    assert forward(x).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    with pytest.raises(ValueError):
        tg.autocast(0)


def test_grad_scaler_for_cuda_disables_itself_as_torch_does():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cuda.amp.GradScaler(enabled=True)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        ours = tg.cuda.amp.GradScaler(enabled=True)
    assert ours.is_enabled() == theirs.is_enabled() is False
    assert ours.get_scale() == theirs.get_scale() == 1.0 and ours.state_dict() == theirs.state_dict() == {}
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    optimizer = tg.optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    assert ours.scale(loss) is loss
    ours.scale(loss).backward()
    ours.unscale_(optimizer)
    ours.step(optimizer)
    ours.update()
    assert w.tolist() == pytest.approx([0.8, 1.6])
    assert not tg.amp.GradScaler("cuda", enabled=False).is_enabled()


def _scaler_run(framework, grads):
    """Steps with the given gradients (None: from the loss); the weights and scales after each."""
    scaler = framework.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    w = framework.ones(2, requires_grad=True)
    optimizer = framework.optim.SGD([w], lr=0.1)
    history = []
    for grad in grads:
        if grad is None:
            scaler.scale((w * 2).sum()).backward()
        else:
            w.grad = framework.tensor(grad)
        scaler.unscale_(optimizer)
        with pytest.raises(RuntimeError, match="already been called"):
            scaler.unscale_(optimizer)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()
        history.append((w.tolist(), scaler.get_scale()))
    return history, scaler.state_dict()


def test_grad_scaler_on_cpu_scales_skips_and_adapts_as_torch():
    torch = pytest.importorskip("torch")
    grads = [None, None, None, [float("inf"), 1.0], None]
    ours, theirs = _scaler_run(tg, grads), _scaler_run(torch, grads)
    for (w_ours, scale_ours), (w_theirs, scale_theirs) in zip(ours[0], theirs[0]):
        assert w_ours == pytest.approx(w_theirs) and scale_ours == scale_theirs
    assert ours[1] == theirs[1]
    scaler = tg.amp.GradScaler("cpu")
    scaler.load_state_dict(ours[1])
    assert scaler.get_scale() == ours[1]["scale"]
    assert [t.tolist() for t in scaler.scale([tg.tensor(1.0), (tg.tensor(2.0),)])[1]] == [2.0 * ours[1]["scale"]]


# ---- grad modes: inference_mode, bare decorators ----------------------------------------------
def test_inference_mode_as_torch():
    torch = pytest.importorskip("torch")
    for framework in (tg, torch):
        w = framework.ones(2, requires_grad=True)
        with framework.inference_mode():
            assert not framework.is_grad_enabled() and framework.is_inference_mode_enabled()
            assert not (w * 2).requires_grad
        assert framework.is_grad_enabled() and not framework.is_inference_mode_enabled()
        with framework.no_grad():
            with framework.inference_mode(False):
                assert framework.is_grad_enabled() and not framework.is_inference_mode_enabled()

        @framework.inference_mode
        def bare(x):
            return (x * 2).requires_grad, framework.is_inference_mode_enabled()

        @framework.inference_mode()
        def called(x):
            return (x * 2).requires_grad

        assert bare(w) == (False, True) and called(w) is False
    assert tg.autograd.inference_mode is tg.inference_mode


def test_no_grad_and_enable_grad_as_bare_decorators():
    torch = pytest.importorskip("torch")
    for framework in (tg, torch):
        @framework.no_grad
        def evaluate(x):
            return x * 2

        @framework.enable_grad
        def train(x):
            return x * 2

        w = framework.ones(1, requires_grad=True)
        assert not evaluate(w).requires_grad
        with framework.no_grad():
            assert train(w).requires_grad


# ---- torch's top-level names for nn.functional -------------------------------------------------
def test_top_level_functional_names_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(5, 3)).astype(np.float32)
    target = (x > 0).astype(np.float32)
    for reduction in (0, 1, 2):
        np.testing.assert_allclose(
            tg.binary_cross_entropy_with_logits(tg.tensor(x), tg.tensor(target), reduction=reduction).numpy(),
            torch.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(target), reduction=reduction).numpy(), rtol=1e-6)
    np.testing.assert_allclose(tg.embedding(tg.tensor(w), tg.tensor([4, 0])).numpy(),
                               torch.embedding(torch.tensor(w), torch.tensor([4, 0])).numpy())
    ours = tg.batch_norm(tg.tensor(x), tg.full((3,), 2.0), tg.ones(3), tg.zeros(3), tg.ones(3), True, 0.1, 1e-5)
    theirs = torch.batch_norm(torch.tensor(x), torch.full((3,), 2.0), torch.ones(3), torch.zeros(3), torch.ones(3), True, 0.1, 1e-5, False)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(tg.layer_norm(tg.tensor(x), (3,)).numpy(), torch.layer_norm(torch.tensor(x), (3,)).numpy(), rtol=1e-5, atol=1e-6)
    assert tg.dropout(tg.tensor(x), 0.5, False).tolist() == torch.dropout(torch.tensor(x), 0.5, False).tolist()
    assert tg.conv2d is tg.nn.functional.conv2d
    with pytest.raises(ValueError, match="reduction"):
        tg.binary_cross_entropy_with_logits(tg.tensor(x), tg.tensor(target), reduction="mean")


# ---- constants, finfo, iinfo, compile, deterministic algorithms ------------------------------
def test_constants_finfo_iinfo_as_torch():
    torch = pytest.importorskip("torch")
    assert (tg.pi, tg.e, tg.inf) == (torch.pi, torch.e, torch.inf) and tg.nan != tg.nan and tg.newaxis is None
    for ours, theirs in ((tg.float32, torch.float32), (tg.float16, torch.float16), (tg.float64, torch.float64)):
        mine, reference = tg.finfo(ours), torch.finfo(theirs)
        for name in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(mine, name) == getattr(reference, name), name
        assert type(mine.min) is float and repr(mine) == repr(reference)
    assert tg.finfo().eps == torch.finfo().eps
    for ours, theirs in ((tg.int64, torch.int64), (tg.int32, torch.int32), (tg.uint8, torch.uint8), (tg.int8, torch.int8)):
        assert (tg.iinfo(ours).min, tg.iinfo(ours).max, tg.iinfo(ours).bits) == (torch.iinfo(theirs).min, torch.iinfo(theirs).max, torch.iinfo(theirs).bits)
    with pytest.raises(TypeError):
        tg.finfo(tg.int64)
    with pytest.raises(TypeError):
        tg.iinfo(tg.float32)


def test_compile_returns_what_it_is_given_and_determinism_switch():
    model = tg.nn.Linear(2, 2)
    assert tg.compile(model) is model

    @tg.compile
    def double(x):
        return x * 2

    @tg.compile(mode="max-autotune", fullgraph=True)
    def triple(x):
        return x * 3

    assert double(2) == 4 and triple(2) == 6
    with pytest.raises(RuntimeError):
        tg.compile(3)
    assert not tg.are_deterministic_algorithms_enabled()
    tg.use_deterministic_algorithms(True, warn_only=True)
    assert tg.are_deterministic_algorithms_enabled() and tg.is_deterministic_algorithms_warn_only_enabled()
    tg.use_deterministic_algorithms(False)
    assert not tg.are_deterministic_algorithms_enabled()


# ---- Tensor methods programs use --------------------------------------------------------------
def test_small_tensor_methods_as_torch():
    torch = pytest.importorskip("torch")
    for framework in (tg, torch):
        x = framework.tensor([1.5, -2.0, 3.0])
        labels = framework.tensor([1, 0, 2])
        assert labels.type_as(x).dtype == x.dtype and x.type_as(labels).tolist() == [1, -2, 3]
        assert (x.nbytes, x.itemsize, labels.itemsize, x.is_cpu, x.get_device()) == (12, 4, 8, True, -1)
        assert framework.ones(2, 3).ravel().shape == (6,)
        assert (x.is_signed(), framework.tensor([1], dtype=framework.uint8).is_signed(), x.is_complex()) == (True, False, False)
        assert x.clamp_min(0.0).tolist() == [1.5, 0.0, 3.0] and x.clamp_max(0.0).tolist() == [0.0, -2.0, 0.0]
        assert framework.clamp_min(x, 2.0).tolist() == [2.0, 2.0, 3.0] and framework.clamp_max(x, 2.0).tolist() == [1.5, -2.0, 2.0]
        assert x.sgn().tolist() == [1.0, -1.0, 1.0] and x.positive() is x
        assert x.abs().multinomial(2).shape == (2,) and framework.ones(2, 3).bernoulli().tolist() == [[1.0] * 3] * 2


def test_addcmul_addcdiv_and_their_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    a, b, c = (rng.normal(size=5).astype(np.float32) for _ in range(3))
    c = np.abs(c) + 0.5
    for value in (1, 0.3):
        ours = tg.addcmul(tg.tensor(a), tg.tensor(b), tg.tensor(c), value=value)
        theirs = torch.addcmul(torch.tensor(a), torch.tensor(b), torch.tensor(c), value=value)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)  # torch fuses a multiply-add
        assert tg.addcdiv(tg.tensor(a), tg.tensor(b), tg.tensor(c), value=value).tolist() == \
            torch.addcdiv(torch.tensor(a), torch.tensor(b), torch.tensor(c), value=value).tolist()
    a64, b64, c64 = (tg.tensor(v, dtype=tg.float64, requires_grad=True) for v in (a, b, c))
    assert gradcheck(lambda a, b, c: a.addcmul(b, c, value=0.5), a64, b64, c64)
    assert gradcheck(lambda a, b, c: a.addcdiv(b, c, value=2.0), a64, b64, c64)
    assert gradcheck(lambda a: tg.clamp_min(a, 0.1) + a.clamp_max(-0.1), a64)


@pytest.mark.parametrize("call", [
    "clamp_min_(0.)", "clamp_max_(1.)", "addcmul_(other, other, value=2)", "addcdiv_(other, other + 3, value=0.5)",
    "lerp_(other * 2, 0.3)", "square_()", "reciprocal_()", "floor_()", "ceil_()", "round_()", "round_(decimals=1)",
])
def test_more_inplace_methods_as_torch(call):
    torch = pytest.importorskip("torch")
    values = [1.26, -0.5, 2.7]
    results = []
    for framework in (tg, torch):
        x, other = framework.tensor(values), framework.tensor([0.5, 1.5, -2.0])
        returned = eval(f"x.{call}", {"x": x, "other": other})
        assert returned is x
        results.append(x.tolist())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_inplace_method_on_a_leaf_that_requires_grad_is_refused_and_recorded_on_a_non_leaf():
    w = tg.tensor([1.0, -2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        w.clamp_min_(0.0)
    h = w * 1.0
    h.clamp_min_(0.0)
    h.sum().backward()
    assert w.grad.tolist() == [1.0, 0.0]


def test_random_inplace_fills():
    tg.manual_seed(0)
    mask = tg.empty(1000).bernoulli_(0.3)
    assert set(mask.tolist()) <= {0.0, 1.0} and 0.2 < mask.mean().item() < 0.4
    drawn = tg.empty(1000).exponential_(2.0)
    assert drawn.min().item() >= 0 and 0.4 < drawn.mean().item() < 0.6
    per_element = tg.empty(2, 3).bernoulli_(tg.tensor([0.0, 1.0, 0.0]))
    assert per_element.tolist() == [[0.0, 1.0, 0.0]] * 2
    with pytest.raises(RuntimeError):
        tg.empty(2).bernoulli_(1.5)
    with pytest.raises(RuntimeError):
        tg.empty(2).exponential_(0.0)


def test_scatter_and_index_add_in_place_as_torch():
    torch = pytest.importorskip("torch")
    for framework in (tg, torch):
        labels = framework.tensor([0, 1, 3])
        one_hot = framework.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1)  # the older one-hot idiom
        assert one_hot.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
        assert framework.zeros(2, 3).scatter_(1, framework.tensor([[0], [2]]), framework.ones(2, 1) * 5).tolist() == [[5, 0, 0], [0, 0, 5]]
        index = framework.tensor([0, 0, 2])
        assert framework.zeros(3).index_add_(0, index, framework.ones(3), alpha=2).tolist() == [4.0, 0.0, 2.0]
        assert framework.zeros(3).scatter_add_(0, index, framework.arange(3.0)).tolist() == [1.0, 0.0, 2.0]
    w = tg.ones(3, requires_grad=True)
    h = tg.zeros(3) * 1
    h.scatter_add_(0, tg.tensor([0, 0, 2]), w * 2)
    h.sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


# ---- torch.Tensor(*sizes) and the legacy types ------------------------------------------------
def test_tensor_of_sizes_as_torch():
    torch = pytest.importorskip("torch")
    for args in [(2, 3), (4,), (0,), ()]:
        ours, theirs = tg.Tensor(*args), torch.Tensor(*args)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == tg.float32
    assert tg.Tensor([1.0, 2.0]).tolist() == torch.Tensor([1.0, 2.0]).tolist()
    weight = tg.nn.Parameter(tg.Tensor(3, 2))  # custom layers, then filled by nn.init
    tg.nn.init.kaiming_uniform_(weight)
    assert weight.shape == (3, 2) and weight.requires_grad
    assert tg.Tensor(2, 2, dtype=tg.float64).dtype == tg.float64
    with pytest.raises(TypeError, match="sizes"):
        tg.Tensor(2, 2.5)


def test_legacy_tensor_types_as_torch():
    torch = pytest.importorskip("torch")
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor", "BoolTensor", "ShortTensor", "CharTensor"):
        ours, theirs = getattr(tg, name)([1, 0]), getattr(torch, name)([1, 0])
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.") and ours.tolist() == theirs.tolist()
        assert isinstance(ours, getattr(tg, name)) and isinstance(ours, tg.Tensor)
    assert not isinstance(tg.ones(2), tg.LongTensor) and not isinstance(3, tg.FloatTensor)
    assert tg.FloatTensor(2, 3).shape == (2, 3)
    assert tg.tensor([1.7, -1.7]).type(tg.LongTensor).tolist() == torch.tensor([1.7, -1.7]).type(torch.LongTensor).tolist()


# ---- printing: torch.Size and torch's tensor layout -------------------------------------------
def test_shape_is_a_torch_size():
    torch = pytest.importorskip("torch")
    x, t = tg.ones(2, 3), torch.ones(2, 3)
    for ours, theirs in ((x.shape, t.shape), (x.size(), t.size()), (x.shape[1:], t.shape[1:]), (x.shape + (4,), t.shape + (4,)),
                         ((1,) + x.shape, (1,) + t.shape), (tg.Size([5]), torch.Size([5]))):
        assert repr(ours) == repr(theirs) and str(ours) == str(theirs) and ours == tuple(theirs)
        assert isinstance(ours, tg.Size) and isinstance(ours, tuple)
    assert x.shape == (2, 3) and x.shape.numel() == t.shape.numel() == 6 and x.size(-1) == 3
    assert f"{x.shape}" == f"{t.shape}" and hash(x.shape) == hash((2, 3))


def _print_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    normal = lambda *shape: rng.normal(size=shape).astype(np.float32)  # noqa: E731
    return [
        np.array(2.746443748474121, np.float32), np.array(3), np.array(True), np.array([1.0, 2.0], np.float32),
        np.arange(12, dtype=np.float32).reshape(3, 4), normal(3, 4), normal(2, 3, 4), normal(30), normal(50, 50),
        normal(2000), normal(3, 400, 2), normal(2, 2, 2, 2), normal(5, 27), normal(4, 1, 3) * 1e-3,
        np.array([1e-5, 1.0], np.float32), np.array([1e9, 1.0], np.float32), np.array([1e5, 1.0], np.float32),
        np.array([1e5, 1.5], np.float32), np.array([123456.789, 0.001], np.float32), np.array([[1e-10]], np.float32),
        np.array([np.nan, np.inf, -np.inf, 1.0], np.float32), np.array([0.0, 0.0], np.float32), np.array([np.nan], np.float32),
        np.array([-0.0, 1.0], np.float32), np.arange(1001, dtype=np.float32),
        np.arange(27, dtype=np.int32).reshape(3, 9), rng.integers(-1000, 1000, size=(40,)), np.array([True, False]),
        np.array([1, 2], np.uint8), np.array([1.5, 2.25], np.float64), np.array([1.5, 2.25], np.float16),
        np.array([], np.float32), np.zeros((0, 3), np.float32), np.zeros((0,), np.int64),
    ]


@pytest.mark.parametrize("index", range(len(_print_cases())))
def test_repr_is_torchs(index):
    torch = pytest.importorskip("torch")
    array = _print_cases()[index]
    assert repr(tg.tensor(array)) == repr(torch.tensor(array))
    assert str(tg.tensor(array)) == str(torch.tensor(array))


def test_repr_suffixes_and_print_options_as_torch():
    torch = pytest.importorskip("torch")
    assert repr(tg.tensor([1.0, 2.0], requires_grad=True)) == repr(torch.tensor([1.0, 2.0], requires_grad=True))
    assert repr(tg.ones(2, 40, dtype=tg.float64, requires_grad=True)) == repr(torch.ones(2, 40, dtype=torch.float64, requires_grad=True))
    array = np.random.default_rng(1).normal(size=(4, 30)).astype(np.float32)
    options = [dict(precision=2), dict(sci_mode=False), dict(sci_mode=True), dict(linewidth=200), dict(profile="short"),
               dict(profile="full"), dict(threshold=5, edgeitems=1)]
    try:
        for option in options:
            tg.set_printoptions(**option)
            torch.set_printoptions(**option)
            for data in (array, np.array([1e-5, 1.0], np.float32), np.array([3.0, 2.0], np.float32)):
                assert repr(tg.tensor(data)) == repr(torch.tensor(data)), option
    finally:
        tg.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    with pytest.raises(ValueError):
        tg.set_printoptions(profile="long")


# ---- more torch functions: statistics, NaN handling, searching, pieces ------------------------
_MORE_CALLS = [
    "var_mean(X)", "std_mean(X, 1)", "var_mean(Y, 0, keepdim=True)", "nansum(X)", "nansum(X, 1)", "nanmean(X)",
    "nanmean(X, 0)", "aminmax(Y)", "aminmax(Y, dim=1)", "nan_to_num(Z)", "nan_to_num(Z, nan=1.0, posinf=2.0)",
    "logit(P)", "logit(P, eps=0.25)", "isin(I, J)", "searchsorted(S, V)", "searchsorted(S, V, right=True)",
    "bucketize(V, S)", "trace(Y)", "diff(I)", "diff(Y, dim=0)", "diff(I, n=2, prepend=J)", "tensor_split(I, 2)",
    "tensor_split(I, [1, 3])", "tensor_split(Y, 2, dim=1)", "Y.nansum()", "Y.aminmax().max", "I.diff()", "Y.trace()",
    "P.logit()", "Z.nan_to_num()", "I.tensor_split(3)",
]


@pytest.mark.parametrize("call", _MORE_CALLS)
def test_more_functions_as_torch(call):
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]], np.float32)
    results = []
    for m in (tg, torch):
        names = dict(m=m, X=m.tensor(data), Y=m.tensor(np.nan_to_num(data)), P=m.tensor([0.1, 0.5, 0.9]),
                     Z=m.tensor(np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)), I=m.tensor([1, 4, 9, 16]),
                     J=m.tensor([4, 5]), S=m.tensor([1, 3, 5]), V=m.tensor([0, 3, 6]))
        out = eval(call if call[0] in "XYZPIJSV" else "m." + call, names)
        results.append([o.tolist() for o in out] if isinstance(out, tuple) else out.tolist())
    assert repr(results[0]) == repr(results[1])  # NaN and inf in place, nested pieces of any length


def test_more_functions_gradients():
    rng = np.random.default_rng(5)
    x = tg.tensor(rng.normal(size=(3, 4)), dtype=tg.float64, requires_grad=True)
    p = tg.tensor(rng.uniform(0.1, 0.9, size=5), dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda x: sum(tg.var_mean(x, 1)) + sum(tg.std_mean(x, 0, keepdim=True)).sum(), x)
    assert gradcheck(lambda x: tg.nansum(x, 0) + tg.nanmean(x, 0) + tg.nan_to_num(x).sum(0), x)
    assert gradcheck(lambda p: tg.logit(p) + tg.logit(p, eps=0.2), p)
    assert gradcheck(lambda x: tg.trace(x[:, :3]) + x.diff(dim=1).sum() + x.diff(n=2, dim=0, append=x[:1]).sum(), x)
    assert gradcheck(lambda x: tuple(piece * (i + 1) for i, piece in enumerate(x.tensor_split([1, 3], dim=1))), x)
    assert gradcheck(lambda x: sum(tg.aminmax(x, dim=1)), x)


def test_nan_elements_get_no_gradient_from_nansum():
    x = tg.tensor([1.0, float("nan"), 2.0], requires_grad=True)
    (tg.nansum(x) + tg.nanmean(x)).backward()
    assert x.grad.tolist() == [1.5, 0.0, 1.5]


def test_more_functions_errors():
    with pytest.raises(NotImplementedError, match="1-D sorted_sequence"):
        tg.searchsorted(tg.ones(2, 2), tg.ones(2))
    with pytest.raises(RuntimeError, match="expected a matrix"):
        tg.trace(tg.ones(2))
    with pytest.raises(RuntimeError, match="larger than 0"):
        tg.tensor_split(tg.ones(3), 0)


# ---- torch.autograd.functional --------------------------------------------------------------
def _functional_cases(m, F):
    x = m.tensor([1.0, 2.0, 3.0])
    y = m.tensor([[0.5, -1.0], [2.0, 1.0]])
    return [
        F.jacobian(lambda t: t ** 2, x), F.jacobian(lambda a, b: (a.sum() * b, b.exp()), (x, y)),
        F.jacobian(lambda a: a.sum(), x), F.jacobian(lambda t: m.ones(2), x),
        F.hessian(lambda t: (t ** 3).sum(), x), F.hessian(lambda a, b: (a ** 2).sum() * (b ** 2).sum(), (x, y)),
        F.vjp(lambda t: t ** 2, x, m.ones(3)), F.vjp(lambda t: (t ** 2).sum(), x),
        F.vjp(lambda a, b: a * b.sum(), (x, y), m.ones(3)), F.hvp(lambda t: (t ** 3).sum(), x, m.ones(3)),
    ]


def _same_nesting_and_values(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            _same_nesting_and_values(mine, reference)
    else:
        assert ours.shape == tuple(theirs.shape) and not ours.requires_grad
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_autograd_functional_as_torch():
    torch = pytest.importorskip("torch")
    import torch.autograd.functional as torch_functional

    for ours, theirs in zip(_functional_cases(tg, tg.autograd.functional), _functional_cases(torch, torch_functional)):
        _same_nesting_and_values(ours, theirs)


def test_autograd_functional_create_graph_and_errors():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda x: tg.autograd.functional.jacobian(lambda t: t ** 3, x, create_graph=True), x)
    assert gradcheck(lambda x: tg.autograd.functional.hessian(lambda t: (t ** 4).sum(), x, create_graph=True), x)
    with pytest.raises(RuntimeError, match="does not depend"):
        tg.autograd.functional.jacobian(lambda t: tg.ones(2), x, strict=True)
    with pytest.raises(RuntimeError, match="single Tensor with one element"):
        tg.autograd.functional.hessian(lambda t: t * 2, x)
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        tg.autograd.functional.jacobian(lambda t: t, [1.0])


# ---- torch's random numbers (torch_random.py) -------------------------------------------------
_DRAWS = {
    "rand": lambda m, g: m.rand(3, generator=g), "rand_2d": lambda m, g: m.rand(10, 100, generator=g),
    "rand_float64": lambda m, g: m.rand(7, generator=g, dtype=m.float64),
    "randn_small": lambda m, g: m.randn(3, generator=g), "randn_27x10": lambda m, g: m.randn((27, 10), generator=g),
    "randn_float64": lambda m, g: m.randn(40, generator=g, dtype=m.float64),
    "randn_in_turn": lambda m, g: m.cat([m.randn(1, generator=g), m.randn(3, generator=g), m.randn(17, generator=g), m.randn(2, generator=g)]),
    "randint": lambda m, g: m.randint(0, 1000, (50,), generator=g), "randint_wide": lambda m, g: m.randint(-3, 2 ** 40, (5,), generator=g),
    "randperm": lambda m, g: m.randperm(100, generator=g), "normal": lambda m, g: m.normal(0.5, 2.0, (5,), generator=g),
    "normal_tensors": lambda m, g: m.normal(m.zeros(20), m.ones(20) * 3, generator=g),
    "multinomial_one": lambda m, g: m.stack([m.multinomial(m.tensor([0.1, 0.2, 0.7]), 1, replacement=True, generator=g) for _ in range(30)]),
    "multinomial_rows": lambda m, g: m.multinomial(m.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]]), 2, generator=g),
    "multinomial_replacement": lambda m, g: m.multinomial(m.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]]), 20, replacement=True, generator=g),
    "uniform_": lambda m, g: m.empty(50).uniform_(-0.3, 0.7, generator=g), "normal_": lambda m, g: m.empty(5).normal_(0.0, 0.02, generator=g),
    "normal_large": lambda m, g: m.empty(64, 32).normal_(0.0, 0.02, generator=g),
    "exponential_": lambda m, g: m.empty(9).exponential_(2.5, generator=g),
    "one_stream": lambda m, g: m.cat([m.rand(2, generator=g), m.randn(2, generator=g), m.randint(0, 5, (3,), generator=g).float(), m.rand(2, generator=g)]),
}


@pytest.mark.parametrize("name", list(_DRAWS))
def test_seeded_draws_are_torchs(name):
    torch = pytest.importorskip("torch")
    ours = _DRAWS[name](tg, tg.Generator().manual_seed(2147483647))
    theirs = _DRAWS[name](torch, torch.Generator().manual_seed(2147483647))
    assert ours.dtype == getattr(tg, str(theirs.dtype).removeprefix("torch."))
    assert np.array_equal(ours.numpy(), theirs.numpy())


def test_global_seed_and_makemores_first_draws_are_torchs():
    torch = pytest.importorskip("torch")
    tg.manual_seed(42)
    torch.manual_seed(42)
    assert np.array_equal(tg.rand(5).numpy(), torch.rand(5).numpy())
    assert np.array_equal(tg.randn(300).numpy(), torch.randn(300).numpy())
    assert tg.Generator().initial_seed() == torch.Generator().initial_seed()
    g = tg.Generator().manual_seed(2147483647)
    p = tg.rand(3, generator=g)
    p = p / p.sum()
    assert repr(p) == "tensor([0.6064, 0.3033, 0.0903])"  # makemore part 1, as in the lecture
    assert tg.multinomial(p, num_samples=20, replacement=True, generator=g).tolist() == \
        [1, 1, 2, 0, 0, 2, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]


def test_float32_normals_large_draws_match_torch_to_the_last_bit_mostly():
    torch = pytest.importorskip("torch")
    ours = tg.randn(20000, generator=tg.Generator().manual_seed(7)).numpy()
    theirs = torch.randn(20000, generator=torch.Generator().manual_seed(7)).numpy()
    assert (ours == theirs).mean() > 0.995  # torch's vector log and sincos, ported: rare 1-ulp differences
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=5e-7)
