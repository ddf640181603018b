"""Timing that machine noise hits evenly: interleaved rounds, median / min / max, and an
optional wait for idle CPUs before each round.

A 2-core machine shared with other work can slow a 2-thread BLAS call by 10x for a while.
Timing implementation A fully and then B would hand all of that to one side; running
A B C, A B C, ... spreads it over all of them, and the ratio of medians stays meaningful.
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Candidate:
    """One implementation in a comparison: `run` is what gets timed, `warmup` (untimed) runs
    once before the first round so that first-call costs (imports, allocator, BLAS threads
    starting) stay out of the numbers."""

    name: str
    run: Callable[[], Any]
    warmup: Callable[[], Any] | None = None


@dataclass
class Timing:
    name: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def max(self) -> float:
        return max(self.seconds)


@dataclass
class Comparison:
    """The timings of one row, and how busy the machine was (other work, in [0, 1] of all
    cores) just before each round."""

    timings: dict[str, Timing]
    busy_before_rounds: list[float]


def cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies over all cores since boot, from /proc/stat's first line."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return idle, sum(fields[:8])  # guest time is already counted in user time


def busy_fraction(interval: float = 0.1) -> float:
    """The share of all cores busy during `interval` seconds (we sleep meanwhile, so it is
    other processes' load). 0.0 where /proc/stat does not exist."""
    if not os.path.exists("/proc/stat"):
        return 0.0
    idle_before, total_before = cpu_times()
    time.sleep(interval)
    idle_after, total_after = cpu_times()
    total = total_after - total_before
    return 0.0 if total <= 0 else 1.0 - (idle_after - idle_before) / total


class IdleWaiter:
    """Before each round, sleep until other work uses under `threshold` of all cores, for at
    most `per_round` seconds and `budget` seconds over the whole run: a machine that never
    goes idle must slow the suite down, not stall it."""

    def __init__(self, per_round: float, budget: float, threshold: float = 0.25):
        self.per_round, self.budget, self.threshold = per_round, budget, threshold

    def wait(self) -> float:
        """The busy fraction last seen, for the report."""
        start = time.perf_counter()
        deadline = start + min(self.per_round, self.budget)
        busy = busy_fraction()
        while busy >= self.threshold and time.perf_counter() < deadline:
            busy = busy_fraction(0.25)
        self.budget = max(0.0, self.budget - (time.perf_counter() - start))
        return busy


def interleaved(candidates: list[Candidate], rounds: int, idle: IdleWaiter | None = None, pause: float = 0.0) -> Comparison:
    """Time each candidate `rounds` times in the order A B C, A B C, ...

    `pause` seconds are slept (untimed) before each run: after a call, OpenBLAS's worker
    threads spin for about 0.1 s before they sleep, and would steal a core from the next
    candidate (PyTorch's training ran 2x slower right after numpy's without it).
    Garbage collection stays on: collecting the graph a framework leaves behind is part of
    what training with it costs.
    """
    if rounds < 1:
        raise ValueError(f"interleaved: rounds must be at least 1; got {rounds}")
    names = [candidate.name for candidate in candidates]
    if len(set(names)) != len(names):
        raise ValueError(f"interleaved: candidate names must be distinct; got {names}")
    for candidate in candidates:
        if candidate.warmup is not None:
            candidate.warmup()
    timings = {name: Timing(name) for name in names}
    busy: list[float] = []
    for _ in range(rounds):
        busy.append(idle.wait() if idle is not None else busy_fraction(0.02))
        for candidate in candidates:
            if pause > 0:
                time.sleep(pause)
            start = time.perf_counter()
            candidate.run()
            timings[candidate.name].seconds.append(time.perf_counter() - start)
    return Comparison(timings, busy)


def format_seconds(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def blas_info() -> list[dict[str, Any]]:
    """threadpoolctl's view of the loaded BLAS / OpenMP libraries ([] without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return threadpool_info()


def blas_threads() -> int | None:
    """The thread count of numpy's BLAS, or None when threadpoolctl cannot tell."""
    for library in blas_info():
        if library.get("user_api") == "blas":
            return int(library["num_threads"])
    return None


def _threads(count: int) -> str:
    return f"{count} thread" if count == 1 else f"{count} threads"


def machine_line() -> str:
    """numpy, its BLAS (library, kernel, threads), torch when loaded, cores, Python."""
    import sys

    import numpy as np

    parts = [f"numpy {np.__version__}"]
    blas = [library for library in blas_info() if library.get("user_api") == "blas"]
    if blas:
        for library in blas:
            kernel = library.get("architecture") or "?"
            parts.append(
                f"BLAS {library.get('internal_api')} {library.get('version')} "
                f"(kernel {kernel}, {library.get('threading_layer')}, {_threads(library['num_threads'])})"
            )
    else:
        parts.append("BLAS: unknown (pip install threadpoolctl to see it)")
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        parts.append(f"torch {torch.__version__} ({_threads(torch.get_num_threads())})")
    parts.append(f"{os.cpu_count()} cores ({platform.processor() or platform.machine()})")
    parts.append(f"Python {platform.python_version()}")
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if variable in os.environ:
            parts.append(f"{variable}={os.environ[variable]}")
    return " · ".join(parts)
