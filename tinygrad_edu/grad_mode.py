"""Grad mode: whether ops record the graph. One switch per thread, as in PyTorch.

`no_grad()`, `enable_grad()`, `set_grad_enabled(mode)` and `inference_mode()` work as context managers and as
decorators (on plain functions and on generator functions, whose body runs in the mode at
every resumption, not only when the generator object is made). The switch lives in a
`threading.local`: a thread that evaluates under `no_grad` never turns recording off for a
thread that trains.
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Generator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadState(threading.local):
    enabled = True  # every new thread starts with recording on, as in PyTorch
    inference = False


_state = _ThreadState()


def is_grad_enabled() -> bool:
    return _state.enabled


def _set(enabled: bool) -> None:
    _state.enabled = enabled


class _GradMode:
    """A context manager and decorator that sets grad mode, and restores it on exit."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._previous: list[bool] = []  # a stack: the same object may be entered again

    def __enter__(self) -> None:
        self._previous.append(_state.enabled)
        _state.enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self._previous.pop()

    def _fresh(self) -> _GradMode:
        return _GradMode(self.enabled)

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _wrap_generator(self, func: Callable[..., Generator[Any, Any, Any]]) -> Callable[..., Generator[Any, Any, Any]]:
        """Each step of the generator (its start, every send, throw and close) runs inside
        the mode, and the caller's own mode is back between steps."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            with self._fresh():
                generator = func(*args, **kwargs)
            try:
                with self._fresh():
                    value = generator.send(None)
                while True:
                    try:
                        sent = yield value
                    except GeneratorExit:
                        with self._fresh():
                            generator.close()
                        raise
                    except BaseException as error:
                        with self._fresh():
                            value = generator.throw(error)
                    else:
                        with self._fresh():
                            value = generator.send(sent)
            except StopIteration as stop:
                return stop.value

        return wrapper


class _BareDecorator:
    """`@no_grad` as well as `@no_grad()`, as torch allows: given a function, the class
    returns that function wrapped by an instance made with no arguments."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator, _GradMode):
    """Ops run inside `with no_grad():` (or a function decorated with `@no_grad()`) build no
    graph, and what they save for backward is dropped at once: evaluation keeps no memory."""

    def __init__(self, orig_func: Any = None) -> None:
        super().__init__(False)


class enable_grad(_BareDecorator, _GradMode):
    """Turns graph recording back on inside a `no_grad` block."""

    def __init__(self, orig_func: Any = None) -> None:
        super().__init__(True)


class inference_mode(_GradMode):
    """torch.inference_mode(mode=True): with mode True, no_grad, and is_inference_mode_enabled()
    answers True inside; with mode False, grad recording on (also inside no_grad), as torch.
    A context manager and a decorator, also bare (`@inference_mode`).

    Where it differs from torch: tensors made inside are ordinary tensors, so using one in an
    autograd graph later is allowed (torch refuses its "inference tensors")."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        super().__init__(not mode)
        self.mode = bool(mode)
        self._inference_before: list[bool] = []

    def __enter__(self) -> None:
        super().__enter__()
        self._inference_before.append(_state.inference)
        _state.inference = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _state.inference = self._inference_before.pop()
        super().__exit__(*exc_info)

    def _fresh(self) -> _GradMode:
        return inference_mode(self.mode)


def is_inference_mode_enabled() -> bool:
    """Whether this thread is inside an enabled inference_mode region."""
    return _state.inference


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(mode)` as torch's: a plain call sets the mode for this thread at
    once; `with set_grad_enabled(mode):` restores the previous mode on exit; as a decorator
    it sets the mode only while the function runs."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode): mode must be a bool; got {mode!r}")
        super().__init__(mode)
        self._previous_at_call = _state.enabled
        _state.enabled = mode

    def __enter__(self) -> None:
        # The constructor already set the mode; remember what was there before it.
        self._previous.append(self._previous_at_call)

    def __call__(self, func: F) -> F:
        _state.enabled = self._previous_at_call  # as a decorator, it must not change the mode now
        return super().__call__(func)
