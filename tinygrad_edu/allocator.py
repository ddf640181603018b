"""Keep numpy's large temporaries in the heap on glibc, so a training step does not page-fault.

A conv net's step makes and frees arrays of a few MB to a few tens of MB each (im2col columns,
activations, their gradients). glibc's malloc hands out memory above its mmap threshold (128 KB
at start) with a fresh `mmap` and returns it with `munmap` when freed, so every such array costs
page faults (the kernel zeroes each 4 KB page on first touch) on every step. glibc adapts by
itself, but only up to 32 MB, and only after it happens to free a large block: whether that
happens early depends on what the process allocated first. Measured:
- the small-CNN benchmark, 100 Fashion-MNIST steps: 1.45 million page faults when the
  threshold stayed at a few MB, 31 thousand with it raised: 3-4x in step time;
- the ResNet example's step (batch 64), whose largest temporaries are above 32 MB: 79.7 ms
  with a 32 MB threshold, 66.9 ms with 64 MB (PyTorch: 39 ms).

`keep_temporaries_in_heap()` sets the mmap threshold to 64 MB and the trim threshold to twice
that (as glibc pairs them when it adapts), from the start, so speed does not depend on history.
The cost: up to 128 MB of freed memory may stay in the process instead of going back to the
OS. It is applied once, on import, only on glibc, and not when the user chose malloc settings
(MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ set) or opted out with
TINYGRAD_EDU_MALLOC=default.
"""
from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD = 64 << 20  # above a ResNet step's largest temporaries (glibc adapts up to 32 MB)
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what glibc sets beside an adapted mmap threshold
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")


def is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):  # not POSIX, or not glibc
        return False


def keep_temporaries_in_heap() -> bool:
    """Set glibc's mmap and trim thresholds as described above; True if they were set."""
    if os.environ.get("TINYGRAD_EDU_MALLOC") == "default" or any(name in os.environ for name in USER_SETTINGS):
        return False
    if not is_glibc():
        return False
    mallopt = ctypes.CDLL(None).mallopt  # glibc is loaded in every process that has it
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
