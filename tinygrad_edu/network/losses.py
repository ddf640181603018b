"""The tutorial's loss and its derivative, for ONE sample, on plain arrays (mse_prime also
on Tensors, written with operators: it can be differentiated again).

Pass the pair to `Network.use(mse, mse_prime)`.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """E = mean((Y* − Y)²), over the n elements of the sample."""
    return np.mean(np.power(y_true - y_pred, 2))


def mse_prime(y_true: Any, y_pred: Any) -> Any:
    """dE/dY = 2/n (Y − Y*)."""
    return 2 * (y_pred - y_true) / int(np.prod(np.shape(y_true)))
