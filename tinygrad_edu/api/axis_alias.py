"""numpy's `axis=` for torch's `dim=`: torch's argument parser accepts `axis` wherever a
function or method takes `dim` (`x.cumsum(axis=0)`, `x.sort(axis=1)`, `torch.cat(xs, axis=0)`),
and d2l's code writes it. Functions that list `axis` in their own signature (the reductions'
sum, mean, ...) need none of this; `accept_axis` wraps the others.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable


def takes_axis(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, also called with `axis=` in place of `dim=`."""
    @functools.wraps(function)
    def with_axis(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{function.__name__}() got both dim and its alias axis")
            kwargs["dim"] = kwargs.pop("axis")
        return function(*args, **kwargs)
    return with_axis


def accept_axis(namespace: dict[str, Any] | type, names: Iterable[str]) -> None:
    """Wrap each named function of a module's globals(), or each named method of a class."""
    for name in names:
        if isinstance(namespace, dict):
            namespace[name] = takes_axis(namespace[name])
        else:
            setattr(namespace, name, takes_axis(getattr(namespace, name)))
