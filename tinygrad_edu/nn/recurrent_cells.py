"""Recurrent cells, as torch.nn: one time step of RNN, LSTM and GRU (the sequence layers in
nn/recurrent.py run this step over time).

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
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from . import init
from .factory import apply_factory_kwargs
from .linear import check_positive
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return Tensor(np.zeros(shape, dtype=like.dtype))


def _rnn_step(mode: str, x: Tensor, state, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """One time step of `mode`; `state` is h, or (h, c) for LSTM. An LSTM with a projection
    (w_hr, of shape (proj_size, hidden_size)) carries h' = W_hr (o ⊙ tanh(c')) instead."""
    if mode == "LSTM":
        h, c = state
        i, f, g, o = (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        return (h if w_hr is None else F.linear(h, w_hr)), c
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


class RNNCellBase(Module):
    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool, device: Any = None, dtype: Any = None):
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
        apply_factory_kwargs(self, device, dtype)

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


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); input (N, H_in) or (H_in,)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None):
        super().__init__(_check_nonlinearity(nonlinearity, "RNNCell"), input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step, gates i, f, g, o: returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        return self._step(input, hx)


class GRUCell(RNNCellBase):
    """One GRU step, gates r, z, n: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)
