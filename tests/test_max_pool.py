"""max_pool2d's tie rule: each window's gradient goes to ONE maximum, the first in row-major
window order, as PyTorch routes it. (The `max` reduction splits it evenly among ties instead:
tests/test_tensor.py.)

Ties are the common case in a CNN, not a corner: where relu zeroed a region, every window
there holds equal maxima (zeros, or the next conv's bias), so the rule decides which inputs
get gradient, and matching PyTorch's rule makes training runs agree with PyTorch's.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing.strategies import arrays, pool_cases

try:
    import torch
    import torch.nn.functional as TF
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (optional oracle: pip install torch)")


def pooled_and_input_grad(x, kernel, stride=None, grad_output=None):
    leaf = Tensor(np.asarray(x, dtype=np.float64), requires_grad=True, dtype=np.float64)
    pooled = F.max_pool2d(leaf, kernel, stride)
    pooled.backward(np.ones(pooled.shape) if grad_output is None else np.asarray(grad_output, dtype=np.float64))
    return pooled.numpy(), leaf.grad.numpy()


def image(rows):
    return np.array(rows, dtype=np.float64)[None, None]


# ---- which element gets the gradient, by hand -----------------------------------------------
def test_tiling_windows_route_a_tie_to_the_first_maximum():
    x = image([[1, 3, 0, 0],
               [3, 2, 0, 0],
               [5, 5, 2, 4],
               [1, 5, 4, 4]])
    pooled, grad = pooled_and_input_grad(x, 2, grad_output=image([[10, 20], [30, 40]]))
    np.testing.assert_array_equal(pooled, image([[3, 0], [5, 4]]))
    # window 3 1 / 3 2: the 3 at (0, 1) comes before the one at (1, 0); the all-zero window:
    # its top-left; 5 5 / 1 5: the top-left 5; 2 4 / 4 4: the 4 at (0, 1).
    np.testing.assert_array_equal(grad, image([[0, 10, 20, 0],
                                               [0, 0, 0, 0],
                                               [30, 0, 0, 40],
                                               [0, 0, 0, 0]]))


def test_overlapping_windows_each_route_to_their_own_first_maximum_and_add_up():
    constant = np.ones((3, 3))
    _, grad = pooled_and_input_grad(image(constant), 2, stride=1, grad_output=image([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(grad, image([[1, 2, 0], [3, 4, 0], [0, 0, 0]]))
    peak = image([[0, 0, 0], [0, 9, 0], [0, 0, 0]])
    _, grad = pooled_and_input_grad(peak, 2, stride=1, grad_output=image([[1, 2], [3, 4]]))
    np.testing.assert_array_equal(grad, image([[0, 0, 0], [0, 10, 0], [0, 0, 0]]))


def test_gapped_windows_route_to_their_first_maximum_and_leave_the_gaps_at_zero():
    _, grad = pooled_and_input_grad(image(np.full((5, 5), 7.0)), 2, stride=3)
    expected = np.zeros((5, 5))
    expected[[0, 0, 3, 3], [0, 3, 0, 3]] = 1
    np.testing.assert_array_equal(grad, image(expected))


def test_the_gradient_does_not_depend_on_the_memory_order_of_input_or_gradient():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(3, 2, 6, 4)).astype(np.float64)  # small integers: many ties
    grad_output = rng.standard_normal((3, 2, 3, 2))
    expected = pooled_and_input_grad(x, 2, grad_output=grad_output)
    # x as conv2d hands it on (batch innermost in memory) and as a channel-major view; the
    # gradient in C order, so the op has to bring it into the output's order.
    for memory_order in [(1, 2, 3, 0), (1, 0, 2, 3)]:
        view = np.ascontiguousarray(x.transpose(memory_order)).transpose(np.argsort(memory_order))
        leaf = Tensor.from_numpy(view).requires_grad_()
        pooled = F.max_pool2d(leaf, 2)
        pooled.backward(grad_output)
        np.testing.assert_array_equal(pooled.numpy(), expected[0])
        np.testing.assert_array_equal(leaf.grad.numpy(), expected[1])


# ---- the same rule as PyTorch ----------------------------------------------------------------
@needs_torch
@given(data=st.data())
def test_ties_route_as_in_pytorch(data):
    case = data.draw(pool_cases(), label="case")
    x = data.draw(arrays(case.input_shape, st.sampled_from([0.0, 1.0, 2.0])), label="x")  # mostly ties
    x_torch = torch.tensor(x, requires_grad=True)
    pooled_torch = TF.max_pool2d(x_torch, case.kernel, case.stride)
    grad_output = np.random.default_rng(0).standard_normal(tuple(pooled_torch.shape))
    pooled_torch.backward(torch.from_numpy(grad_output))
    pooled, grad = pooled_and_input_grad(x, case.kernel, case.stride, grad_output)
    np.testing.assert_array_equal(pooled, pooled_torch.detach().numpy())
    np.testing.assert_allclose(grad, x_torch.grad.numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
def test_a_cnn_with_tied_windows_after_relu_has_pytorchs_gradients():
    # A dark image with one bright patch: conv1 outputs its bias over the dark part, so after
    # relu the pool windows there are ties, and conv2 outputs its bias over the tied region.
    rng = np.random.default_rng(1)
    x = np.zeros((2, 1, 8, 8))
    x[:, :, 2:4, 3:6] = rng.uniform(0.5, 1.0, size=(2, 1, 2, 3))
    w1, w2 = rng.standard_normal((3, 1, 3, 3)), rng.standard_normal((4, 3, 3, 3))
    b1, b2 = np.array([0.3, -0.2, 0.1]), np.array([0.2, 0.4, -0.1, 0.05])

    def forward(functional, x, w1, b1, w2, b2):
        hidden = functional.max_pool2d(functional.conv2d(x, w1, b1, padding=1).relu(), 2)
        return functional.max_pool2d(functional.conv2d(hidden, w2, b2, padding=1).relu(), 2).sum()

    ours = [Tensor(v, requires_grad=True, dtype=np.float64) for v in (x, w1, b1, w2, b2)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x, w1, b1, w2, b2)]
    forward(F, *ours).backward()
    forward(TF, *theirs).backward()
    for name, our, their in zip(["x", "w1", "b1", "w2", "b2"], ours, theirs):
        np.testing.assert_allclose(our.grad.numpy(), their.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("kernel, stride", [(0, None), (2, 0), ((2, -1), 1)])
def test_a_kernel_or_stride_below_one_is_a_clear_error(kernel, stride):
    with pytest.raises(ValueError, match="max_pool2d: kernel_size and stride must be positive"):
        F.max_pool2d(Tensor(np.ones((1, 1, 4, 4))), kernel, stride)
