"""Benchmarks: tinygrad_edu against a hand-written numpy version of the same network (the floor
for any numpy framework) and against PyTorch CPU, timed interleaved in one process.

Run `python -m benchmarks.run` (or `make bench`); `--help` lists the options.
"""
