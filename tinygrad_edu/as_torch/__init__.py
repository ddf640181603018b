"""Run an unchanged PyTorch program on tinygrad_edu: `import torch` gives tinygrad_edu.

    python -m tinygrad_edu.as_torch train.py --epochs 3      # a script, in its own process

    import tinygrad_edu.as_torch
    tinygrad_edu.as_torch.install()                           # in a notebook, before `import torch`
    import torch, torch.nn as nn                              # tinygrad_edu, tinygrad_edu.nn

Only names are mapped: `torch` is the module `tinygrad_edu` itself, and `torch.<sub>` is
`tinygrad_edu.<sub>` (torch.nn.functional is tinygrad_edu.nn.functional, torch.utils.data is
tinygrad_edu.utils.data). Nothing is emulated: a module that tinygrad_edu does not have is a
ModuleNotFoundError naming it, a function it does not have an AttributeError naming it.

How: a finder on `sys.meta_path` (Python asks each finder in turn where a module lives) claims
`torch` and every `torch.<sub>`. Its loader puts the already-imported tinygrad_edu module
into `sys.modules` under the torch name, so both names are one and the same module object
(`torch.nn.Linear is tinygrad_edu.nn.Linear`; isinstance checks agree).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Sequence

__all__ = ["install", "uninstall", "is_installed", "TorchAliasFinder"]

ALIAS = "torch"
TARGET = "tinygrad_edu"


def _is_torch_name(name: str) -> bool:
    return name == ALIAS or name.startswith(ALIAS + ".")


def _target_name(name: str) -> str:
    """'torch.nn.functional' -> 'tinygrad_edu.nn.functional'."""
    return TARGET + name[len(ALIAS):]


class _AliasLoader(importlib.abc.Loader):
    """Loads `torch.<sub>` as the already-imported module `tinygrad_edu.<sub>`."""

    def __init__(self, target: ModuleType):
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # Python makes a throwaway module; exec_module replaces it below

    def exec_module(self, module: ModuleType) -> None:
        # Python's documented "sys.modules replacement": the import returns whatever
        # sys.modules holds under the name after exec_module, so the tinygrad_edu module is
        # used as it is, its own __name__ and __spec__ untouched.
        sys.modules[module.__name__] = self.target


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds `torch` and `torch.<sub>` as `tinygrad_edu` and `tinygrad_edu.<sub>`."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not _is_torch_name(fullname):
            return None
        target_name = _target_name(fullname)
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as error:
            # Only the module we were asked for (or a parent of it) being absent is "tinygrad_edu
            # has no such module"; a missing dependency inside tinygrad_edu is its own error.
            if error.name is None or not (target_name + ".").startswith(error.name + "."):
                raise
            raise ModuleNotFoundError(
                f"No module named '{fullname}': tinygrad_edu, which this program imports as "
                f"torch, has no module '{target_name}'",
                name=fullname,
            ) from None
        # Python sets the module as an attribute of its parent once it is imported; where
        # tinygrad_edu's attribute of that name is something else (tinygrad_edu.tensor, the
        # function, shadows the module tinygrad_edu/tensor.py), that would replace it.
        parent_name, _, child = target_name.rpartition(".")
        attribute = getattr(sys.modules.get(parent_name), child, module)
        if attribute is not module:
            raise ModuleNotFoundError(
                f"No module named '{fullname}': in tinygrad_edu, which this program imports as "
                f"torch, {target_name} is a {type(attribute).__name__}, not a module",
                name=fullname,
            )
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), origin=f"alias of {target_name}")
        spec.submodule_search_locations = getattr(module, "__path__", None)
        return spec


_finder = TorchAliasFinder()


def is_installed() -> bool:
    """Whether `import torch` currently gives tinygrad_edu in this process."""
    return _finder in sys.meta_path


def install() -> None:
    """From now on, in this process, `import torch` (and `torch.<sub>`) gives tinygrad_edu.

    Refuses (RuntimeError) if the real PyTorch is already imported: modules that hold it would
    keep it, and the program would mix two frameworks. Calling it twice is harmless."""
    if is_installed():
        return
    loaded = sorted(name for name in sys.modules if _is_torch_name(name))
    if loaded:
        origin = getattr(sys.modules[loaded[0]], "__file__", None) or "an unknown location"
        raise RuntimeError(
            f"PyTorch is already imported in this process ({loaded[0]} from {origin}): "
            f"tinygrad_edu.as_torch.install() must run before the first `import torch` "
            f"(restart the interpreter or notebook kernel and call install() first)"
        )
    # First in line: Python's own path finder would otherwise find the real torch, or load
    # tinygrad_edu's files a second time under torch's names.
    sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Undo install(): `import torch` finds the real PyTorch again (if it is installed), and
    the `torch` names leave sys.modules. Modules that already hold `torch` keep tinygrad_edu."""
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [name for name in sys.modules if _is_torch_name(name)]:
        module = sys.modules[name]
        if getattr(module, "__name__", None) == _target_name(name):
            del sys.modules[name]
