"""torch.utils.data._utils's path, which older code imports collate functions from."""
