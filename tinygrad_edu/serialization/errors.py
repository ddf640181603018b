"""`CheckpointError`: the one error `tg.load` raises for a file it cannot read as a checkpoint."""
from __future__ import annotations


class CheckpointError(ValueError):
    """A damaged, crafted or foreign file given to `tg.load`.

    The message names the file (or file object) and what is wrong with it. Whatever the
    bytes, `tg.load` raises this (or an OSError naming the path, for a file that cannot be
    opened), never the raw error of a parser it uses (zipfile, json, pickle, ...).
    """

    def __init__(self, source: str, problem: str):
        super().__init__(f"tg.load: {source}: {problem}")
        self.source = source
        self.problem = problem
