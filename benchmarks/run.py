"""Run the benchmarks and print markdown tables: `python -m benchmarks.run [--quick]
[--threads N] [--only ROWS] [--output PATH]`. `--help` says more.

A full run (no --quick, no --only) also writes its tables into benchmarks/RESULTS.md, between
markers named after the thread count (so a 1-thread and a 2-thread run sit side by side),
keeping the text around them (the profile notes).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROWS = ["mlp", "tutorial_conv", "small_cnn", "conv", "xor", "per_op", "tutorial_loop", "gpt", "resnet", "memory"]
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
RESULTS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
# Interleaved rounds per row: (full run, --quick).
ROUNDS = {"mlp": (5, 2), "tutorial_conv": (3, 2), "small_cnn": (3, 1), "conv": (7, 2), "xor": (7, 2), "per_op": (7, 2), "tutorial_loop": (3, 1), "gpt": (7, 1), "resnet": (5, 1)}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and data subsets: a smoke run")
    parser.add_argument("--threads", type=int, help="BLAS / OpenMP / torch threads (default: numpy's BLAS threads)")
    parser.add_argument("--only", help=f"comma-separated rows to run, of: {','.join(ROWS)}")
    parser.add_argument("--output", help="markdown file to write the tables into (default: benchmarks/RESULTS.md for a full run)")
    parser.add_argument("--keep-openblas-env", action="store_true", help=f"do not unset {' and '.join(OPENBLAS_OVERRIDES)}")
    args = parser.parse_args(argv)
    args.rows = ROWS if args.only is None else [row.strip() for row in args.only.split(",") if row.strip()]
    unknown = [row for row in args.rows if row not in ROWS]
    if unknown:
        parser.error(f"--only: unknown rows {unknown}; choose from {ROWS}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1; got {args.threads}")
    if args.output is None and not args.quick and args.only is None:
        args.output = RESULTS_PATH
    return args


def restart_without_openblas_overrides(argv: list[str]) -> None:
    """OpenBLAS reads OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE when numpy loads it, and a forced
    core type slows a current numpy; the only way to drop them is a fresh interpreter."""
    if any(variable in os.environ for variable in OPENBLAS_OVERRIDES):
        env = {key: value for key, value in os.environ.items() if key not in OPENBLAS_OVERRIDES}
        os.execve(sys.executable, [sys.executable, "-m", "benchmarks.run", *argv], env)


def markers(label: str) -> tuple[str, str]:
    return f"<!-- benchmark results, {label}: start -->", f"<!-- benchmark results, {label}: end -->"


def write_results(path: str, text: str, label: str) -> None:
    """Replace what lies between the `label` markers (or append it), atomically: temp file
    + rename."""
    start, end = markers(label)
    block = f"{start}\n{text}\n{end}"
    existing = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmark results\n\n"
    if start in existing and end in existing:
        before, rest = existing.split(start, 1)
        updated = before + block + rest.split(end, 1)[1]
    else:
        updated = existing.rstrip("\n") + "\n\n" + block + "\n"
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, delete=False, suffix=".tmp") as temporary:
        temporary.write(updated)
    os.replace(temporary.name, path)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not args.keep_openblas_env:
        restart_without_openblas_overrides(argv)
    # Imported only now: numpy must load after the restart above.
    from .harness import IdleWaiter, blas_threads, machine_line
    from .datasets import training_set
    from . import gpt_row, report, resnet_row, suite

    try:
        from . import torch_models
    except ImportError:
        torch_models = None
    threads = args.threads if args.threads is not None else blas_threads()
    if args.threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            raise SystemExit("--threads needs threadpoolctl: pip install threadpoolctl (the 'bench' extra)") from None
        threadpool_limits(limits=args.threads)  # set now, for the rest of the run
    if torch_models is not None and threads is not None:
        torch_models.torch.set_num_threads(threads)

    data_cache: list = []

    def data():
        if not data_cache:
            data_cache.append(training_set())
        return data_cache[0]

    idle = IdleWaiter(per_round=3.0, budget=60.0) if not args.quick else None
    pause = 0.2 if threads != 1 and not args.quick else 0.0
    settings = suite.Settings(quick=args.quick, idle=idle, pause=pause, torch=torch_models, data=data)
    rounds = {name: counts[1 if args.quick else 0] for name, counts in ROUNDS.items()}
    makers = {
        "mlp": lambda: [suite.epoch_row("mlp", "MLP epoch", settings, rounds["mlp"])],
        "tutorial_conv": lambda: [suite.epoch_row("tutorial_conv", "tutorial's conv net epoch", settings, rounds["tutorial_conv"])],
        "small_cnn": lambda: [suite.epoch_row("small_cnn", "small CNN epoch", settings, rounds["small_cnn"])],
        "conv": lambda: [suite.conv_row(64, 1, 28, 8, settings, rounds["conv"]), suite.conv_row(64, 16, 14, 32, settings, rounds["conv"])],
        "xor": lambda: [suite.xor_row(settings, rounds["xor"])],
        "per_op": lambda: [suite.op_chain_row(settings, rounds["per_op"])],
        "tutorial_loop": lambda: [suite.tutorial_loop_row(settings, rounds["tutorial_loop"])],
        "gpt": lambda: [gpt_row.gpt_row(settings, rounds["gpt"])],
        "resnet": lambda: [resnet_row.resnet_row(settings, rounds["resnet"])],
    }
    started = time.perf_counter()
    rows = []
    for name in args.rows:
        if name in makers:
            row_started = time.perf_counter()
            rows.extend(makers[name]())
            print(f"[{name}: {time.perf_counter() - row_started:.0f} s]", file=sys.stderr, flush=True)
    memory = []
    if "memory" in args.rows:
        row_started = time.perf_counter()
        memory = suite.memory_rows(settings, threads)
        print(f"[memory: {time.perf_counter() - row_started:.0f} s]", file=sys.stderr, flush=True)

    command = "python -m benchmarks.run" + (" " + " ".join(argv) if argv else "")
    sections = [
        f"Command: `{command}` · total {time.perf_counter() - started:.0f} s",
        f"Machine: {machine_line()}",
        f"Data: {data().source if data_cache else 'none loaded'}",
    ]
    if rows:
        sections += ["### Time", report.timing_table(rows), report.row_notes(rows)]
    if memory:
        sections += ["### Memory", report.memory_table(memory)]
    if rows or memory:
        sections += ["### Targets (issue 4)", report.targets_table(rows, memory)]
    text = "\n\n".join(sections)
    print(text)
    if args.output:
        write_results(args.output, text, f"{threads} BLAS thread{'' if threads == 1 else 's'}")
    failed = [row.name for row in rows if not row.check_passed]
    if failed:
        print(f"correctness check failed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
