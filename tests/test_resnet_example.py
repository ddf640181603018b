"""examples/resnet.py on a small slice with small widths: it learns, writes its checkpoint (with
BatchNorm's running buffers), curves and graph, and --compare-torch trains PyTorch beside it;
its recipe (model, SGD, OneCycleLR) takes the same steps as PyTorch's in float64; and the
model's and the optimizer's state_dicts move to torch and back unchanged, so that training goes
on there exactly as here.

(In float32 the two frameworks' runs drift apart after a few dozen steps at the recipe's peak
learning rate, as any two float32 runs whose sums are ordered differently do: the float64 test
is the one that shows they compute the same thing.)"""
import contextlib
import importlib
import importlib.util
import io
import json
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import classifier  # noqa: E402
import resnet  # noqa: E402

WIDTHS = (8, 16)
HAS_TORCH = importlib.util.find_spec("torch") is not None


@contextlib.contextmanager
def one_thread():
    """numpy's BLAS (where threadpoolctl is installed) and torch (where installed) on one thread:
    on a busy 2-core machine two threads wait for each other, and these small matrices gain
    nothing from a second one. Both are restored afterwards."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    torch = sys.modules.get("torch") or (importlib.import_module("torch") if HAS_TORCH else None)
    torch_threads = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=1) if threadpool_limits is not None else contextlib.nullcontext():
        if torch is not None:
            torch.set_num_threads(1)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(torch_threads)


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One run of the script, in this process (no interpreter start-up): 2 epochs of 32
    steps on 1,024 images; with --compare-torch where torch is installed."""
    out = tmp_path_factory.mktemp("resnet")
    flags = ["--widths", ",".join(map(str, WIDTHS)), "--train-limit", "1024", "--test-limit", "500",
             "--batch-size", "32", "--epochs", "2", "--no-progress", "--out", str(out)]
    saved_argv, printed = sys.argv, io.StringIO()
    sys.argv = ["resnet.py", *flags, *(["--compare-torch"] if HAS_TORCH else [])]
    try:
        with one_thread(), contextlib.redirect_stdout(printed):
            runpy.run_path(str(EXAMPLES / "resnet.py"), run_name="__main__")
    finally:
        sys.argv = saved_argv
    return out, printed.getvalue()


def epoch_lines(output: str, framework: str) -> list[tuple[float, float, float]]:
    """(train loss, test loss, test accuracy in %) of each epoch the framework printed."""
    pattern = rf"{framework} epoch \d+/\d+: train loss ([\d.]+), test loss ([\d.]+), test accuracy ([\d.]+)%"
    return [tuple(map(float, found)) for found in re.findall(pattern, output)]


def test_resnet_learns_and_saves_its_buffers(training: tuple[Path, str]) -> None:
    out, output = training
    epochs = epoch_lines(output, "tinygrad_edu")
    assert len(epochs) == 2
    assert epochs[-1][0] < epochs[0][0] and epochs[-1][2] > 40.0, output  # ten classes: chance is 10%
    assert "onecycle schedule" in output and "AdaptiveAvgPool2d" in output
    history = json.loads((out / "history.json").read_text())
    assert [round(100 * accuracy, 2) for accuracy in history["test_accuracy"]] == [epoch[2] for epoch in epochs]
    assert (out / "graph.dot").read_text().startswith("digraph")
    checkpoint = tg.load(out / "checkpoint.npz")
    model = resnet.build_model(nn, WIDTHS)
    model.load_state_dict(checkpoint["model"])
    assert int(checkpoint["model"]["bn1.num_batches_tracked"]) == 2 * 1024 // 32
    assert not np.allclose(np.asarray(checkpoint["model"]["bn1.running_mean"]), 0)  # the running stats moved
    assert set(checkpoint["optimizer"]["state"]) == set(range(len(list(model.parameters()))))


@pytest.mark.skipif(not HAS_TORCH, reason="--compare-torch needs PyTorch (pip install torch==2.13.0)")
def test_compare_torch_trains_pytorch_beside_it(training: tuple[Path, str]) -> None:
    _, output = training
    ours, theirs = epoch_lines(output, "tinygrad_edu"), epoch_lines(output, "pytorch")
    assert len(ours) == len(theirs) == 2
    assert ours[0][0] == pytest.approx(theirs[0][0], rel=0.01), output  # the first epoch's steps, before the drift
    assert theirs[-1][2] > 40.0 and abs(ours[-1][2] - theirs[-1][2]) <= 6.0, output
    assert "final test accuracy: tinygrad_edu" in output


def test_blocks_downsample_only_where_the_shape_changes() -> None:
    model = resnet.build_model(nn, (4, 4, 8))
    first, second, third = model.stages
    assert first.downsample is None and second.downsample is not None and third.downsample is not None
    assert second.conv1.stride == (2, 2) and second.downsample[0].stride == (2, 2)
    assert model(tg.randn(3, 1, 28, 28)).shape == (3, 10)


def fashion_batches(count: int, size: int, dtype: type) -> list[tuple[np.ndarray, np.ndarray]]:
    images, labels, _ = tg.data.load_fashion_mnist_or_sample("test")  # the smaller file
    order = np.random.default_rng(0).permutation(len(labels))[: count * size].reshape(count, size)
    return [(((images[rows] / 255.0 - 0.29) / 0.35)[:, None].astype(dtype), labels[rows]) for rows in order]


def recipe(library, model, steps: int):
    """The example's default optimizer and schedule, made by classifier.py's own functions."""
    args = resnet.parse_flags(["--epochs", "1"])
    optimizer = classifier.make_optimizer(args, model.parameters(), library)
    return optimizer, classifier.make_scheduler(args, optimizer, library, steps)


def our_step(model, optimizer, scheduler, images, labels) -> float:
    loss = F.cross_entropy(model(tg.tensor(images)), tg.tensor(labels))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    return loss.item()


def their_step(torch, model, optimizer, scheduler, images, labels) -> float:
    loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(images)), torch.from_numpy(labels))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    return loss.item()


def test_the_recipe_takes_torchs_steps_in_float64() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    batches = fashion_batches(12, 16, np.float64)
    tg.manual_seed(0)
    ours = resnet.build_model(nn, WIDTHS).double()
    theirs = resnet.build_model(torch.nn, WIDTHS).double()
    theirs.load_state_dict({name: torch.from_numpy(value.numpy()) for name, value in ours.state_dict().items()})
    our_recipe, their_recipe = recipe(optim, ours, len(batches)), recipe(torch.optim, theirs, len(batches))
    with one_thread():
        for images, labels in batches:
            our_loss = our_step(ours, *our_recipe, images, labels)
            their_loss = their_step(torch, theirs, *their_recipe, images, labels)
            assert our_loss == pytest.approx(their_loss, rel=1e-9)
    assert our_recipe[0].param_groups[0]["lr"] == pytest.approx(their_recipe[0].param_groups[0]["lr"], rel=1e-12)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-7, atol=1e-9, err_msg=name)


def test_state_dicts_move_to_torch_and_back_unchanged() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle (pip install torch)")
    batches = fashion_batches(4, 8, np.float32)
    tg.manual_seed(0)
    ours = resnet.build_model(nn, WIDTHS)
    our_recipe = recipe(optim, ours, len(batches))
    with one_thread():
        for images, labels in batches[:3]:
            our_step(ours, *our_recipe, images, labels)
    model_state, optimizer_state = ours.state_dict(), our_recipe[0].state_dict()
    assert {"bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"} <= set(model_state)
    assert int(model_state["bn1.num_batches_tracked"]) == 3

    theirs = resnet.build_model(torch.nn, WIDTHS)
    theirs.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in model_state.items()})  # strict: every key
    their_recipe = recipe(torch.optim, theirs, len(batches))
    their_recipe[0].load_state_dict({"state": {index: {key: torch.from_numpy(np.array(value)) for key, value in entry.items()}
                                               for index, entry in optimizer_state["state"].items()},
                                     "param_groups": optimizer_state["param_groups"]})
    their_recipe[1].load_state_dict(our_recipe[1].state_dict())

    back = resnet.build_model(nn, WIDTHS)
    back.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    back_recipe = recipe(optim, back, len(batches))
    back_recipe[0].load_state_dict(their_recipe[0].state_dict())
    back_recipe[1].load_state_dict(their_recipe[1].state_dict())
    for name, value in back.state_dict().items():
        assert value.dtype == model_state[name].dtype, name
        np.testing.assert_array_equal(value, model_state[name], err_msg=name)
    back_state = back_recipe[0].state_dict()
    assert back_state["param_groups"] == optimizer_state["param_groups"]
    for index, entry in optimizer_state["state"].items():
        for key, value in entry.items():
            np.testing.assert_array_equal(np.asarray(back_state["state"][index][key]), np.asarray(value), err_msg=f"{index}.{key}")

    # The moved state is the whole state: one more step lands in the same place everywhere.
    images, labels = batches[3]
    our_step(ours, *our_recipe, images, labels)
    our_step(back, *back_recipe, images, labels)
    their_step(torch, theirs, *their_recipe, images, labels)
    for name, value in ours.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], value, err_msg=name)
        np.testing.assert_allclose(theirs.state_dict()[name].numpy(), value, rtol=1e-4, atol=1e-5, err_msg=name)
