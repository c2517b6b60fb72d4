"""Small tools graders share: seeded parameters, reference helpers swapped in.

Bound in the warm parent, like the rest of :mod:`torchdojo.grading`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

_MISSING = object()


def generator(seed: int) -> torch.Generator:
    """A private CPU generator: grader data never touches the global RNG."""
    return torch.Generator(device="cpu").manual_seed(seed)


def init_params(module: nn.Module, seed: int, scale: float = 0.5, mean_scale: float = 1.0) -> nn.Module:
    """Overwrite every parameter (and BatchNorm statistics) from a private generator."""
    g = generator(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * scale)
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * mean_scale)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)
    return module


class swapped_in:
    """Put reference helpers into the student's module for one call, then restore them.

    When an exercise calls another exercise's function (``fit`` calls
    ``train_epoch``), the grader swaps in its own, so one bug costs one exercise.
    """

    def __init__(self, student: Any, **names: Any):
        self.module = student.module
        self.names = names
        self.saved: dict[str, object] = {}

    def __enter__(self) -> swapped_in:
        for name, value in self.names.items():
            self.saved[name] = self.module.__dict__.get(name, _MISSING)
            setattr(self.module, name, value)
        return self

    def __exit__(self, *exc: object) -> bool:
        for name, value in self.saved.items():
            if value is _MISSING:
                self.module.__dict__.pop(name, None)
            else:
                setattr(self.module, name, value)
        return False
