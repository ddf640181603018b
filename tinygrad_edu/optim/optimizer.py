"""`Optimizer`: what every optimizer shares — parameter groups with their own options, the
per-parameter state (momentum buffers, moment estimates), zero_grad, and a state_dict in
torch's layout.

As in torch, `param_groups` is a list of dicts, each with its 'params' and every option of the
optimizer ('lr', 'momentum', ...); a step reads the options from the dicts, so writing
`optimizer.param_groups[0]['lr'] = x` (what a learning-rate scheduler does) takes effect at the
next step. `defaults` holds the options given to the constructor, used for the options a group
added by `add_param_group` leaves out. `state` maps each parameter (the Tensor) to its dict.

An optimizer only reads `p.grad` and writes `p.array`; it never builds a graph. Updates are
made in place, into the arrays the model already holds: the model, the optimizer and any
view of the parameters keep pointing at the same memory, and no new array per parameter is
allocated each step (`p.array -= lr * g` measured 1.3–3.4× faster than
`p.array = p.array - lr * g` on 78k to 4M float32 values).
"""
from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from ..grad_mode import enable_grad
from ..tensor import Tensor
from ..versions import mark_written_by
from .hooks import OptimizerHooks, hooks_of
from .state_dict import load_optimizer_state, optimizer_state_dict

Step = tuple[Tensor, np.ndarray, np.ndarray]  # (param, its gradient, a work array)


class Optimizer(OptimizerHooks):
    """Subclasses pass their defaults and define `step(closure=None)`; ours also validate a
    group's options in `check_hyperparameters` and name a parameter's state in `state_keys`.
    An optimizer written for torch (reading `self.param_groups` and `self.state[p]` in its
    step) works as it is: the base class keeps its options and state as given."""

    l2_weight_decay = True  # g ← ∇θ + λθ in `gradients()`; AdamW decays θ itself instead
    count_state: tuple[str, ...] = ()  # per-parameter integer counters ("step")
    scalar_state: tuple[str, ...] = ()  # per-parameter float32 numbers (NAdam's "mu_product")

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], defaults: dict[str, Any]):
        if isinstance(params, Tensor):
            raise TypeError(f"params argument given to the optimizer should be an iterable of Tensors or dicts, but got {_typename(params)}")
        self.defaults = dict(defaults)
        self.check_hyperparameters(self.defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self._work: dict[Tensor, tuple[np.ndarray, np.ndarray]] = {}  # param -> (its .array, scratch)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def check_hyperparameters(self, options: Mapping[str, Any]) -> None:
        """Raise torch's ValueError ("Invalid learning rate: -1") for a bad option of a group
        or of the constructor (the base class checks nothing)."""

    def state_keys(self, group: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The arrays (of the parameter's shape) a parameter of this group has in its state;
        None (the base class): whatever a loaded state has."""
        return None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (one with grad None is skipped); with a
        closure (which recomputes the loss and its gradients), first call it and return its loss."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group: {'params': tensors, and any option to differ from `defaults`}. As torch,
        the dict itself becomes the group: the options it leaves out are filled in from
        `defaults`, and any other key (a "name", say) is kept."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        given = param_group["params"]  # a KeyError without it, as torch
        if isinstance(given, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                            "in sets will change between runs. Please use a list instead.")
        given = [given] if isinstance(given, Tensor) else list(given)
        names = [item[0] for item in given if isinstance(item, tuple)]  # from model.named_parameters(), as torch
        if names:
            if len(names) != len(given):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            given = [item[1] for item in given]
        params = _checked_params(given)
        if any(("param_names" in group) != bool(names) for group in self.param_groups):
            raise ValueError("all optimizer param groups should be with/without names. "
                             f"cannot add param group {'with' if names else 'without'} names to the optimizer")
        seen = {param for group in self.param_groups for param in group["params"]}
        if any(param in seen for param in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.check_hyperparameters({**self.defaults, **param_group})
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        param_group["params"] = params
        if names:
            param_group["param_names"] = names
        self.param_groups.append(param_group)

    def gradients(self) -> list[tuple[dict[str, Any], list[Step]]]:
        """For every group, (the group, [(parameter, its gradient g, a work array)])
        for the parameters that have a gradient: the part of a step all optimizers share.

        g is −∇θ with maximize, and gets + λθ with weight_decay λ (except AdamW's). The work
        array is scratch space of the parameter's shape, kept from step to step (not state): a
        step then allocates no new array, which for large parameters also saves the page
        faults of fresh memory."""
        ready = []
        written = []  # the arrays the step writes in place, in one record: see mark_written_by
        work_arrays = self._work
        for group in self.param_groups:
            maximize = group.get("maximize", False)
            weight_decay = group.get("weight_decay", 0.0) if self.l2_weight_decay else 0
            steps = []
            for param in group["params"]:
                gradient = param.grad
                if gradient is None:
                    continue
                data, grad = param.array, gradient.array
                if grad.shape != data.shape:
                    self._refuse_gradient_shape(param, grad)
                if maximize:
                    grad = -grad  # a new array: .grad stays ∇θ
                if weight_decay != 0:
                    grad = grad + weight_decay * data
                work = work_arrays.get(param)
                if work is None or work[0] is not data:  # first step, or new .array
                    work = work_arrays[param] = (data, np.empty_like(data))
                steps.append((param, grad, work[1]))
                written.append(data)
            ready.append((group, steps))
        mark_written_by(self, written)  # the step writes them in place: graphs that saved them are stale
        return ready

    def _refuse_gradient_shape(self, param: Tensor, grad: np.ndarray) -> None:
        """Raised before any parameter moves (and before any state is made): a refused step
        changes nothing."""
        index = [id(p) for group in self.param_groups for p in group["params"]].index(id(param))
        raise RuntimeError(
            f"{type(self).__name__}.step: parameter {index} has shape {param.array.shape} but "
            f"its .grad has shape {grad.shape}; a gradient must have its parameter's shape"
        )

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none or param.grad is None:
                    param.grad = None
                else:
                    param.grad.array[...] = 0

    def state_dict(self) -> dict[str, Any]:
        """torch's layout, copies: {'state': {index: {name: array}}, 'param_groups': [{options...,
        'params': [indices]}]}, parameters numbered in group order; 'step' is a 0-d float32
        array, as torch's is a 0-d float32 tensor. `tg.save` writes it; with each array passed
        through torch.from_numpy, torch's `optimizer.load_state_dict` reads it. The state-dict
        hooks (optim/hooks.py) run before and after, as torch's."""
        for pre_hook in hooks_of(self, "_optimizer_state_dict_pre_hooks"):
            pre_hook(self)
        state_dict = optimizer_state_dict(self)
        for post_hook in hooks_of(self, "_optimizer_state_dict_post_hooks"):
            state_dict = post_hook(self, state_dict) or state_dict
        return state_dict

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore options and state from `state_dict()`, torch's optimizer.state_dict() (its
        tensors as arrays, as `tg.load` gives them, or as torch tensors), or `tg.load` of one.

        Everything is checked first (layout, group sizes, keys, shapes); on any error the
        optimizer is left as it was. The load hooks (optim/hooks.py) run before and after, as torch's."""
        for pre_hook in hooks_of(self, "_optimizer_load_state_dict_pre_hooks"):
            result = pre_hook(self, state_dict)
            state_dict = state_dict if result is None else result
        load_optimizer_state(self, state_dict)
        for post_hook in hooks_of(self, "_optimizer_load_state_dict_post_hooks"):
            post_hook(self)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {name}: {group[name]}" for name in sorted(group) if name != "params"]
        return "\n".join(lines + [")"])


def loss_of(closure: Callable[[], Any] | None) -> Any:
    """torch's step(closure): the closure's loss, computed with grad mode on (it calls backward)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()


def check_non_negative(value: Any, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value >= 0:
        raise ValueError(f"{owner}: {name} must be a non-negative number; got {value!r}")
    return float(value)


def check_option(value: Any, label: str, upper: float | None = None, *, upper_included: bool = False) -> Any:
    """`value` as given (torch keeps a group's options as given: 0 stays an int) when it is a
    number in [0, upper) ([0, upper] with upper_included; [0, ∞) without upper); else torch's
    ValueError, "Invalid learning rate: -1" for label "learning rate"."""
    number = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    inside = number and value >= 0 and (upper is None or value < upper or (upper_included and value == upper))
    if not inside:
        raise ValueError(f"Invalid {label}: {value}")
    return value


def check_adam_options(options: Mapping[str, Any], owner: str, decoupled_weight_decay: bool | None = None) -> None:
    """The options the Adam family shares (Adam, AdamW, Adamax, NAdam, RAdam), with torch's
    messages: lr, eps and weight_decay ≥ 0, betas a pair in [0, 1); and, given the optimizer's
    own `decoupled_weight_decay`, the group's the same (it picks `l2_weight_decay` for all groups)."""
    check_option(options["lr"], "learning rate")
    check_option(options["eps"], "epsilon value")
    betas = options["betas"]
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2); got {betas!r}")
    check_option(betas[0], "beta parameter at index 0", 1.0)
    check_option(betas[1], "beta parameter at index 1", 1.0)
    check_option(options["weight_decay"], "weight_decay value")
    if decoupled_weight_decay is not None and bool(options["decoupled_weight_decay"]) != bool(decoupled_weight_decay):
        raise ValueError(f"{owner}: decoupled_weight_decay is one choice for the whole optimizer, not per group")
    check_flags(options, owner)


def check_flags(options: Mapping[str, Any], owner: str) -> None:
    """torch's implementation switches: foreach, fused and capturable choose how torch runs the
    same arithmetic (here always one parameter at a time on the CPU), so they are kept as given;
    differentiable=True (a step recorded in the graph) is refused."""
    if options.get("differentiable", False):
        raise ValueError(f"{owner}: differentiable=True is not supported; optimizer steps are never recorded in the graph")


def _checked_params(params: list[Any]) -> list[Tensor]:
    """torch's checks and messages; plus ours: only floating-point tensors (a step would
    truncate an integer tensor's update)."""
    for index, param in enumerate(params):
        if not isinstance(param, Tensor):
            raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(param)}")
        if param.dtype.kind != "f":
            raise TypeError(f"parameter {index} has dtype {param.dtype}; only floating-point tensors can be optimized")
        if not param.is_leaf:
            raise ValueError("can't optimize a non-leaf Tensor")
    if len(set(params)) != len(params):
        # torch warns (and steps such a parameter once per appearance), and plans an error
        warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; "
                      "see github.com/pytorch/pytorch/issues/40967 for more information", UserWarning, stacklevel=4)
    return params


def _typename(value: Any) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
