"""torch.utils.data on tinygrad_edu: data sets (Subset, ConcatDataset, IterableDataset,
random_split with torch's rounding), samplers, default_collate's structures, and the DataLoader's
torch signature (sampler, batch_sampler, collate_fn, generator, batch_size=None), each
compared with torch where it is installed (structures, lengths and orders of what is yielded;
the random permutations themselves are numpy's)."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.utils import data


class Squares(data.Dataset):
    """Item i is (features [i, i²] as float64 numbers, label i % 3)."""

    def __len__(self):
        return 7

    def __getitem__(self, index):
        if not 0 <= index < 7:
            raise IndexError(index)
        return np.array([index, index**2], dtype=np.float64), index % 3


class Count(data.IterableDataset):
    """A stream 0, 1, ..., n-1 (with a length)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def labels_of(batches):
    return [batch[1].tolist() for batch in batches]


# ---- data sets ----------------------------------------------------------------------------------
def test_subset_concat_and_add() -> None:
    part = data.Subset(Squares(), [6, 0, 2])
    assert len(part) == 3 and part[0][1] == 0 and part[1][0].tolist() == [0.0, 0.0]
    # a list of indices asks the data set for all of them at once, as torch's Subset
    assert data.Subset(data.TensorDataset(tg.arange(5)), [4, 1, 3])[[0, 2]][0].tolist() == [4, 3]
    both = Squares() + part
    assert isinstance(both, data.ConcatDataset) and len(both) == 10 and both.cumulative_sizes == [7, 10]
    assert both[7][0].tolist() == [6.0, 36.0] and both[-1][0].tolist() == [2.0, 4.0]
    with pytest.raises(IndexError):
        both[10]
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        data.ConcatDataset([Squares(), Count(2)])
    assert list(Count(2) + Count(3)) == [0, 1, 0, 1, 2]


@pytest.mark.parametrize("lengths", [[0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.2, 0.7], [1 / 3] * 3, [3, 4], [0.25] * 4])
def test_random_split_lengths_are_torchs_and_the_parts_partition_the_data(lengths) -> None:
    dataset = data.TensorDataset(tg.arange(7))
    parts = data.random_split(dataset, lengths, generator=tg.Generator().manual_seed(0))
    indices = sorted(index for part in parts for index in part.indices)
    assert indices == list(range(7))
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    theirs = torch.utils.data.random_split(torch.utils.data.TensorDataset(torch.arange(7)), lengths)
    assert [len(part) for part in parts] == [len(part) for part in theirs]


def test_random_split_warns_of_an_empty_part_as_torch() -> None:
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = data.random_split(Squares(), [0.95, 0.05])
    assert [len(part) for part in parts] == [7, 0]


def test_random_split_is_repeatable_and_refuses_wrong_lengths() -> None:
    tg.manual_seed(3)
    first = [part.indices for part in data.random_split(Squares(), [2, 5])]
    tg.manual_seed(3)
    assert [part.indices for part in data.random_split(Squares(), [2, 5])] == first
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
        data.random_split(Squares(), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        data.random_split(Squares(), [1.5, -0.5])


# ---- samplers -----------------------------------------------------------------------------------
def test_samplers() -> None:
    assert list(data.SequentialSampler(range(4))) == [0, 1, 2, 3]
    order = list(data.RandomSampler(range(6), generator=tg.Generator().manual_seed(1)))
    assert sorted(order) == list(range(6))
    assert order == list(data.RandomSampler(range(6), generator=tg.Generator().manual_seed(1)))
    drawn = list(data.RandomSampler(range(3), replacement=True, num_samples=10))
    assert len(drawn) == 10 and set(drawn) <= {0, 1, 2}
    beyond = list(data.RandomSampler(range(3), num_samples=7))  # two whole permutations, then one more
    assert len(beyond) == 7 and sorted(beyond[:6]) == [0, 0, 1, 1, 2, 2]
    assert sorted(data.SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]
    weighted = list(data.WeightedRandomSampler([0.0, 1.0, 3.0], 400, generator=tg.Generator().manual_seed(0)))
    assert len(weighted) == 400 and 0 not in weighted and 250 < weighted.count(2) < 350
    assert sorted(data.WeightedRandomSampler([1, 1, 1], 3, replacement=False)) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="without replacement"):
        data.WeightedRandomSampler([0, 1], 2, replacement=False)
    assert data.get_worker_info() is None
    assert list(data.BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert len(data.BatchSampler(range(5), 2, drop_last=True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        data.BatchSampler(range(5), 0, False)


# ---- collate ------------------------------------------------------------------------------------
Pair = namedtuple("Pair", "x y")


def samples():
    return {
        "tuples": [(np.float32([i, i]), i) for i in range(3)],
        "dicts": [{"x": tg.full((2,), float(i)), "label": i, "name": f"s{i}"} for i in range(3)],
        "namedtuples": [Pair(np.int64([i]), True) for i in range(3)],
        "nested": [[(np.float32(i), i), {"k": i}] for i in range(3)],
    }


def structure(batch):
    """A batch's shape: containers, and for each tensor its shape and dtype kind."""
    if isinstance(batch, dict):
        return {key: structure(value) for key, value in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return (type(batch).__name__, [structure(value) for value in batch])
    if isinstance(batch, (list, tuple)) and not all(isinstance(v, str) for v in batch):
        return (type(batch).__name__, [structure(value) for value in batch])
    if hasattr(batch, "shape"):
        return tuple(batch.shape), str(batch.dtype).replace("torch.", "")
    return batch


@pytest.mark.parametrize("kind", ["tuples", "dicts", "namedtuples", "nested"])
def test_default_collate_gives_torchs_structures(kind) -> None:
    ours = data.default_collate(samples()[kind])
    assert structure(ours)  # every kind collates
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    converted = [_to_torch(sample, torch) for sample in samples()[kind]]
    assert structure(ours) == structure(torch.utils.data.default_collate(converted))


def _to_torch(sample, torch):
    if isinstance(sample, Tensor):
        return torch.from_numpy(sample.numpy())
    if isinstance(sample, dict):
        return {key: _to_torch(value, torch) for key, value in sample.items()}
    if isinstance(sample, tuple) and hasattr(sample, "_fields"):
        return type(sample)(*(_to_torch(value, torch) for value in sample))
    if isinstance(sample, (list, tuple)):
        return type(sample)(_to_torch(value, torch) for value in sample)
    return sample


def test_default_collate_names_what_cannot_be_collated() -> None:
    with pytest.raises(RuntimeError, match=r"each element in list of batch should be of equal size \(item\[1\] is not a tuple of 2 fields like item\[0\]"):
        data.default_collate([(1, 2), (1,)])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[1\] at entry 0 and \[2\] at entry 1 \(the values at item\[0\] and item\[1\]"):
        data.default_collate([np.zeros(1), np.zeros(2)])
    with pytest.raises(TypeError, match="found <class 'NoneType'> in item\\[0\\]"):
        data.default_collate([None, None])
    assert data.default_collate([1.5, 2.5]).dtype == tg.float64  # as torch


# ---- the DataLoader ---------------------------------------------------------------------------
def test_loader_yields_lists_as_torch_for_a_tensor_dataset_and_tuples_for_arrays() -> None:
    x, y = tg.arange(10.0).reshape(5, 2), tg.arange(5)
    batches = list(data.DataLoader(data.TensorDataset(x, y), batch_size=2))
    assert all(isinstance(batch, list) for batch in batches) and labels_of(batches) == [[0, 1], [2, 3], [4]]
    assert isinstance(next(iter(data.DataLoader((x.numpy(), y.numpy()), batch_size=2))), tuple)
    dicts = list(data.DataLoader([{"a": i} for i in range(3)], batch_size=2))
    assert dicts[0]["a"].tolist() == [0, 1]


def test_sampler_batch_sampler_collate_fn_and_batch_size_none() -> None:
    dataset = Squares()
    picked = data.DataLoader(dataset, batch_size=3, sampler=[6, 5, 4, 0])
    assert labels_of(picked) == [[0, 2, 1], [0]] and len(picked) == 2
    grouped = data.DataLoader(dataset, batch_sampler=[[1, 2], [3]])
    assert labels_of(grouped) == [[1, 2], [0]] and grouped.batch_size is None
    raw = data.DataLoader(dataset, batch_size=2, collate_fn=lambda items: items)
    assert isinstance(next(iter(raw)), list) and len(next(iter(raw))) == 2
    single = list(data.DataLoader(dataset, batch_size=None))
    assert len(single) == 7 and isinstance(single[0][0], Tensor) and single[0][1] == 0
    stream = data.DataLoader(Count(5), batch_size=2)
    assert [batch.tolist() for batch in stream] == [[0, 1], [2, 3], [4]] and len(stream) == 3
    assert len(data.DataLoader(Count(5), batch_size=2, drop_last=True)) == 2
    assert data.DataLoader(dataset, num_workers=2, pin_memory=True, batch_size=7).num_workers == 2


def test_shuffle_follows_the_generator_or_the_global_seed() -> None:
    def epochs(**options):
        loader = data.DataLoader(Squares(), batch_size=7, shuffle=True, **options)
        return [labels_of(loader)[0] for _ in range(2)]

    first = epochs(generator=tg.Generator().manual_seed(5))
    assert first == epochs(generator=tg.Generator().manual_seed(5)) and first[0] != first[1]
    tg.manual_seed(11)
    seeded = epochs()
    tg.manual_seed(11)
    assert epochs() == seeded
    arrays = (np.arange(50.0), np.arange(50))
    tg.manual_seed(2)
    fast = [batch[1].tolist() for batch in data.DataLoader(arrays, batch_size=50, shuffle=True)]
    tg.manual_seed(2)
    slow = [batch[1].tolist() for batch in data.DataLoader(list(zip(*arrays)), batch_size=50, shuffle=True)]
    assert fast == slow  # the fast path and the sampler draw the same order


def test_subsets_of_a_tensor_dataset_take_the_fast_path_and_give_what_the_slow_path_gives() -> None:
    base = data.TensorDataset(tg.arange(20.0).reshape(10, 2), tg.arange(10))
    inner = data.Subset(base, [9, 7, 5, 3, 1, 0])
    outer = data.Subset(inner, [5, 0, 2, 4])  # rows 0, 9, 5, 1 of base
    loader = data.DataLoader(outer, batch_size=3)
    assert loader._rows.tolist() == [0, 9, 5, 1]
    assert [batch[1].tolist() for batch in loader] == [[0, 9, 5], [1]]
    slow = data.DataLoader(outer, batch_size=3, collate_fn=data.default_collate)
    for fast_batch, slow_batch in zip(loader, slow):
        assert [t.tolist() for t in fast_batch] == [t.tolist() for t in slow_batch]
        assert [t.dtype for t in fast_batch] == [t.dtype for t in slow_batch]
    train, _ = data.random_split(base, [0.7, 0.3], generator=tg.Generator().manual_seed(0))
    shuffled = data.DataLoader(train, batch_size=4, shuffle=True, generator=tg.Generator().manual_seed(1))
    assert sorted(label for batch in shuffled for label in batch[1].tolist()) == sorted(train.indices)


@pytest.mark.parametrize("options, message", [
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "mutually exclusive with drop_last"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
])
def test_loader_refuses_what_torch_refuses(options, message) -> None:
    with pytest.raises(ValueError, match=message):
        data.DataLoader(Squares(), **options)


def test_an_iterable_dataset_takes_no_shuffle() -> None:
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        data.DataLoader(Count(3), shuffle=True)


def test_loader_structures_and_lengths_equal_torchs() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    cases = [
        (lambda m, d: d.TensorDataset(m.arange(10.0).reshape(5, 2), m.arange(5)), dict(batch_size=2)),
        (lambda m, d: d.TensorDataset(m.arange(10.0).reshape(5, 2), m.arange(5)), dict(batch_size=2, drop_last=True)),
        (lambda m, d: [{"x": m.ones(3), "y": i} for i in range(5)], dict(batch_size=4)),
        (lambda m, d: [(m.ones(2), (i, m.zeros(1))) for i in range(3)], dict(batch_size=3)),
        (lambda m, d: d.Subset(d.TensorDataset(m.arange(6)), [4, 1, 2]), dict(batch_size=2)),
        (lambda m, d: d.TensorDataset(m.arange(6)), dict(batch_size=None)),
    ]
    for build, options in cases:
        ours = data.DataLoader(build(tg, data), **options)
        theirs = torch.utils.data.DataLoader(build(torch, torch.utils.data), **options)
        assert len(ours) == len(theirs)
        assert [structure(batch) for batch in ours] == [structure(batch) for batch in theirs]
        assert str([_values(batch) for batch in ours]) == str([_values(batch) for batch in theirs])


def _values(batch):
    if isinstance(batch, dict):
        return {key: _values(value) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [_values(value) for value in batch]
    return batch.tolist() if hasattr(batch, "tolist") else batch
