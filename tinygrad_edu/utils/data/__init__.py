"""torch.utils.data's names, so `from torch.utils.data import ...` maps onto tinygrad_edu:
data sets (utils/datasets.py), samplers (utils/samplers.py), collation (utils/collate.py) and
the DataLoader (utils/dataloader.py). The submodules dataset, sampler and dataloader hold the
same names under torch's module paths (`from torch.utils.data.sampler import Sampler`)."""
from ..collate import default_collate, default_convert
from ..dataloader import DataLoader, get_worker_info
from ..datasets import ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split
from ..samplers import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler

# tinygrad_edu.data holds the data sets and the same DataLoader: load it with this namespace,
# so `tinygrad_edu.data.DataLoader` is there whichever of the two a program imported.
from ... import data as _data  # noqa: E402,F401

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "StackDataset", "Subset", "ConcatDataset", "ChainDataset", "random_split",
    "DataLoader", "default_collate", "default_convert", "get_worker_info",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
]
