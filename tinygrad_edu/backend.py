"""The array backend: the few array calls the engine makes outside the ops.

`Tensor` and the autograd loop touch arrays only through this module, so that another
numpy-compatible backend (CuPy, say) could be swapped in here without touching them.
The ops (`tinygrad_edu.ops`) use numpy directly: an op's math is the backend's business.
"""
from __future__ import annotations

from typing import Any

import numpy as np

# What float data becomes; read at each call (set_default_float changes it), never imported by value.
DEFAULT_FLOAT = np.dtype(np.float32)
ARRAY_TYPE = np.ndarray
_NUMERIC_KINDS = "biuf"  # bool, signed int, unsigned int, float


def set_default_float(dtype: np.dtype) -> None:
    """The one place DEFAULT_FLOAT changes (tg.set_default_dtype checks the dtype first)."""
    global DEFAULT_FLOAT
    DEFAULT_FLOAT = np.dtype(dtype)


def as_data(data: Any, dtype: Any = None) -> np.ndarray:
    """Copy user data into an array: float32 unless `dtype` says otherwise, ints kept.

    Raises a clear error for ragged nested lists and for non-numeric data, instead of
    numpy's object arrays or its generic message.
    """
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ValueError(
            f"Tensor data is ragged: nested sequences must have the same length at each "
            f"depth ({error})"
        ) from None
    check_numeric(array, f" from {type(data).__name__}")
    if dtype is None:
        dtype = DEFAULT_FLOAT if array.dtype.kind == "f" else array.dtype
    elif np.dtype(dtype).kind not in _NUMERIC_KINDS:
        raise TypeError(f"Tensor dtype must be numeric (bool, int or float); got dtype={np.dtype(dtype)}")
    # A copy, as torch.tensor makes: optimizers update parameters in place, and that must
    # never write into the caller's array.
    return np.array(array, dtype=dtype, order="C", copy=True)


def shared_array(array: Any) -> np.ndarray:
    """`array` itself, checked to be a numeric ndarray (Tensor.from_numpy shares it)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy needs a numpy array; got {type(array).__name__}")
    check_numeric(array, "")
    return array


def check_numeric(array: np.ndarray, source: str) -> None:
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"Tensor data must be numeric (bool, int or float); got dtype {array.dtype}{source}")


def ensure_array(value: Any) -> np.ndarray:
    """Ops may return numpy scalars (np.mean does); the graph stores arrays."""
    return value if type(value) is np.ndarray else np.asarray(value)


def is_float(array: np.ndarray) -> bool:
    return array.dtype.kind == "f"


def is_float_array(value: Any) -> bool:
    """A float ndarray, or a numpy float scalar (what numpy makes of a 0-d result)."""
    return isinstance(value, (np.ndarray, np.floating)) and value.dtype.kind == "f"


def ones_like(array: np.ndarray) -> np.ndarray:
    # np.ones and np.ones_like are Python wrappers that fill through np.copyto: empty + fill
    # costs half as much (backward's seed, once per training step).
    ones = np.empty(array.shape, array.dtype)
    ones.fill(1)
    return ones


def zeros(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return np.zeros(shape, dtype)


def zeros_like(array: np.ndarray) -> np.ndarray:
    return np.zeros(array.shape, array.dtype)


def owns_writable(array: np.ndarray) -> bool:
    """Not a view of another array, and writable."""
    return array.base is None and array.flags.writeable


def may_share_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a and b may overlap in memory (bounds only: cheap, and True when unsure)."""
    return bool(np.may_share_memory(a, b))


def copy(array: np.ndarray) -> np.ndarray:
    return np.array(array, copy=True)


def cast(array: np.ndarray, dtype: Any) -> np.ndarray:
    return array.astype(dtype, copy=False)


def as_numpy(array: np.ndarray, dtype: Any, copy: bool | None) -> np.ndarray:
    """The array numpy's __array__ protocol asks a Tensor for."""
    if dtype is not None and np.dtype(dtype) != array.dtype:
        return array.astype(dtype)
    return np.array(array, copy=True) if copy else array


def format_array(array: np.ndarray) -> str:
    return np.array2string(array, precision=4, separator=", ", prefix="Tensor(")


# The ufunc numpy calls for `array <op> tensor`, and the Tensor method that computes the same
# thing from the tensor's side (`tensor.__rmul__(array)` for `array * tensor`).
_REFLECTED_OPERATORS = {
    np.add: "__radd__", np.subtract: "__rsub__", np.multiply: "__rmul__",
    np.true_divide: "__rtruediv__", np.floor_divide: "__rfloordiv__", np.remainder: "__rmod__",
    np.power: "__rpow__", np.matmul: "__rmatmul__", np.bitwise_and: "__rand__",
    np.bitwise_or: "__ror__", np.bitwise_xor: "__rxor__", np.left_shift: "__rlshift__",
    np.right_shift: "__rrshift__", np.less: "__gt__", np.less_equal: "__ge__",
    np.greater: "__lt__", np.greater_equal: "__le__", np.equal: "__eq__", np.not_equal: "__ne__",
}


def reflected_operator(ufunc: Any) -> str | None:
    """The Tensor method name for `array <ufunc> tensor`, or None if there is none."""
    return _REFLECTED_OPERATORS.get(ufunc)


def as_array(value: Any) -> np.ndarray:
    """A ufunc's result as an array (numpy returns a scalar for 0-d inputs), dtype kept."""
    return np.asarray(value)


def apply_ufunc(ufunc: Any, arrays: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run `ufunc` on plain arrays (its `out=` keeps the write in place)."""
    return ufunc(*arrays, **kwargs)
