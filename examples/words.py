"""The word data both character models train on (makemore's task: learn to make up words).

Words come from Debian's `wamerican` list (/usr/share/dict/words, ~100k entries), kept when
they are plain lower-case ASCII letters once lower-cased (no "apple's"), at most MAX_LENGTH
long, each once. Without the list (offline, or another OS), a few hundred words shipped in
examples/data/words_sample.txt stand in.

A word becomes one training row: the input starts with the end token '.', the target is the
input shifted by one, and both are padded to the block size; the padding targets are
IGNORE (cross_entropy's ignore_index), so they add nothing to the loss:

    "cat" -> x = [. c a t . . ...]   y = [c a t . -1 -1 ...]
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORD_LIST = Path("/usr/share/dict/words")
SAMPLE = Path(__file__).resolve().parent / "data" / "words_sample.txt"
MAX_LENGTH = 15  # longer words are rare; with the start token a row is 16 characters
ALPHABET = ".abcdefghijklmnopqrstuvwxyz"  # '.' (token 0) both starts and ends a word
IGNORE = -1  # target at padding positions: cross_entropy(..., ignore_index=IGNORE)


def clean(lines: list[str], max_length: int = MAX_LENGTH) -> list[str]:
    """Lower-cased, letters a-z only, 1..max_length long, each once, in sorted order.
    Lines starting with '#' are comments (the sample file's header)."""
    words = {line.strip().lower() for line in lines if not line.startswith("#")}
    return sorted(word for word in words if 0 < len(word) <= max_length and word.isascii() and word.isalpha())


def load_words(path: Path = WORD_LIST, max_length: int = MAX_LENGTH) -> tuple[list[str], str]:
    """The cleaned word list at `path`, or the embedded sample when that file does not exist;
    and a sentence saying which was loaded."""
    if path.exists():
        words = clean(path.read_text(encoding="utf-8", errors="ignore").splitlines(), max_length)
        return words, f"{path}: {len(words):,} words"
    words = clean(SAMPLE.read_text(encoding="utf-8").splitlines(), max_length)
    return words, f"the embedded sample {SAMPLE.name}: {len(words):,} words ({path} not found)"


def split(words: list[str], val_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """A shuffled train/validation split, fixed by the seed."""
    order = np.random.default_rng(seed).permutation(len(words))
    count = max(1, int(round(len(words) * val_fraction)))
    return [words[i] for i in order[count:]], [words[i] for i in order[:count]]


def encode(word: str) -> list[int]:
    return [ALPHABET.index(letter) for letter in word]


def decode(tokens: list[int]) -> str:
    return "".join(ALPHABET[token] for token in tokens)


@dataclass
class Rows:
    """Every word of a split as one row: inputs and targets, int64 (words, block_size)."""

    inputs: np.ndarray
    targets: np.ndarray

    def __len__(self) -> int:
        return len(self.inputs)


def to_rows(words: list[str], block_size: int) -> Rows:
    """Rows of block_size characters: '.' + word (padded with '.') and word + '.' (padded
    with IGNORE). Words longer than block_size - 1 are cut (not with the default sizes)."""
    inputs = np.zeros((len(words), block_size), dtype=np.int64)
    targets = np.full((len(words), block_size), IGNORE, dtype=np.int64)
    for row, word in enumerate(words):
        tokens = encode(word)[: block_size - 1]
        inputs[row, 1 : len(tokens) + 1] = tokens
        targets[row, : len(tokens) + 1] = tokens + [0]
    return Rows(inputs, targets)


def batch_indices(rows: int, batch_size: int, steps: int, seed: int) -> np.ndarray:
    """(steps, batch_size) row numbers drawn at random (makemore's sampling): the same for
    every framework, so a side-by-side run sees the same batches."""
    return np.random.default_rng(seed).integers(0, rows, size=(steps, batch_size))
