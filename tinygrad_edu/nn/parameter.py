"""`Parameter`: a Tensor that a Module learns.

Assigning one to a Module attribute (`self.weight = Parameter(...)`) is what registers it:
it then appears in `parameters()`, `named_parameters()` and `state_dict()`. A plain Tensor
assigned to an attribute is just data the module holds, as in PyTorch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor with requires_grad=True (by default) that a Module registers."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True, dtype: Any = None):
        # torch's Parameter() with no data is an empty tensor (filled in later, e.g. by assign);
        # Parameter(tensor) keeps the tensor's dtype (a float64 tensor stays float64), as torch
        if dtype is None and isinstance(data, Tensor):
            dtype = data.array.dtype
        super().__init__(np.empty(0) if data is None else data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return f"Parameter containing:\nTensor({backend.format_array(self.array)}, requires_grad={self.requires_grad})"
