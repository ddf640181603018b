"""scaled_dot_product_attention(is_causal=True)'s own path (a cached mask of the future keys):
the same values and gradients as the explicit lower-triangular mask, for as many queries as
keys, fewer and more, and as torch's; the shared mask cannot be changed by a caller."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn import attention
from tinygrad_edu.nn import functional as F


def _run(length, source, **options):
    rng = np.random.default_rng(length * 10 + source)
    arrays = rng.standard_normal((2, length, 3)), rng.standard_normal((2, source, 3)), rng.standard_normal((2, source, 2))
    q, k, v = (tg.tensor(a, requires_grad=True) for a in arrays)
    output = F.scaled_dot_product_attention(q, k, v, **options)
    output.backward(tg.tensor(np.cos(np.arange(output.numel())).reshape(output.shape)))
    return arrays, output.numpy(), [t.grad.numpy() for t in (q, k, v)]


@pytest.mark.parametrize("length, source", [(4, 4), (3, 5), (5, 3), (1, 1)])
def test_causal_equals_the_lower_triangular_mask(length, source):
    _, output, grads = _run(length, source, is_causal=True)
    _, expected, expected_grads = _run(length, source, attn_mask=np.tril(np.ones((length, source), dtype=bool)))
    np.testing.assert_array_equal(output, expected)
    for grad, expected_grad in zip(grads, expected_grads):
        np.testing.assert_array_equal(grad, expected_grad)


@pytest.mark.parametrize("length, source", [(4, 4), (3, 5), (5, 3)])
def test_causal_matches_torch(length, source):
    torch = pytest.importorskip("torch", reason="the PyTorch oracle needs torch (pip install torch==2.13.0)")
    arrays, output, grads = _run(length, source, is_causal=True)
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    theirs = torch.nn.functional.scaled_dot_product_attention(*leaves, is_causal=True)
    theirs.backward(torch.tensor(np.cos(np.arange(theirs.numel())).reshape(theirs.shape)))
    np.testing.assert_allclose(output, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    for grad, leaf in zip(grads, leaves):
        np.testing.assert_allclose(grad, leaf.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_causal_with_no_keys_gives_an_empty_result():
    q, k, v = tg.randn(2, 3), tg.randn(0, 3), tg.randn(0, 2)
    assert F.scaled_dot_product_attention(q, k, v, is_causal=True).shape == (2, 2)


def test_the_shared_mask_is_read_only():
    with pytest.raises(ValueError, match="read-only"):
        attention._future_keys(3, 3)[0, 0] = True
