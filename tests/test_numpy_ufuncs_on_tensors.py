"""numpy functions called on Tensors, as torch answers them (`perplexity = np.exp(loss)`)."""
import numpy as np
import pytest

import tinygrad_edu as tg


def test_a_ufunc_of_a_tensor_is_a_tensor_of_numpy_result():
    loss = tg.tensor(2.0)
    perplexity = np.exp(loss)
    assert isinstance(perplexity, tg.Tensor) and perplexity.shape == () and perplexity.dtype == np.float32
    np.testing.assert_allclose(perplexity.item(), np.exp(np.float32(2.0)))
    assert np.isnan(tg.tensor([1.0, float("nan")])).tolist() == [False, True]
    assert np.maximum(tg.tensor([1.0, 4.0]), 2.0).tolist() == [2.0, 4.0]
    quotient, remainder = np.divmod(tg.tensor([7, 8]), 3)
    assert quotient.tolist() == [2, 2] and remainder.tolist() == [1, 2]


def test_a_ufunc_of_a_tensor_that_requires_grad_is_torch_error():
    with pytest.raises(RuntimeError, match="requires grad"):
        np.exp(tg.tensor(1.0, requires_grad=True))


def test_operators_and_out_keep_their_meaning():
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    product = np.array([1.0, 2.0], dtype=np.float32) * w  # the tensor's reflected op: in the graph
    assert product.grad_fn is not None
    into = np.zeros(2, dtype=np.float32)
    into += tg.tensor([1.0, 2.0])
    assert into.tolist() == [1.0, 2.0]


def test_same_as_torch():
    torch = pytest.importorskip("torch")
    values = [0.5, 1.0, 4.0]
    for ufunc in (np.exp, np.sqrt, np.log, np.abs, np.sign):
        np.testing.assert_allclose(ufunc(tg.tensor(values)).numpy(), ufunc(torch.tensor(values)).numpy(), rtol=1e-6)
