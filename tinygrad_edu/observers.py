"""What watches the engine: tensor hooks, anomaly mode and the backward trace (the
engine-level state of `api/hooks.py`, `autograd/anomaly.py` and `autograd/trace.py`).

All cost nothing when unused: the engine reads each switch once per backward pass, and anomaly
mode swaps in a checked `Function.apply` only while it is on.
"""
from __future__ import annotations

import os
import traceback
from typing import Any

import numpy as np

# True once any tensor hook or retain_grad() was registered: backward then looks for them.
tensor_hooks_in_use = [False]
# Anomaly mode: NaN/Inf in forward or backward raises at once, naming the op and the user's line.
anomaly_enabled = [False]
# The trace that records backward steps (autograd/trace.py), while a `with trace():` block runs.
active_trace: list[Any] = [None]



def watching() -> bool:
    """Whether anything watches backward now: the engine takes its plain walk only if not."""
    return tensor_hooks_in_use[0] or anomaly_enabled[0] or active_trace[0] is not None


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def user_frame() -> traceback.FrameSummary | None:
    """The innermost frame of the call stack outside tinygrad_edu: the user's line of code."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE):
            return frame
    return None


def describe_frame(frame: traceback.FrameSummary | None) -> str:
    if frame is None:
        return "(created inside tinygrad_edu)"
    return f'File "{frame.filename}", line {frame.lineno}, in {frame.name}: {frame.line}'


def run_tensor_hooks(node: Any, grad: Any) -> Any:
    """Call `node`'s hooks with its complete gradient (as a Tensor), each may replace it;
    keep it in `.grad` if the node retains its gradient. Returns the gradient to pass on."""
    hooks = getattr(node, "_hooks", None)
    if hooks:
        from .tensor import Tensor

        for hook in list(hooks.values()):
            as_tensor = grad if isinstance(grad, Tensor) else Tensor._from_op(grad, None)
            replacement = hook(as_tensor)
            if replacement is not None:
                if tuple(replacement.shape) != tuple(as_tensor.shape):
                    raise RuntimeError(
                        f"a tensor hook returned a gradient of shape {tuple(replacement.shape)} for a "
                        f"tensor of shape {tuple(as_tensor.shape)}"
                    )
                grad = replacement if isinstance(grad, Tensor) else replacement.array
    if getattr(node, "_retains_grad", False) and node._ctx is not None:
        node._accumulate(grad, set())
    return grad


def check_finite(values: Any, what: str, function_name: str, inputs: tuple[Any, ...], created_at: Any) -> None:
    """Anomaly mode: raise if `values` (an array or Tensor) holds NaN or Inf, naming the op,
    its input shapes and where the user's code created it."""
    array = values if isinstance(values, np.ndarray) else getattr(values, "array", values)
    if isinstance(array, np.ndarray) and array.dtype.kind == "f" and not np.isfinite(array).all():
        kind = "nan" if np.isnan(array).any() else "inf"
        shapes = ", ".join(str(tuple(value.shape)) for value in inputs if hasattr(value, "shape"))
        raise RuntimeError(
            f"Function '{function_name}' returned {kind} values in its {what} (input shapes: "
            f"{shapes}). The op was created at: {describe_frame(created_at)}"
        )
