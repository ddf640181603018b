"""Learning-rate schedules: torch's learning rates step by step (oracle, 40 steps, two
parameter groups), the schedules' closed forms (always), state_dict round trips, and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, optim
from tinygrad_edu.optim import lr_scheduler

STEPS = 40

SCHEDULES = {
    "StepLR": lambda L, o: L.StepLR(o, step_size=7),
    "StepLR gamma": lambda L, o: L.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingLR eta_min": lambda L, o: L.CosineAnnealingLR(o, T_max=25, eta_min=1e-3),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lr_lambda=lambda epoch: 0.95**epoch),
    "LambdaLR per group": lambda L, o: L.LambdaLR(o, lr_lambda=[lambda e: 1 / (1 + e), lambda e: min(1.0, (e + 1) / 10)]),
    "LinearLR": lambda L, o: L.LinearLR(o),
    "LinearLR cooldown": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=20),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS),
    "OneCycleLR linear three-phase": lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=10, pct_start=0.25,
                                                               anneal_strategy="linear", three_phase=True, div_factor=10.0),
    "OneCycleLR no momentum": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=STEPS + 5, cycle_momentum=False),
    "SequentialLR warmup then cosine": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5), L.CosineAnnealingLR(o, T_max=30)], milestones=[5]),
    "SequentialLR three": lambda L, o: L.SequentialLR(
        o, [L.ExponentialLR(o, gamma=1.0), L.StepLR(o, step_size=4), L.ExponentialLR(o, gamma=0.8)], milestones=[3, 20]),
}
PLATEAUS = {
    "min": dict(patience=2),
    "max abs cooldown": dict(mode="max", patience=1, threshold=0.05, threshold_mode="abs", cooldown=2, factor=0.5),
    "min_lr per group": dict(patience=0, factor=0.5, min_lr=[0.01, 0.002]),
}


def metric(epoch: int) -> float:
    return 1.0 / (1 + epoch // 4) + 0.05 * math.sin(epoch)  # improves in steps, with noise


def make_optimizer(library, optimizer: str = "SGD"):
    params = [library.zeros(2, requires_grad=True), library.zeros(3, requires_grad=True)]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.01}]
    if optimizer == "SGD":
        return library.optim.SGD(groups, lr=0.1, momentum=0.9)
    return library.optim.Adam(groups, lr=0.1)


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", SCHEDULES)
def test_matches_torch_step_for_step(name, optimizer):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    import tinygrad_edu as tg

    make = SCHEDULES[name]
    steps = STEPS if "OneCycleLR" not in name else STEPS - 1  # a one-cycle schedule ends after total_steps
    ours, theirs = _trace(tg, make, optimizer, steps), _trace(torch, make, optimizer, steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def _trace(library, make, optimizer, steps):
    opt = make_optimizer(library, optimizer)
    scheduler = make(library.optim.lr_scheduler, opt)
    rows = []
    for step in range(steps + 1):
        rows.append(list(scheduler.get_last_lr()) + [group["lr"] for group in opt.param_groups] +
                    [group["momentum"] if optimizer == "SGD" else group["betas"][0] for group in opt.param_groups])
        if step < steps:
            opt.step()
            scheduler.step()
    return rows


@pytest.mark.parametrize("name", PLATEAUS)
def test_reduce_lr_on_plateau_matches_torch(name):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    import tinygrad_edu as tg

    traces = []
    for library in (tg, torch):
        opt = make_optimizer(library)
        scheduler = library.optim.lr_scheduler.ReduceLROnPlateau(opt, **PLATEAUS[name])
        rows = []
        for epoch in range(STEPS):
            scheduler.step(metric(epoch) if "max" not in name else -metric(epoch))
            rows.append(list(scheduler.get_last_lr()) + [scheduler.num_bad_epochs, scheduler.cooldown_counter, scheduler.best])
        traces.append(rows)
    np.testing.assert_allclose(traces[0], traces[1], rtol=1e-12)
    assert traces[0][0][:2] != traces[0][-1][:2]  # the lr did fall


@pytest.mark.parametrize("name", ["StepLR gamma", "CosineAnnealingLR eta_min", "SequentialLR warmup then cosine", "OneCycleLR", "LinearLR"])
def test_state_dict_has_torchs_keys(name):
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    import tinygrad_edu as tg

    make = SCHEDULES[name]
    ours = make(lr_scheduler, make_optimizer(tg))
    theirs = make(torch.optim.lr_scheduler, make_optimizer(torch))
    assert set(ours.state_dict()) <= set(theirs.state_dict()) | {"_is_initial"}
    assert ours.state_dict().get("base_lrs") == theirs.state_dict().get("base_lrs")
    assert ours.state_dict()["last_epoch"] == theirs.state_dict()["last_epoch"]


# ---- closed forms, without torch ---------------------------------------------------------
def lrs_of(make, steps: int = STEPS, lr: float = 0.1) -> list[float]:
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=lr, momentum=0.9)
    scheduler = make(opt)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def test_step_and_multistep_closed_forms():
    np.testing.assert_allclose(lrs_of(lambda o: lr_scheduler.StepLR(o, 7, gamma=0.5)), [0.1 * 0.5 ** (e // 7) for e in range(STEPS + 1)], rtol=1e-12)
    expected = [0.1 * 0.3 ** sum(e >= m for m in (5, 12, 12, 30)) for e in range(STEPS + 1)]
    np.testing.assert_allclose(lrs_of(lambda o: lr_scheduler.MultiStepLR(o, [5, 12, 12, 30], gamma=0.3)), expected, rtol=1e-12)


def test_exponential_cosine_and_linear_closed_forms():
    epochs = np.arange(STEPS + 1)
    np.testing.assert_allclose(lrs_of(lambda o: lr_scheduler.ExponentialLR(o, 0.9)), 0.1 * 0.9**epochs, rtol=1e-12)
    cosine = 1e-3 + (0.1 - 1e-3) * (1 + np.cos(np.pi * epochs / 25)) / 2
    np.testing.assert_allclose(lrs_of(lambda o: lr_scheduler.CosineAnnealingLR(o, 25, eta_min=1e-3)), cosine, rtol=1e-10)
    linear = 0.1 * (0.25 + 0.75 * np.minimum(epochs, 8) / 8)
    np.testing.assert_allclose(lrs_of(lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=8)), linear, rtol=1e-12)


def test_lambda_warmup_then_sequential_cosine():
    np.testing.assert_allclose(lrs_of(lambda o: lr_scheduler.LambdaLR(o, lambda e: (e + 1) / 4)), [0.1 * (e + 1) / 4 for e in range(STEPS + 1)], rtol=1e-12)
    lrs = lrs_of(lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, 0.1, total_iters=5), lr_scheduler.CosineAnnealingLR(o, 30)], [5]))
    epochs = np.arange(STEPS + 1)
    expected = np.where(epochs < 5, 0.1 * (0.1 + 0.9 * epochs / 5), 0.1 * (1 + np.cos(np.pi * (epochs - 5) / 30)) / 2)
    np.testing.assert_allclose(lrs, expected, rtol=1e-10, atol=1e-15)


def test_one_cycle_rises_to_max_lr_then_anneals_to_its_floor():
    lrs = lrs_of(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=STEPS), steps=STEPS - 1)
    peak = int(0.3 * STEPS) - 1
    assert lrs[0] == pytest.approx(1.0 / 25) and lrs[peak] == pytest.approx(1.0) and lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    assert np.all(np.diff(lrs[: peak + 1]) > 0) and np.all(np.diff(lrs[peak:]) < 0)


def test_one_cycle_refuses_a_step_past_total_steps():
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1, momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        scheduler.step()


def test_plateau_reduces_after_patience_and_waits_out_the_cooldown():
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=1, cooldown=1, factor=0.5)
    lrs = []
    for loss in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        scheduler.step(loss)
        lrs.append(scheduler.get_last_lr()[0])
    # bad epochs: 1 (ok), 2 → halve; cooldown eats one; 1, 2 → halve; cooldown; improvement.
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_state_dict_resumes_the_schedule():
    def make(o):
        return lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, 0.1, total_iters=5), lr_scheduler.CosineAnnealingLR(o, 30)], [5])
    full = lrs_of(make)
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    scheduler = make(opt)
    for _ in range(12):
        opt.step()
        scheduler.step()
    saved_optimizer, saved_scheduler = opt.state_dict(), scheduler.state_dict()
    resumed_opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    resumed = make(resumed_opt)  # torch's recipe: build both, then load both
    resumed_opt.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    assert resumed.last_epoch == 12 and resumed.get_last_lr() == [full[12]]
    lrs = []
    for _ in range(STEPS - 12):
        resumed_opt.step()
        resumed.step()
        lrs.append(resumed.get_last_lr()[0])
    np.testing.assert_allclose(lrs, full[13:], rtol=1e-12)


def test_resuming_with_last_epoch_needs_initial_lr():
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(opt, step_size=3, last_epoch=4)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda o: lr_scheduler.StepLR(object(), 3), TypeError, "is not an Optimizer"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), ValueError, "Starting multiplicative factor"),
        (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0] * 2), ValueError, "Expected 1 lr_lambdas, but got 2"),
        (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], milestones=[3]), ValueError, "to be one more than the number of milestone points"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR (epochs AND steps_per_epoch)"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.5), ValueError, "Factor should be < 1.0"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown"),
        (lambda o: lr_scheduler.OneCycleLR(optim.Adagrad(o.param_groups[0]["params"]), 1.0, total_steps=5), ValueError, "momentum or beta1"),
    ],
)
def test_bad_arguments_are_named(make, error, message):
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    with pytest.raises(error) as raised:
        make(opt)
    assert message in str(raised.value)


def test_a_scheduler_state_survives_tg_save(tmp_path):
    import tinygrad_edu as tg

    def make(o):
        return lr_scheduler.MultiStepLR(o, milestones=[3, 6, 6], gamma=0.5)
    full = lrs_of(make, steps=10)
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    scheduler = make(opt)
    for _ in range(4):
        opt.step()
        scheduler.step()
    tg.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "checkpoint.pt")
    checkpoint = tg.load(tmp_path / "checkpoint.pt")
    resumed_opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    resumed = make(resumed_opt)
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    for _ in range(6):
        resumed_opt.step()
        resumed.step()
    assert resumed.get_last_lr() == [pytest.approx(full[10])]
    resumed.step(epoch=7)  # the closed form, which reads the milestones
    assert resumed.get_last_lr() == [pytest.approx(full[7])]
