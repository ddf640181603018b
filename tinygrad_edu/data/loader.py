"""`DataLoader`, here beside the data sets: the same class as `tinygrad_edu.utils.data.DataLoader`
(torch.utils.data's), which lives in tinygrad_edu/utils/dataloader.py.

    loader = DataLoader((x_train, y_train), batch_size=64, shuffle=True, seed=0)
"""
from ..utils.dataloader import DataLoader

__all__ = ["DataLoader"]
