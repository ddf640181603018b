"""The torch.autograd namespace: `grad`, `backward`, `Function`, the grad-mode switches, and
`functional` (jacobian, hessian, vjp, hvp)."""
from ..function import Context, Function
from ..grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .gradients import backward, grad
from .memory import saved_memory
from .trace import trace

__all__ = [
    "grad", "backward", "Function", "Context",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "is_inference_mode_enabled",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "trace", "saved_memory",
]

from . import functional  # noqa: E402  (after grad: it is built on it)
