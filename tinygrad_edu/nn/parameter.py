"""`Parameter`: a Tensor that a Module learns.

Assigning one to a Module attribute (`self.weight = Parameter(...)`) is what registers it:
it then appears in `parameters()`, `named_parameters()` and `state_dict()`. A plain Tensor
assigned to an attribute is just data the module holds, as in PyTorch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import tensor_str
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
        if isinstance(data, Tensor) and data.array.dtype == self.array.dtype:
            self.array = data.array  # torch's Parameter(t) shares t's memory: `p.data.add_(1)` changes t

    def __repr__(self) -> str:
        return "Parameter containing:\n" + tensor_str.tensor_repr(self.array, ["requires_grad=True"] if self.requires_grad else [])
