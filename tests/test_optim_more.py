"""AdamW, RMSprop, Adagrad, Adadelta, amsgrad and maximize step for step as torch.optim
(oracle); parameter groups (per-group options, add_param_group, writes to param_groups taking
effect at the next step); state_dicts in torch's layout loading into torch and back; and each
new update rule in closed form (always)."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, optim

SHAPES = [(3, 4), (5,), (2, 2)]
STEPS = 6

CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1, nesterov=True, maximize=True)),
    ("Adam", dict(lr=1e-2, amsgrad=True)),
    ("Adam", dict(lr=2e-2, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=2e-2, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=3e-2, betas=(0.85, 0.95), eps=1e-6, weight_decay=0.3)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.05, amsgrad=True, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=1e-2, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=1e-2, momentum=0.9)),
    ("RMSprop", dict(lr=1e-2, momentum=0.5, centered=True, weight_decay=0.01, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-8)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
]


def schedule(seed: int = 0) -> tuple[list[np.ndarray], list[list[np.ndarray | None]]]:
    rng = np.random.default_rng(seed)
    initial = [rng.standard_normal(shape) for shape in SHAPES]
    grads: list[list[np.ndarray | None]] = [[rng.standard_normal(shape) for shape in SHAPES] for _ in range(STEPS)]
    grads[2][1] = None  # a parameter without a gradient at one step is skipped by both
    return initial, grads


def groups_of(params: list, kwargs: dict, grouped: bool) -> list:
    """All parameters in one group, or the last one in a second group with half the lr."""
    if not grouped:
        return params
    return [{"params": params[:-1]}, {"params": params[-1:], "lr": kwargs.get("lr", 1e-2) / 2}]


def run_ours(name, kwargs, dtype, grouped=False, steps=STEPS):
    initial, grads = schedule()
    params = [Tensor(a, requires_grad=True, dtype=dtype) for a in initial]
    optimizer = getattr(optim, name)(groups_of(params, kwargs, grouped), **kwargs)
    for step_grads in grads[:steps]:
        for param, grad in zip(params, step_grads):
            param.grad = None if grad is None else Tensor(grad, dtype=dtype)
        optimizer.step()
    return params, optimizer


def run_torch(torch, name, kwargs, dtype, grouped=False, steps=STEPS):
    initial, grads = schedule()
    torch_dtype = {np.float32: torch.float32, np.float64: torch.float64}[dtype]
    params = [torch.tensor(a, dtype=torch_dtype, requires_grad=True) for a in initial]
    optimizer = getattr(torch.optim, name)(groups_of(params, kwargs, grouped), **kwargs)
    for step_grads in grads[:steps]:
        for param, grad in zip(params, step_grads):
            param.grad = None if grad is None else torch.tensor(grad, dtype=torch_dtype)
        optimizer.step()
    return params, optimizer


def assert_same_state(ours, theirs, rtol, atol):
    our_params, our_optimizer = ours
    their_params, their_optimizer = theirs
    for index, (mine, reference) in enumerate(zip(our_params, their_params)):
        np.testing.assert_allclose(mine.array, reference.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"parameter {index}")
        our_state, their_state = our_optimizer.state.get(mine, {}), their_optimizer.state.get(reference, {})
        assert set(our_state) == set(their_state), f"parameter {index}"
        for key, value in their_state.items():
            np.testing.assert_allclose(np.asarray(our_state[key]), value.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"{key} of {index}")


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-12), (np.float32, 2e-5, 2e-6)])
@pytest.mark.parametrize("name, kwargs", CASES)
def test_matches_torch_step_for_step(name, kwargs, dtype, rtol, atol, grouped):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    ours = run_ours(name, kwargs, dtype, grouped)
    assert all(param.dtype == dtype for param in ours[0])
    assert_same_state(ours, run_torch(torch, name, kwargs, dtype, grouped), rtol, atol)


@pytest.mark.parametrize("name, kwargs", CASES)
def test_param_groups_have_torchs_keys_and_values(name, kwargs):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    _, ours = run_ours(name, kwargs, np.float64, grouped=True, steps=0)
    _, theirs = run_torch(torch, name, kwargs, np.float64, grouped=True, steps=0)
    for our_group, their_group in zip(ours.param_groups, theirs.param_groups):
        assert set(our_group) == set(their_group)
        assert {k: v for k, v in our_group.items() if k != "params"} == {k: v for k, v in their_group.items() if k != "params"}
    assert ours.defaults == theirs.defaults


@pytest.mark.parametrize("name, kwargs", CASES)
def test_state_dict_loads_into_torch_and_back(name, kwargs):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    # Ours after 3 steps → torch, both take 3 more: the same parameters as torch throughout.
    ours = run_ours(name, kwargs, np.float64, grouped=True, steps=3)
    ours_state = ours[1].state_dict()
    assert sorted(ours_state) == ["param_groups", "state"] and all(isinstance(key, int) for key in ours_state["state"])
    as_torch = {"state": {index: {key: torch.from_numpy(value) for key, value in entry.items()} for index, entry in ours_state["state"].items()},
                "param_groups": ours_state["param_groups"]}
    their_params, their_optimizer = run_torch(torch, name, kwargs, np.float64, grouped=True, steps=0)
    with torch.no_grad():
        for param, mine in zip(their_params, ours[0]):
            param.copy_(torch.from_numpy(mine.array))
    their_optimizer.load_state_dict(as_torch)
    # torch's → ours: a fresh optimizer of ours loads torch's state_dict (tensors as given).
    fresh = [Tensor(param.array.copy(), requires_grad=True, dtype=np.float64) for param in ours[0]]
    reloaded = getattr(optim, name)(groups_of(fresh, kwargs, True), **{**kwargs, "lr": 7.0})
    reloaded.load_state_dict(their_optimizer.state_dict())
    _, grads = schedule()
    for step_grads in grads[3:]:
        for group in (ours[0], their_params, fresh):
            for param, grad in zip(group, step_grads):
                param.grad = None if grad is None else (torch.tensor(grad) if isinstance(param, torch.Tensor) else Tensor(grad, dtype=np.float64))
        ours[1].step(), their_optimizer.step(), reloaded.step()
    assert_same_state(ours, (their_params, their_optimizer), 1e-10, 1e-12)
    assert_same_state((fresh, reloaded), (their_params, their_optimizer), 1e-10, 1e-12)


@pytest.mark.parametrize("name, kwargs", CASES)
def test_state_dict_survives_tg_save(name, kwargs, tmp_path):
    params, optimizer = run_ours(name, kwargs, np.float32, grouped=True, steps=3)
    tg.save(optimizer.state_dict(), tmp_path / "optimizer.pt")
    copies = [Tensor(param.array.copy(), requires_grad=True) for param in params]
    resumed = getattr(optim, name)(groups_of(copies, kwargs, True), **kwargs)
    resumed.load_state_dict(tg.load(tmp_path / "optimizer.pt"))
    _, grads = schedule()
    for step_grads in grads[3:]:
        for group in (params, copies):
            for param, grad in zip(group, step_grads):
                param.grad = None if grad is None else Tensor(grad, dtype=np.float32)
        optimizer.step(), resumed.step()
    for param, copy in zip(params, copies):
        np.testing.assert_array_equal(param.array, copy.array)


# ---- parameter groups -----------------------------------------------------------------------
def test_writing_param_groups_lr_takes_effect_at_the_next_step():
    param = Tensor(np.zeros(2), requires_grad=True, dtype=np.float64)
    optimizer = optim.SGD([param], lr=0.1)
    param.grad = Tensor(np.ones(2), dtype=np.float64)
    optimizer.step()
    optimizer.param_groups[0]["lr"] = 0.5
    optimizer.step()
    np.testing.assert_allclose(param.array, [-0.6, -0.6], rtol=1e-15)


def test_groups_take_their_own_options_and_the_defaults_for_the_rest():
    a, b = Tensor(np.zeros(1), requires_grad=True), Tensor(np.zeros(1), requires_grad=True)
    optimizer = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.1, momentum=0.9)
    assert optimizer.defaults["lr"] == 0.1
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 1.0]
    assert [group["momentum"] for group in optimizer.param_groups] == [0.9, 0.9]
    assert optimizer.param_groups[1]["params"] == [b]
    c = Tensor(np.zeros(1), requires_grad=True)
    optimizer.add_param_group({"params": [c], "momentum": 0.0})
    for param in (a, b, c):
        param.grad = Tensor(np.ones(1))
    optimizer.step()
    np.testing.assert_allclose([a.item(), b.item(), c.item()], [-0.1, -1.0, -0.1], rtol=1e-6)
    assert set(optimizer.state[c]) == set() and set(optimizer.state[a]) == {"momentum_buffer"}
    assert [group["params"] for group in optimizer.state_dict()["param_groups"]] == [[0], [1], [2]]


def test_named_parameters_give_param_names_as_torchs():
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    ours = optim.AdamW(tg.nn.Linear(2, 1).named_parameters(), lr=0.1)
    theirs = torch.optim.AdamW(torch.nn.Linear(2, 1).named_parameters(), lr=0.1)
    assert ours.param_groups[0]["param_names"] == theirs.param_groups[0]["param_names"] == ["weight", "bias"]
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


def test_a_group_keeps_keys_of_its_own_as_torchs_does():
    param = Tensor(np.zeros(1), requires_grad=True)
    optimizer = optim.Adam([{"params": [param], "name": "head"}])
    assert optimizer.param_groups[0]["name"] == "head" and optimizer.state_dict()["param_groups"][0]["name"] == "head"


def test_adagrad_has_state_from_the_start_as_torchs():
    param = Tensor(np.zeros(3), requires_grad=True)
    optimizer = optim.Adagrad([param], initial_accumulator_value=0.25)
    np.testing.assert_array_equal(optimizer.state[param]["sum"], [0.25] * 3)
    assert optimizer.state_dict()["state"][0]["step"] == 0


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda a, b: optim.SGD([{"params": [a]}, {"params": [a, b]}]), ValueError, "more than one parameter group"),
        (lambda a, b: optim.SGD([{"lr": 0.1}]), KeyError, "params"),
        (lambda a, b: optim.SGD([("a", a), b]), ValueError, "all optimizer params should be with/without names. Some param names are missing"),
        (lambda a, b: optim.Adam([a], differentiable=True), ValueError, "differentiable=True is not supported"),
        (lambda a, b: optim.RMSprop([a], alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
        (lambda a, b: optim.Adadelta([a], rho=1.5), ValueError, "Invalid rho value: 1.5"),
        (lambda a, b: optim.Adagrad([a], lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
        (lambda a, b: optim.AdamW([{"params": [a], "decoupled_weight_decay": False}]), ValueError, "not per group"),
    ],
)
def test_bad_groups_and_options_are_named(make, error, message):
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(error) as raised:
        make(a, b)
    assert message in str(raised.value)


# ---- the update rules in closed form ---------------------------------------------------------
def one_param(values, grad):
    param = Tensor(np.array(values, dtype=np.float64), requires_grad=True, dtype=np.float64)
    param.grad = Tensor(np.array(grad, dtype=np.float64), dtype=np.float64)
    return param, np.array(values, dtype=np.float64), np.array(grad, dtype=np.float64)


def test_adamw_decays_the_weights_before_the_adam_step():
    param, theta, g = one_param([2.0, -1.0], [0.5, -0.25])
    optim.AdamW([param], lr=0.1, weight_decay=0.5, eps=0.0).step()
    np.testing.assert_allclose(param.array, theta * (1 - 0.1 * 0.5) - 0.1 * np.sign(g), rtol=1e-12)


def test_adam_amsgrad_divides_by_the_largest_second_moment_so_far():
    param, theta, g1 = one_param([0.0], [2.0])
    b1, b2, lr = 0.5, 0.5, 1.0
    optimizer = optim.Adam([param], lr=lr, betas=(b1, b2), eps=0.0, amsgrad=True)
    optimizer.step()
    param.grad = Tensor(np.array([0.0]), dtype=np.float64)  # v falls; v_max keeps the step small
    optimizer.step()
    m2, v_max = b1 * (1 - b1) * 2.0, (1 - b2) * 4.0
    expected = -lr * 1.0 - lr * (m2 / (1 - b1**2)) / np.sqrt(v_max / (1 - b2**2))
    np.testing.assert_allclose(param.array, [expected], rtol=1e-12)
    np.testing.assert_allclose(optimizer.state[param]["max_exp_avg_sq"], [v_max], rtol=1e-12)


def test_rmsprop_divides_by_the_root_mean_square():
    param, theta, g = one_param([1.0, 1.0], [3.0, -0.5])
    optim.RMSprop([param], lr=0.01, alpha=0.9, eps=0.0).step()
    np.testing.assert_allclose(param.array, theta - 0.01 * g / np.sqrt(0.1 * g**2), rtol=1e-12)


def test_adagrad_decays_the_lr_with_the_step_count():
    param, theta, g = one_param([0.0], [2.0])
    optimizer = optim.Adagrad([param], lr=1.0, lr_decay=1.0, eps=0.0)
    optimizer.step()
    optimizer.step()
    step1 = 1.0 * 2.0 / np.sqrt(4.0)
    step2 = 1.0 / 2 * 2.0 / np.sqrt(8.0)
    np.testing.assert_allclose(param.array, [-step1 - step2], rtol=1e-12)


def test_adadelta_first_step_is_sqrt_eps_over_rms_of_g():
    param, theta, g = one_param([0.0, 0.0], [1.0, -4.0])
    eps, rho = 1e-2, 0.5
    optimizer = optim.Adadelta([param], lr=1.0, rho=rho, eps=eps)
    optimizer.step()
    delta = np.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g
    np.testing.assert_allclose(param.array, -delta, rtol=1e-12)
    np.testing.assert_allclose(optimizer.state[param]["acc_delta"], (1 - rho) * delta**2, rtol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_maximize_climbs_where_minimize_descends(name):
    up, _, _ = one_param([1.0, -2.0], [0.5, 0.25])
    down, _, _ = one_param([1.0, -2.0], [-0.5, -0.25])
    getattr(optim, name)([up], lr=0.1, maximize=True).step()
    getattr(optim, name)([down], lr=0.1).step()
    np.testing.assert_array_equal(up.array, down.array)


# ---- torch's step(closure) and optimizers written as for torch --------------------------------
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_step_with_a_closure_returns_its_loss_and_uses_its_gradients(name):
    param = Tensor(np.array([1.0, 2.0]), requires_grad=True, dtype=np.float64)
    optimizer = getattr(optim, name)([param], lr=0.1)
    reference = Tensor(np.array([1.0, 2.0]), requires_grad=True, dtype=np.float64)
    reference.grad = Tensor(np.array([2.0, 4.0]), dtype=np.float64)  # d(Σθ²)/dθ at the start
    getattr(optim, name)([reference], lr=0.1).step()

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    with tg.no_grad():  # the closure runs with grad mode on, as in torch
        loss = optimizer.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_array_equal(param.array, reference.array)


class SignSGD(optim.Optimizer):
    """An optimizer as a torch user writes one: defaults, then a step over param_groups and state."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, dict(lr=lr))

    def step(self, closure=None):
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    state = self.state[param]
                    state["steps"] = state.get("steps", 0) + 1
                    state["last"] = np.sign(param.grad.array)
                    param.array -= group["lr"] * state["last"]


def test_an_optimizer_written_as_for_torch_steps_and_checkpoints():
    param = Tensor(np.array([1.0, -1.0]), requires_grad=True, dtype=np.float64)
    optimizer = SignSGD([{"params": [param], "lr": 0.5}])
    param.grad = Tensor(np.array([3.0, -0.1]), dtype=np.float64)
    optimizer.step()
    np.testing.assert_array_equal(param.array, [0.5, -0.5])
    saved = optimizer.state_dict()
    assert saved["param_groups"] == [{"lr": 0.5, "params": [0]}] and saved["state"][0]["steps"] == 1
    other = SignSGD([Tensor(np.zeros(2), requires_grad=True, dtype=np.float64)])
    other.load_state_dict(saved)
    assert other.param_groups[0]["lr"] == 0.5
    np.testing.assert_array_equal(other.state[other.param_groups[0]["params"][0]]["last"], [1.0, -1.0])
