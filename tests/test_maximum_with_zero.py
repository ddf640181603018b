"""backend.maximum_with_zero, ReLU's forward: np.maximum(x, 0) value for value and dtype for
dtype, in every memory layout (the dense ones take rows against a zero row, others numpy's
scalar loop), NaN and infinities included."""
from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu.backend import maximum_with_zero

LAYOUTS = {
    "C order": lambda a: a,
    "batch innermost (a conv's output)": lambda a: np.ascontiguousarray(a.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2),
    "every second row": lambda a: a[:, :, ::2],
    "reversed": lambda a: a[::-1, :, :, ::-1],
    "broadcast": lambda a: np.broadcast_to(a[:1], a.shape),
    "a few values": lambda a: a[:1, :1, :2, :3],
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_maximum_with_zero_is_numpys_maximum_with_0(layout, dtype) -> None:
    values = np.random.default_rng(0).standard_normal((4, 6, 13, 29)) * 3  # 9,048 values: rows and a rest
    values.ravel()[:4] = [np.nan, -np.inf, np.inf, -0.0]
    finite = np.nan_to_num(values, nan=0.0, posinf=5.0, neginf=-5.0)  # an int array has no NaN or infinity
    array = layout(values.astype(dtype) if dtype != np.int32 else finite.astype(dtype))
    expected = np.maximum(array, 0)
    result = maximum_with_zero(array)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(result, expected)
