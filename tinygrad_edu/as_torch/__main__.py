"""python -m tinygrad_edu.as_torch SCRIPT [ARGS...]: run SCRIPT as `python SCRIPT ARGS...`
would, with `import torch` giving tinygrad_edu (see tinygrad_edu.as_torch)."""
from __future__ import annotations

import os
import runpy
import sys

from . import install

USAGE = "usage: python -m tinygrad_edu.as_torch SCRIPT [ARGS...]"


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE + "\n\nRuns SCRIPT with `import torch` resolving to tinygrad_edu.",
              file=sys.stderr if not argv else sys.stdout)
        raise SystemExit(2 if not argv else 0)
    script = argv[0]
    if not os.path.isfile(script):
        raise SystemExit(f"{USAGE}\nno such script: {script}")
    install()
    # What `python SCRIPT ARGS...` sets: the script's argv, and its folder first on the path
    # (its own helper modules import as they would under python).
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
