"""`tg.compile`, torch.compile's place: there is no compiler here, so the model or function
comes back as it is and runs eagerly, with the same results torch.compile promises.

Programs call it behind a flag (nanoGPT's `if compile: model = torch.compile(model)`) or
unconditionally; both run. Unlike torch's OptimizedModule, the returned model is the model
itself, so its state_dict keys carry no `_orig_mod.` prefix (the code that strips the prefix,
as nanoGPT's, finds none).
"""
from __future__ import annotations

from typing import Any, Callable


def compile(model: Callable[..., Any] | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,  # noqa: A001
            backend: Any = "inductor", mode: str | None = None, options: dict[str, Any] | None = None,
            disable: bool = False) -> Any:
    """`model` unchanged; without it (`@torch.compile(mode=...)`), a decorator returning its
    function unchanged."""
    if model is None:
        return lambda function: function
    if not callable(model):
        raise RuntimeError(f"torch.compile: expected a callable model or function; got {type(model).__name__}")
    return model
