"""torch.utils.data's names: `Dataset`, `TensorDataset` and `DataLoader` (the loader itself
lives in tinygrad_edu.data, with the data sets)."""
from __future__ import annotations

from typing import Any

from ..data.loader import DataLoader
from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "DataLoader"]


class Dataset:
    """A map-style data set, as torch.utils.data.Dataset: subclass it and define
    `__getitem__(index)` (one sample) and `__len__()` (how many), then hand it to DataLoader."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), as a Dataset subclass")


class TensorDataset(Dataset):
    """Samples cut from Tensors along their first dimension: item i is
    `tuple(tensor[i] for tensor in tensors)`, as torch.utils.data.TensorDataset."""

    def __init__(self, *tensors: Tensor):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for position, tensor in enumerate(tensors):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"TensorDataset takes Tensors; argument {position} is a {type(tensor).__name__}")
            if tensor.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {position} is 0-d; its first dimension must count the samples")
        sizes = [tensor.shape[0] for tensor in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"Size mismatch between tensors: first dimensions {sizes} must agree")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]
