"""Grad mode (whether ops record a graph) is one switch per thread, as in PyTorch: a thread
that evaluates under `no_grad` never turns recording off for a thread that trains. The
switches (`no_grad`, `enable_grad`, `set_grad_enabled`) work as context managers, as
decorators (on plain and generator functions), and `set_grad_enabled` also as a plain call."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, optim

WAIT = 30.0  # seconds: only a deadlock guard, never reached when the code is right


def records_graph() -> bool:
    """Whether an op run now, in this thread, records a graph."""
    return (Tensor([1.0], requires_grad=True) * 2).requires_grad


def wait(event: threading.Event) -> None:
    assert event.wait(WAIT), "the other thread never got there"


def run_threads(*targets) -> None:
    """Run each target in its own thread; re-raise the first failure here."""
    errors: list[BaseException] = []

    def guarded(target):
        def run():
            try:
                target()
            except BaseException as error:  # an assertion in a thread must fail the test
                errors.append(error)
        return run

    threads = [threading.Thread(target=guarded(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "a thread did not finish"
    if errors:
        raise errors[0]


@pytest.fixture(autouse=True)
def grad_mode_is_on_around_each_test():
    """A test that breaks grad mode must not break the tests after it."""
    yield
    if not tg.is_grad_enabled():
        tg.enable_grad().__enter__()  # turned back on, never exited: the next test starts clean
        pytest.fail("the test left grad mode off in the main thread")


# ---- one switch per thread ------------------------------------------------------------------
def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on_in_both():
    # A enters, B enters, A exits, B exits: with one process-wide switch, B's exit restored
    # the "off" it saw on entry, and recording stayed off for good.
    a_entered, b_entered, a_exited, b_exited = (threading.Event() for _ in range(4))
    after: dict[str, tuple[bool, bool]] = {}

    def thread_a():
        with tg.no_grad():
            a_entered.set()
            wait(b_entered)
        a_exited.set()
        wait(b_exited)
        after["A"] = (tg.is_grad_enabled(), records_graph())

    def thread_b():
        wait(a_entered)
        with tg.no_grad():
            b_entered.set()
            wait(a_exited)
        b_exited.set()
        after["B"] = (tg.is_grad_enabled(), records_graph())

    run_threads(thread_a, thread_b)
    assert after == {"A": (True, True), "B": (True, True)}
    assert tg.is_grad_enabled() and records_graph()


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def evaluator():
        with tg.no_grad():
            inside.set()
            wait(checked)
            seen["evaluator"] = records_graph()

    def trainer():
        wait(inside)
        seen["trainer"] = records_graph()
        checked.set()

    run_threads(evaluator, trainer)
    assert seen == {"evaluator": False, "trainer": True}


def test_a_new_thread_starts_with_recording_on_whatever_its_parent_does():
    seen = []
    with tg.no_grad():
        run_threads(lambda: seen.append(records_graph()))
        assert not records_graph()
    assert seen == [True]


def test_training_keeps_every_gradient_while_another_thread_evaluates_under_no_grad():
    # The scenario: a trainer loses its graph (backward raises, or some parameters
    # get no .grad) whenever an evaluator's no_grad block is open in another thread.
    rng = np.random.default_rng(0)
    x, y = Tensor(rng.standard_normal((256, 32))), Tensor(rng.standard_normal((256, 1)))
    model = nn.Sequential(nn.Linear(32, 64), nn.Tanh(), nn.Linear(64, 1))
    optimizer = optim.SGD(model.parameters(), lr=0.05)
    started, done = threading.Event(), threading.Event()
    evaluations = []

    def evaluate():
        while not done.is_set():
            with tg.no_grad():
                started.set()
                output = model(x)
                done.wait(0.002)  # an evaluation that takes a while: the block stays open
            assert not output.requires_grad
            evaluations.append(output.shape)
            done.wait(0.002)

    def train():
        try:
            wait(started)  # the first step already runs while the evaluator is in no_grad
            for step in range(300):
                optimizer.zero_grad()
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                missing = [name for name, p in model.named_parameters() if p.grad is None]
                assert not missing, f"step {step}: no gradient for {missing}"
                optimizer.step()
        finally:
            done.set()

    run_threads(evaluate, train)
    assert evaluations  # the evaluator did run


# ---- set_grad_enabled ---------------------------------------------------------------------------
def test_set_grad_enabled_as_a_plain_call_sets_the_mode_for_this_thread():
    try:
        tg.set_grad_enabled(False)
        assert not tg.is_grad_enabled() and not records_graph()
        seen = []
        run_threads(lambda: seen.append(records_graph()))  # other threads keep their own mode
        assert seen == [True]
    finally:
        tg.set_grad_enabled(True)
    assert tg.is_grad_enabled() and records_graph()


def test_set_grad_enabled_as_a_context_manager_restores_the_mode_on_exit():
    with tg.set_grad_enabled(False):
        assert not records_graph()
    assert records_graph()
    with tg.no_grad():
        with tg.set_grad_enabled(True):
            assert records_graph()
        assert not records_graph()
    with pytest.raises(KeyError):
        with tg.set_grad_enabled(False):
            raise KeyError("an error inside the block still restores the mode")
    assert records_graph()


def test_set_grad_enabled_as_a_decorator_sets_the_mode_only_while_the_function_runs():
    @tg.set_grad_enabled(False)
    def evaluate():
        return records_graph()

    assert tg.is_grad_enabled()  # decorating did not change the mode
    assert evaluate() is False
    assert tg.is_grad_enabled()
    with tg.no_grad():
        @tg.set_grad_enabled(True)
        def train():
            return records_graph()

        assert not tg.is_grad_enabled()  # nor inside no_grad
        assert train() is True
        assert not tg.is_grad_enabled()


def test_the_autograd_namespace_has_the_grad_mode_switches_and_function():
    assert tg.autograd.Function is tg.Function
    assert tg.autograd.no_grad is tg.no_grad and tg.autograd.enable_grad is tg.enable_grad
    assert tg.autograd.set_grad_enabled is tg.set_grad_enabled
    with tg.autograd.no_grad():
        assert not records_graph()
        with tg.autograd.enable_grad():
            assert records_graph()
        with tg.autograd.set_grad_enabled(True):
            assert records_graph()
    assert records_graph()


# ---- decorated generator functions ------------------------------------------------------------
def test_no_grad_generator_records_no_graph_at_any_resumption_and_leaves_the_callers_mode():
    # The decorator must cover the body's every step, not only the call that makes the
    # generator object (which runs none of the body).
    x = Tensor([1.0, 2.0], requires_grad=True)

    @tg.no_grad()
    def doubles():
        for _ in range(3):
            yield x * 2

    seen = []
    for y in doubles():
        seen.append((y.requires_grad, tg.is_grad_enabled(), records_graph()))
    assert seen == [(False, True, True)] * 3


def test_no_grad_generator_send_throw_and_close_run_in_the_mode():
    x = Tensor([1.0], requires_grad=True)
    at_close = []

    @tg.no_grad()
    def scaled():
        scale = yield "ready"
        try:
            while True:
                try:
                    scale = yield x * scale
                except ValueError:
                    scale = yield ("thrown", records_graph())
        finally:
            at_close.append(records_graph())

    generator = scaled()
    assert next(generator) == "ready"
    y = generator.send(3.0)
    assert not y.requires_grad and y.item() == 3.0
    assert records_graph()  # the caller's mode between steps
    assert generator.throw(ValueError("to the generator")) == ("thrown", False)
    assert records_graph()
    generator.close()
    assert at_close == [False] and records_graph()


def test_no_grad_generator_returns_its_value_and_raises_its_errors_from_a_step_run_in_the_mode():
    @tg.no_grad()
    def short():
        yield 1
        return "done", records_graph()  # the last step, too, runs in the mode

    @tg.no_grad()
    def failing():
        yield 1
        raise KeyError("from the body")

    generator = short()
    next(generator)
    with pytest.raises(StopIteration) as stop:
        next(generator)
    assert stop.value.value == ("done", False)
    generator = failing()
    next(generator)
    with pytest.raises(KeyError, match="from the body"):
        next(generator)
    assert records_graph()


def test_enable_grad_generator_records_inside_no_grad_and_leaves_no_grad_to_the_caller():
    x = Tensor([1.0], requires_grad=True)

    @tg.enable_grad()
    def doubles():
        for _ in range(2):
            yield x * 2

    with tg.no_grad():
        seen = [(y.requires_grad, records_graph()) for y in doubles()]
    assert seen == [(True, False)] * 2
