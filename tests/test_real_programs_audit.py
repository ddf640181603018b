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
    array = w.data
    w.data *= tg.tensor([2.0, 3.0])
    assert w.data is array and w.tolist() == [2.0, 6.0]


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


def test_numpy_function_on_a_tensor_is_still_refused():
    with pytest.raises(TypeError):
        np.exp(tg.tensor([1.0]))
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
