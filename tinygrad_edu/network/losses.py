"""The tutorial's loss and its derivative, for ONE sample, on plain arrays.

Pass the pair to `Network.use(mse, mse_prime)`.
"""
from __future__ import annotations

import numpy as np


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """E = mean((Y* − Y)²), over the n elements of the sample."""
    return np.mean(np.power(y_true - y_pred, 2))


def mse_prime(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """dE/dY = 2/n (Y − Y*)."""
    return 2 * (y_pred - y_true) / y_true.size
