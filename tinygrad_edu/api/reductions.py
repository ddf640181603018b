"""PyTorch's reductions and scans: sum mean prod max min amax amin argmax argmin var std norm logsumexp cumsum cumprod cummax cummin any all count_nonzero median: the `tg.` functions and the `Tensor` methods (ReductionMethods)."""
from __future__ import annotations

from .. import ops  # the package only: its modules are imported once Tensor exists (tensor.py)

__all__: list[str] = []


class ReductionMethods:
    """Tensor methods of this family; `Tensor` inherits them."""

    __slots__ = ()
