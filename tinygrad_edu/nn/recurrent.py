"""Recurrent layers, as torch.nn: the cells (one time step) and the stacked, optionally
bidirectional layers that run a cell over a sequence.

One step of each cell, with W_i· the rows of weight_ih and W_h· the rows of weight_hh in
torch's gate order:

    RNN:   h' = act(W_ih x + b_ih + W_hh h + b_hh)                 act = tanh or relu
    LSTM:  i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh), split in 4
           c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
    GRU:   r, z = σ(W_ir x + b_ir + W_hr h + b_hr), σ(W_iz x + b_iz + W_hz h + b_hz)
           n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),   h' = (1 − z) ⊙ n + z ⊙ h

Everything is a composition of differentiable Tensor ops, so backpropagation through time
(and double backward) comes from the graph; the Python loop over time steps is the recurrence.
"""
from __future__ import annotations

import math

import numpy as np

from ..api.joining import cat, stack
from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .linear import check_positive
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return Tensor(np.zeros(shape, dtype=like.dtype))


def _rnn_step(mode: str, x: Tensor, state, w_ih, w_hh, b_ih, b_hh):
    """One time step of `mode`; `state` is h, or (h, c) for LSTM."""
    if mode == "LSTM":
        h, c = state
        i, f, g, o = (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c
    if mode == "GRU":
        x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, -1)
        h_r, h_z, h_n = F.linear(state, w_hh, b_hh).chunk(3, -1)
        r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
        n = (x_n + r * h_n).tanh()
        return (1 - z) * n + z * state
    pre = F.linear(x, w_ih, b_ih) + F.linear(state, w_hh, b_hh)
    return pre.tanh() if mode == "RNN_TANH" else pre.relu()


def _check_nonlinearity(nonlinearity: str, layer: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{layer}: unknown nonlinearity {nonlinearity!r} (known: 'tanh', 'relu')")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _reset_uniform(module: Module, hidden_size: int) -> None:
    # torch's default for every recurrent weight and bias: U(−1/√hidden, 1/√hidden).
    bound = 1 / math.sqrt(hidden_size)
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


class _CellBase(Module):
    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool):
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = check_positive(input_size, "input_size", name)
        self.hidden_size = check_positive(hidden_size, "hidden_size", name)
        self.bias = bias
        rows = _GATES[mode] * self.hidden_size
        self.weight_ih = Parameter(np.empty((rows, self.input_size), dtype=np.float32))
        self.weight_hh = Parameter(np.empty((rows, self.hidden_size), dtype=np.float32))
        self.bias_ih = Parameter(np.empty(rows, dtype=np.float32)) if bias else None
        self.bias_hh = Parameter(np.empty(rows, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def _step(self, input: Tensor, hx):
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ShapeError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input has {input.shape[-1]} features, expected input_size={self.input_size}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            states = [_zeros((x.shape[0], self.hidden_size), x)] * (2 if self.mode == "LSTM" else 1)
        else:
            states = [s if batched else s.unsqueeze(0) for s in (hx if self.mode == "LSTM" else (hx,))]
        for s in states:
            if s.shape != (x.shape[0], self.hidden_size):
                raise ShapeError(f"{name}: hidden state of shape {s.shape}, expected {(x.shape[0], self.hidden_size)}")
        state = tuple(states) if self.mode == "LSTM" else states[0]
        out = _rnn_step(self.mode, x, state, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if batched:
            return out
        return tuple(o.squeeze(0) for o in out) if self.mode == "LSTM" else out.squeeze(0)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(_CellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); input (N, H_in) or (H_in,)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"):
        super().__init__(_check_nonlinearity(nonlinearity, "RNNCell"), input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)


class LSTMCell(_CellBase):
    """One LSTM step, gates i, f, g, o: returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__("LSTM", input_size, hidden_size, bias)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        return self._step(input, hx)


class GRUCell(_CellBase):
    """One GRU step, gates r, z, n: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__("GRU", input_size, hidden_size, bias)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)


class _RNNBase(Module):
    """Stacked, optionally bidirectional recurrence; layer l of direction d owns weight_ih_l{l},
    weight_hh_l{l}, bias_ih_l{l}, bias_hh_l{l} (suffix _reverse for d = 1), as torch."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        super().__init__()
        name = type(self).__name__
        self.mode = mode
        self.input_size = check_positive(input_size, "input_size", name)
        self.hidden_size = check_positive(hidden_size, "hidden_size", name)
        self.num_layers = check_positive(num_layers, "num_layers", name)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1]; got {dropout!r}")
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        self._all_weights: list[list[str]] = []
        rows = _GATES[mode] * self.hidden_size
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.hidden_size * self._directions
            for direction in range(self._directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                names = [f"weight_ih{suffix}", f"weight_hh{suffix}"] + (
                    [f"bias_ih{suffix}", f"bias_hh{suffix}"] if bias else [])
                shapes = [(rows, layer_input), (rows, self.hidden_size), (rows,), (rows,)]
                for param_name, shape in zip(names, shapes):
                    setattr(self, param_name, Parameter(np.empty(shape, dtype=np.float32)))
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    def _weights(self, index: int) -> list[Tensor | None]:
        weights = [getattr(self, n) for n in self._all_weights[index]]
        return weights if self.bias else weights + [None, None]

    def _initial_states(self, hx, batch: int, like: Tensor, batched: bool) -> list:
        name, count = type(self).__name__, self.num_layers * self._directions
        expected = (count, batch, self.hidden_size)
        if hx is None:
            parts = [_zeros(expected, like)] * (2 if self.mode == "LSTM" else 1)
        else:
            parts = [p if batched else p.unsqueeze(1) for p in (hx if self.mode == "LSTM" else (hx,))]
        for p in parts:
            if p.shape != expected:
                raise ShapeError(f"{name}: expected hidden state of shape {expected}, got {p.shape}")
        per_layer = [p.unbind(0) for p in parts]
        return [tuple(p[i] for p in per_layer) if self.mode == "LSTM" else per_layer[0][i] for i in range(count)]

    def forward(self, input: Tensor, hx=None):
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ShapeError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input has {input.shape[-1]} features, expected input_size={self.input_size}")
        batched = input.ndim == 3
        x = (input.transpose(0, 1) if self.batch_first else input) if batched else input.unsqueeze(1)
        states = self._initial_states(hx, x.shape[1], x, batched)
        steps, finals = list(x.unbind(0)), []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self._directions):
                index = layer * self._directions + direction
                state, weights, hs = states[index], self._weights(index), []
                for x_t in (steps if direction == 0 else steps[::-1]):
                    state = _rnn_step(self.mode, x_t, state, *weights)
                    hs.append(state[0] if self.mode == "LSTM" else state)
                outputs.append(hs if direction == 0 else hs[::-1])
                finals.append(state)
            steps = [cat(list(pair), -1) for pair in zip(*outputs)] if self.bidirectional else outputs[0]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(s, self.dropout, True) for s in steps]
        output = stack(steps, 0)
        output = (output.transpose(0, 1) if self.batch_first else output) if batched else output.squeeze(1)

        def final(parts: list[Tensor]) -> Tensor:
            h = stack(parts, 0)
            return h if batched else h.squeeze(1)

        if self.mode == "LSTM":
            return output, (final([s[0] for s in finals]), final([s[1] for s in finals]))
        return output, final(finals)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(_RNNBase):
    """Elman RNN over a sequence: input (L, N, H_in) ((N, L, H_in) if batch_first, or (L, H_in));
    returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        super().__init__(_check_nonlinearity(nonlinearity, "RNN"), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional)
        self.nonlinearity = nonlinearity


class LSTM(_RNNBase):
    """LSTM over a sequence; forward(input, (h_0, c_0)=None) returns (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)


class GRU(_RNNBase):
    """GRU over a sequence; forward(input, h_0=None) returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
