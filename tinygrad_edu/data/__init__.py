"""Data: the IDX reader and writer, MNIST, Fashion-MNIST and its embedded sample, the
tutorial's XOR set, and `DataLoader`."""
from .datasets import (
    FASHION_MNIST_CLASSES,
    ChecksumError,
    DatasetNotFoundError,
    fashion_mnist,
    fashion_mnist_sample,
    load_fashion_mnist_or_sample,
    mnist,
    xor,
)
from .idx import IDXError, read_idx, write_idx
from .loader import DataLoader

__all__ = [
    "DataLoader",
    "IDXError", "read_idx", "write_idx",
    "mnist", "fashion_mnist", "fashion_mnist_sample", "load_fashion_mnist_or_sample", "xor",
    "FASHION_MNIST_CLASSES", "DatasetNotFoundError", "ChecksumError",
]
