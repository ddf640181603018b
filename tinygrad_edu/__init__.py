"""tinygrad_edu: a small, fast, honest autograd framework on numpy."""
import math as _math
# tensor first: it imports the ops, which import function, which imports Tensor back.
from .tensor import Tensor
from .function import Context, Function
from .grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from . import accelerator, amp, autograd, backends, cuda, nn, optim
from .amp import autocast, is_autocast_enabled
from .creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, logspace,
    meshgrid, ones, ones_like, tensor, tril_indices, triu_indices, zeros, zeros_like,
)
from .devices import device, get_default_device, set_default_device
from .dtypes import (
    bfloat16, double, finfo, float16, float32, float64, get_default_dtype, half, iinfo, int8, int16, int32, int64, long,
    set_default_dtype, short, uint8,
)
# torch's `torch.float`, `torch.int` and `torch.bool`; named with a trailing underscore inside
# the package so that no module of ours loses Python's float, int and bool.
from .dtypes import bool_ as bool, float_ as float, int_ as int  # noqa: A001
from .compiling import compile  # noqa: A004  torch.compile
from .determinism import (
    are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled, use_deterministic_algorithms,
)
from .legacy_types import (
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
)
from .size import Size
from .tensor_str import set_printoptions
from .matmul_precision import get_float32_matmul_precision, set_float32_matmul_precision
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from .random_tensors import (
    bernoulli, multinomial, normal, rand, rand_like, randint, randint_like, randn, randn_like,
    randperm,
)
from .serialization import load, save
from .api import elementwise as _elementwise, reductions as _reductions, shape as _shape
from .api.elementwise import *  # noqa: F401,F403  tg.add, tg.exp, ... (torch's functions)
from .api.reductions import *  # noqa: F401,F403
from .api.shape import *  # noqa: F401,F403
from .api import functional_aliases as _functional_aliases
from .api.functional_aliases import *  # noqa: F401,F403  torch.conv2d, torch.dropout, ...

__all__ = [
    "Tensor", "Function", "Context", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled",
    "autograd", "nn", "optim", "manual_seed", "save", "load",
    # creation
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
    "full_like", "empty_like", "arange", "linspace", "logspace", "eye", "tril_indices", "triu_indices",
    "meshgrid", "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
    "normal", "bernoulli", "multinomial", "Generator", "default_generator", "initial_seed", "seed",
    # dtypes and devices (tg.float, tg.int and tg.bool are left out of `import *`, which would
    # otherwise hide Python's own float, int and bool in the importing module)
    "float16", "half", "float32", "float64", "double", "int8", "int16", "short", "int32", "int64",
    "long", "uint8", "get_default_dtype", "set_default_dtype",
    "device", "get_default_device", "set_default_device", "cuda", "backends", "accelerator",
    "amp", "autocast", "is_autocast_enabled", "bfloat16", "set_float32_matmul_precision",
    "get_float32_matmul_precision", "finfo", "iinfo", "compile", "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
    "pi", "e", "inf", "nan", "newaxis", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor",
    "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "Size",
    "set_printoptions",
]
__all__ += _elementwise.__all__ + _reductions.__all__ + _shape.__all__ + _functional_aliases.__all__
__version__ = "0.1.0"

# torch's constants (torch.pi, torch.inf, ...)
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan
newaxis = None

from . import allocator as _allocator  # noqa: E402

_allocator.keep_temporaries_in_heap()  # glibc: large temporaries from the heap, see allocator.py
