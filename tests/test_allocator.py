"""allocator.py: on glibc, numpy's multi-MB temporaries come from the heap, so making and freeing
them again and again (a conv net's training step) costs no page faults."""
import os
import subprocess
import sys

import pytest

from tinygrad_edu import allocator

pytestmark = pytest.mark.skipif(not allocator.is_glibc(), reason="the malloc tuning applies to glibc only")

# A conv net's step in miniature: 50 rounds of four 3 MB arrays alive at once (written to: a
# page faults on its first touch), then freed.
PROGRAM = """
import resource, numpy as np
import tinygrad_edu
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    arrays = [np.ones(3 << 18, dtype=np.float32) for _ in range(4)]
    del arrays
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(**environment: str) -> int:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    env.pop("TINYGRAD_EDU_MALLOC", None)
    env.update(environment)
    result = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, check=True)
    return int(result.stdout)


def test_large_temporaries_are_reused_without_page_faults():
    tuned, untuned = page_faults(), page_faults(TINYGRAD_EDU_MALLOC="default")
    # Untuned, glibc adapts its mmap threshold to 3 MB but then trims the 12 MB freed at the
    # heap's top every round, so the pages are faulted again (768 per array, 4 KB pages);
    # tuned, the heap keeps them and they are faulted in the first round only.
    assert untuned > 20 * 4 * 768
    assert tuned < 3 * 4 * 768


def test_settings_the_user_chose_are_kept():
    assert page_faults(MALLOC_MMAP_THRESHOLD_=str(128 * 1024)) > 20 * 4 * 768


def test_the_thresholds_pair_as_glibc_pairs_them():
    assert allocator.MMAP_THRESHOLD == 64 * 1024 * 1024  # above a ResNet step's temporaries
    assert allocator.TRIM_THRESHOLD == 2 * allocator.MMAP_THRESHOLD


def test_an_array_above_glibcs_own_32_mb_limit_is_reused_too():
    program = PROGRAM.replace("3 << 18", "10 << 20").replace("range(4)", "range(1)")  # one 40 MB array
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    env.pop("TINYGRAD_EDU_MALLOC", None)
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
    # Mapped afresh each round, 50 rounds of 40 MB fault about 26,600 times here (2 MB huge
    # pages help); kept in the heap, the pages are faulted in the first round only (~500).
    assert int(result.stdout) < 10240
