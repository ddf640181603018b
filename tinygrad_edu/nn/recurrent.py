"""Recurrent layers over sequences, as torch.nn.RNN / LSTM / GRU: a cell's step (recurrent_cells.py)
run over time, stacked in layers, optionally in both directions.

A padded batch (L, N, H_in) runs all N sequences for all L steps. A PackedSequence (see
nn/utils/rnn.py) holds at step t only the batch_sizes[t] sequences still running, longest
first, so step t updates only the first batch_sizes[t] rows of the state:

    forward:  when a sequence ends, its rows of the state are set aside: they are its h_n;
    reverse:  the time loop runs from the last step back, and a sequence joins (with its
              initial state) at its own last step, so its reverse pass starts at its own end.

A padded batch is the special case where every batch size is N (nothing is set aside).
An LSTM with proj_size > 0 carries h' = W_hr (o ⊙ tanh(c')) of size proj_size (torch's LSTMP).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..api.joining import cat, stack
from ..errors import ShapeError
from ..tensor import Tensor
from . import functional as F
from .factory import apply_factory_kwargs
from .linear import check_positive
from .module import Module
from .parameter import Parameter
from .recurrent_cells import _GATES, GRUCell, LSTMCell, RNNCell, RNNCellBase, _check_nonlinearity, _reset_uniform, _rnn_step, _zeros
from .utils.rnn import PackedSequence

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNN", "LSTM", "GRU"]

State = Any  # h, or (h, c) for LSTM


def _rows(state: State, start: int, stop: int) -> State:
    """Rows start:stop of the state (the state itself when that is all of it)."""
    if start == 0 and stop >= _h(state).shape[0]:
        return state
    return tuple(s[start:stop] for s in state) if isinstance(state, tuple) else state[start:stop]


def _join(parts: list[State]) -> State:
    """States of consecutive row blocks, concatenated into one."""
    if len(parts) == 1:
        return parts[0]
    return tuple(cat(list(p), 0) for p in zip(*parts)) if isinstance(parts[0], tuple) else cat(parts, 0)


def _h(state: State) -> Tensor:
    return state[0] if isinstance(state, tuple) else state


def _run_forward(mode: str, steps: list[Tensor], batch_sizes: list[int], state: State,
                 weights: list) -> tuple[list[Tensor], State]:
    """One layer, first step to last: the outputs h_t (step t has batch_sizes[t] rows) and
    each sequence's final state, in batch order."""
    outputs, ended = [], []
    for x_t, size in zip(steps, batch_sizes):
        if size < _h(state).shape[0]:  # the sequences from row `size` on ended at the step before
            ended.append(_rows(state, size, _h(state).shape[0]))
            state = _rows(state, 0, size)
        state = _rnn_step(mode, x_t, state, *weights)
        outputs.append(_h(state))
    return outputs, _join([state] + ended[::-1])  # the longest (first rows) ended last


def _run_reverse(mode: str, steps: list[Tensor], batch_sizes: list[int], initial: State,
                 weights: list) -> tuple[list[Tensor], State]:
    """One layer, last step to first, each sequence starting at its own last step: the outputs
    h_t in time order and each sequence's final state (after its step 0), in batch order."""
    outputs, state = [], _rows(initial, 0, batch_sizes[-1])
    for x_t, size in zip(reversed(steps), reversed(batch_sizes)):
        if size > _h(state).shape[0]:  # sequences whose last step this is join here, from their h_0
            state = _join([state, _rows(initial, _h(state).shape[0], size)])
        state = _rnn_step(mode, x_t, state, *weights)
        outputs.append(_h(state))
    return outputs[::-1], state


def _reorder(hidden: Any, order: Tensor) -> Any:
    """The state(s) with their batch dim (1) permuted by `order`."""
    return tuple(h.index_select(1, order) for h in hidden) if isinstance(hidden, tuple) else hidden.index_select(1, order)


class RNNBase(Module):
    """Stacked, optionally bidirectional recurrence; layer l of direction d owns weight_ih_l{l},
    weight_hh_l{l}, bias_ih_l{l}, bias_hh_l{l} (and weight_hr_l{l} with a projection),
    suffix _reverse for d = 1, as torch. `mode` is torch's: "RNN_TANH", "RNN_RELU", "LSTM" or "GRU"."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None):
        super().__init__()
        name = type(self).__name__
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        self.mode = mode
        self.input_size = check_positive(input_size, "input_size", name)
        self.hidden_size = check_positive(hidden_size, "hidden_size", name)
        self.num_layers = check_positive(num_layers, "num_layers", name)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1]; got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                          f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        if isinstance(proj_size, bool) or not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to disable projections; got {proj_size!r}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size; got proj_size={proj_size}, hidden_size={hidden_size}")
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        self.proj_size = proj_size
        self._all_weights: list[list[str]] = []
        rows, state_size = _GATES[mode] * self.hidden_size, proj_size or self.hidden_size
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else state_size * self._directions
            for direction in range(self._directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {"weight_ih": (rows, layer_input), "weight_hh": (rows, state_size)}
                if bias:
                    shapes.update(bias_ih=(rows,), bias_hh=(rows,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, self.hidden_size)
                for kind, shape in shapes.items():
                    setattr(self, kind + suffix, Parameter(np.empty(shape, dtype=np.float32)))
                self._all_weights.append([kind + suffix for kind in shapes])
        self.reset_parameters()
        apply_factory_kwargs(self, device, dtype)

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        _reset_uniform(self, self.hidden_size)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in torch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights_names(self) -> list[str]:
        """Every weight's name, layer by layer and direction by direction, as torch's."""
        return [name for names in self._all_weights for name in names]

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, name) for name in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """Nothing to do, as in torch on the CPU: torch packs the weights into one buffer for
        cuDNN only; here each weight is its own array."""

    def _weights(self, index: int) -> list[Tensor | None]:
        """w_ih, w_hh, b_ih, b_hh, w_hr of one layer and direction (None where absent)."""
        by_kind = {name.split("_l")[0]: getattr(self, name) for name in self._all_weights[index]}
        return [by_kind.get(kind) for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")]

    def _initial_states(self, hx: Any, batch: int, like: Tensor, batched: bool) -> list[State]:
        name, count = type(self).__name__, self.num_layers * self._directions
        sizes = [self.proj_size or self.hidden_size] + ([self.hidden_size] if self.mode == "LSTM" else [])
        if hx is None:
            parts = [_zeros((count, batch, size), like) for size in sizes]
        else:
            parts = [p if batched else p.unsqueeze(1) for p in (hx if self.mode == "LSTM" else (hx,))]
        for which, (p, size) in enumerate(zip(parts, sizes)):
            if p.shape != (count, batch, size):
                state = "hidden state" if self.mode != "LSTM" else ("hidden state h_0", "cell state c_0")[which]
                raise ShapeError(f"{name}: expected {state} of shape {(count, batch, size)}, got {p.shape}")
        per_layer = [p.unbind(0) for p in parts]
        return [tuple(p[i] for p in per_layer) if self.mode == "LSTM" else per_layer[0][i] for i in range(count)]

    def _check_features(self, input: Tensor, ndims: tuple[int, ...], what: str) -> None:
        name = type(self).__name__
        if input.ndim not in ndims:
            raise ShapeError(f"{name}: Expected {what} to be {' or '.join(f'{n}D' for n in ndims)}, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input has {input.shape[-1]} features, expected input_size={self.input_size}")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            # As torch: a float64 batch into a float32 layer is a mistake to name, not to promote.
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                             f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")

    def _layers(self, steps: list[Tensor], batch_sizes: list[int], states: list[State]) -> tuple[list[Tensor], list[State]]:
        """Every layer and direction over the steps: the last layer's outputs and all final states."""
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self._directions):
                index = layer * self._directions + direction
                run = _run_reverse if direction == 1 else _run_forward
                hs, final = run(self.mode, steps, batch_sizes, states[index], self._weights(index))
                outputs.append(hs)
                finals.append(final)
            steps = [cat(list(pair), -1) for pair in zip(*outputs)] if self.bidirectional else outputs[0]
            if self.dropout and self.training and layer < self.num_layers - 1:
                steps = [F.dropout(s, self.dropout, True) for s in steps]
        return steps, finals

    def _final(self, finals: list[State], batched: bool) -> Any:
        def stacked(parts: list[Tensor]) -> Tensor:
            h = stack(parts, 0)
            return h if batched else h.squeeze(1)

        if self.mode == "LSTM":
            return stacked([s[0] for s in finals]), stacked([s[1] for s in finals])
        return stacked(finals)

    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_features(input, (2, 3), "input")
        batched = input.ndim == 3
        x = (input.transpose(0, 1) if self.batch_first else input) if batched else input.unsqueeze(1)
        states = self._initial_states(hx, x.shape[1], x, batched)
        steps, finals = self._layers(list(x.unbind(0)), [x.shape[1]] * x.shape[0], states)
        output = stack(steps, 0)
        output = (output.transpose(0, 1) if self.batch_first else output) if batched else output.squeeze(1)
        return output, self._final(finals, batched)

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """Step t runs on the first batch_sizes[t] rows; states are in the sorted order inside,
        in the caller's order outside (hx in, h_n out), as torch."""
        self._check_features(input.data, (2,), "packed data")
        batch_sizes = [int(n) for n in np.asarray(input.batch_sizes.array)]
        if hx is not None and input.sorted_indices is not None:
            hx = _reorder(hx, input.sorted_indices)
        states = self._initial_states(hx, batch_sizes[0], input.data, True)
        steps, finals = self._layers(list(input.data.split(batch_sizes, 0)), batch_sizes, states)
        hidden = self._final(finals, True)
        if input.unsorted_indices is not None:
            hidden = _reorder(hidden, input.unsorted_indices)
        return PackedSequence(cat(steps, 0), input.batch_sizes, input.sorted_indices, input.unsorted_indices), hidden

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
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


class RNN(RNNBase):
    """Elman RNN over a sequence: input (L, N, H_in) ((N, L, H_in) if batch_first, or (L, H_in))
    or a PackedSequence; returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None):
        super().__init__(_check_nonlinearity(nonlinearity, "RNN"), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """LSTM over a sequence; forward(input, (h_0, c_0)=None) returns (output, (h_n, c_n)).
    proj_size > 0: h (and the output) of size proj_size, h = W_hr (o ⊙ tanh(c))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """GRU over a sequence; forward(input, h_0=None) returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
