"""An optimizer's state_dict in torch's layout, and loading one back (ours or torch's):

    {'state': {0: {'step': array(3., dtype=float32), 'exp_avg': ..., 'exp_avg_sq': ...}, 1: ...},
     'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.999), ..., 'params': [0, 1]}]}

Parameters are numbered 0, 1, ... through the groups in order; a parameter that has had no step
has no entry (except with Adagrad, whose state starts at construction, as torch's does).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from .optimizer import Optimizer


def optimizer_state_dict(optimizer: Optimizer) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    groups = []
    index = 0
    for group in optimizer.param_groups:
        indices = []
        for param in group["params"]:
            entry = optimizer.state.get(param)
            if entry:
                state[index] = {name: _saved(optimizer, name, value) for name, value in entry.items()}
            indices.append(index)
            index += 1
        groups.append({**{name: value for name, value in group.items() if name != "params"}, "params": indices})
    return {"state": state, "param_groups": groups}


def _saved(optimizer: Optimizer, name: str, value: Any) -> Any:
    if name in optimizer.count_state or name in optimizer.scalar_state:
        return np.array(float(value), dtype=np.float32)  # torch keeps these as float32 0-d tensors
    return value.copy() if isinstance(value, np.ndarray) else value


def load_optimizer_state(optimizer: Optimizer, state_dict: Mapping[str, Any]) -> None:
    where = f"{type(optimizer).__name__}.load_state_dict"
    if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
        found = sorted(state_dict, key=str) if isinstance(state_dict, Mapping) else type(state_dict).__name__
        raise ValueError(f"{where}: expected a dict with keys 'state' and 'param_groups' (torch's layout); got {found}")
    saved_groups = list(state_dict["param_groups"])
    if len(saved_groups) != len(optimizer.param_groups):
        raise ValueError(
            f"loaded state dict has a different number of parameter groups ({where}: {len(saved_groups)} in the "
            f"state dict, {len(optimizer.param_groups)} in this optimizer)"
        )
    params: dict[Any, Tensor] = {}  # saved index → our parameter
    options_of: dict[Tensor, dict[str, Any]] = {}
    groups = []
    for number, (group, saved) in enumerate(zip(optimizer.param_groups, saved_groups)):
        if not isinstance(saved, Mapping) or "params" not in saved:
            raise ValueError(f"{where}: parameter group {number} must be a dict with a 'params' list")
        if len(saved["params"]) != len(group["params"]):
            raise ValueError(
                f"loaded state dict contains a parameter group that doesn't match the size of optimizer's group "
                f"({where}: parameter group {number} has {len(saved['params'])} parameters in the state dict, "
                f"{len(group['params'])} in this optimizer)"
            )
        options = {**optimizer.defaults, **{name: value for name, value in saved.items() if name != "params"}}
        optimizer.check_hyperparameters(options)
        groups.append(options)
        params.update(zip(saved["params"], group["params"]))
        options_of.update((param, options) for param in group["params"])
    if not isinstance(state_dict["state"], Mapping):
        raise ValueError(f"{where}: 'state' must be a dict of per-parameter dicts; got {type(state_dict['state']).__name__}")
    state: dict[Tensor, dict[str, Any]] = {}
    for key, entry in state_dict["state"].items():
        param = params.get(_as_index(key))
        if param is None:
            raise ValueError(f"{where}: state for parameter {key!r}, but the groups number parameters {sorted(params)}")
        state[param] = _checked_entry(optimizer, options_of[param], param, _as_index(key), entry, where)
    for group, options in zip(optimizer.param_groups, groups):
        group.update(options)  # in place: a scheduler holding the group dicts keeps seeing them
    optimizer.state.clear()
    optimizer.state.update(state)


def _as_index(key: Any) -> Any:
    return int(key) if isinstance(key, str) and key.isdigit() else key  # tg.save'd JSON keys may be strings


def _checked_entry(optimizer: Optimizer, group: Mapping[str, Any], param: Tensor, index: int, entry: Any, where: str) -> dict[str, Any]:
    arrays = optimizer.state_keys(group)
    if arrays is None:  # an optimizer of the user's: its state as saved, arrays copied
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: state of parameter {index} must be a dict; got {type(entry).__name__}")
        return {name: np.array(_array(value), copy=True) if _is_array(value) else value for name, value in entry.items()}
    expected = set(arrays) | set(optimizer.count_state) | set(optimizer.scalar_state)
    if not isinstance(entry, Mapping) or set(entry) != expected:
        found = sorted(entry) if isinstance(entry, Mapping) else type(entry).__name__
        raise ValueError(f"{where}: state of parameter {index} has keys {found}; expected {sorted(expected)}")
    checked: dict[str, Any] = {}
    for name in optimizer.count_state:
        value = _array(entry[name])
        if value.shape != () or not value >= 0 or value != np.floor(value):
            raise ValueError(f"{where}: {name} of parameter {index} must be a non-negative whole number; got {entry[name]!r}")
        checked[name] = int(value)
    for name in optimizer.scalar_state:
        value = _array(entry[name])
        if value.shape != () or not np.isfinite(value):
            raise ValueError(f"{where}: {name} of parameter {index} must be a finite number; got {entry[name]!r}")
        checked[name] = np.float32(value)
    for name in arrays:
        value = _array(entry[name])
        if value.shape != param.shape:
            raise ValueError(
                f"{where}: {name} of parameter {index} has shape {value.shape}, but the parameter has shape {tuple(param.shape)}"
            )
        checked[name] = np.array(value, dtype=param.dtype, copy=True)
    return checked


def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, Tensor)) or (hasattr(value, "detach") and hasattr(value, "numpy"))


def _array(value: Any) -> np.ndarray:
    """An ndarray from an ndarray, a Tensor, a number or a CPU torch tensor."""
    if isinstance(value, Tensor):
        return value.array
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().numpy()
    return np.asarray(value)
