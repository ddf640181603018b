"""The results as markdown: one timing table, the targets of issue 4 with the measured ratios,
and the memory table."""
from __future__ import annotations

import statistics

from .harness import format_seconds
from .suite import NUMPY, OURS, TORCH, TUTORIAL, MemoryRow, Row

# (row name prefix, numerator, denominator, bound, "at most" or "at least") from the issue.
TARGETS = [
    ("MLP epoch", OURS, NUMPY, 1.15, "at most"),
    ("MLP epoch", OURS, TORCH, 0.7, "at most"),
    ("tutorial's conv net epoch", OURS, NUMPY, 1.3, "at most"),
    ("tutorial's conv net epoch", OURS, TORCH, 0.8, "at most"),
    ("small CNN epoch", OURS, NUMPY, 1.3, "at most"),
    ("small CNN epoch", OURS, TORCH, 1.0, "at most"),
    ("conv2d (64,1,28,28)", OURS, NUMPY, 1.2, "at most"),
    ("conv2d (64,16,14,14)", OURS, NUMPY, 1.2, "at most"),
    ("XOR step", OURS, NUMPY, 3.0, "at most"),
    ("XOR step", OURS, TORCH, 0.3, "at most"),
    ("tutorial's per-sample MLP epoch", TUTORIAL, OURS, 20.0, "at least"),
]
LEAK_BOUND_MB = 20.0


def _median(row: Row, name: str) -> float:
    return statistics.median(row.seconds(name))


def _ratio(row: Row, name: str, reference: str) -> str:
    if reference not in row.comparison.timings:
        return "–"
    return f"{_median(row, name) / _median(row, reference):.2f}x"


def timing_table(rows: list[Row]) -> str:
    lines = [
        "| benchmark | implementation | median | min | max | vs hand numpy | vs PyTorch |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for index, name in enumerate(row.comparison.timings):
            seconds = row.seconds(name)
            lines.append(
                f"| {row.name if index == 0 else ''} | {name} | {format_seconds(statistics.median(seconds))} | "
                f"{format_seconds(min(seconds))} | {format_seconds(max(seconds))} | "
                f"{_ratio(row, name, NUMPY)} | {_ratio(row, name, TORCH)} |"
            )
    return "\n".join(lines)


def row_notes(rows: list[Row]) -> str:
    """What each row measures, its correctness check, and how busy the machine was."""
    lines = []
    for row in rows:
        busy = row.comparison.busy_before_rounds
        rounds = len(busy)
        load = f"other load before the rounds: median {statistics.median(busy):.0%}, max {max(busy):.0%}"
        lines.append(f"- **{row.name}**: {row.note}. {rounds} interleaved rounds; {load}. Check: {row.check}.")
    return "\n".join(lines)


def targets_table(rows: list[Row], memory: list[MemoryRow]) -> str:
    by_name = {row.name: row for row in rows}
    lines = ["| benchmark | ratio | measured (medians) | target | met |", "|---|---|---|---|---|"]
    for prefix, numerator, denominator, bound, sense in TARGETS:
        row = next((row for name, row in by_name.items() if name.startswith(prefix)), None)
        if row is None or numerator not in row.comparison.timings or denominator not in row.comparison.timings:
            continue
        ratio = _median(row, numerator) / _median(row, denominator)
        met = ratio <= bound if sense == "at most" else ratio >= bound
        met_text = ("yes" if met else "**no**") if row.check_passed else "**check failed**"
        lines.append(f"| {row.name} | {numerator} / {denominator} | {ratio:.2f}x | {sense} {bound:g}x | {met_text} |")
    for memory_row in memory:
        if memory_row.measurement.startswith("MLP: RSS after") and OURS in memory_row.megabytes:
            growth = memory_row.megabytes[OURS]
            met_text = "yes" if growth <= LEAK_BOUND_MB else "**no**"
            lines.append(f"| {memory_row.measurement} | {OURS} | {growth:+.1f} MB | at most {LEAK_BOUND_MB:g} MB | {met_text} |")
    return "\n".join(lines)


def memory_table(memory: list[MemoryRow]) -> str:
    names = list(dict.fromkeys(name for row in memory for name in row.megabytes))
    lines = ["| measurement | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for row in memory:
        cells = [f"{row.megabytes[name]:.1f} MB" if name in row.megabytes else "–" for name in names]
        lines.append(f"| {row.measurement} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
