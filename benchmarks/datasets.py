"""The training data every implementation sees: Fashion-MNIST's training split where it is
installed (tinygrad_edu.data finds it; nothing is downloaded), else random data of the same
shape; float32 pixels / 255 and int64 labels, in a fixed order."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinygrad_edu.data import DatasetNotFoundError, fashion_mnist

TRAIN_SAMPLES = 60_000


@dataclass
class TrainingSet:
    images: np.ndarray  # (N, 1, 28, 28) float32 in [0, 1]
    labels: np.ndarray  # (N,) int64 in 0..9
    source: str         # where it came from, for the report

    def batches(self, batch_size: int, flat: bool, limit: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """(x, y) views in order, the last one shorter when N is not a multiple: the same
        batch order for every implementation. `flat` gives x as (B, 784) for the MLPs."""
        count = len(self.labels) if limit is None else min(limit, len(self.labels))
        images = self.images.reshape(len(self.images), -1) if flat else self.images
        return [(images[i : i + batch_size], self.labels[i : i + batch_size]) for i in range(0, count, batch_size)]


def training_set(samples: int = TRAIN_SAMPLES, seed: int = 0) -> TrainingSet:
    try:
        images, labels = fashion_mnist("train", download=False)
    except DatasetNotFoundError:
        rng = np.random.default_rng(seed)
        pixels = rng.random((samples, 1, 28, 28), dtype=np.float32)
        return TrainingSet(pixels, rng.integers(0, 10, samples, dtype=np.int64), "random data (Fashion-MNIST not installed)")
    pixels = (images[:samples].astype(np.float32) / np.float32(255)).reshape(-1, 1, 28, 28)
    return TrainingSet(pixels, labels[:samples].astype(np.int64), "Fashion-MNIST training split")
