"""torch.utils.data.sampler's names (`from torch.utils.data.sampler import Sampler`): the
samplers of tinygrad_edu/utils/samplers.py."""
from ..samplers import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler", "WeightedRandomSampler"]
