"""Recipes of the ``fc_nets`` grader: models, losses, optimisers, files and probes it hands to student code.

Names start with ``fc_nets_`` (recipe names are global). Models in
:class:`torch.nn.Sequential` form come from the common ``sequential`` recipe;
this module adds a model of another layout, losses and optimisers with
hyper-parameters, a file written for ``load_weights``, and a probe of the
global gradient mode. None of them solves an exercise: no training loop, no
network built from ``hidden_units``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from torchdojo.shared.recipes import recipe
from torchdojo.shared.recipes.common import seed_parameters


class TwoPartNet(nn.Module):
    """A model that is not an ``nn.Sequential``: nested modules and a parameter of its own.

    ``body`` (Linear without bias, BatchNorm1d) -> times ``gain`` -> ReLU ->
    Dropout -> ``head[0]`` (Linear). It cannot be iterated layer by layer, and
    one of its parameters belongs to no submodule.
    """

    def __init__(self, in_features: int, hidden: int, out_features: int, dropout: float = 0.0):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, hidden, bias=False), nn.BatchNorm1d(hidden))
        self.gain = nn.Parameter(torch.ones(hidden))
        self.drop = nn.Dropout(dropout)
        self.head = nn.ModuleList([nn.Linear(hidden, out_features)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head[0](self.drop(torch.relu(self.body(x) * self.gain)))


@recipe
def fc_nets_two_part_net(sizes: tuple, seed: int, dropout: float = 0.0, scale: float = 0.5,
                         frozen: tuple = (), device: str = "cpu", train: bool = True) -> nn.Module:
    """A seeded :class:`TwoPartNet` of ``sizes = (in, hidden, out)``; parameters whose name starts
    with one of ``frozen`` stop requiring gradients."""
    a, h, c = (int(s) for s in sizes)
    model = seed_parameters(TwoPartNet(a, h, c, float(dropout)), int(seed), float(scale), 1.0)
    for name, p in model.named_parameters():
        if any(name.startswith(str(prefix)) for prefix in frozen):
            p.requires_grad_(False)
    return model.to(device).train(bool(train))


@recipe
def fc_nets_loss(kind: str, label_smoothing: float = 0.0) -> nn.Module:
    """``nn.CrossEntropyLoss`` (with ``label_smoothing``) or ``nn.MSELoss``."""
    if kind == "cross_entropy":
        return nn.CrossEntropyLoss(label_smoothing=float(label_smoothing))
    if kind == "mse":
        return nn.MSELoss()
    raise ValueError(f"unknown loss {kind!r}")


_OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
_HYPER = {"sgd": ("momentum", "weight_decay", "nesterov"), "adam": ("betas", "weight_decay")}


def make_optimizer(kind: str, params: Any, lr: float, **hyper: Any) -> torch.optim.Optimizer:
    """The optimiser ``kind`` over ``params`` (the grader builds its reference ones with this too)."""
    unknown = set(hyper) - set(_HYPER[kind])
    if unknown:
        raise ValueError(f"unknown hyper-parameters for {kind}: {sorted(unknown)}")
    if "betas" in hyper:
        hyper["betas"] = tuple(float(b) for b in hyper["betas"])
    return _OPTIMIZERS[kind](params, lr=float(lr), **hyper)


@recipe
def fc_nets_optimizer(kind: str, model: nn.Module, lr: float, **hyper: Any) -> torch.optim.Optimizer:
    """An optimiser over all of ``model``'s parameters, with hyper-parameters (``momentum``, ``betas``...)."""
    return make_optimizer(kind, model.parameters(), lr, **hyper)


@recipe
def fc_nets_write_state(path: str, state: dict) -> None:
    """Write a state_dict (tensors sent by the judge) with ``torch.save``, for ``load_weights`` to read.

    Written here, in the student process's own folder, so that the judge never
    writes through a path student code could have prepared (a symbolic link).
    """
    torch.save(dict(state), str(path))


@recipe
def fc_nets_grad_mode_restore() -> bool:
    """Whether gradient tracking was on; it is switched back on (student code may have left it off)."""
    was = bool(torch.is_grad_enabled())
    torch.set_grad_enabled(True)
    return was
