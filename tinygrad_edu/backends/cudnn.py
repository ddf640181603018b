"""`tg.backends.cudnn`: cuDNN is not available here.

Programs set `torch.backends.cudnn.benchmark = True`, `.deterministic = True` or
`.allow_tf32 = True` as a habit;
the flags are kept so that such lines run, and they change nothing (the CPU path is
deterministic already).
"""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False
