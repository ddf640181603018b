"""`compare_with_torch`: run one model in tinygrad_edu and in PyTorch, with the same weights
and the same inputs, and see layer by layer where the two part.

Both runs go forward and backward; hooks on both sides catch, per layer, its output Y (forward
hooks), its dE/dX (full backward hooks) and its parameters' gradients. The report names the
first layer that diverges: a layer whose Y differs (forward runs first, and everything after it
inherits the error); else the loss; else, walking back from the output as backward does, the
first layer whose dE/dX or parameter gradients differ while its dE/dY (the next layer's dE/dX)
still agreed. That is where a wrong backward lives.

The torch model is built by class, from the layers testing/parity_layers.py maps (conv,
pooling, upsampling, normalization, embedding, ...), with all of the same constructor arguments; a Sequential, or a custom Module whose forward only calls its children
one after the other (checked on the tinygrad run), becomes a torch.nn.Sequential with the same
child names, so the state_dict's keys are the same on both sides. Anything else needs its
PyTorch counterpart passed in `torch_layers`.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from .. import nn
from ..creation import tensor as as_tensor
from ..nn import functional as F
from ..tensor import Tensor
from .parity_layers import LAYERS, refuse_returned_indices

__all__ = ["compare_with_torch", "ParityReport", "LayerParity"]

_FUNCTIONAL_LOSSES = {F.mse_loss: "mse_loss", F.cross_entropy: "cross_entropy"}


@dataclass
class LayerParity:
    """One layer's row: the largest |tinygrad − torch| of its output Y, of its dE/dX (None when
    neither side has one: an input that needs no gradient) and of each parameter's gradient."""

    name: str
    layer_class: str
    activation_diff: float
    grad_input_diff: float | None
    grad_diffs: dict[str, float | None]
    activation_ok: bool
    ok: bool


@dataclass
class ParityReport:
    """What `compare_with_torch` found: `.layers` in forward order, `.first_divergence` (a
    dotted name, "(loss)", or None), `.ok`; `print(report)` shows a table."""

    layers: list[LayerParity]
    loss_diff: float
    output_grad_diff: float
    loss_ok: bool
    dtype: str
    atol: float
    rtol: float
    first_divergence: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.first_divergence = _first_divergence(self.layers, self.loss_ok)

    @property
    def ok(self) -> bool:
        return self.first_divergence is None

    def __str__(self) -> str:
        header = ["layer", "class", "max|ΔY|", "max|Δ dE/dX|", "max|Δ grad| per parameter", ""]
        rows = [header] + [
            [
                _display(row.name),
                row.layer_class,
                _number(row.activation_diff),
                _number(row.grad_input_diff),
                ", ".join(f"{name} {_number(diff)}" for name, diff in row.grad_diffs.items()) or "-",
                "ok" if row.ok else "DIVERGES",
            ]
            for row in self.layers
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
        lines = [
            f"tinygrad_edu vs PyTorch, {self.dtype}, atol={self.atol:g}, rtol={self.rtol:g}: "
            + ("all layers agree" if self.ok else f"first divergence at {_display(self.first_divergence)}"),
            f"loss: max|Δ| {_number(self.loss_diff)}, its dE/dY at the model's output: max|Δ| {_number(self.output_grad_diff)}",
        ]
        lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
        culprit = next((row for row in self.layers if row.name == self.first_divergence), None)
        if culprit is not None:
            where = "forward: its output Y differs" if not culprit.activation_ok else (
                "backward: its output Y agrees, the gradients it computes do not")
            lines.append(f"look at {_display(culprit.name)} ({culprit.layer_class})'s {where}")
        return "\n".join(lines)


def compare_with_torch(
    model: nn.Module,
    inputs: Any,
    target: Any = None,
    loss_fn: Any = None,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    torch_layers: Mapping[str, Any] | None = None,
) -> ParityReport:
    """Run `model` and its PyTorch twin on `inputs` (a Tensor or array, or a tuple of them),
    forward and backward, and compare them layer by layer.

    The loss is `loss_fn(output, target)`, or `output.sum()`. loss_fn may be an nn loss module
    or `F.mse_loss` / `F.cross_entropy` (each mapped to torch's), or any function written with
    operators and methods both frameworks share (`lambda y, t: ((y - t) ** 2).mean()`).
    `torch_layers={"2": torch_module}` gives the PyTorch counterpart of a layer that cannot be
    mapped by class (its parameters must have the same names). Values agree when
    |tinygrad − torch| <= atol + rtol·|torch|, elementwise. The model's parameters keep the
    .grad they had.
    """
    try:
        import torch
    except ImportError as error:
        raise ImportError("compare_with_torch needs PyTorch as the reference: pip install torch") from error
    torch_layers = dict(torch_layers or {})
    unknown = sorted(set(torch_layers) - {name for name, _ in model.named_modules()})
    if unknown:
        raise ValueError(f"compare_with_torch: torch_layers names no layer of the model: {unknown}")
    _refuse_active_dropout(model)
    refuse_returned_indices(model, _display)
    rows = _layers_to_compare(model, torch_layers)
    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    arrays = [np.array(_as_array(value)) for value in inputs]
    target_array = None if target is None else np.array(_as_array(target))

    # Taken before the run, which may change buffers (a training BatchNorm's running statistics):
    # the twin starts where ours started, and ours is put back there afterwards.
    state = {name: value.clone() for name, value in model.state_dict().items()}
    try:
        mine = _run_tinygrad(model, rows, arrays, target_array, loss_fn)
    finally:
        model.load_state_dict(state)
    twin = _build_twin(torch, model, torch_layers, mine.calls)
    dtype = next((parameter.array.dtype for parameter in model.parameters()), arrays[0].dtype)
    twin.to(torch.from_numpy(np.empty(0, dtype)).dtype)
    try:
        twin.load_state_dict({name: torch.from_numpy(value.numpy()) for name, value in state.items()})
    except RuntimeError as error:
        raise RuntimeError(f"compare_with_torch: the PyTorch model does not take tinygrad_edu's state_dict: {error}") from error
    twin.train(model.training)
    theirs = _run_torch(torch, twin, rows, arrays, target_array, _torch_loss(torch, loss_fn))

    layers = [_compare_layer(name, module, mine, theirs, atol, rtol) for name, module in rows if name in mine.outputs]
    layers.sort(key=lambda row: mine.order.index(row.name))
    loss_diff, loss_ok = _difference(mine.loss, theirs.loss, atol, rtol)
    output_grad_diff, grad_ok = _difference(mine.output_grad, theirs.output_grad, atol, rtol)
    return ParityReport(layers, loss_diff, output_grad_diff, loss_ok and grad_ok, str(dtype), atol, rtol)


# ---- the two runs --------------------------------------------------------------------------
@dataclass
class _Call:
    """One call of a tinygrad module: its input and output Tensors and the calls made inside."""

    name: str
    args: tuple[Any, ...]
    output: Any = None
    inner: list[_Call] = field(default_factory=list)


@dataclass
class _Run:
    """What one framework's run left: per layer name, the outputs (one per call) and the
    dE/dX (in backward order), and per parameter name its gradient."""

    outputs: dict[str, list[np.ndarray]] = field(default_factory=dict)
    grad_inputs: dict[str, list[np.ndarray | None]] = field(default_factory=dict)
    grads: dict[str, np.ndarray | None] = field(default_factory=dict)
    loss: np.ndarray | None = None
    output_grad: np.ndarray | None = None
    order: list[str] = field(default_factory=list)
    calls: dict[str, _Call] = field(default_factory=dict)


def _run_tinygrad(model: nn.Module, rows: list[tuple[str, nn.Module]], arrays: list[np.ndarray], target: Any, loss_fn: Any) -> _Run:
    run = _Run()
    stack: list[_Call] = [_Call("", ())]
    row_names = {id(module): name for name, module in rows}
    modules = list(model.named_modules())

    def before(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, args: tuple[Any, ...]) -> None:
            call = _Call(name, args)
            stack[-1].inner.append(call)
            stack.append(call)
            run.calls.setdefault(name, call)
        return hook

    def after(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
            stack.pop().output = output
            if id(module) in row_names:
                run.outputs.setdefault(name, []).append(np.array(output.array))
                if name not in run.order:
                    run.order.append(name)
        return hook

    def backward(name: str) -> Callable[..., None]:
        def hook(module: nn.Module, grad_input: tuple[Any, ...], grad_output: tuple[Any, ...]) -> None:
            run.grad_inputs.setdefault(name, []).append(None if grad_input[0] is None else np.array(grad_input[0].array))
        return hook

    had_hooks = {id(module): module._hooks for _, module in modules}
    saved_grads = [(parameter, parameter.grad) for parameter in model.parameters()]
    handles = [handle for name, module in modules for handle in (module.register_forward_pre_hook(before(name)), module.register_forward_hook(after(name)))]
    handles += [module.register_full_backward_hook(backward(name)) for name, module in rows]
    try:
        for parameter, _ in saved_grads:
            parameter.grad = None
        output = model(*(as_tensor(array) for array in arrays))
        output.retain_grad()
        loss = output.sum() if loss_fn is None else loss_fn(output, None if target is None else as_tensor(target))
        loss.backward()
        run.loss, run.output_grad = np.array(loss.array), np.array(output.grad.array)
        run.grads = {name: None if p.grad is None else np.array(p.grad.array) for name, p in model.named_parameters()}
    finally:
        for handle in handles:
            handle.remove()
        for _, module in modules:
            # A module that had no hooks goes back to the fast call path (nn/hooks.py).
            if had_hooks[id(module)] is None:
                object.__delattr__(module, "_hooks")
        for parameter, grad in saved_grads:
            parameter.grad = grad
    return run


def _run_torch(torch: Any, twin: Any, rows: list[tuple[str, nn.Module]], arrays: list[np.ndarray], target: Any, loss_fn: Any) -> _Run:
    run = _Run()

    def after(name: str) -> Callable[..., None]:
        def hook(module: Any, args: Any, output: Any) -> None:
            run.outputs.setdefault(name, []).append(output.detach().numpy().copy())
        return hook

    def backward(name: str) -> Callable[..., None]:
        def hook(module: Any, grad_input: Any, grad_output: Any) -> None:
            run.grad_inputs.setdefault(name, []).append(None if grad_input[0] is None else grad_input[0].detach().numpy().copy())
        return hook

    # Removed afterwards: a module from torch_layers belongs to the caller.
    handles = [
        handle for name, _ in rows
        for handle in (twin.get_submodule(name).register_forward_hook(after(name)), twin.get_submodule(name).register_full_backward_hook(backward(name)))
    ]
    try:
        output = twin(*(torch.from_numpy(array.copy()) for array in arrays))
        output.retain_grad()
        loss = output.sum() if loss_fn is None else loss_fn(output, None if target is None else torch.from_numpy(target.copy()))
        with warnings.catch_warnings():
            # The first layer's input needs no gradient: its hook gets grad_input (None,), as ours.
            warnings.filterwarnings("ignore", message="Full backward hook is firing")
            loss.backward()
    finally:
        for handle in handles:
            handle.remove()
    run.loss, run.output_grad = loss.detach().numpy().copy(), output.grad.numpy().copy()
    run.grads = {name: None if p.grad is None else p.grad.numpy().copy() for name, p in twin.named_parameters()}
    return run


# ---- building the twin ---------------------------------------------------------------------
def _refuse_active_dropout(model: nn.Module) -> None:
    """Each framework draws its own dropout masks, so a training-mode Dropout would differ
    for no fault of either."""
    for name, module in model.named_modules():
        if type(module) is nn.Dropout and module.training and module.p > 0:
            raise ValueError(
                f"compare_with_torch: layer {_display(name)!r} (Dropout, p={module.p}) is in training mode, "
                f"and tinygrad_edu and PyTorch draw different random masks; call model.eval() first"
            )


def _layers_to_compare(model: nn.Module, torch_layers: Mapping[str, Any]) -> list[tuple[str, nn.Module]]:
    """The modules that get a row: those given in torch_layers and the layers mapped by class;
    the containers above them are only plumbing."""
    rows, stack = [], [("", model)]
    while stack:
        name, module = stack.pop()
        if name in torch_layers or type(module) in LAYERS:
            rows.append((name, module))
        else:
            children = [(f"{name}.{child}" if name else child, module) for child, module in module.named_children()]
            stack.extend(reversed(children))
    return rows


def _build_twin(torch: Any, module: nn.Module, torch_layers: Mapping[str, Any], calls: Mapping[str, _Call], name: str = "") -> Any:
    if name in torch_layers:
        return torch_layers[name]
    if type(module) in LAYERS:
        return LAYERS[type(module)](torch, module)
    children = dict(module.named_children())
    if type(module) is nn.Sequential:
        order = list(children)
    else:
        order = _chain_order(module, calls.get(name))
    if order is None:
        raise TypeError(
            f"compare_with_torch cannot map layer {_display(name)!r} ({type(module).__name__}) "
            f"to PyTorch: it is none of the tinygrad_edu.nn layers it maps ({', '.join(cls.__name__ for cls in LAYERS)}), "
            f"nor a Sequential or a module whose forward only calls its children one after the other. "
            f"Pass its PyTorch counterpart: compare_with_torch(..., torch_layers={{{name!r}: torch_module}})"
        )
    prefix = f"{name}." if name else ""
    return torch.nn.Sequential(OrderedDict(
        (child, _build_twin(torch, children[child], torch_layers, calls, prefix + child)) for child in order
    ))


def _chain_order(module: nn.Module, call: _Call | None) -> list[str] | None:
    """The children's names in call order if, in the recorded call, the module fed its input
    to one child, that child's output to the next, ..., and returned the last one's output,
    calling each child once and holding no parameters of its own; None otherwise."""
    children = dict(module.named_children())
    holds_parameters = any(isinstance(value, nn.Parameter) for value in vars(module).values())
    if call is None or not children or holds_parameters or len(call.args) != 1:
        return None
    prefix = f"{call.name}." if call.name else ""
    flowing, order = call.args[0], []
    for inner in call.inner:
        if len(inner.args) != 1 or inner.args[0] is not flowing or not inner.name.startswith(prefix):
            return None
        flowing = inner.output
        order.append(inner.name[len(prefix):])
    if flowing is not call.output or sorted(order) != sorted(children):
        return None
    return order


def _torch_loss(torch: Any, loss_fn: Any) -> Any:
    if isinstance(loss_fn, nn.Module):
        if type(loss_fn) not in LAYERS:
            raise TypeError(f"compare_with_torch cannot map the loss {type(loss_fn).__name__} to PyTorch; pass a function both frameworks can run")
        return LAYERS[type(loss_fn)](torch, loss_fn)
    if loss_fn in _FUNCTIONAL_LOSSES:
        return getattr(torch.nn.functional, _FUNCTIONAL_LOSSES[loss_fn])
    return loss_fn


# ---- comparing -----------------------------------------------------------------------------
def _compare_layer(name: str, module: nn.Module, mine: _Run, theirs: _Run, atol: float, rtol: float) -> LayerParity:
    activation_diff, activation_ok = _differences(mine.outputs.get(name, []), theirs.outputs.get(name, []), atol, rtol)
    grad_input_diff, grad_input_ok = _differences(mine.grad_inputs.get(name, []), theirs.grad_inputs.get(name, []), atol, rtol)
    prefix = f"{name}." if name else ""
    grad_diffs, grads_ok = {}, True
    for parameter, _ in module.named_parameters():
        diff, ok = _difference(mine.grads[prefix + parameter], theirs.grads.get(prefix + parameter), atol, rtol)
        grad_diffs[parameter] = diff
        grads_ok = grads_ok and ok
    return LayerParity(
        name, type(module).__name__, activation_diff, grad_input_diff, grad_diffs,
        activation_ok, activation_ok and grad_input_ok and grads_ok,
    )


def _differences(mine: list[Any], theirs: list[Any], atol: float, rtol: float) -> tuple[Any, bool]:
    """The largest difference over a layer's calls (None if every value is None on both sides)."""
    if len(mine) != len(theirs):
        return float("inf"), False
    pairs = [_difference(a, b, atol, rtol) for a, b in zip(mine, theirs)]
    diffs = [diff for diff, _ in pairs if diff is not None]
    return (max(diffs) if diffs else None), all(ok for _, ok in pairs)


def _difference(mine: np.ndarray | None, theirs: np.ndarray | None, atol: float, rtol: float) -> tuple[float | None, bool]:
    """max |mine − theirs| and whether they agree within tolerance; a value on one side only,
    or shapes that differ, is an infinite difference."""
    if mine is None or theirs is None:
        return (None, True) if mine is None and theirs is None else (float("inf"), False)
    if mine.shape != theirs.shape:
        return float("inf"), False
    diff = float(np.max(np.abs(mine - theirs))) if mine.size else 0.0
    return diff, bool(np.allclose(mine, theirs, rtol=rtol, atol=atol))


def _first_divergence(layers: list[LayerParity], loss_ok: bool) -> str | None:
    """Forward first (a wrong Y spoils all after it), then the loss, then backward's order."""
    for row in layers:
        if not row.activation_ok:
            return row.name
    if not loss_ok:
        return "(loss)"
    for row in reversed(layers):
        if not row.ok:
            return row.name
    return None


def _as_array(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


def _display(name: str) -> str:
    return name or "(model)"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"
