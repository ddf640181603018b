"""Constructor options torch has and programs pass: Hardtanh's deprecated min_value/max_value,
TransformerEncoder's enable_nested_tensor/mask_check (stored, changing nothing here)."""
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def test_hardtanh_deprecated_names_warn_and_win():
    with pytest.warns(FutureWarning, match="min_value"):
        layer = nn.Hardtanh(min_val=-5.0, min_value=-0.5)
    assert (layer.min_val, layer.max_val) == (-0.5, 1.0)
    with pytest.warns(FutureWarning, match="max_value"):
        layer = nn.Hardtanh(max_value=2.0)
    assert (layer.min_val, layer.max_val) == (-1.0, 2.0)
    np.testing.assert_array_equal(layer(tg.tensor([-3.0, 0.5, 3.0])).numpy(), [-1.0, 0.5, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the current names do not warn
        nn.Hardtanh(-2.0, 2.0)


@pytest.mark.parametrize("low,high", [(2.0, 1.0), (1.0, 1.0)])
def test_hardtanh_empty_range_is_refused_as_torch_refuses_it(low, high):
    with pytest.raises(AssertionError, match="max_val"):  # torch's type
        nn.Hardtanh(low, high)
    with pytest.raises(ValueError, match="min_val"):  # what the problem is
        nn.Hardtanh(low, high)


def test_encoder_stores_the_nested_tensor_options():
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0)
    default = nn.TransformerEncoder(layer, 2)
    assert (default.enable_nested_tensor, default.mask_check, default.use_nested_tensor) == (True, True, False)
    options = nn.TransformerEncoder(layer, 2, None, False, False)
    assert (options.enable_nested_tensor, options.mask_check) == (False, False)
    options.load_state_dict(default.state_dict())
    x = tg.randn(3, 2, 4)
    np.testing.assert_array_equal(options(x).numpy(), default(x).numpy())


torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the constructor options")


def test_hardtanh_options_match_torch():
    with pytest.warns(FutureWarning):
        ours = nn.Hardtanh(min_value=-0.25, max_value=0.75)
    with pytest.warns(FutureWarning):
        theirs = torch.nn.Hardtanh(min_value=-0.25, max_value=0.75)
    assert repr(ours) == repr(theirs)
    x = np.linspace(-1, 1, 9)
    np.testing.assert_array_equal(ours(tg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy())
    with pytest.raises(AssertionError):
        torch.nn.Hardtanh(1.0, 1.0)


def test_encoder_options_match_torch_outside_its_fast_path():
    layer = torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch explains why its fast path is off
        theirs = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=True, mask_check=False)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2, enable_nested_tensor=True,
                                 mask_check=False).double()
    assert (ours.enable_nested_tensor, ours.mask_check) == (theirs.enable_nested_tensor, theirs.mask_check)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(3, 2, 4))
    np.testing.assert_allclose(ours(tg.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)
