"""Memory: the resident set size (RSS) of training, each measurement in a fresh subprocess so
that none inherits another's heap or imports.

    python -m benchmarks.memory IMPLEMENTATION NETWORK STEPS [CHECKPOINT ...]

trains NETWORK (mlp, small_cnn) for STEPS batches with IMPLEMENTATION (ours, numpy, torch) and
prints one JSON line: the RSS before training (imports, data and model loaded), the peak RSS
during training (Linux's VmHWM, reset after setup), and the RSS after each checkpoint step
(to see whether the graph leaks: RSS after 2,000 steps against RSS after 200).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

IMPLEMENTATIONS = ("ours", "numpy", "torch")


def _status_mb(field: str) -> float:
    """A field of /proc/self/status in MB (VmRSS: now, VmHWM: peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field} line")


def _reset_peak() -> None:
    """Start VmHWM afresh (Linux ≥ 4.0), so the peak is that of training, not of setup."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _trainer(implementation: str, network: str) -> Any:
    from .networks import LEARNING_RATES, initial_weights

    weights, learning_rate = initial_weights(network), LEARNING_RATES[network]
    if implementation == "ours":
        from . import ours

        return ours.trainer(network, weights, learning_rate)
    if implementation == "numpy":
        from . import hand_numpy

        return {"mlp": hand_numpy.MLP, "small_cnn": hand_numpy.SmallCNN}[network](weights, learning_rate)
    from . import torch_models

    return torch_models.trainer(network, weights, learning_rate)


def train_and_measure(implementation: str, network: str, steps: int, checkpoints: list[int]) -> dict[str, Any]:
    from .datasets import training_set
    from .networks import BATCH_SIZE

    batches = training_set().batches(BATCH_SIZE, flat=network == "mlp")
    trainer = _trainer(implementation, network)
    baseline = _status_mb("VmRSS")
    _reset_peak()
    rss_at = {}
    for step in range(1, steps + 1):
        x, y = batches[(step - 1) % len(batches)]
        trainer.step(x, y)
        if step in checkpoints:
            rss_at[step] = _status_mb("VmRSS")
    return {"baseline_mb": baseline, "peak_mb": _status_mb("VmHWM"), "rss_at_mb": rss_at}


def measure(implementation: str, network: str, steps: int, checkpoints: list[int], threads: int | None) -> dict[str, Any]:
    """Run one measurement in a child Python; its JSON result, with keys as ints again."""
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(f"memory: implementation must be one of {IMPLEMENTATIONS}; got {implementation!r}")
    env = dict(os.environ)
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(threads)
    command = [sys.executable, "-m", "benchmarks.memory", implementation, network, str(steps), *map(str, checkpoints)]
    cwd = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    finished = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    if finished.returncode != 0:
        raise RuntimeError(f"memory measurement {' '.join(command[2:])} failed:\n{finished.stderr}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    result["rss_at_mb"] = {int(step): value for step, value in result["rss_at_mb"].items()}
    return result


def main(argv: list[str]) -> None:
    if len(argv) < 3:
        raise SystemExit("usage: python -m benchmarks.memory {ours,numpy,torch} {mlp,small_cnn} STEPS [CHECKPOINT ...]")
    implementation, network, steps = argv[0], argv[1], int(argv[2])
    if implementation == "torch":
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    print(json.dumps(train_and_measure(implementation, network, steps, [int(step) for step in argv[3:]])))


if __name__ == "__main__":
    main(sys.argv[1:])
