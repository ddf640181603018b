"""Neural-network building blocks on the autograd engine, named and laid out as torch.nn."""
from . import functional, init
from . import utils
from .activation import (
    CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, PReLU,
    ReLU, ReLU6, Sigmoid, SiLU, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold,
)
from .channel_dropout import Dropout1d, Dropout2d
from .container import ModuleDict, ModuleList, Sequential
from . import conv, pooling
from .conv import *  # noqa: F401,F403  (the conv layers: its __all__)
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .multihead_attention import MultiheadAttention
from .linear import Linear
from .loss import (
    BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CTCLoss, CrossEntropyLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss,
    KLDivLoss, L1Loss, MarginRankingLoss, MSELoss, MultiLabelMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss,
    NLLLoss, NLLLoss2d, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss,
)
from .module import Module
from .distance import CosineSimilarity, PairwiseDistance
from .instance_norm import InstanceNorm1d, InstanceNorm2d
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm
from .rms_norm import RMSNorm
from .parameter import Parameter
from .parameter_containers import ParameterDict, ParameterList
from .pooling import *  # noqa: F401,F403  (the pooling layers: its __all__)
from .random import manual_seed
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .shape_layers import Identity, Unflatten
from .softmax_modules import LogSoftmax, Softmax, Softmax2d, Softmin
from .transformer import Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer

__all__ = [
    "functional", "init", "manual_seed",
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Linear", "Flatten", "Dropout",
    "Tanh", "ReLU", "Sigmoid",
    "MSELoss", "CrossEntropyLoss",
    "utils", "Identity", "Unflatten", "Dropout1d", "Dropout2d",
    "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Softplus", "Softsign", "Hardtanh", "ReLU6",
    "Hardsigmoid", "Hardswish", "LogSigmoid", "Softmax", "LogSoftmax", "Softmin", "Threshold",
    "PReLU", "GLU", "Hardshrink", "Softshrink", "Tanhshrink", "Softmax2d",
    "MultiheadAttention", "TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer", "TransformerDecoder",
    "Transformer",
    "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
    "NLLLoss2d", "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
    "CosineEmbeddingLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "CTCLoss",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Embedding", "InstanceNorm1d", "InstanceNorm2d",
    "BatchNorm3d", "RMSNorm", "CosineSimilarity", "PairwiseDistance",
    "RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "RNNBase", "RNNCellBase",
]
__all__ += conv.__all__ + pooling.__all__
from . import padding  # noqa: E402
from .padding import *  # noqa: E402,F401,F403  (ZeroPad2d and the other padding layers: its __all__)
__all__ += padding.__all__
from .upsampling import *  # noqa: E402,F401,F403  (Upsample and its spellings: its __all__)
__all__ += upsampling.__all__  # noqa: F405
