"""How a tensor prints: torch's layout, number for number (torch/_tensor_str.py), so that a
program's printed output reads as it does under PyTorch.

    tensor([[ 0.1000, -2.0000],
            [ 3.0000,  4.0000]], requires_grad=True)

One format for all the elements of a tensor (_Formatter): whole floats as `2.`, else 4
decimals, or scientific notation when the magnitudes span more than 1000× or leave
[1e-4, 1e8); every element padded to the widest. Rows wrap at 80 columns; a tensor of more than
1000 elements shows its first and last 3 along each dimension around `...`. dtypes other than
the default float, int64 and bool are named (`dtype=torch.int32`). `set_printoptions` changes
precision, threshold, edgeitems, linewidth and sci_mode as torch's does.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import backend

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES = {
    "default": _DEFAULTS,
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = dict(_DEFAULTS)


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """torch.set_printoptions: a profile ("default", "short", "full") first, then the given options."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {', '.join(_PROFILES)}; got {profile!r}")
        _options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _options[name] = value
    _options["sci_mode"] = sci_mode


class _Formatter:
    """One format for every element of a tensor (torch's _Formatter)."""

    def __init__(self, array: np.ndarray):
        self.floating = array.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        precision = _options["precision"]
        if not self.floating:
            self.max_width = max((len(str(value)) for value in array.ravel().tolist()), default=1)
            return
        values = array.ravel().astype(np.float64)
        values = values[np.isfinite(values) & (values != 0)]
        if values.size:
            magnitudes = np.abs(values)
            smallest, largest = magnitudes.min(), magnitudes.max()
            self.int_mode = bool(np.all(values == np.ceil(values)))
            spread = largest / smallest > 1000.0 or largest > 1.0e8
            self.sci_mode = spread if self.int_mode else spread or smallest < 1.0e-4
            if _options["sci_mode"] is not None:  # set_printoptions(sci_mode=...) decides
                self.sci_mode = _options["sci_mode"]
            if self.sci_mode:
                widths = [len(f"{value:.{precision}e}") for value in values.tolist()]
            elif self.int_mode:
                widths = [len(f"{value:.0f}") + 1 for value in values.tolist()]
            else:
                widths = [len(f"{value:.{precision}f}") for value in values.tolist()]
            self.max_width = max(widths)
        elif _options["sci_mode"] is not None:
            self.sci_mode = _options["sci_mode"]

    def format(self, value: Any) -> str:
        precision = _options["precision"]
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{precision}f}"
        return text.rjust(self.max_width)


def _summarized(array: np.ndarray) -> np.ndarray:
    """The elements that will show (the first and last `edgeitems` along each dimension),
    flattened: the formatter needs only their values."""
    edge = _options["edgeitems"]
    if array.ndim == 0:
        return array.reshape(1)
    rows = list(range(array.shape[0]))
    if len(rows) > 2 * edge:
        rows = rows[:edge] + rows[len(rows) - edge:]
    if array.ndim == 1:
        return array[rows]
    parts = [_summarized(array[i]) for i in rows]
    return np.concatenate(parts) if parts else array.reshape(-1)[:0]


def _vector(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = _options["edgeitems"]
    per_line = max(1, int(math.floor((_options["linewidth"] - indent) / (formatter.max_width + 2))))
    if summarize and not edge:
        items = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        items = [formatter.format(v) for v in array[:edge].tolist()] + [" ..."] + [formatter.format(v) for v in array[-edge:].tolist()]
    else:
        items = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(items[start:start + per_line]) for start in range(0, len(items), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    edge = _options["edgeitems"]
    if summarize and array.shape[0] > 2 * edge:
        rows = ([_nested(array[i], indent + 1, summarize, formatter) for i in range(edge)] + ["..."]
                + [_nested(array[i], indent + 1, summarize, formatter) for i in range(len(array) - edge, len(array))])
    else:
        rows = [_nested(row, indent + 1, summarize, formatter) for row in array]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _dtype_name(dtype: np.dtype) -> str:
    return "torch." + ("bool" if dtype.kind == "b" else dtype.name)


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ", suffix" for each, on a new line where the line would pass the line width."""
    pieces = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > _options["linewidth"]:
            pieces.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            line_length += len(suffix) + 2
    return "".join(pieces) + ")"


def tensor_repr(array: np.ndarray, extra: list[str], prefix: str = "tensor(") -> str:
    """torch's repr of a tensor holding `array`, with the graph's suffixes `extra`
    (grad_fn=<...> or requires_grad=True) after the dtype."""
    indent = len(prefix)
    suffixes = []
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != backend.DEFAULT_FLOAT:
            suffixes.append(f"dtype={_dtype_name(array.dtype)}")
        body = "[]"
    else:
        if array.dtype not in (backend.DEFAULT_FLOAT, np.dtype(np.int64), np.dtype(np.bool_)):
            suffixes.append(f"dtype={_dtype_name(array.dtype)}")
        summarize = array.size > _options["threshold"]
        shown = array.astype(np.float32) if array.dtype == np.float16 else array
        formatter = _Formatter(_summarized(shown) if summarize else shown)
        body = _nested(shown, indent, summarize, formatter)
    return _with_suffixes(prefix + body, suffixes + extra, indent)
