"""Build the Fashion-MNIST sample that ships in tinygrad_edu/data/sample/.

    python -m tinygrad_edu.data.make_sample [--root FOLDER] [--out FOLDER]

From each split of the real Fashion-MNIST (found as `fashion_mnist` finds it, and checked by
its SHA-256, so every copy gives the same arrays) it draws, per class, PER_CLASS[split]
images without replacement with numpy's `default_rng(SEED)`, keeps them in the order they
have in the real file, and writes them as gzipped IDX files with the canonical names. The
gzip header holds no name and no time stamp: the same arrays give the same bytes (with the
same zlib). The result: 5,000 train images (500 per class), 1,000 test images (100 per class).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from .datasets import SAMPLE_FOLDER, SPLITS, fashion_mnist
from .idx import write_idx

SEED = 2017
PER_CLASS = {"train": 500, "test": 100}
NUM_CLASSES = 10


def sample_indices(labels: np.ndarray, per_class: int, seed: int = SEED) -> np.ndarray:
    """Sorted indices of `per_class` randomly chosen samples of each class 0..9."""
    rng = np.random.default_rng(seed)
    chosen = [
        rng.choice(np.flatnonzero(labels == label), size=per_class, replace=False)
        for label in range(NUM_CLASSES)
    ]
    return np.sort(np.concatenate(chosen))


def sample_split(split: str,
                 root: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The sample's images and labels of one split, drawn from the real data set."""
    images, labels = fashion_mnist(split, root=root, download=False)
    keep = sample_indices(labels, PER_CLASS[split])
    return images[keep], labels[keep]


def build_sample(out: str | os.PathLike = SAMPLE_FOLDER,
                 root: str | os.PathLike | None = None) -> list[Path]:
    """Write the four sample files into `out`; returns their paths."""
    written = []
    for split, (images_name, labels_name) in SPLITS.items():
        images, labels = sample_split(split, root)
        for name, array in ((images_name, images), (labels_name, labels.astype(np.uint8))):
            path = Path(out) / f"{name}.gz"
            write_idx(path, array)
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--root", help="folder with the real Fashion-MNIST (default: found as fashion_mnist finds it)")
    parser.add_argument(
        "--out", default=str(SAMPLE_FOLDER), help="where to write the sample (default: %(default)s)")
    args = parser.parse_args()
    for path in build_sample(args.out, args.root):
        print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
