"""Differences from torch 2.13 found by an audit of optim, optim.lr_scheduler and utils.data,
each pinned by a test that failed before its fix: torch's values where torch is installed,
the values torch is known to give otherwise."""
from __future__ import annotations

import collections
import inspect
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, optim
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.utils import data


def _param(values=(1.0, 1.0)) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True, dtype=np.float64)


# ---- optimizers: torch's errors, group dicts and option values ----------------------------------
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "Invalid momentum value: -1"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda p: optim.AdamW(p, eps=-1), "Invalid epsilon value: -1"),
        (lambda p: optim.RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
        (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
        (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
        (lambda p: optim.SGD([p[0] * 2], lr=0.1), "can't optimize a non-leaf Tensor"),
        (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1), "some parameters appear in more than one parameter group"),
    ],
)
def test_bad_hyperparameters_raise_torchs_value_error(make, message):
    # Before: "SGD: lr must be a non-negative number; got -1" and the like.
    with pytest.raises(ValueError) as raised:
        make([_param()])
    assert str(raised.value) == message


def test_bad_params_raise_torchs_type_errors():
    with pytest.raises(TypeError, match="param_group must be a dict, but got <class 'list'>"):
        optim.SGD([_param()], lr=0.1).add_param_group([_param()])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is float"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {_param()}}], lr=0.1)
    with pytest.raises(KeyError):
        optim.SGD([{"lr": 0.1}])


def test_a_parameter_twice_in_one_group_warns_as_torch():
    # Before: a ValueError; torch warns (and plans an error for a later release).
    param = _param()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optimizer = optim.SGD([param, param], lr=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 2


def test_options_are_kept_as_given_and_defaults_are_torchs():
    # Before: every number became a float (momentum 0.0), so defaults, state_dict and repr
    # differed from torch's (momentum 0).
    param = _param()
    optimizer = optim.SGD([param], lr=1)
    assert optimizer.defaults == {"lr": 1, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
                                  "maximize": False, "foreach": None, "differentiable": False, "fused": None}
    assert type(optimizer.param_groups[0]["lr"]) is int and type(optimizer.defaults["momentum"]) is int
    assert "    momentum: 0\n" in repr(optimizer)
    for name, zero_options in [("Adam", ["weight_decay"]), ("RMSprop", ["weight_decay", "momentum"]),
                               ("Adagrad", ["lr_decay", "weight_decay", "initial_accumulator_value"]), ("Adadelta", ["weight_decay"])]:
        defaults = getattr(optim, name)([_param()]).defaults
        assert all(type(defaults[option]) is int for option in zero_options), name


def test_the_group_dict_given_is_the_group_torch_keeps():
    # Before: a copy; torch appends the given dict itself, filled in with the defaults.
    first, second = _param(), _param()
    group = {"params": [first]}
    optimizer = optim.SGD([group], lr=0.1, momentum=0.9)
    extra = {"params": (p for p in [second]), "lr": 0.5}
    optimizer.add_param_group(extra)
    assert optimizer.param_groups[0] is group and optimizer.param_groups[1] is extra
    assert extra["params"] == [second] and extra["momentum"] == 0.9 and extra["lr"] == 0.5


def test_load_state_dict_errors_start_with_torchs_messages():
    optimizer = optim.SGD([_param()], lr=0.1)
    state = optimizer.state_dict()
    with pytest.raises(ValueError, match="^loaded state dict has a different number of parameter groups"):
        optim.SGD([{"params": [_param()]}, {"params": [_param()]}], lr=0.1).load_state_dict(state)
    with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that doesn't match the size of optimizer's group"):
        optim.SGD([_param(), _param()], lr=0.1).load_state_dict(state)


def _adagrad_run(library, tensor):
    """Adagrad with a group of its own initial_accumulator_value and a group added later: torch
    fills every sum with the constructor's value (at construction, or at a later group's first step)."""
    first, second, third = (tensor(np.array([1.0, -2.0])) for _ in range(3))
    optimizer = library.Adagrad([{"params": [first]}, {"params": [second], "initial_accumulator_value": 0.5}],
                                lr=0.1, initial_accumulator_value=0.25)
    optimizer.add_param_group({"params": [third], "initial_accumulator_value": 2.0})
    states_before = len(optimizer.state_dict()["state"])
    for step in range(3):
        for param in (first, second, third):
            param.grad = tensor(np.array([0.5, 1.5]) * (step + 1), grad=False)
        optimizer.step()
    return states_before, [np.array(param.detach().numpy() if hasattr(param, "detach") else param.data) for param in (first, second, third)]


def test_adagrad_starts_every_sum_from_the_constructors_value():
    # Before: a group's own initial_accumulator_value was used, and a group added later had
    # state before its first step.
    ours = _adagrad_run(optim, lambda a, grad=True: Tensor(a, requires_grad=grad, dtype=np.float64))
    assert ours[0] == 2
    # closed form, s0 = 0.25 for all: θ ← θ − 0.1 g / (√s + 1e-10), s ← s + g²
    theta, s = np.array([1.0, -2.0]), np.full(2, 0.25)
    for step in range(3):
        g = np.array([0.5, 1.5]) * (step + 1)
        s = s + g * g
        theta = theta - 0.1 * g / (np.sqrt(s) + 1e-10)
    for values in ours[1]:
        np.testing.assert_allclose(values, theta, rtol=1e-12)
    torch = pytest.importorskip("torch")
    theirs = _adagrad_run(torch.optim, lambda a, grad=True: torch.tensor(a, requires_grad=grad))
    assert theirs[0] == ours[0]
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# ---- learning-rate schedules that were missing, against torch -----------------------------------
NEW_SCHEDULES = {
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda epoch: 0.9),
    "MultiplicativeLR per group": lambda S, o: S.MultiplicativeLR(o, [lambda epoch: 0.9, lambda epoch: 1 / (epoch + 1)]),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=4),
    "ConstantLR default": lambda S, o: S.ConstantLR(o),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=6, power=2.0),
    "PolynomialLR default": lambda S, o: S.PolynomialLR(o),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]),
    "SequentialLR of a ChainedScheduler": lambda S, o: S.SequentialLR(
        o, [S.ChainedScheduler([S.ConstantLR(o, 0.5, 2), S.ExponentialLR(o, 0.9)]), S.CosineAnnealingLR(o, 5)], milestones=[4]),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
    "CyclicLR triangular2": lambda S, o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=3, mode="triangular2"),
    "CyclicLR exp_range": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range", gamma=0.9),
    "CyclicLR scale_fn": lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations",
                                                 cycle_momentum=False),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
    "CosineAnnealingWarmRestarts T_mult=1": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=4),
}


def _trace_schedule(optim_module, tensor, make, optimizer_name, steps=25):
    params = [tensor(2), tensor(3)]
    momentum = {"momentum": 0.9} if optimizer_name == "SGD" else {}
    optimizer = getattr(optim_module, optimizer_name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1, **momentum)
    scheduler = make(optim_module.lr_scheduler, optimizer)
    trace = []
    for _ in range(steps + 1):
        trace.append([list(scheduler.get_last_lr())] + [[group["lr"], group["momentum"] if "momentum" in group else group["betas"][0]] for group in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return trace, sorted(scheduler.state_dict())


@pytest.mark.parametrize("optimizer_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(NEW_SCHEDULES))
def test_new_schedules_match_torch_step_for_step(name, optimizer_name):
    # Before: absent (AttributeError).
    ours, our_keys = _trace_schedule(optim, lambda n: Tensor(np.ones(n), requires_grad=True), NEW_SCHEDULES[name], optimizer_name)
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, their_keys = _trace_schedule(torch.optim, lambda n: torch.ones(n, requires_grad=True), NEW_SCHEDULES[name], optimizer_name)
    np.testing.assert_allclose(_flat(ours), _flat(theirs), rtol=1e-12, atol=0)
    assert our_keys == their_keys


def _flat(trace) -> np.ndarray:
    return np.array([value for row in trace for part in row for value in part], dtype=np.float64)


def test_new_schedules_closed_forms():
    def lrs(make, steps=8):
        optimizer = optim.SGD([Tensor(np.ones(1), requires_grad=True)], lr=0.1)
        scheduler = make(optimizer)
        out = [scheduler.get_last_lr()[0]]
        for _ in range(steps):
            optimizer.step()
            scheduler.step()
            out.append(scheduler.get_last_lr()[0])
        return out
    np.testing.assert_allclose(lrs(lambda o: lr_scheduler.ConstantLR(o, 0.5, 3)), [0.05] * 3 + [0.1] * 6, rtol=1e-12)
    np.testing.assert_allclose(lrs(lambda o: lr_scheduler.PolynomialLR(o, 4, 2.0)), [0.1 * (1 - min(e, 4) / 4) ** 2 for e in range(9)], atol=1e-15)
    np.testing.assert_allclose(lrs(lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.5)), [0.1 * 0.5 ** e for e in range(9)], rtol=1e-12)
    # SGDR with T_0=2, T_mult=2: cycles of 2 then 4 steps
    t_cur = [0, 1, 0, 1, 2, 3, 0, 1, 2]
    t_i = [2, 2, 4, 4, 4, 4, 8, 8, 8]
    np.testing.assert_allclose(lrs(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 2, 2)),
                               [0.05 * (1 + np.cos(np.pi * c / i)) for c, i in zip(t_cur, t_i)], rtol=1e-12)
    # triangular: 0.01 up to 0.1 over 3 steps, down over 3
    np.testing.assert_allclose(lrs(lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, 3)), [0.01, 0.04, 0.07, 0.1, 0.07, 0.04, 0.01, 0.04, 0.07], rtol=1e-12)


def test_warm_restarts_step_takes_a_fractional_epoch():
    def lrs(S, optimizer):
        scheduler = S.CosineAnnealingWarmRestarts(optimizer, T_0=3, T_mult=2, eta_min=0.01)
        out = []
        for epoch in [0.5, 1.2, 3.0, 4.7, 9.1, 10, 22.5, 2]:
            scheduler.step(epoch)
            out += [optimizer.param_groups[0]["lr"], scheduler.T_cur, scheduler.T_i, scheduler.last_epoch]
        return out
    ours = lrs(lr_scheduler, optim.SGD([Tensor(np.ones(1), requires_grad=True)], lr=0.1))
    assert ours[2] == 3 and ours[3 * 4 + 2] == 6 and ours[4 * 4 + 2] == 12  # T_i: 3, then 6 from epoch 3, then 12 from 9
    torch = pytest.importorskip("torch")
    theirs = lrs(torch.optim.lr_scheduler, torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_scheduler_names_and_messages_of_torch():
    optimizer = optim.SGD([Tensor(np.ones(1), requires_grad=True)], lr=0.1)
    assert lr_scheduler._LRScheduler is lr_scheduler.LRScheduler  # older code subclasses torch's old name
    # a resumed scheduler's state_dict has torch's keys (its get_lr flag included)
    assert "_get_lr_called_within_step" in lr_scheduler.StepLR(optimizer, 2).state_dict()
    with pytest.raises(TypeError, match="lr_lambda should be a function, but got float"):
        lr_scheduler.MultiplicativeLR(optimizer, 0.9)
    with pytest.raises(ValueError, match="max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1."):
        lr_scheduler.OneCycleLR(optimizer, [1.0, 2.0], total_steps=5)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        lr_scheduler.CosineAnnealingWarmRestarts(optimizer, 0)
    with pytest.raises(ValueError, match="ChainedScheduler expects at least one scheduler to be chained"):
        lr_scheduler.ChainedScheduler([])
    with pytest.raises(KeyError, match="when resuming scheduler with last_epoch >= 0"):
        lr_scheduler.StepLR(optim.SGD([Tensor(np.ones(1), requires_grad=True)], lr=0.1), 2, last_epoch=3)


def test_reduce_lr_on_plateau_takes_a_loss_tensor():
    # Before: float(metric) of a 0-d Tensor raised TypeError (torch's step calls float(metrics)).
    param = Tensor(np.ones(2), requires_grad=True)
    optimizer = optim.SGD([param], lr=0.1)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    for _ in range(3):
        scheduler.step((param * param).sum())
    np.testing.assert_allclose(scheduler.get_last_lr(), [0.001], rtol=1e-12)


# ---- utils.data: torch's dtypes, structures, names and errors --------------------------------
COLLATED = {
    "floats": [1.5, 2.5],
    "float64 arrays": [np.ones(2), np.zeros(2)],
    "float32 arrays": [np.ones(2, np.float32), np.zeros(2, np.float32)],
    "numpy scalars": [np.float64(1.0), np.float64(2.0)],
    "0-d arrays": [np.array(1.0), np.array(2.0)],
    "int32 arrays": [np.arange(2, dtype=np.int32)] * 2,
    "tuples": [(1, 2.0), (3, 4.0)],
    "dicts": [{"a": 1, "b": 2.0}, {"a": 3, "b": 4.0}],
    "ordered dicts": [collections.OrderedDict(b=1.0, a=2), collections.OrderedDict(b=3.0, a=4)],
    "nested strings": [{"x": (1, [2.0, "s"])}, {"x": (3, [4.0, "t"])}],
}
CONVERTED = {
    "float64 array": np.ones(2),
    "numpy float scalar": np.float64(1.5),
    "numpy int scalar": np.int64(3),
    "numpy float32 scalar": np.float32(1.5),
    "tuple": (np.ones(2), 1, "s"),
}


def _described(value):
    """A batch's structure with each tensor's dtype, shape and values, the same for both libraries."""
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, np.ndarray):
        return ("tensor", str(value.dtype).replace("torch.", ""), tuple(value.shape), value.numpy().tolist())
    if isinstance(value, dict):
        return (type(value).__name__, [(key, _described(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_described(item) for item in value])
    return (type(value).__name__, value.tolist() if isinstance(value, np.ndarray) else value)


def test_default_collate_keeps_torchs_dtypes_without_torch():
    # Before: Python floats and numpy float64 arrays became float32 (torch: float64).
    assert data.default_collate([1.5, 2.5]).dtype == tg.float64
    assert data.default_collate([np.ones(2), np.zeros(2)]).dtype == tg.float64
    assert data.default_collate([np.ones(2, np.float32)] * 2).dtype == tg.float32
    assert data.default_collate([1, 2]).dtype == tg.int64
    features, labels = next(iter(data.DataLoader([(np.ones(3), 1)] * 4, batch_size=2)))
    assert features.dtype == tg.float64 and labels.dtype == tg.int64
    batch = data.default_collate([{"x": (1, [2.0, "s"])}, {"x": (3, [4.0, "t"])}])
    assert batch["x"][1][1] == ("s", "t")  # strings inside a sample come back as torch's tuple
    converted = data.default_convert(np.float64(1.5))
    assert isinstance(converted, Tensor) and converted.dtype == tg.float64 and converted.shape == ()


@pytest.mark.parametrize("name", list(COLLATED))
def test_default_collate_matches_torch(name):
    torch = pytest.importorskip("torch")
    assert _described(data.default_collate(COLLATED[name])) == _described(torch.utils.data.default_collate(COLLATED[name]))


@pytest.mark.parametrize("name", list(CONVERTED))
def test_default_convert_matches_torch(name):
    # Before: numpy scalars were left as they were (torch: 0-d tensors) and floats became float32.
    torch = pytest.importorskip("torch")
    assert _described(data.default_convert(CONVERTED[name])) == _described(torch.utils.data.default_convert(CONVERTED[name]))


def test_a_single_array_or_tensor_data_set_keeps_its_dtype():
    # Before: float64 rows became float32; torch reads item i as row i and keeps the dtype.
    rows = np.arange(6.0).reshape(3, 2)
    assert [batch.dtype for batch in data.DataLoader(rows, batch_size=2)] == [tg.float64] * 2
    assert next(iter(data.DataLoader(Tensor(rows, dtype=np.float64), batch_size=3))).dtype == tg.float64
    # the tuple shortcut (ours, not torch's) still gives float32
    assert next(iter(data.DataLoader((rows, np.arange(3)), batch_size=3)))[0].dtype == tg.float32


def test_collate_errors_are_torchs_runtime_errors():
    # Before: ValueError only; torch raises RuntimeError (ours is both).
    with pytest.raises(RuntimeError, match=r"^stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1"):
        data.default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="^each element in list of batch should be of equal size"):
        data.default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="found <U1"):
        data.default_collate([np.array(["a"]), np.array(["b"])])


def test_tensor_dataset_size_mismatch_is_torchs_assertion_error():
    # Before: a ValueError only; torch raises AssertionError (ours is both).
    with pytest.raises(AssertionError, match="^Size mismatch between tensors"):
        data.TensorDataset(tg.ones(3), tg.ones(4))
    with pytest.raises(ValueError):
        data.TensorDataset(tg.ones(3), tg.ones(4))


def test_dataset_base_and_subset_as_torch():
    with pytest.raises(NotImplementedError, match="^Subclasses of Dataset should implement __getitem__."):
        data.Dataset()[0]
    # Subset with a list asks the data set for the whole list (a TensorDataset then gives tensors)
    rows, labels = data.Subset(data.TensorDataset(tg.arange(10.0).reshape(5, 2), tg.arange(5)), [4, 0, 2])[[0, 2]]
    assert rows.tolist() == [[8.0, 9.0], [4.0, 5.0]] and labels.tolist() == [4, 2]


def test_stack_dataset_as_torch():
    # Before: absent.
    paired = data.StackDataset(data.TensorDataset(tg.arange(3)), [10, 11, 12])
    assert len(paired) == 3 and paired[1][1] == 11 and paired[1][0][0].item() == 1
    named = data.StackDataset(image=[1, 2], label=[3, 4])
    assert named[1] == {"image": 2, "label": 4}
    assert next(iter(data.DataLoader(named, batch_size=2)))["label"].tolist() == [3, 4]
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset([1, 2], [1])
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        data.StackDataset()


def test_a_data_set_with_getitems_is_read_a_batch_at_once():
    class Batched(data.Dataset):
        def __init__(self):
            self.calls = []

        def __len__(self):
            return 5

        def __getitem__(self, index):
            raise AssertionError("the DataLoader should use __getitems__, as torch's")

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [(float(i), i) for i in indices]

    dataset = Batched()
    batches = list(data.DataLoader(dataset, batch_size=2))
    assert dataset.calls == [[0, 1], [2, 3], [4]] and batches[2][1].tolist() == [4]


def test_dataloader_signature_is_torchs():
    # Before: shuffle=False, and multiprocessing_context, pin_memory_device and in_order were refused.
    parameters = inspect.signature(data.DataLoader).parameters
    assert parameters["shuffle"].default is None
    names = list(parameters)
    assert names[:13] == ["dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn",
                          "pin_memory", "drop_last", "timeout", "worker_init_fn", "multiprocessing_context", "generator"]
    loader = data.DataLoader(list(range(4)), batch_size=2, multiprocessing_context="spawn", pin_memory_device="", in_order=False)
    assert [batch.tolist() for batch in loader] == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="^batch_size should be a positive integer value, but got batch_size=0"):
        data.DataLoader(list(range(4)), batch_size=0)
    torch = pytest.importorskip("torch")
    theirs = inspect.signature(torch.utils.data.DataLoader).parameters
    assert {name: p.default for name, p in theirs.items()} == {name: p.default for name, p in parameters.items() if name != "seed"}


# ---- optimizer hooks ---------------------------------------------------------------------------
def _hook_log(optim_module, tensor):
    param = tensor()

    class Hooked(optim_module.SGD):  # a subclass: the step wrapper stays off SGD for the other tests
        pass

    optimizer = Hooked([param], lr=0.1)
    log = []
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: log.append(("pre", len(args), args[0] is opt, kwargs)))
    optimizer.register_step_post_hook(lambda opt, args, kwargs: log.append(("post", len(args))))
    optimizer.register_state_dict_pre_hook(lambda opt: log.append("state_dict pre"))
    optimizer.register_state_dict_post_hook(lambda opt, state: {**state, "extra": 1})
    optimizer.register_state_dict_post_hook(lambda opt, state: log.append(sorted(state)), prepend=True)
    optimizer.register_load_state_dict_pre_hook(lambda opt, state: {k: v for k, v in state.items() if k != "extra"})
    optimizer.register_load_state_dict_post_hook(lambda opt: log.append("loaded"))
    param.grad = tensor()
    optimizer.step()
    state = optimizer.state_dict()
    optimizer.load_state_dict(state)
    pre.remove()
    optimizer.step(closure=None)
    return log + [sorted(state)]


def test_optimizer_hooks_are_called_as_torchs():
    # Before: register_step_pre_hook and the other five were missing (AttributeError).
    ours = _hook_log(optim, lambda: Tensor(np.ones(2), requires_grad=True))
    assert ours == [("pre", 1, True, {}), ("post", 1), "state_dict pre", ["param_groups", "state"], "loaded",
                    ("post", 1), ["extra", "param_groups", "state"]]
    torch = pytest.importorskip("torch")
    assert ours == _hook_log(torch.optim, lambda: torch.ones(2, requires_grad=True))


# ---- Adamax, NAdam, RAdam, Rprop and ASGD (were missing) ----------------------------------------
NEW_OPTIMIZERS = [
    ("Adamax", [{}, {"lr": 0.01, "betas": (0.8, 0.9)}], dict(lr=0.1, weight_decay=0.1)),
    ("Adamax", [{"maximize": True}, {"eps": 1e-2}], dict()),
    ("RAdam", [{}, {"lr": 0.01, "betas": (0.8, 0.9)}], dict(lr=0.1, weight_decay=0.1)),
    ("RAdam", [{"maximize": True}, {}], dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", [{}, {"betas": (0.9, 0.5)}], dict()),
    ("Rprop", [{}, {"lr": 0.05, "etas": (0.3, 1.5)}], dict(lr=0.1)),
    ("Rprop", [{"maximize": True}, {"step_sizes": (0.01, 0.2)}], dict()),
    ("ASGD", [{}, {"lr": 0.05, "t0": 3}], dict(lr=0.1, weight_decay=0.1, t0=5)),
    ("ASGD", [{"maximize": True}, {"lambd": 0.1, "alpha": 0.5}], dict(t0=2)),
    ("NAdam", [{}, {"lr": 0.01, "betas": (0.8, 0.9)}], dict(lr=0.1, weight_decay=0.1)),
    ("NAdam", [{"maximize": True}, {"momentum_decay": 0.1}], dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)),
]


def _run_optimizer(optim_module, tensor, name, groups, kwargs, dtype, steps=12):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (2, 2)]
    params = [tensor(rng.standard_normal(shape).astype(dtype)) for shape in shapes]
    optimizer = getattr(optim_module, name)([{"params": params[:2], **groups[0]}, {"params": params[2:], **groups[1]}], **kwargs)
    for _ in range(steps):
        for param in params:
            param.grad = tensor(rng.standard_normal(param.shape).astype(dtype), grad=False)
        optimizer.step()
    values = [np.array(param.detach().numpy() if hasattr(param, "detach") else param.numpy()) for param in params]
    return values, optimizer.state_dict()


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("name, groups, kwargs", NEW_OPTIMIZERS)
def test_new_optimizers_match_torch_step_for_step(name, groups, kwargs, dtype, rtol):
    # Before: absent (AttributeError).
    ours, our_state = _run_optimizer(optim, lambda a, grad=True: Tensor(a, requires_grad=grad, dtype=a.dtype), name, groups, kwargs, dtype)
    torch = pytest.importorskip("torch")
    theirs, their_state = _run_optimizer(torch.optim, lambda a, grad=True: torch.tensor(a, requires_grad=grad), name, groups, kwargs, dtype)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2)
    for index, entry in their_state["state"].items():  # every state value too (ASGD's average ax, Rprop's step sizes, ...)
        for name, value in entry.items():
            np.testing.assert_allclose(np.asarray(our_state["state"][index][name], dtype=np.float64), value.double().numpy(),
                                       rtol=rtol, atol=rtol * 1e-2, err_msg=f"{index} {name}")
    assert {k: sorted(v) for k, v in our_state["state"].items()} == {k: sorted(v) for k, v in their_state["state"].items()}
    assert [sorted(group) for group in our_state["param_groups"]] == [sorted(group) for group in their_state["param_groups"]]


def test_adamax_and_radam_closed_forms():
    param = Tensor(np.array([1.0, -2.0]), requires_grad=True, dtype=np.float64)
    optimizer = optim.Adamax([param], lr=0.1)
    param.grad = Tensor(np.array([0.5, -4.0]), dtype=np.float64)
    optimizer.step()
    # m = 0.1 g, u = |g| + ε, θ ← θ − 0.1 / (1 − 0.9) · m / u = θ − 0.1 sign(g) (up to ε)
    np.testing.assert_allclose(param.numpy(), [1.0 - 0.05 / (0.5 + 1e-8), -2.0 + 0.4 / (4.0 + 1e-8)], rtol=1e-12)
    param = Tensor(np.array([1.0]), requires_grad=True, dtype=np.float64)
    optimizer = optim.RAdam([param], lr=0.1)
    param.grad = Tensor(np.array([3.0]), dtype=np.float64)
    optimizer.step()  # ρ₁ = 1 ≤ 5: a momentum step, θ ← θ − lr m̂ = θ − 0.1 · 3
    np.testing.assert_allclose(param.numpy(), [0.7], rtol=1e-12)
    assert optimizer.state_dict()["state"][0]["step"] == 1


def test_torchs_submodule_paths_import():
    # Before: tinygrad_edu.utils.data was one file, so `from torch.utils.data.sampler import
    # Sampler` (and .dataset, .dataloader, common in older code) failed under as_torch.
    from tinygrad_edu.utils.data._utils.collate import default_collate as old_spelling
    from tinygrad_edu.utils.data.dataloader import DataLoader, default_collate
    from tinygrad_edu.utils.data.dataset import Dataset, random_split
    from tinygrad_edu.utils.data.sampler import BatchSampler, Sampler

    assert DataLoader is data.DataLoader and default_collate is data.default_collate is old_spelling
    assert Dataset is data.Dataset and random_split is data.random_split
    assert Sampler is data.Sampler and BatchSampler is data.BatchSampler
    torch = pytest.importorskip("torch")
    import torch.utils.data.dataloader
    import torch.utils.data.dataset
    import torch.utils.data.sampler
    import tinygrad_edu.utils.data.dataloader
    import tinygrad_edu.utils.data.dataset
    import tinygrad_edu.utils.data.sampler
    for name in ("dataset", "sampler"):
        ours, theirs = getattr(tinygrad_edu.utils.data, name), getattr(torch.utils.data, name)
        assert set(theirs.__all__) <= set(dir(ours)), name
    assert {"DataLoader", "default_collate", "default_convert", "get_worker_info"} <= set(dir(tinygrad_edu.utils.data.dataloader))


def test_nadam_state_dict_moves_to_torch_and_back():
    ours = _run_optimizer(optim, lambda a, grad=True: Tensor(a, requires_grad=grad, dtype=a.dtype), *NEW_OPTIMIZERS[-1], np.float32, steps=3)[1]
    entry = ours["state"][0]
    assert sorted(entry) == ["exp_avg", "exp_avg_sq", "mu_product", "step"]
    assert entry["mu_product"].dtype == np.float32 and entry["mu_product"].shape == ()  # a float32 0-d tensor in torch
    param = Tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    other = Tensor(np.zeros(4, np.float32), requires_grad=True)
    last = Tensor(np.zeros((2, 2), np.float32), requires_grad=True)
    optimizer = optim.NAdam([{"params": [param, other]}, {"params": [last]}], lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)
    optimizer.load_state_dict(ours)
    assert optimizer.state[param]["mu_product"] == entry["mu_product"]
    torch = pytest.importorskip("torch")
    params = [torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True), torch.zeros(2, 2, requires_grad=True)]
    theirs = torch.optim.NAdam([{"params": params[:2]}, {"params": params[2:]}], lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)
    theirs.load_state_dict({"state": {k: {n: torch.from_numpy(np.asarray(v)) for n, v in e.items()} for k, e in ours["state"].items()},
                            "param_groups": ours["param_groups"]})
    assert float(theirs.state[params[0]]["mu_product"]) == float(entry["mu_product"])
    optimizer.load_state_dict(theirs.state_dict())
    assert optimizer.state[param]["mu_product"] == entry["mu_product"]


# ---- LBFGS (was missing; the neural style transfer tutorial's optimizer) ------------------------
def _lbfgs_run(optim_module, tensor, line_search_fn, history_size, max_iter):
    a, b = tensor(np.array([-1.5, 2.0])), tensor(np.array([0.5, -0.3]))
    optimizer = optim_module.LBFGS([a, b], lr=1, line_search_fn=line_search_fn, history_size=history_size, max_iter=max_iter)

    def closure():
        optimizer.zero_grad()
        loss = (1 - a[0]) ** 2 + 100 * (a[1] - a[0] ** 2) ** 2 + ((b - 0.7) ** 2).sum() * 3 + (a[1] * b[0]) ** 2
        loss.backward()
        return loss

    losses = [optimizer.step(closure).item() for _ in range(4)]
    state = optimizer.state[a]
    values = np.concatenate([np.array(p.detach().numpy() if hasattr(p, "detach") else p.numpy()) for p in (a, b)])
    return values, losses, state["func_evals"], state["n_iter"], sorted(state)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("history_size, max_iter", [(100, 20), (3, 7)])
def test_lbfgs_matches_torch(line_search_fn, history_size, max_iter):
    ours = _lbfgs_run(optim, lambda v: Tensor(v, requires_grad=True, dtype=np.float64), line_search_fn, history_size, max_iter)
    assert ours[1][-1] < 0.5 * ours[1][0]  # it minimises
    torch = pytest.importorskip("torch")
    theirs = _lbfgs_run(torch.optim, lambda v: torch.tensor(v, requires_grad=True), line_search_fn, history_size, max_iter)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-8, atol=1e-9)  # Rosenbrock's valley amplifies rounding
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-9)
    assert ours[2:] == theirs[2:]  # function evaluations, iterations and the state's names


def test_lbfgs_refuses_groups_and_unknown_line_searches():
    params = [Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)]
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": params[:1]}, {"params": params[1:]}])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.LBFGS(params, lr=-1)
    optimizer = optim.LBFGS(params, line_search_fn="backtracking")

    def closure():
        optimizer.zero_grad()
        loss = (params[0] * params[1]).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        optimizer.step(closure)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
        (dict(num_workers=2, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    ],
)
def test_dataloader_worker_options_are_checked_as_torch(options, message):
    # Before: accepted; torch refuses these combinations.
    with pytest.raises(ValueError, match=message):
        data.DataLoader(list(range(4)), **options)
    assert len(data.DataLoader(list(range(4)), num_workers=2, prefetch_factor=2, persistent_workers=True, timeout=1)) == 4


def test_dataloader_batching_attributes_are_frozen_after_init_as_torch():
    # Before: writable, silently out of step with the batches (the fast path and len() were fixed at construction).
    loader = data.DataLoader(data.TensorDataset(tg.arange(6.0)), batch_size=2)
    for name, value in [("batch_size", 3), ("sampler", None), ("batch_sampler", None), ("drop_last", True), ("dataset", [1])]:
        with pytest.raises(ValueError, match=f"{name} attribute should not be set after DataLoader is initialized"):
            setattr(loader, name, value)
    loader.collate_fn = data.default_collate  # the others stay writable, as torch's
    assert len(loader) == 3


def test_every_optimizer_module_path_of_torch_imports():
    # Before: torch.optim.adamw (and the modules of the optimizers that were missing) did not exist.
    import importlib

    for name, cls in [("adamw", "AdamW"), ("adamax", "Adamax"), ("nadam", "NAdam"), ("radam", "RAdam"), ("rprop", "Rprop"),
                      ("asgd", "ASGD"), ("lbfgs", "LBFGS"), ("sgd", "SGD"), ("adam", "Adam"), ("rmsprop", "RMSprop"),
                      ("adagrad", "Adagrad"), ("adadelta", "Adadelta"), ("optimizer", "Optimizer")]:
        assert getattr(importlib.import_module(f"tinygrad_edu.optim.{name}"), cls) is getattr(optim, cls)


# ---- swa_utils (was missing) --------------------------------------------------------------------
def _swa_run(T, **options):
    """A small model with BatchNorm trained 6 steps under SWALR, averaged after each, then update_bn."""
    swa = T.optim.swa_utils
    rng = np.random.default_rng(0)
    model = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4), T.nn.Linear(4, 1))
    with T.no_grad():
        for param in model.parameters():
            param.copy_(T.tensor(rng.standard_normal(tuple(param.shape)).astype(np.float32)))
    averaged = swa.AveragedModel(model, **options)
    optimizer = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = swa.SWALR(optimizer, swa_lr=0.05, anneal_epochs=3)
    x = T.tensor(rng.standard_normal((32, 3)).astype(np.float32))
    y = T.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    lrs = []
    for _ in range(6):
        optimizer.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        optimizer.step()
        scheduler.step()
        averaged.update_parameters(model)
        lrs.append(scheduler.get_last_lr()[0])
    swa.update_bn([(x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)], averaged)
    averaged.eval()
    state = averaged.state_dict()
    return (averaged(x).detach().numpy(), lrs, int(averaged.n_averaged.item()), list(state),
            [np.asarray(value.detach().numpy() if hasattr(value, "detach") else value, dtype=np.float64) for value in state.values()])


@pytest.mark.parametrize("options", ["swa", "ema", "avg_fn", "use_buffers"])
def test_swa_utils_match_torch(options):
    # Before: tinygrad_edu.optim.swa_utils did not exist.
    def make_options(T):
        swa = T.optim.swa_utils
        return {"swa": {}, "ema": {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9)}, "avg_fn": {"avg_fn": swa.get_ema_avg_fn(0.8)},
                "use_buffers": {"use_buffers": True}}[options]

    ours = _swa_run(tg, **make_options(tg))
    assert ours[2] == 6 and ours[1][2:] == pytest.approx([0.05] * 4)  # annealed to swa_lr in 3 steps
    torch = pytest.importorskip("torch")
    theirs = _swa_run(torch, **make_options(torch))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)  # float32 models
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    assert ours[2:4] == theirs[2:4]  # n_averaged and the state_dict's keys
    for a, b in zip(ours[4], theirs[4]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_swa_running_mean_closed_form():
    model = tg.nn.Linear(1, 1)
    averaged = optim.swa_utils.AveragedModel(model)
    for value in [1.0, 2.0, 6.0]:
        model.weight.data[...] = value
        averaged.update_parameters(model)
    assert averaged.module.weight.item() == pytest.approx(3.0) and averaged.n_averaged.item() == 3
    with pytest.raises(ValueError, match="Invalid decay value 1.5"):
        optim.swa_utils.get_ema_avg_fn(1.5)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got exp"):
        optim.swa_utils.SWALR(optim.SGD(model.parameters(), lr=0.1), swa_lr=0.01, anneal_strategy="exp")
