"""ReLU's forward (ops/elementwise.py) clips floats to [0, ∞] for speed: the same values as
max(X, 0) in every memory layout and dtype, NaN and infinities included, and torch's −0."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F

LAYOUTS = {
    "C order": lambda a: a,
    "batch innermost (a conv's output)": lambda a: np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2),
    "every second row": lambda a: a[:, :, ::2],
    "reversed": lambda a: a[::-1, :, :, ::-1],
    "broadcast": lambda a: np.broadcast_to(a[:1], a.shape),
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
def test_relu_is_max_with_0_in_every_layout_and_dtype(layout, dtype) -> None:
    values = np.random.default_rng(0).standard_normal((4, 6, 13, 29)) * 3
    values.ravel()[:4] = [np.nan, -np.inf, np.inf, -0.0]
    finite = np.nan_to_num(values, nan=0.0, posinf=5.0, neginf=-5.0)  # an int array has no NaN or infinity
    array = layout(values.astype(dtype) if dtype != np.int32 else finite.astype(dtype))
    result = F.relu(tg.tensor(array)).numpy()
    expected = np.maximum(array, 0)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)


def test_relu_keeps_the_sign_of_zero_as_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is an optional extra (pip install torch); the oracle compares against it")
    values = np.array([-0.0, 0.0, np.nan, -np.inf, np.inf, -2.0, 3.0], dtype=np.float32)
    ours = F.relu(tg.tensor(values)).numpy()
    assert ours.tobytes() == torch.relu(torch.from_numpy(values)).numpy().tobytes()
