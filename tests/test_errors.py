"""Bad input gets a clear error that names the problem: the shapes, channel counts, labels
or dtypes involved, raised by the call that made the mistake."""
import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import functional as F


def message_of(error_type, call):
    with pytest.raises(error_type) as caught:
        call()
    return str(caught.value)


def assert_mentions(message, *fragments):
    missing = [fragment for fragment in fragments if fragment not in message]
    assert not missing, f"error message {message!r} does not mention {missing}"


def ones(*shape):
    return Tensor(np.ones(shape))


# ---- shapes ---------------------------------------------------------------------------------
def test_matmul_shape_mismatch_names_both_shapes():
    message = message_of(ValueError, lambda: ones(2, 3) @ ones(4, 5))
    assert_mentions(message, "matmul", "(2, 3)", "(4, 5)")


def test_linear_shape_mismatch_names_both_shapes():
    message = message_of(ValueError, lambda: F.linear(ones(2, 3), ones(4, 5)))
    assert_mentions(message, "linear", "(2, 3)", "(4, 5)", "in_features")


def test_add_of_non_broadcastable_shapes_names_both():
    message = message_of(ValueError, lambda: ones(2, 3) + ones(4))
    assert_mentions(message, "add", "(2, 3)", "(4,)", "broadcast")


def test_mse_loss_shape_mismatch_names_both_shapes():
    message = message_of(ValueError, lambda: F.mse_loss(ones(2, 3), ones(3, 2)))
    assert_mentions(message, "mse_loss", "(2, 3)", "(3, 2)")


def test_an_integer_tensor_to_a_negative_power_says_so_not_broadcast():
    # The shapes (1,) and () broadcast fine: numpy's real complaint must come through.
    message = message_of((ValueError, RuntimeError), lambda: Tensor([2]) ** -2)
    assert_mentions(message, "negative")
    assert "broadcast" not in message


def test_reshape_to_an_incompatible_shape():
    message = message_of(ValueError, lambda: ones(2, 3).reshape(4, 2))
    assert_mentions(message, "reshape", "(2, 3)", "6 elements", "(4, 2)")


@pytest.mark.parametrize("axis", [2, -3, (0, 5)])
def test_sum_over_an_out_of_range_axis(axis):
    message = message_of(ValueError, lambda: ones(2, 3).sum(axis=axis))
    assert_mentions(message, "sum", "out of range", "2 dims")


@pytest.mark.parametrize("dims", [(0, 0, 1), (1, 0), (0, 1, 3)], ids=["repeated", "too few", "out of range"])
def test_permute_with_bad_dims(dims):
    message = message_of(ValueError, lambda: ones(2, 3, 4).permute(*dims))
    assert_mentions(message, "permute", str(dims), "(2, 3, 4)", "not a permutation")


# ---- dims: torch's IndexError, never a silent wrap or a no-op -------------------------------
DIM_CASES = {
    "flatten(5)": (lambda: ones(2, 3).flatten(5), 5),  # did nothing
    "flatten(0, 7)": (lambda: ones(2, 3).flatten(0, 7), 7),  # flattened everything
    "nn.Flatten() on 1-D": (lambda: nn.Flatten()(ones(3)), 1),  # passed the input through
    "transpose(0, 5)": (lambda: ones(2, 3).transpose(0, 5), 5),  # a raw "list index out of range"
    "sum(dim=3)": (lambda: ones(2, 3).sum(dim=3), 3),
    "softmax(dim=4)": (lambda: ones(2, 3).softmax(dim=4), 4),
    "size(7)": (lambda: ones(2, 3).size(7), 7),  # a raw "tuple index out of range"
    "permute(0, 5)": (lambda: ones(2, 3).permute(0, 5), 5),
}


@pytest.mark.parametrize("case", DIM_CASES)
def test_a_dim_out_of_range_is_an_index_error_naming_the_dim(case):
    call, dim = DIM_CASES[case]
    message = message_of(IndexError, call)
    assert_mentions(message, "Dimension out of range", f"but got {dim}")
    with pytest.raises(ValueError):  # still caught by the except-clauses written for before
        call()


# ---- backward -------------------------------------------------------------------------------
def test_backward_on_a_non_scalar_without_gradient():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    message = message_of(RuntimeError, y.backward)
    assert_mentions(message, "scalar", "(2, 3)", "gradient=")


def test_backward_with_a_wrong_shaped_gradient():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    message = message_of(ValueError, lambda: y.backward(np.ones((3, 2))))
    assert_mentions(message, "gradient", "(3, 2)", "(2, 3)")


def test_second_backward_through_a_freed_graph():
    loss = (Tensor([1.0, 2.0], requires_grad=True) ** 2).sum()
    loss.backward()
    message = message_of(RuntimeError, loss.backward)
    assert_mentions(message, "freed", "retain_graph=True")


def test_backward_on_a_tensor_without_grad():
    message = message_of(RuntimeError, (Tensor([1.0]) * 2).backward)
    assert_mentions(message, "does not require grad")


# ---- Tensor data ------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [[[1.0, 2.0], [3.0]], [[1.0], [2.0, [3.0]]]], ids=["rows", "depth"])
def test_ragged_nested_lists(data):
    assert_mentions(message_of(ValueError, lambda: Tensor(data)), "ragged")


@pytest.mark.parametrize(
    "data, dtype_name",
    [(["a", "b"], "<U1"), ([1.0, "a"], "<U"), ([object()], "object"), (None, "object"), ({"a": 1}, "object")],
    ids=["strings", "numbers and a string", "object", "None", "dict"],
)
def test_non_numeric_data(data, dtype_name):
    message = message_of(TypeError, lambda: Tensor(data))
    assert_mentions(message, "numeric", dtype_name, type(data).__name__)


@pytest.mark.parametrize("dtype", [str, object, np.complex128], ids=["str", "object", "complex"])
def test_non_numeric_dtype(dtype):
    message = message_of(TypeError, lambda: Tensor([1.0], dtype=dtype))
    assert_mentions(message, "dtype", "numeric", str(np.dtype(dtype)))


def test_requires_grad_on_an_int_tensor():
    message = message_of(TypeError, lambda: Tensor([1, 2], requires_grad=True))
    assert_mentions(message, "floating-point", "int64")


# ---- conv2d ---------------------------------------------------------------------------------
def test_conv2d_channel_mismatch_names_both_channel_counts():
    message = message_of(ValueError, lambda: F.conv2d(ones(1, 3, 5, 5), ones(4, 2, 3, 3)))
    assert_mentions(message, "conv2d", "3 channels", "expects 2", "(1, 3, 5, 5)", "(4, 2, 3, 3)")


def test_conv2d_takes_an_unbatched_3d_input_and_names_any_other_rank():
    assert F.conv2d(ones(3, 5, 5), ones(4, 3, 3, 3)).shape == (4, 3, 3)  # (C, H, W) in, (O, OH, OW) out, as torch
    message = message_of(ValueError, lambda: F.conv2d(ones(5, 5), ones(4, 3, 3, 3)))
    assert_mentions(message, "conv2d", "3D (unbatched) or 4D (batched)", "[5, 5]")


def test_conv2d_kernel_larger_than_input():
    message = message_of(ValueError, lambda: F.conv2d(ones(1, 1, 2, 2), ones(1, 1, 3, 3)))
    assert_mentions(message, "conv2d", "larger", "(3, 3)", "(2, 2)")


def test_conv2d_stride_must_be_positive():
    message = message_of(ValueError, lambda: F.conv2d(ones(1, 1, 4, 4), ones(1, 1, 3, 3), stride=0))
    assert_mentions(message, "conv2d", "stride must be positive")


@pytest.mark.parametrize("option, value", [("stride", 1.5), ("padding", 0.5)])
def test_conv2d_with_a_float_stride_or_padding_names_it(option, value):
    # Before: a raw "'float' object is not iterable".
    message = message_of(TypeError, lambda: F.conv2d(ones(1, 1, 4, 4), ones(1, 1, 3, 3), **{option: value}))
    assert_mentions(message, option, str(value))
    assert "iterable" not in message


# ---- cross_entropy ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "labels, bad_label, index", [([0, 1, 7], 7, 2), ([0, -1, 2], -1, 1)], ids=["too large", "negative"]
)
def test_cross_entropy_out_of_range_label_names_label_and_index(labels, bad_label, index):
    message = message_of(ValueError, lambda: F.cross_entropy(ones(3, 4), Tensor(labels)))
    assert_mentions(message, "cross_entropy", f"label {bad_label}", f"index {index}", "4 classes")


def test_cross_entropy_float_targets():
    message = message_of(TypeError, lambda: F.cross_entropy(ones(3, 4), Tensor([0.0, 1.0, 2.0])))
    assert_mentions(message, "cross_entropy", "integer class indices", "float32")


@pytest.mark.parametrize("shape", [(2,), (0,), (2, 3)])
def test_item_and_truth_of_a_tensor_without_one_element_are_runtime_errors_as_torch(shape):
    import tinygrad_edu as tg
    tensor = tg.ones(*shape)
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        tensor.item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with (no values|more than one value) is ambiguous"):
        bool(tensor)
    with pytest.raises(ValueError):  # what the old error type caught still catches it
        tensor.item()
