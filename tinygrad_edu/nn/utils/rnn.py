"""torch.nn.utils.rnn: sequences of different lengths in one batch.

A padded batch wastes work on padding: a recurrent layer would run the padded steps and carry
their state on. A PackedSequence keeps only the real steps, time-major, longest sequence first:

    lengths 3, 2, 1 (sorted)        data = a0 b0 c0 | a1 b1 | a2        batch_sizes = 3, 2, 1
    a0 a1 a2
    b0 b1 .                         step t holds the first batch_sizes[t] sequences, so a
    c0 . .                          recurrent layer runs step t on just those rows.

Unsorted lengths are sorted first (enforce_sorted=False): sorted_indices[j] is the batch index of
the j-th longest sequence, unsorted_indices its inverse, which puts results back in the
caller's order. Packing picks elements (Index) and padding puts them back (IndexAdd, its
adjoint), so gradients flow from the packed data back to the padded input and the reverse.
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

from ... import dtypes
from ...api.joining import cat
from ...errors import ShapeError
from ...ops.movement import IndexAdd
from ...tensor import Tensor

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
    "unpad_sequence", "pack_sequence", "unpack_sequence",
]


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as torch's: data (sum of lengths,
    *), batch_sizes an int64 tensor (how many sequences are still running at each step). Build it
    with pack_padded_sequence or pack_sequence; unsorted_indices is derived when not given."""

    __slots__ = ()

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if batch_sizes is None:
            data, batch_sizes = data  # torch's older form: one (data, batch_sizes) pair
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """data converted as Tensor.to; itself when nothing changes (indices stay int64)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtypes.float32)

    @property
    def is_cuda(self) -> bool:
        return False


def _int64(values: Any) -> Tensor:
    return Tensor(np.asarray(values, dtype=np.int64))


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: inverse[permutation[i]] = i (None stays None)."""
    if permutation is None:
        return None
    order = np.asarray(permutation.array)
    inverse = np.empty_like(order, dtype=np.int64)
    inverse[order] = np.arange(order.size)
    return _int64(inverse)


def _lengths(lengths: Any) -> np.ndarray:
    values = np.asarray(getattr(lengths, "array", lengths))
    if values.ndim != 1:
        raise ShapeError(f"pack_padded_sequence: lengths must be 1-D (one length per sequence); got shape {values.shape}")
    return values.astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) if batch_first) whose sequence b has
    lengths[b] real steps. enforce_sorted=True requires lengths in decreasing order;
    False sorts them (and records the permutation, undone by pad_packed_sequence)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, not {type(input).__name__}")
    if input.ndim < 2:
        raise ShapeError(f"pack_padded_sequence: input must have a time and a batch dim; got shape {input.shape}")
    lengths = _lengths(lengths)
    time_dim, batch_dim = (1, 0) if batch_first else (0, 1)
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.size != input.shape[batch_dim]:
        raise ShapeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
                         f"(batch_size={input.shape[batch_dim]})")
    sorted_indices = None if enforce_sorted else np.argsort(-lengths, kind="stable")
    sorted_lengths = lengths if enforce_sorted else lengths[sorted_indices]
    if sorted_lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0")
    if np.any(np.diff(sorted_lengths) > 0):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
                           "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if sorted_lengths[0] > input.shape[time_dim]:
        raise ShapeError(f"pack_padded_sequence: a length of {sorted_lengths[0]} is longer than the input's "
                         f"{input.shape[time_dim]} time steps (dim {time_dim} of shape {input.shape})")
    # running[t, j]: the j-th longest sequence still has a step t; nonzero lists them time-major.
    running = np.arange(sorted_lengths[0])[:, None] < sorted_lengths[None, :]
    steps, ranks = np.nonzero(running)
    samples = ranks if sorted_indices is None else sorted_indices[ranks]
    data = input[(samples, steps) if batch_first else (steps, samples)]
    return PackedSequence(data, _int64(running.sum(1)), None if sorted_indices is None else _int64(sorted_indices))


def _placed(values: Tensor, index: tuple[np.ndarray, np.ndarray], shape: tuple[int, ...], padding_value: float) -> Tensor:
    """`padding_value` everywhere but at `index`, where the rows of `values` go."""
    placed = IndexAdd.apply(values, index, shape)
    if padding_value == 0:
        return placed
    background = np.full(shape, padding_value, dtype=values.dtype)
    background[index] = 0  # a sum, not a mask product: a NaN or infinite padding stays where it belongs
    return placed + Tensor(background)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths int64),
    in the caller's original batch order; T = total_length if given, else the longest length."""
    batch_sizes = np.asarray(sequence.batch_sizes.array)
    longest = batch_sizes.size
    if total_length is not None:
        if total_length < longest:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {longest}")
        longest = total_length
    batch = int(batch_sizes[0])
    running = np.arange(batch)[None, :] < batch_sizes[:, None]
    steps, ranks = np.nonzero(running)
    lengths = running.sum(0)
    samples = ranks
    if sequence.sorted_indices is not None:
        order = np.asarray(sequence.sorted_indices.array)
        samples = order[ranks]
        lengths = lengths[np.asarray(sequence.unsorted_indices.array)]
    data = sequence.data
    if batch_first:
        index, shape = (samples, steps), (batch, longest, *data.shape[1:])
    else:
        index, shape = (steps, samples), (longest, batch, *data.shape[1:])
    return _placed(data, index, shape, padding_value), _int64(lengths)


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes (L_i, *) into (T, B, *) ((B, T, *) if batch_first), T the
    longest L_i, padding with padding_value on the right (or the left)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    sequences = list(sequences.unbind(0) if isinstance(sequences, Tensor) else sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = {tuple(s.shape[1:]) for s in sequences}
    if len(trailing) > 1 or any(s.ndim == 0 for s in sequences):
        raise ShapeError(f"pad_sequence: every sequence must have shape (L, *) with the same *; got shapes "
                         f"{[tuple(s.shape) for s in sequences]}")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    longest, starts = int(lengths.max()), np.cumsum(lengths) - lengths
    samples = np.repeat(np.arange(lengths.size), lengths)
    steps = np.arange(lengths.sum()) - np.repeat(starts, lengths)
    if padding_side == "left":
        steps = steps + np.repeat(longest - lengths, lengths)
    index = (samples, steps) if batch_first else (steps, samples)
    shape = (lengths.size, longest) if batch_first else (longest, lengths.size)
    return _placed(cat(sequences, 0), index, shape + trailing.pop(), padding_value)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The inverse of pad_sequence: a list of the B sequences, sequence b cut to lengths[b]."""
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [sequence[:length] for sequence, length in zip(batch.unbind(0), _lengths(lengths).tolist())]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors of shapes (L_i, *): pad_sequence, then pack_padded_sequence."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of pack_sequence: the list of sequences, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
