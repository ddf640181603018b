"""The character-level examples (gpt.py, lstm.py) on tiny sizes: they train, evaluate, sample
words, save a checkpoint and curves; with --compare-torch PyTorch computes the same losses;
without the word list the embedded sample is used; and the models' and optimizers' state
moves to torch and back unchanged."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import gpt  # noqa: E402
import lstm  # noqa: E402
import word_training  # noqa: E402
import words  # noqa: E402

TINY = {"gpt.py": ["--n-embd", "16", "--n-head", "2", "--n-layer", "1"], "lstm.py": ["--embedding-dim", "8", "--hidden-size", "16"]}


def run_example(script: str, tmp_path: Path, *flags: str) -> str:
    command = [sys.executable, str(EXAMPLES / script), "--steps", "6", "--eval-every", "3", "--eval-words", "64", "--samples", "4",
               "--no-progress", "--out", str(tmp_path), *TINY[script], *flags]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def sampled_words(output: str, framework: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(f"{framework} samples: "))
    return line.split(": ", 1)[1].split(" ")


@pytest.mark.parametrize("script, words_flag", [("gpt.py", []), ("lstm.py", ["--words", "/nonexistent/words"])])
def test_example_trains_samples_and_saves(tmp_path: Path, script: str, words_flag: list[str]) -> None:
    output = run_example(script, tmp_path, *words_flag)
    if words_flag:
        assert "the embedded sample words_sample.txt: 400 words (/nonexistent/words not found)" in output
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["steps"] == [0, 3, 6]
    losses = history["val_loss"]["tinygrad_edu"]
    assert losses[-1] < losses[0] < 3.4  # from about ln 27 ≈ 3.3, down
    made = sampled_words(output, "tinygrad_edu")
    assert len(made) == 4 and all(set(word) <= set(words.ALPHABET[1:]) for word in made)
    checkpoint = tg.load(tmp_path / "checkpoint.npz")
    model = gpt.build_model(nn, n_embd=16, n_head=2, n_layer=1) if script == "gpt.py" else lstm.build_model(nn, embedding_dim=8, hidden_size=16)
    model.load_state_dict(checkpoint["model"])
    # torch's layout: the optimizer's state is keyed by parameter index, over both groups
    assert set(checkpoint["optimizer"]["state"]) == set(range(len(list(model.parameters()))))
    assert checkpoint["config"]["steps"] == "6"


@pytest.mark.parametrize("script", ["gpt.py", "lstm.py"])
def test_compare_torch_computes_the_same_losses(tmp_path: Path, script: str) -> None:
    pytest.importorskip("torch", reason="--compare-torch needs PyTorch (pip install torch==2.13.0)")
    output = run_example(script, tmp_path, "--compare-torch")
    losses = json.loads((tmp_path / "history.json").read_text())["val_loss"]
    np.testing.assert_allclose(losses["tinygrad_edu"], losses["PyTorch"], rtol=1e-4)
    assert sampled_words(output, "tinygrad_edu") == sampled_words(output, "PyTorch")  # same weights, same draws


def test_words_are_cleaned_split_and_encoded() -> None:
    assert words.clean(["Cat", "cat", "dog's", "café", "x" * 16, "# a comment", "emu\n"]) == ["cat", "emu"]
    train, val = words.split([f"w{i}" for i in range(20)], 0.1, seed=0)
    assert len(val) == 2 and sorted(train + val) == sorted(f"w{i}" for i in range(20))
    rows = words.to_rows(["cat"], 6)
    np.testing.assert_array_equal(rows.inputs, [[0, 3, 1, 20, 0, 0]])
    np.testing.assert_array_equal(rows.targets, [[3, 1, 20, 0, words.IGNORE, words.IGNORE]])
    sample, source = words.load_words(Path("/nonexistent/words"))
    assert len(sample) == 400 and "embedded sample" in source


def test_gpt_is_causal_and_ties_weights() -> None:
    tg.manual_seed(0)
    model = gpt.build_model(nn, n_embd=16, n_head=2, n_layer=2, tie_weights=True)
    assert model.head.weight is model.tok_emb.weight
    assert len(list(model.parameters())) == len(model.state_dict()) - 1  # one matrix, two names (as torch)
    tokens = np.array([[0, 3, 1, 20, 19]])
    changed = tokens.copy()
    changed[0, 3:] = [5, 6]
    with tg.no_grad():
        before, after = model(tg.tensor(tokens)).numpy(), model(tg.tensor(changed)).numpy()
    np.testing.assert_array_equal(before[:, :3], after[:, :3])  # position t sees tokens 0..t only
    assert not np.allclose(before[:, 3:], after[:, 3:])
    with pytest.raises(ValueError, match="at most 16 tokens"):
        model(tg.tensor(np.zeros((1, 17), dtype=np.int64)))


@pytest.mark.parametrize("build", [lambda nn: gpt.build_model(nn, n_embd=16, n_head=2, n_layer=1, tie_weights=True),
                                   lambda nn: lstm.build_model(nn, embedding_dim=8, hidden_size=16, num_layers=2)],
                         ids=["gpt", "lstm"])
def test_model_and_optimizer_state_move_to_torch_and_back(tmp_path: Path, build) -> None:
    torch = pytest.importorskip("torch", reason="the round trip through torch needs PyTorch (pip install torch==2.13.0)")
    args = word_training.parser("", steps=10, lr=1e-2).parse_args([])
    tg.manual_seed(0)
    ours = word_training.Trainer("tinygrad_edu", tg, build(nn), args)
    rows = words.to_rows(["cat", "horse", "emu"], 16)
    for _ in range(2):
        ours.step(rows.inputs, rows.targets)

    def to_torch(value):  # our state_dicts hold numpy arrays where torch's hold tensors
        if isinstance(value, dict):
            return {key: to_torch(item) for key, item in value.items()}
        if isinstance(value, list):
            return [to_torch(item) for item in value]
        return torch.from_numpy(np.array(value)) if isinstance(value, (np.ndarray, tg.Tensor)) else value

    saved = to_torch({"model": ours.model.state_dict(), "optimizer": ours.optimizer.state_dict()})
    theirs = word_training.Trainer("PyTorch", torch, build(torch.nn), args)
    theirs.model.load_state_dict(saved["model"])
    theirs.optimizer.load_state_dict(saved["optimizer"])
    torch.save({"model": theirs.model.state_dict(), "optimizer": theirs.optimizer.state_dict()}, tmp_path / "theirs.pt")

    back = tg.load(tmp_path / "theirs.pt")  # tg.load reads torch.save's files
    tg.manual_seed(1)
    returned = word_training.Trainer("tinygrad_edu", tg, build(nn), args)
    returned.model.load_state_dict(back["model"])
    returned.optimizer.load_state_dict(back["optimizer"])
    expected, got = ours.model.state_dict(), returned.model.state_dict()
    assert list(got) == list(expected)
    for name in expected:
        np.testing.assert_array_equal(np.asarray(got[name]), np.asarray(expected[name]), err_msg=name)
    expected, got = ours.optimizer.state_dict(), returned.optimizer.state_dict()
    assert got["param_groups"] == expected["param_groups"]
    assert list(got["state"]) == list(expected["state"])
    for index, state in expected["state"].items():
        for key, value in state.items():
            np.testing.assert_array_equal(np.asarray(got["state"][index][key]), np.asarray(value), err_msg=f"{index}.{key}")
