"""An optimizer's step is recorded as one write of all its parameters (versions.mark_written_by):
the record must follow the step that made it, the arrays it wrote, and changes to them."""
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim

MESSAGE = "modified by an inplace operation"


def stale_graph_after(steps: int, replace_data: bool = False):
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps - 1):  # earlier steps: the record is reused from step to step
        optimizer.zero_grad()
        model(tg.ones(4, 3)).sum().backward()
        optimizer.step()
    if replace_data:  # new arrays for the parameters: the record must name them
        model.weight.data = model.weight.array.copy()  # the setter, with an ndarray
    loss = model(tg.ones(4, 3)).tanh().sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    return loss


@pytest.mark.parametrize("steps", [1, 2, 5])
def test_every_step_makes_earlier_graphs_stale(steps):
    with pytest.raises(RuntimeError, match=MESSAGE):
        stale_graph_after(steps).backward()


def test_parameters_given_new_arrays_are_recorded_too():
    with pytest.raises(RuntimeError, match=MESSAGE):
        stale_graph_after(3, replace_data=True).backward()


def test_a_graph_built_after_the_step_runs():
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    model(tg.ones(4, 3)).sum().backward()
    optimizer.step()
    loss = model(tg.ones(4, 3)).tanh().sum()
    loss.backward(retain_graph=True)
    loss.backward()  # nothing was written since this graph was built
    assert np.isfinite(model.weight.grad.numpy()).all()


def test_a_parameter_that_is_a_view_marks_the_memory_it_shares():
    base = tg.zeros(2, 3)
    weight = nn.Parameter(tg.zeros(3))
    weight.array = base.array[0]  # a view of base's memory
    optimizer = optim.SGD([weight], lr=0.1)
    x = tg.tensor(base.array.copy(), requires_grad=True)
    saved = (x * tg.from_numpy(base.array)).sum()  # Mul saves base's array: the memory weight shares
    weight.grad = tg.ones(3)
    optimizer.step()
    with pytest.raises(RuntimeError, match=MESSAGE):
        saved.backward()


def test_the_record_outlives_its_optimizer_as_stamps():
    import gc

    from tinygrad_edu import versions
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    loss = model(tg.ones(1, 3)).tanh().sum()
    loss.backward(retain_graph=True)
    optimizer.step()
    key = id(optimizer)
    assert key in versions._bulk_writes
    del optimizer
    gc.collect()
    assert key not in versions._bulk_writes  # no record kept for a writer that is gone ...
    with pytest.raises(RuntimeError, match=MESSAGE):  # ... but its write still counts
        loss.backward()


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_a_parameter_given_a_new_array_of_another_shape_gets_new_scratch_space(kind):
    weight = nn.Parameter(tg.ones(3))
    optimizer = getattr(optim, kind)([weight], lr=0.5)
    weight.grad = tg.ones(3)
    optimizer.step()
    optimizer.state.clear()
    weight.array = np.ones((2, 2), np.float32)  # the scratch array kept for the (3,) array no longer fits
    weight.grad = tg.ones(2, 2)
    optimizer.step()
    assert weight.array.shape == (2, 2) and (weight.array < 1).all()


def test_a_record_once_checked_names_the_next_steps_arrays_not_the_old_ones():
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    first = model(tg.ones(4, 3)).tanh().sum()
    first.backward(retain_graph=True)
    optimizer.step()
    with pytest.raises(RuntimeError, match=MESSAGE):  # the check works out which memory the step wrote
        first.backward()
    second = model(tg.ones(4, 3)).tanh().sum()
    second.backward(retain_graph=True)
    old_weight = model.weight.array
    model.weight.array = old_weight.copy()
    optimizer.step()  # writes the new weight array and the bias; the graph saved the old weight
    second.backward()  # nothing it saved was written since
    assert model.weight.grad.shape == (2, 3) and np.isfinite(model.weight.grad.numpy()).all()
