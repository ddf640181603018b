"""The ops as functions, with torch.nn.functional's names and signatures."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import loss, matmul
from ..ops import pad as padding
from ..ops.dropout import Dropout, check_probability
from ..ops.promotion import result_type
from ..tensor import Tensor
from .random import generator
from .regression_losses import check_reduction, legacy_reduction, matched_pair, reduce_weighted


def _tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Y = X Wᵀ + B, W of shape (out_features, in_features)."""
    return matmul.Linear.apply(input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: Y = X ⊙ M / (1 − p) with M_i ~ Bernoulli(1 − p) while training,
    Y = X when not. The mask comes from the generator `tg.manual_seed` seeds. inplace=True
    is accepted and computes out of place."""
    check_probability(p, "dropout")
    if not training or p == 0:
        return input
    return Dropout.apply(input, p, generator())


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(X, 0); inplace=True is accepted and computes out of place."""
    return input.relu()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^(X_i) / Σ_j e^(X_j) along dim; dim=None is torch's deprecated implicit choice (it warns)."""
    return input.softmax(_implicit_softmax_dim(input.ndim) if dim is None else dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """X_i − log Σ_j e^(X_j) along dim; dim=None as softmax's."""
    return input.log_softmax(_implicit_softmax_dim(input.ndim, "log_softmax") if dim is None else dim, dtype)


def mse_loss(input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """mean((input − target)²). A target of another shape is broadcast, with torch's warning;
    an int target is promoted as torch's (int64 with float32 gives float32). With `weight`
    (input's shape): w ⊙ (input − target)², whose "mean" is Σ w (input − target)² / Σ w."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    target = _tensor(target)
    data, target_data = input.array, target.array
    if weight is None and data.shape == target_data.shape and data.dtype == target_data.dtype and data.dtype.kind == "f":
        return loss.MSELoss.apply(input, target, reduction)  # the common case: nothing to broadcast or promote
    input, target = matched_pair(input, target, "mse_loss")
    dtype = result_type(input, target)
    if dtype.kind != "f":
        raise NotImplementedError(f'"mse_loss" not implemented for {dtype} (give it floats)')
    if weight is not None:
        check_reduction(reduction, "mse_loss")
        difference = input - target
        return reduce_weighted(difference * difference, weight, input, reduction)
    # The fused op takes arrays of one dtype (numpy would make float32 − int64 float64).
    input, target = (t if t.dtype == dtype else t.to(dtype) for t in (input, target))
    return loss.MSELoss.apply(input, target, reduction)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dims: `pad` = (left, right) for the last dim, then (top, bottom) for the
    one before, ...; mode "constant" (with `value`; negative pads crop), "reflect",
    "replicate" or "circular", as torch.nn.functional.pad."""
    return padding.pad(input, pad, mode, value)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each class index
    (num_classes=-1: the largest index + 1)."""
    classes = np.asarray(tensor.array)
    if classes.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensor of an integer dtype; got {classes.dtype}")
    if classes.size and classes.min() < 0:
        raise RuntimeError("one_hot: Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(classes.max()) + 1 if classes.size else 0
    if classes.size and classes.max() >= num_classes:
        raise RuntimeError(f"one_hot: Class values must be smaller than num_classes ({num_classes}); got {int(classes.max())}")
    return Tensor._from_op((classes[..., None] == np.arange(num_classes)).astype(np.int64), None)


# Activations, losses and channel dropout (issue 10), defined in their own files.
from .activation_functions import _implicit_softmax_dim  # noqa: E402
from .activation_functions import (  # noqa: E402
    celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, leaky_relu, logsigmoid, mish, prelu, relu6,
    selu, silu, softmin, softplus, softshrink, softsign, tanhshrink, threshold,
)
from .activation_functions import celu_, elu_, hardtanh_, leaky_relu_, relu_, selu_, threshold_  # noqa: E402
from .channel_dropout import dropout1d, dropout2d  # noqa: E402
from .classification_losses import (  # noqa: E402
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, nll_loss,
)
from .regression_losses import gaussian_nll_loss, huber_loss, kl_div, l1_loss, poisson_nll_loss, smooth_l1_loss  # noqa: E402
from .margin_losses import *  # noqa: E402,F401,F403  (the margin and embedding losses: its __all__)
from .ctc_loss import ctc_loss  # noqa: E402
from .attention import scaled_dot_product_attention  # noqa: E402
from .multihead_attention import multi_head_attention_forward  # noqa: E402
from .embedding import embedding  # noqa: E402
from .normalization import batch_norm, group_norm, layer_norm, normalize  # noqa: E402
from .instance_norm import instance_norm  # noqa: E402
from .rms_norm import rms_norm  # noqa: E402
from .distance import cosine_similarity, pairwise_distance  # noqa: E402
from .conv_functional import *  # noqa: E402,F401,F403  (the conv family: its __all__)
from .pooling_functional import *  # noqa: E402,F401,F403  (the pooling family: its __all__)
from .upsampling_functional import *  # noqa: E402,F401,F403  (interpolate: its __all__)
