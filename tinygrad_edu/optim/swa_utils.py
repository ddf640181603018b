"""Stochastic weight averaging, as torch.optim.swa_utils:

    swa_model = AveragedModel(model)               # a copy whose weights average the model's
    swa_scheduler = SWALR(optimizer, swa_lr=0.05)   # anneal each group's lr to swa_lr
    for epoch in range(epochs):
        train(model, optimizer)
        if epoch >= swa_start:
            swa_model.update_parameters(model)      # average in the current weights
            swa_scheduler.step()
    update_bn(loader, swa_model)                     # BatchNorm statistics for the averaged weights

`AveragedModel` keeps the running mean of the weights it was given (or an exponential moving
average with `multi_avg_fn=get_ema_multi_avg_fn(decay)`); `n_averaged` counts them, as torch's
buffer. The averages are made on the arrays, in place, with torch's formulas.
"""
from __future__ import annotations

import copy
import itertools
import math
from typing import Any, Callable, Iterable, Literal

import numpy as np

from ..grad_mode import no_grad
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from ..tensor import Tensor
from .lr_scheduler import LRScheduler
from .lr_scheduler_adaptive import _per_group
from .optimizer import Optimizer

__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _lerp_(start: Tensor, end: Tensor, weight: float) -> None:
    """start ← start + weight (end − start) in place, by torch's lerp formula (which switches
    to end − (1 − weight)(end − start) for weight ≥ ½, for accuracy near 1)."""
    if weight < 0.5:
        start.array += weight * (end.array - start.array)
    else:
        start.array[...] = end.array - (1 - weight) * (end.array - start.array)


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[list[Tensor], list[Tensor], Any], None]:
    """An exponential moving average, all parameters at once: W ← decay · W + (1 − decay) · W_model."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param_list: list[Tensor], current_param_list: list[Tensor], _: Any) -> None:
        for ema, current in zip(ema_param_list, current_param_list):
            if ema.dtype.kind in "fc":
                _lerp_(ema, current, 1 - decay)
            else:
                ema.array[...] = ema.array * decay + current.array * (1 - decay)

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[list[Tensor], list[Tensor], Any], None]:
    """The running mean, all parameters at once: W ← W + (W_model − W) / (n + 1)."""

    def swa_update(averaged_param_list: list[Tensor], current_param_list: list[Tensor], num_averaged: Any) -> None:
        count = int(num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged)
        for averaged, current in zip(averaged_param_list, current_param_list):
            if averaged.dtype.kind in "fc":
                _lerp_(averaged, current, 1 / (count + 1))
            else:
                averaged.array += (current.array - averaged.array) / (count + 1)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    """An exponential moving average of one parameter: returns decay · W + (1 − decay) · W_model."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    """The running mean of one parameter: returns W + (W_model − W) / (n + 1)."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A deep copy of `model` whose parameters (and buffers, with use_buffers=True) are the
    average of the weights passed to `update_parameters`; calling it runs the copy."""

    def __init__(self, model: Module, device: Any = None, avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
                 multi_avg_fn: Callable[[list[Tensor], list[Tensor], Any], None] | None = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Average `model`'s current weights in: copied the first time, then by avg_fn /
        multi_avg_fn, by default the running mean. Buffers are copied unless averaged."""
        if self.use_buffers:
            averaged = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            current = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            averaged, current = list(self.parameters()), list(model.parameters())
        pairs = list(zip(averaged, current))
        averaged = [mine.detach() for mine, _ in pairs]  # views of the same arrays: the updates land in the parameters
        current = [theirs.detach() for _, theirs in pairs]
        count = int(self.n_averaged.item())
        if count == 0:
            for mine, theirs in zip(averaged, current):
                mine.array[...] = theirs.array
        elif self.avg_fn is not None:
            for mine, theirs in zip(averaged, current):
                mine.array[...] = np.asarray(self.avg_fn(mine, theirs, self.n_averaged).array)
        else:
            (self.multi_avg_fn or _swa_one_by_one)(averaged, current, self.n_averaged)
        if not self.use_buffers:
            for mine, theirs in zip(self.module.buffers(), model.buffers()):
                mine.array[...] = theirs.array
        self.n_averaged.array += 1


def _swa_one_by_one(averaged: list[Tensor], current: list[Tensor], num_averaged: Tensor) -> None:
    """torch's default on the CPU (no foreach kernel there): W ← W + (W_model − W) / (n + 1), one by one."""
    count = int(num_averaged.item())
    for mine, theirs in zip(averaged, current):
        mine.array[...] = mine.array + (theirs.array - mine.array) / (count + 1)


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute every BatchNorm's running statistics as a plain average over one pass of
    `loader` (the first item of each batch is the input), the model in training mode."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None  # a cumulative average over the batches
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr from its current value to swa_lr over anneal_epochs steps
    (cosine or linear), then keeps swa_lr."""

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: Literal["cos", "linear"] = "cos", last_epoch: int = -1) -> None:
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """The lr the annealing started from, undone from the current lr (torch's recursive form)."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) for group in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
