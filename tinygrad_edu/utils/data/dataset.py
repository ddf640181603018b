"""torch.utils.data.dataset's names (`from torch.utils.data.dataset import Dataset`): the data
sets of tinygrad_edu/utils/datasets.py."""
from ..datasets import ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset", "Subset", "random_split"]
