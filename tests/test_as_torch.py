"""`tinygrad_edu.as_torch`: PyTorch programs run unchanged, `import torch` giving tinygrad_edu.

Everything that installs the alias runs in a subprocess: the alias is per process, and this
test process may hold the real torch (the oracle tests import it).

The examples in examples/pytorch_basics/ run under the alias and, where PyTorch is installed,
under PyTorch itself, and their final losses are compared:
- the deterministic ones (fixed starting weights, no randomness) to 1e-4 relative. Both
  frameworks run the same float32 operations; only the order of the additions inside a sum
  differs (numpy's pairwise sum, torch's vectorised one), about 1e-7 relative per step, and
  gradient descent on these convex fits damps such differences instead of growing them;
- the training loop, whose random weights and batches differ across frameworks whatever the
  seed, by both landing below a loss that only a learned classifier reaches.
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.utils.data import DataLoader, Dataset, TensorDataset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "pytorch_basics"
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not TORCH_INSTALLED, reason="PyTorch (the optional oracle) is not installed")


def run_ok(code: str, *args: str) -> str:
    """Run Python code in a fresh process; its stdout (the test fails on a non-zero exit)."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- the import mapping ------------------------------------------------------------------

def test_every_spelling_of_the_torch_imports_gives_tinygrad_edu_modules() -> None:
    output = run_ok("""
        import tinygrad_edu.as_torch
        tinygrad_edu.as_torch.install()
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch import nn as nn2, optim
        import torch.optim
        import torch.autograd
        import torch.utils.data
        from torch.utils.data import DataLoader, Dataset, TensorDataset
        from torch.nn import functional as F2

        import tinygrad_edu
        assert torch is tinygrad_edu
        assert nn is nn2 is torch.nn is tinygrad_edu.nn
        assert F is F2 is tinygrad_edu.nn.functional
        assert optim is torch.optim is tinygrad_edu.optim
        assert torch.autograd is tinygrad_edu.autograd
        assert torch.utils.data is tinygrad_edu.utils.data
        assert DataLoader is tinygrad_edu.data.DataLoader
        assert torch.autograd.Function is tinygrad_edu.Function
        assert isinstance(nn.Linear(2, 3), tinygrad_edu.nn.Module)
        # tinygrad_edu's modules keep their own names: the alias is only a second name.
        assert tinygrad_edu.__spec__.name == "tinygrad_edu"
        assert tinygrad_edu.nn.__spec__.name == "tinygrad_edu.nn"
        assert F.__name__ == "tinygrad_edu.nn.functional"
        print("ok")
    """)
    assert output.strip() == "ok"


def test_a_module_tinygrad_edu_lacks_is_an_error_naming_it() -> None:
    output = run_ok("""
        import tinygrad_edu.as_torch
        tinygrad_edu.as_torch.install()
        for statement in ["import torch.xyz", "from torch.nn import xyz_module_that_is_not_there",
                          "import torch.nn.xyz", "import torch.tensor"]:
            try:
                exec(statement)
            except ImportError as error:
                print(type(error).__name__, "|", error.name, "|", error)
        import torch
        print("torch.tensor still creates tensors:", torch.tensor([1.0]).shape == (1,))
    """)
    lines = output.splitlines()
    assert lines[0] == ("ModuleNotFoundError | torch.xyz | No module named 'torch.xyz': tinygrad_edu, "
                        "which this program imports as torch, has no module 'tinygrad_edu.xyz'")
    assert lines[1].startswith("ImportError | ") and "xyz_module_that_is_not_there" in lines[1]
    assert lines[2].startswith("ModuleNotFoundError | torch.nn.xyz | ")
    assert "'tinygrad_edu.nn.xyz'" in lines[2]
    # torch.tensor is a function, in torch as in tinygrad_edu (whose file tensor.py it shadows).
    assert lines[3] == ("ModuleNotFoundError | torch.tensor | No module named 'torch.tensor': in tinygrad_edu, "
                        "which this program imports as torch, tinygrad_edu.tensor is a function, not a module")
    assert lines[4] == "torch.tensor still creates tensors: True"


def test_a_function_tinygrad_edu_lacks_is_an_error_naming_it() -> None:
    output = run_ok("""
        import tinygrad_edu.as_torch
        tinygrad_edu.as_torch.install()
        import torch
        try:
            torch.frobnicate(1)
        except AttributeError as error:
            print(error)
        try:
            from torch import frobnicate
        except ImportError as error:
            print(error)
    """)
    first, second = output.splitlines()
    assert "tinygrad_edu" in first and "frobnicate" in first
    assert "tinygrad_edu" in second and "frobnicate" in second


def test_uninstall_leaves_no_torch_name_behind_and_install_is_idempotent() -> None:
    output = run_ok("""
        import importlib.util, sys
        import tinygrad_edu, tinygrad_edu.as_torch as as_torch
        as_torch.install()
        as_torch.install()
        assert sum(finder is as_torch._finder for finder in sys.meta_path) == 1
        assert as_torch.is_installed()
        import torch.nn.functional, torch.utils.data
        assert {"torch", "torch.nn", "torch.nn.functional", "torch.utils", "torch.utils.data"} <= set(sys.modules)
        as_torch.uninstall()
        assert not as_torch.is_installed()
        assert as_torch._finder not in sys.meta_path
        assert [name for name in sys.modules if name == "torch" or name.startswith("torch.")] == []
        # tinygrad_edu is untouched, and `import torch` is Python's own again.
        assert tinygrad_edu.__spec__.name == "tinygrad_edu" and tinygrad_edu.nn.__name__ == "tinygrad_edu.nn"
        spec = importlib.util.find_spec("torch")
        print("real torch" if spec is not None and "site-packages" in (spec.origin or "") else "no torch")
    """)
    assert output.strip() == ("real torch" if TORCH_INSTALLED else "no torch")


@needs_torch
def test_install_refuses_when_the_real_torch_is_already_imported() -> None:
    output = run_ok("""
        import torch
        import tinygrad_edu.as_torch
        try:
            tinygrad_edu.as_torch.install()
        except RuntimeError as error:
            print(error)
        assert not tinygrad_edu.as_torch.is_installed()
        assert "site-packages" in torch.__file__
    """)
    assert "PyTorch is already imported" in output and "before the first `import torch`" in output


def test_the_runner_sets_argv_main_and_the_script_folder(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent("""
        import sys
        import torch
        import helper
        print(sys.argv)
        print(__name__, torch.__name__, helper.VALUE)
        if __name__ == "__main__":
            raise SystemExit(3)
    """))
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu.as_torch", str(script), "--steps", "5"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    assert result.stdout.splitlines() == [repr([str(script), "--steps", "5"]), "__main__ tinygrad_edu 42"]


def test_the_runner_reports_a_missing_script_and_a_failing_one(tmp_path: Path) -> None:
    missing = subprocess.run([sys.executable, "-m", "tinygrad_edu.as_torch", str(tmp_path / "nope.py")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no such script" in missing.stderr
    script = tmp_path / "uses_a_missing_op.py"
    script.write_text("import torch\ntorch.frobnicate(torch.zeros(2))\n")
    failing = subprocess.run([sys.executable, "-m", "tinygrad_edu.as_torch", str(script)],
                             capture_output=True, text=True, timeout=60)
    assert failing.returncode == 1
    assert "AttributeError" in failing.stderr and "frobnicate" in failing.stderr


# --- torch.utils.data's Dataset and TensorDataset ----------------------------------------

def test_tensor_dataset_items_and_batches() -> None:
    points = tg.tensor(np.arange(10.0, dtype=np.float32).reshape(5, 2))
    labels = tg.tensor(np.array([0, 1, 0, 1, 1]))
    dataset = TensorDataset(points, labels)
    assert len(dataset) == 5
    point, label = dataset[3]
    assert point.numpy().tolist() == [6.0, 7.0] and label.item() == 1
    batches = list(DataLoader(dataset, batch_size=2))
    assert [tuple(batch[0].shape) for batch in batches] == [(2, 2), (2, 2), (1, 2)]
    assert np.array_equal(np.concatenate([batch[0].numpy() for batch in batches]), points.numpy())
    assert np.array_equal(np.concatenate([batch[1].numpy() for batch in batches]), labels.numpy())
    assert batches[0][1].dtype == tg.int64


def test_tensor_dataset_refuses_what_is_not_a_set_of_samples() -> None:
    with pytest.raises(ValueError, match=r"Size mismatch between tensors: first dimensions \[3, 2\]"):
        TensorDataset(tg.zeros(3, 2), tg.zeros(2))
    with pytest.raises(TypeError, match="argument 1 is a ndarray"):
        TensorDataset(tg.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()


def test_a_dataset_subclass_feeds_the_loader_and_the_base_names_what_is_missing() -> None:
    class Squares(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return np.float32(index), index * index

    inputs, targets = next(iter(DataLoader(Squares(), batch_size=4)))
    assert inputs.numpy().tolist() == [0.0, 1.0, 2.0, 3.0] and targets.numpy().tolist() == [0, 1, 4, 9]

    class Forgotten(Dataset):
        pass

    with pytest.raises(NotImplementedError, match=r"Subclasses of Dataset should implement __getitem__. \(Forgotten does not\)"):
        Forgotten()[0]


# --- the examples, under tinygrad_edu and under PyTorch -----------------------------------

# (script, arguments that keep it quick, loss it must end below, deterministic?)
EXAMPLE_RUNS = [
    ("polynomial_manual_gradients.py", ["--steps", "400"], 0.01, True),
    ("polynomial_autograd.py", ["--steps", "400"], 0.01, True),
    ("polynomial_custom_function.py", ["--steps", "150"], 0.01, True),
    ("polynomial_nn_optim.py", ["--steps", "60"], 0.01, True),
    ("tensor_tour.py", [], 10.0, True),
    # ln 2 ≈ 0.69 is a guess between the two classes; 0.35 needs the quadrants learned.
    ("training_loop.py", ["--epochs", "10", "--samples", "512"], 0.35, False),
]
FINAL_LOSS = re.compile(r"final loss: (\d+\.\d{8})")


# Runs scripts as `python SCRIPT ARGS...` would, one after the other in one process, so that
# PyTorch is imported once (about 1.5 s of CPU each time) rather than once per script; each
# script seeds what it draws, so sharing the process changes none of their numbers.
RUN_UNDER_TORCH = """
import contextlib, io, json, runpy, sys, traceback
runs = {}
for script, arguments in json.loads(sys.argv[1]):
    sys.argv = [script, *arguments]
    stdout, returncode, stderr = io.StringIO(), 0, ""
    try:
        with contextlib.redirect_stdout(stdout):
            runpy.run_path(script, run_name="__main__")
    except BaseException:
        returncode, stderr = 1, traceback.format_exc()
    runs[script] = [returncode, stdout.getvalue(), stderr]
print(json.dumps(runs))
"""


@pytest.fixture(scope="module")
def example_outputs() -> dict[tuple[str, str], subprocess.CompletedProcess]:
    """Every example under tinygrad_edu (each its own `python -m tinygrad_edu.as_torch`) and
    under PyTorch, all started at once (they are independent)."""
    commands = {
        (script, "tinygrad_edu"): [sys.executable, "-m", "tinygrad_edu.as_torch", str(EXAMPLES / script), *arguments]
        for script, arguments, _, _ in EXAMPLE_RUNS
    }
    if TORCH_INSTALLED:
        runs = [[str(EXAMPLES / script), arguments] for script, arguments, _, _ in EXAMPLE_RUNS]
        commands["all", "torch"] = [sys.executable, "-c", RUN_UNDER_TORCH, json.dumps(runs)]
    processes = {key: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for key, command in commands.items()}
    outputs = {}
    for key, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        outputs[key] = subprocess.CompletedProcess(commands[key], process.returncode, stdout, stderr)
    if TORCH_INSTALLED:
        driver = outputs.pop(("all", "torch"))
        assert driver.returncode == 0, driver.stderr
        for path, (returncode, stdout, stderr) in json.loads(driver.stdout).items():
            outputs[Path(path).name, "torch"] = subprocess.CompletedProcess(path, returncode, stdout, stderr)
    return outputs


def final_loss(result: subprocess.CompletedProcess) -> float:
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    match = FINAL_LOSS.fullmatch(last_line)
    assert match, f"the last line is {last_line!r}, not 'final loss: <number>'"
    return float(match.group(1))


@pytest.mark.parametrize("script, arguments, threshold, deterministic", EXAMPLE_RUNS,
                         ids=[run[0] for run in EXAMPLE_RUNS])
def test_example_runs_under_as_torch(example_outputs, script, arguments, threshold, deterministic) -> None:
    assert final_loss(example_outputs[script, "tinygrad_edu"]) < threshold


@needs_torch
@pytest.mark.parametrize("script, arguments, threshold, deterministic", EXAMPLE_RUNS,
                         ids=[run[0] for run in EXAMPLE_RUNS])
def test_example_lands_where_pytorch_lands(example_outputs, script, arguments, threshold, deterministic) -> None:
    ours = final_loss(example_outputs[script, "tinygrad_edu"])
    theirs = final_loss(example_outputs[script, "torch"])
    assert theirs < threshold
    if deterministic:
        assert ours == pytest.approx(theirs, rel=1e-4)


@needs_torch
def test_tensor_tour_prints_what_pytorch_prints(example_outputs) -> None:
    """Every line of the tour: shapes, dtypes and values (rounded to 4 places) as PyTorch's."""
    ours = example_outputs["tensor_tour.py", "tinygrad_edu"]
    theirs = example_outputs["tensor_tour.py", "torch"]
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines() == theirs.stdout.splitlines()
