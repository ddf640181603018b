"""The layers `compare_with_torch` can rebuild in torch.nn: each tinygrad_edu.nn class with a
function that makes its PyTorch counterpart from the same constructor arguments, read back
from the layer's attributes (which keep torch's names). Every argument that changes what the
layer computes is passed on (a conv's dilation, groups and padding_mode, a pool's padding,
dilation and ceil_mode, ...), so a twin built here computes what ours should.

Exact classes only: a subclass may override forward.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import nn

__all__ = ["LAYERS", "refuse_returned_indices"]


def _conv(torch_class: str) -> Callable[[Any, Any], Any]:
    def build(torch: Any, m: Any) -> Any:
        return getattr(torch.nn, torch_class)(
            m.in_channels, m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding, dilation=m.dilation,
            groups=m.groups, bias=m.bias is not None, padding_mode=m.padding_mode,
        )
    return build


def _conv_transpose(torch_class: str) -> Callable[[Any, Any], Any]:
    def build(torch: Any, m: Any) -> Any:
        return getattr(torch.nn, torch_class)(
            m.in_channels, m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding, output_padding=m.output_padding,
            groups=m.groups, bias=m.bias is not None, dilation=m.dilation, padding_mode=m.padding_mode,
        )
    return build


def refuse_returned_indices(model: Any, display: Callable[[str], str]) -> None:
    """A pool with return_indices=True returns (output, indices): a pair that the hooks, and
    the next layer, cannot take as one output. Refused before anything runs."""
    for name, module in model.named_modules():
        if getattr(module, "return_indices", False) and type(module) in LAYERS:
            raise TypeError(
                f"compare_with_torch cannot compare layer {display(name)!r} ({type(module).__name__}, return_indices=True): "
                f"it returns (output, indices); compare the model without return_indices"
            )


def _max_pool(torch_class: str) -> Callable[[Any, Any], Any]:
    return lambda torch, m: getattr(torch.nn, torch_class)(m.kernel_size, m.stride, padding=m.padding, dilation=m.dilation,
                                                           ceil_mode=m.ceil_mode)


def _adaptive_max_pool(torch_class: str) -> Callable[[Any, Any], Any]:
    return lambda torch, m: getattr(torch.nn, torch_class)(m.output_size)


def _upsample(torch: Any, m: Any) -> Any:
    return torch.nn.Upsample(m.size, m.scale_factor, mode=m.mode, align_corners=m.align_corners,
                             recompute_scale_factor=m.recompute_scale_factor)


def _batch_norm(torch_class: str) -> Callable[[Any, Any], Any]:
    def build(torch: Any, m: Any) -> Any:
        return getattr(torch.nn, torch_class)(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine,
                                              track_running_stats=m.track_running_stats, bias=m.bias is not None)
    return build


LAYERS: dict[type, Callable[[Any, Any], Any]] = {
    nn.Linear: lambda torch, m: torch.nn.Linear(m.in_features, m.out_features, bias=m.bias is not None),
    # convolution
    nn.Conv1d: _conv("Conv1d"),
    nn.Conv2d: _conv("Conv2d"),
    nn.ConvTranspose1d: _conv_transpose("ConvTranspose1d"),
    nn.ConvTranspose2d: _conv_transpose("ConvTranspose2d"),
    nn.Unfold: lambda torch, m: torch.nn.Unfold(m.kernel_size, m.dilation, m.padding, m.stride),
    nn.Fold: lambda torch, m: torch.nn.Fold(m.output_size, m.kernel_size, m.dilation, m.padding, m.stride),
    # pooling
    nn.MaxPool1d: _max_pool("MaxPool1d"),
    nn.MaxPool2d: _max_pool("MaxPool2d"),
    nn.AvgPool1d: lambda torch, m: torch.nn.AvgPool1d(m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad),
    nn.AvgPool2d: lambda torch, m: torch.nn.AvgPool2d(m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad,
                                                      m.divisor_override),
    nn.AdaptiveAvgPool1d: lambda torch, m: torch.nn.AdaptiveAvgPool1d(m.output_size),
    nn.AdaptiveAvgPool2d: lambda torch, m: torch.nn.AdaptiveAvgPool2d(m.output_size),
    nn.AdaptiveMaxPool1d: _adaptive_max_pool("AdaptiveMaxPool1d"),
    nn.AdaptiveMaxPool2d: _adaptive_max_pool("AdaptiveMaxPool2d"),
    nn.LPPool1d: lambda torch, m: torch.nn.LPPool1d(m.norm_type, m.kernel_size, m.stride, m.ceil_mode),
    nn.LPPool2d: lambda torch, m: torch.nn.LPPool2d(m.norm_type, m.kernel_size, m.stride, m.ceil_mode),
    # upsampling
    nn.Upsample: _upsample,
    nn.UpsamplingNearest2d: _upsample,
    nn.UpsamplingBilinear2d: _upsample,
    nn.PixelShuffle: lambda torch, m: torch.nn.PixelShuffle(m.upscale_factor),
    nn.PixelUnshuffle: lambda torch, m: torch.nn.PixelUnshuffle(m.downscale_factor),
    # normalization and lookup
    nn.BatchNorm1d: _batch_norm("BatchNorm1d"),
    nn.BatchNorm2d: _batch_norm("BatchNorm2d"),
    nn.LayerNorm: lambda torch, m: torch.nn.LayerNorm(m.normalized_shape, eps=m.eps, elementwise_affine=m.elementwise_affine,
                                                      bias=m.bias is not None),
    nn.GroupNorm: lambda torch, m: torch.nn.GroupNorm(m.num_groups, m.num_channels, eps=m.eps, affine=m.affine, bias=m.bias is not None),
    nn.Embedding: lambda torch, m: torch.nn.Embedding(m.num_embeddings, m.embedding_dim, padding_idx=m.padding_idx, max_norm=m.max_norm,
                                                      norm_type=m.norm_type, scale_grad_by_freq=m.scale_grad_by_freq, sparse=m.sparse),
    # shapes, dropout and activations
    nn.Flatten: lambda torch, m: torch.nn.Flatten(m.start_dim, m.end_dim),
    nn.Dropout: lambda torch, m: torch.nn.Dropout(m.p),
    nn.ReLU: lambda torch, m: torch.nn.ReLU(),
    nn.Tanh: lambda torch, m: torch.nn.Tanh(),
    nn.Sigmoid: lambda torch, m: torch.nn.Sigmoid(),
    # losses
    nn.MSELoss: lambda torch, m: torch.nn.MSELoss(reduction=m.reduction),
    nn.CrossEntropyLoss: lambda torch, m: torch.nn.CrossEntropyLoss(reduction=m.reduction),
}
