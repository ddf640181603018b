"""compare_with_torch maps every conv, pooling, upsampling, normalization and embedding layer to
its torch.nn twin with all of its arguments: a model using them agrees with PyTorch, each mapped
layer built with non-default arguments agrees alone, and a layer that computes the wrong thing
(here: a conv that forgets its padding_mode, the very argument the old twin dropped) is named."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="compare_with_torch needs PyTorch, the optional oracle (pip install torch)")

from tinygrad_edu import nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402
from tinygrad_edu.testing import compare_with_torch  # noqa: E402
from tinygrad_edu.testing.parity_layers import LAYERS  # noqa: E402

TOLERANCES = {"atol": 1e-10, "rtol": 1e-8}


def images(*shape: int) -> np.ndarray:
    return np.random.default_rng(sum(shape)).standard_normal(shape)


def conv_pool_model() -> nn.Sequential:
    """A grouped, dilated, reflect-padded conv, a ceil_mode max pool and an adaptive avg pool."""
    return nn.Sequential(
        nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2, padding_mode="reflect"),
        nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        nn.AdaptiveAvgPool2d((2, 3)),
        nn.Flatten(),
        nn.Linear(36, 3),
    ).double()


def test_a_grouped_dilated_reflect_conv_with_ceil_mode_and_adaptive_pools_agrees():
    report = compare_with_torch(conv_pool_model(), images(2, 4, 10, 10), **TOLERANCES)
    assert report.ok, str(report)
    assert [row.layer_class for row in report.layers] == ["Conv2d", "ReLU", "MaxPool2d", "AdaptiveAvgPool2d", "Flatten", "Linear"]
    assert report.layers[0].grad_diffs.keys() == {"weight", "bias"}


def test_a_conv_that_forgets_its_padding_mode_is_named(monkeypatch):
    model = conv_pool_model()
    conv = model[0]
    # Zero padding where the layer asks for reflect: the same shapes, different values.
    monkeypatch.setattr(conv, "forward", lambda x: F.conv2d(x, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups))
    report = compare_with_torch(model, images(2, 4, 10, 10), **TOLERANCES)
    assert report.first_divergence == "0"
    assert not report.layers[0].activation_ok
    assert "look at 0 (Conv2d)'s forward" in str(report)


def test_a_twin_that_ignores_padding_mode_would_be_caught():
    """What the old mapping built (no dilation, groups or padding_mode) disagrees with our layer."""
    model = conv_pool_model()
    conv = model[0]
    old_twin = torch.nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2).double()
    report = compare_with_torch(model, images(2, 4, 10, 10), torch_layers={"0": old_twin}, **TOLERANCES)
    assert report.first_divergence == "0", str(report)
    assert conv.padding_mode == "reflect"


def test_a_max_pool_that_forgets_ceil_mode_is_named(monkeypatch):
    model = conv_pool_model()
    monkeypatch.setattr(model[2], "forward", lambda x: F.max_pool2d(x, 3, 2, 1))
    report = compare_with_torch(model, images(2, 4, 10, 10), **TOLERANCES)
    assert report.first_divergence == "2"
    assert report.layers[2].activation_diff == float("inf")  # ceil_mode adds a row and a column


# One small model per mapped layer, with arguments away from the defaults, and its input.
CASES = {
    "Conv1d": (lambda: nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2, padding_mode="circular"), (2, 4, 11)),
    "Conv1d same": (lambda: nn.Conv1d(2, 3, 4, padding="same", padding_mode="replicate", bias=False), (2, 2, 7)),
    "Conv2d": (lambda: nn.Conv2d(4, 4, (2, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=4, padding_mode="replicate"), (2, 4, 7, 8)),
    "ConvTranspose1d": (lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=2), (2, 4, 5)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 4, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2,
                                                   bias=False, dilation=(2, 1)), (2, 2, 4, 3)),
    "Unfold": (lambda: nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)), (2, 3, 6, 7)),
    "Fold": (lambda: nn.Fold((5, 6), 2, stride=1), (2, 8, 20)),
    "MaxPool1d": (lambda: nn.MaxPool1d(3, stride=2, padding=1, dilation=2, ceil_mode=True), (2, 3, 10)),
    "MaxPool2d": (lambda: nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=True), (2, 3, 8, 7)),
    "AvgPool1d": (lambda: nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 3, 10)),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=5), (2, 3, 8, 7)),
    "AdaptiveAvgPool1d": (lambda: nn.AdaptiveAvgPool1d(4), (2, 3, 10)),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d((3, None)), (2, 3, 8, 7)),
    "AdaptiveMaxPool1d": (lambda: nn.AdaptiveMaxPool1d(4), (2, 3, 10)),
    "AdaptiveMaxPool2d": (lambda: nn.AdaptiveMaxPool2d((3, 5)), (2, 3, 8, 7)),
    "LPPool1d": (lambda: nn.LPPool1d(2, 3, stride=2, ceil_mode=True), (2, 3, 10)),
    "LPPool2d": (lambda: nn.LPPool2d(2, (2, 3), stride=(2, 1)), (2, 3, 8, 7)),
    "Upsample": (lambda: nn.Upsample(scale_factor=(2, 1.5), mode="bilinear", align_corners=False), (2, 3, 4, 4)),
    "Upsample size": (lambda: nn.Upsample(size=7, mode="linear", align_corners=True), (2, 3, 4)),
    "UpsamplingNearest2d": (lambda: nn.UpsamplingNearest2d(scale_factor=2), (2, 3, 4, 3)),
    "UpsamplingBilinear2d": (lambda: nn.UpsamplingBilinear2d(size=(5, 6)), (2, 3, 4, 3)),
    "PixelShuffle": (lambda: nn.PixelShuffle(2), (2, 8, 3, 3)),
    "PixelUnshuffle": (lambda: nn.PixelUnshuffle(2), (2, 2, 4, 6)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3, eps=1e-3, momentum=None), (4, 3, 5)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3, momentum=0.3, affine=False), (4, 3, 3, 3)),
    "LayerNorm": (lambda: nn.LayerNorm((3, 4), eps=1e-3, bias=False), (2, 5, 3, 4)),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4, eps=1e-3), (2, 4, 3, 3)),
}


@pytest.mark.parametrize("case", CASES)
def test_each_mapped_layer_agrees_with_its_twin(case):
    build, shape = CASES[case]
    # A Linear first: the layer's dE/dX is then compared too (a model's input needs no gradient).
    width = shape[-1]
    model = nn.Sequential(nn.Linear(width, width), build()).double()
    report = compare_with_torch(model, images(*shape), **TOLERANCES)
    assert report.ok, str(report)
    assert report.layers[1].grad_input_diff is not None


def test_every_mapped_conv_pooling_and_normalization_layer_has_a_case():
    covered = {case.split()[0] for case in CASES}
    families = ("Conv", "Unfold", "Fold", "Pool", "Upsampl", "PixelShuffle", "PixelUnshuffle", "Norm")
    mapped = {cls.__name__ for cls in LAYERS if any(word in cls.__name__ for word in families)}
    assert mapped <= covered, mapped - covered


def test_embedding_with_a_padding_row_agrees():
    model = nn.Sequential(nn.Embedding(7, 4, padding_idx=2), nn.Flatten(), nn.Linear(12, 2)).double()
    report = compare_with_torch(model, np.array([[0, 2, 6], [2, 3, 3]]), **TOLERANCES)
    assert report.ok, str(report)
    assert report.layers[0].grad_diffs["weight"] is not None


def test_batch_norm_in_training_mode_agrees_and_keeps_its_running_statistics():
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU()).double()
    before = {name: value.clone() for name, value in model.state_dict().items()}  # a snapshot, not views
    report = compare_with_torch(model, images(4, 2, 5, 5), **TOLERANCES)
    assert report.ok, str(report)
    after = model.state_dict()
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)


def test_a_layer_it_cannot_map_is_named():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.LeakyReLU(0.2))
    with pytest.raises(TypeError, match=r"cannot map layer '1' \(LeakyReLU\).*torch_layers=\{'1': torch_module\}"):
        compare_with_torch(model, images(1, 1, 5, 5))


@pytest.mark.parametrize("pool, shape", [(lambda: nn.MaxPool2d(2, return_indices=True), (1, 2, 4, 4)),
                                         (lambda: nn.AdaptiveMaxPool1d(2, return_indices=True), (1, 2, 4))])
def test_a_pool_returning_indices_is_refused_by_name(pool, shape):
    model = nn.Sequential(nn.Identity(), pool())
    with pytest.raises(TypeError, match=r"layer '1' \(\w+, return_indices=True\)"):
        compare_with_torch(model, images(*shape))
