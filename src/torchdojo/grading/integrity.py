"""Notice when student code replaces what grading relies on.

Before the student module is imported, :func:`snapshot` records the identity of
every function that comparisons and reporting use (torch's and numpy's
comparison helpers, ``Tensor`` dunder methods, builtins, pytest's reporting
internals, torchdojo's own grading modules). :func:`changed` lists what differs
afterwards. The plugin checks after the import and after every test; a change
marks the submission as tampered, which zeroes it.

This catches monkeypatching done once or kept up by a thread. It cannot stop
code that runs in the same process from doing anything at all: the threat model
(``docs/sandbox.md``) says what is and is not covered.
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

import numpy
import numpy.testing
import torch
import torch.testing

_TENSOR_ATTRS = (
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__float__",
    "__int__", "__index__", "__len__", "__getitem__", "__repr__", "__invert__",
    "tolist", "item", "cpu", "to", "detach", "clone", "numel", "all", "any", "sum",
    "is_floating_point", "is_complex", "eq", "equal", "allclose", "isclose", "float", "double",
    "shape", "dtype", "device", "size", "dim", "ndim", "data_ptr", "contiguous",
)
_TORCH_ATTRS = (
    "allclose", "isclose", "equal", "eq", "all", "any", "abs", "max", "min", "nonzero",
    "where", "isnan", "load", "save", "Tensor", "device", "dtype", "is_tensor",
)

_GRADING_MODULES = (
    "torchdojo.grading.compare",
    "torchdojo.grading.feedback",
    "torchdojo.grading.helpers",
    "torchdojo.grading.plugin",
    "torchdojo.grading.integrity",
    "torchdojo.sandbox.protocol",
    "torchdojo.sandbox.child",
    "_pytest.runner",
    "_pytest.reports",
    "_pytest.python",
    "_pytest.main",
    "_pytest.outcomes",
    "pytest",
    "json",
    "os",
)


def _targets() -> dict[str, tuple[Any, str]]:
    targets: dict[str, tuple[Any, str]] = {}
    for name in _TENSOR_ATTRS:
        for cls in (torch.Tensor, torch._C.TensorBase):
            if name in vars(cls):
                targets[f"{cls.__name__}.{name}"] = (cls, name)
    for name in _TORCH_ATTRS:
        targets[f"torch.{name}"] = (torch, name)
    for name in ("assert_close", "assert_allclose"):
        if hasattr(torch.testing, name):
            targets[f"torch.testing.{name}"] = (torch.testing, name)
    for name in ("allclose", "isclose", "array_equal", "all", "any", "abs"):
        targets[f"numpy.{name}"] = (numpy, name)
    for name in dir(numpy.testing):
        if name.startswith("assert"):
            targets[f"numpy.testing.{name}"] = (numpy.testing, name)
    for name in vars(builtins):
        if not name.startswith("__") or name in ("__import__", "__build_class__"):
            targets[f"builtins.{name}"] = (builtins, name)
    for modname in _GRADING_MODULES:
        module = sys.modules.get(modname)
        if module is None:
            continue
        for name, value in list(vars(module).items()):
            if callable(value) and not name.startswith("__"):
                targets[f"{modname}.{name}"] = (module, name)
                if isinstance(value, type):
                    for attr in list(vars(value)):
                        if not attr.startswith("__"):
                            targets[f"{modname}.{name}.{attr}"] = (value, attr)
    return targets


_MISSING = object()


class Snapshot:
    """Identities of the functions grading relies on, taken at one moment."""

    def __init__(self) -> None:
        self._targets = _targets()
        self._ids = {key: id(vars(owner).get(attr, _MISSING)) if isinstance(owner, type)
                     else id(getattr(owner, attr, _MISSING))
                     for key, (owner, attr) in self._targets.items()}
        # Kept alive so that ids are not reused by new objects.
        self._keep = [getattr(owner, attr, None) for owner, attr in self._targets.values()]

    def changed(self) -> list[str]:
        """Names whose object is no longer the one recorded."""
        out = []
        for key, (owner, attr) in self._targets.items():
            now = vars(owner).get(attr, _MISSING) if isinstance(owner, type) else getattr(owner, attr, _MISSING)
            if id(now) != self._ids[key]:
                out.append(key)
        return out


def snapshot() -> Snapshot:
    return Snapshot()
