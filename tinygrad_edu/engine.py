"""Reverse-mode autodiff: the walk from outputs back to inputs that `backward()` and
`autograd.grad()` both run.

Each op's output keeps a `Context` (`_ctx`): which `Function` made it, from which inputs.
The walk visits tensors from the newest down (creation order is a topological order: an op's
inputs exist before its output), calls each Function's backward to turn dE/dY into dE/dX (the
tutorial's chain, one op at a time), and sums the gradients that meet at a tensor used twice.

Two modes, one set of backward formulas:
- first order (`create_graph=False`): gradients are plain arrays and nothing is recorded;
- `create_graph=True`: gradients are Tensors, every backward formula runs on Tensors with grad
  mode on, so the gradients carry their own graph and can be differentiated again, to any
  order. A saved input or output reaches backward as its own Tensor (with its graph).

On the way, each node is checked against in-place writes made after it (versions.py), a
tensor rewritten in place is followed back to the version an op read (api/inplace.py), and
whatever watches the pass (tensor hooks, anomaly mode, a trace: observers.py) is called; the
switches are read once per pass, so when nothing watches, nothing is paid per op.
"""
from __future__ import annotations

import heapq
from typing import Any, Sequence

from . import backend
from .grad_mode import enable_grad
from .observers import active_trace, anomaly_enabled, check_finite, run_tensor_hooks, tensor_hooks_in_use, watching
from .ops.elementwise import Cast
from .tensor import Tensor
from .versions import check_saved, newest_write


def run_backward(
    roots: Sequence[Tensor],
    seeds: Sequence[Any],
    *,
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
    accumulate: bool = True,
) -> list[Any]:
    """Propagate `seeds` (dE/droot, arrays or Tensors) from `roots` back through the graph.

    accumulate=True adds each leaf's gradient into its `.grad` (only of `inputs`, if given);
    accumulate=False touches no `.grad` and returns the gradient of each of `inputs` (None
    where none reaches it), as `autograd.grad` does. Gradients come back as arrays, or as
    Tensors with a graph when create_graph=True.
    """
    if inputs is None and not create_graph and not watching():
        training_walk(*_start(roots, seeds), retain_graph)
        return []
    targets = {} if inputs is None else {id(tensor): position for position, tensor in enumerate(inputs)}
    every_leaf = inputs is None
    found: list[Any] = [None] * len(targets)
    needed = None if every_leaf else _leading_to(roots, targets)
    plain = every_leaf and not create_graph  # the training loop's backward: nothing but the walk
    grads, pending = _start(roots, seeds)
    heappop, heappush = heapq.heappop, heapq.heappush  # local names: the loop below runs per op
    # Read once: when off, they cost nothing per op.
    hooks, anomaly, tracer = tensor_hooks_in_use[0], anomaly_enabled[0], active_trace[0]
    if tracer is not None:
        tracer.begin_pass()
    # Arrays a leaf may not take over as its .grad (see Tensor._accumulate): the caller's seeds.
    taken = set(map(id, seeds))
    mode = enable_grad() if create_graph else None
    if mode is not None:
        mode.__enter__()
    try:
        # Newest first: when a tensor comes off the heap, every op that used it (all newer)
        # has already added its share into grads, so its gradient is complete. A loop, not
        # recursion: a chain of 10,000 ops is fine.
        while pending:
            node = heappop(pending)[1]
            grad_output = grads.pop(id(node))
            if hooks:
                grad_output = run_tensor_hooks(node, grad_output)
            ctx = node._ctx
            if ctx is None:  # a leaf: its gradient is complete
                if tracer is not None:
                    tracer.record_leaf(node, grad_output)
                if every_leaf:
                    node._accumulate(grad_output, taken)
                elif id(node) in targets:
                    _deliver(node, grad_output, targets, found, accumulate, taken, create_graph)
                continue
            if not plain and id(node) in targets:
                _deliver(node, grad_output, targets, found, accumulate, taken, create_graph)
            if ctx.freed:
                raise _freed_graph(ctx)
            if newest_write[0] > node._order:  # something was written in place since this op ran
                check_saved(ctx, node)
            needs = ctx.needs_input_grad
            if plain:
                input_grads = ctx.function.backward(ctx, grad_output)
            else:
                if needed is not None:
                    needs = tuple(
                        need and id(_version_used(parent, node._order) if parent._order > node._order else parent) in needed
                        for parent, need in zip(ctx.inputs, needs)
                    )
                    if True not in needs:
                        continue
                input_grads = _call_backward(ctx, node, grad_output, needs, create_graph)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            inputs = ctx.inputs
            if len(input_grads) != len(inputs):
                raise _wrong_count(ctx, input_grads)
            if tracer is not None:
                tracer.record(node, ctx, grad_output, needs, input_grads)
            for position, (parent, need, grad) in enumerate(zip(inputs, needs, input_grads)):
                if not need or grad is None:
                    continue
                if parent._order > node._order:  # written in place after this op used it
                    parent = _version_used(parent, node._order)
                parent_data = parent.array
                if grad.shape != parent_data.shape:
                    raise _wrong_shape(ctx, position, grad, parent_data)
                if grad.dtype != parent_data.dtype:
                    grad = Cast.apply(grad, parent_data.dtype) if create_graph else backend.cast(grad, parent_data.dtype)
                if anomaly:
                    name = ctx.function.__name__
                    check_finite(grad, f"gradient for input {position}", f"{name}.backward", ctx.inputs, getattr(ctx, "created_at", None))
                key = id(parent)
                if key in grads:
                    grads[key] = grads[key] + grad
                else:
                    grads[key] = grad
                    heappush(pending, (-parent._order, parent))
            if not retain_graph:
                ctx.free()
    finally:
        if mode is not None:
            mode.__exit__(None, None, None)
    return found


def training_walk(grads: dict[int, Any], pending: list[tuple[int, Tensor]], retain_graph: bool) -> None:
    """`run_backward` for the training loop's `loss.backward()`: first order, into every
    leaf's .grad, nothing watching. The same walk as the general one with every branch that
    cannot apply here left out, since this loop runs once per op on every training step.
    It starts from `grads` and `pending` as `_start` makes them (Tensor.backward makes them
    itself for its one root)."""
    heappop, heappush = heapq.heappop, heapq.heappush
    taken = set(map(id, grads.values()))
    while pending:
        node = heappop(pending)[1]
        grad_output = grads.pop(id(node))
        ctx = node._ctx
        if ctx is None:
            node._accumulate_array(grad_output, taken)
            continue
        if ctx.freed:
            raise _freed_graph(ctx)
        order = node._order
        if newest_write[0] > order:
            check_saved(ctx, node)
        input_grads = ctx.function.backward(ctx, grad_output)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        inputs = ctx.inputs
        if len(input_grads) != len(inputs):
            raise _wrong_count(ctx, input_grads)
        for position, (parent, need, grad) in enumerate(zip(inputs, ctx.needs_input_grad, input_grads)):
            if not need or grad is None:
                continue
            if parent._order > order:
                parent = _version_used(parent, order)
            parent_data = parent.array
            if grad.shape != parent_data.shape:
                raise _wrong_shape(ctx, position, grad, parent_data)
            if grad.dtype != parent_data.dtype:
                grad = backend.cast(grad, parent_data.dtype)
            key = id(parent)
            if key in grads:
                grads[key] = grads[key] + grad
            else:
                grads[key] = grad
                heappush(pending, (-parent._order, parent))
        if not retain_graph:
            ctx.free()


def _start(roots: Sequence[Tensor], seeds: Sequence[Any]) -> tuple[dict[int, Any], list[tuple[int, Tensor]]]:
    """The walk's starting state: each root's gradient (summed if a root is given twice), and
    the heap of tensors to visit, newest first."""
    grads: dict[int, Any] = {}
    pending: list[tuple[int, Tensor]] = []
    for root, seed in zip(roots, seeds):
        if id(root) in grads:
            grads[id(root)] = grads[id(root)] + seed
        else:
            grads[id(root)] = seed
            pending.append((-root._order, root))
    heapq.heapify(pending)
    return grads, pending


def _freed_graph(ctx: Any) -> RuntimeError:
    return RuntimeError(
        f"backward through a freed graph (at {ctx.function.__name__}): the graph is freed after "
        f"backward(); pass retain_graph=True to the first backward() to run it twice"
    )


def _wrong_count(ctx: Any, input_grads: tuple[Any, ...]) -> RuntimeError:
    return RuntimeError(
        f"{ctx.function.__name__}.backward returned {len(input_grads)} gradients for "
        f"{len(ctx.inputs)} inputs (return one per forward input, None where there is none)"
    )


def _wrong_shape(ctx: Any, position: int, grad: Any, parent_data: Any) -> RuntimeError:
    return RuntimeError(
        f"{ctx.function.__name__}.backward returned a gradient of shape {tuple(grad.shape)} "
        f"for input {position} of shape {parent_data.shape}"
    )


def _deliver(node: Tensor, grad: Any, targets: dict[int, int], found: list[Any], accumulate: bool, taken: set[int], create_graph: bool) -> None:
    """The complete gradient of one of the asked-for inputs: into its .grad, or returned."""
    if accumulate:
        node._accumulate(grad, taken)
    else:
        found[targets[id(node)]] = _own(grad, taken, create_graph)


def _call_backward(ctx: Any, node: Tensor, grad_output: Any, needs: tuple[bool, ...], create_graph: bool) -> Any:
    """One op's backward on Tensors (create_graph) and/or for only some inputs (`needs`)."""
    ctx.needs_input_grad, all_needs = needs, ctx.needs_input_grad
    try:
        if create_graph:
            return ctx.backward_on_tensors(node, grad_output)
        return ctx.function.backward(ctx, grad_output)
    finally:
        ctx.needs_input_grad = all_needs


def _version_used(tensor: Tensor, order: int) -> Tensor:
    """The version of `tensor` that an op made at `order` used. An in-place op inside a graph
    moves the tensor onto a newer node and keeps its earlier versions (api/inplace.py); an
    op's inputs always precede it in creation order, so the newest version older than the op
    is the one it read."""
    return next(version for version in reversed(tensor._history) if version._order < order)


def _leading_to(roots: Sequence[Tensor], targets: dict[int, int]) -> set[int]:
    """ids of the tensors through which a gradient can reach one of `targets`: backward
    skips every other branch (autograd.grad of an input asks nothing of the weights)."""
    seen: dict[int, Tensor] = {}
    stack = list(roots)
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen[id(tensor)] = tensor
        if tensor._ctx is not None and not tensor._ctx.freed:
            stack.extend(
                _version_used(parent, tensor._order) if parent._order > tensor._order else parent
                for parent in tensor._ctx.inputs if isinstance(parent, Tensor)
            )
    needed: set[int] = set()
    for tensor in sorted(seen.values(), key=lambda t: t._order):  # inputs before outputs
        ctx = tensor._ctx
        if id(tensor) in targets or (ctx is not None and any(
            isinstance(p, Tensor) and id(_version_used(p, tensor._order) if p._order > tensor._order else p) in needed
            for p in ctx.inputs
        )):
            needed.add(id(tensor))
    return needed


def _own(grad: Any, taken: set[int], create_graph: bool) -> Tensor:
    """A gradient handed to the caller as a Tensor that shares memory with nothing else."""
    if create_graph:
        return grad
    if backend.owns_writable(grad) and id(grad) not in taken:
        taken.add(id(grad))
        return Tensor._from_op(grad, None)
    return Tensor._from_op(backend.copy(grad), None)
