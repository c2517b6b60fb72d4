"""Recipes every topic may use: seeded models from a spec, losses, optimisers, random state."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from torchdojo.shared.recipes import recipe


def seed_parameters(module: nn.Module, seed: int, scale: float, mean_scale: float) -> nn.Module:
    """Overwrite every parameter (and BatchNorm statistics) from a private generator."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * scale)
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * mean_scale)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)
    return module


_LAYERS = {
    "linear": lambda a: nn.Linear(int(a[0]), int(a[1]), bias=bool(a[2]) if len(a) > 2 else True),
    "conv2d": lambda a: nn.Conv2d(int(a[0]), int(a[1]), int(a[2]), padding=int(a[3]) if len(a) > 3 else 0),
    "relu": lambda a: nn.ReLU(),
    "flatten": lambda a: nn.Flatten(),
    "maxpool2d": lambda a: nn.MaxPool2d(int(a[0])),
    "batchnorm1d": lambda a: nn.BatchNorm1d(int(a[0])),
    "batchnorm2d": lambda a: nn.BatchNorm2d(int(a[0])),
    "dropout": lambda a: nn.Dropout(float(a[0])),
}


def layer(spec: Any) -> nn.Module:
    """One layer from ``("linear", 3, 5)``, or a Sequential from a list of specs."""
    if isinstance(spec, list):
        return nn.Sequential(*(layer(s) for s in spec))
    kind, *args = spec
    return _LAYERS[kind](args)


@recipe
def sequential(layers: list, seed: int | None = None, scale: float = 0.5, mean_scale: float = 1.0,
               frozen: tuple[int, ...] = (), device: str = "cpu", train: bool = True) -> nn.Module:
    """``nn.Sequential`` of the given layer specs, seeded (when ``seed`` is given), some layers frozen."""
    model = layer(list(layers))
    if seed is not None:
        seed_parameters(model, seed, scale, mean_scale)
    for index in frozen:
        for p in model[index].parameters():
            p.requires_grad_(False)
    return model.to(device).train(train)


@recipe
def cross_entropy() -> nn.Module:
    return nn.CrossEntropyLoss()


@recipe
def mse() -> nn.Module:
    return nn.MSELoss()


_OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


@recipe
def optimizer(kind: str, model: nn.Module, lr: float, trainable_only: bool = False) -> torch.optim.Optimizer:
    """An optimiser over a module's parameters (or only those that require gradients)."""
    params = [p for p in model.parameters() if p.requires_grad or not trainable_only]
    return _OPTIMIZERS[kind](params, lr=lr)


@recipe
def global_rng_state(device: str = "cpu") -> list:
    """The global random state of the CPU and of ``device``'s accelerator."""
    states = [torch.get_rng_state()]
    kind = torch.device(device).type
    if kind == "cuda":
        states.append(torch.cuda.get_rng_state(torch.device(device)))
    elif kind == "mps":
        states.append(torch.mps.get_rng_state())
    return states


@recipe
def path(path: str) -> Any:
    """A ``pathlib.Path`` (for functions that must accept one)."""
    import pathlib

    return pathlib.Path(path)


@recipe
def parse_state_bytes(data: bytes) -> Any:
    """What ``torch.load(..., weights_only=True)`` reads from a file's bytes (run in a clean process)."""
    import io

    return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")


@recipe
def draw_global(n: int = 3) -> None:
    """Move the global CPU generator (what other code between two calls would do)."""
    torch.rand(n)


class Spy:
    """A stand-in the judge lends to a submission's module: it notes its calls and answers what the judge chose.

    For an exercise that calls another exercise's function (``fit`` calls
    ``train_epoch``): one bug then costs one exercise, and no working solution of
    the other exercise ever runs in the student process (whatever runs there,
    student code can read). A spy binds its arguments to ``params`` (a call that
    does not fit them raises ``TypeError``, as the real function would), notes
    what :meth:`note` makes of them in ``log`` (data only), and returns what
    :meth:`answer` gives: values, or effects, that the judge wrote in the spy's
    script. Subclasses in each topic's recipes say what to note and answer;
    none of them does the lent exercise's work.
    """

    def __init__(self, name: str, params: list, log: list | None = None) -> None:
        import inspect

        self.name = str(name)
        self.calls = 0
        self.log: list = [] if log is None else log
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        self._signature = inspect.Signature([inspect.Parameter(str(p), kind) for p in params])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        arguments = self._signature.bind(*args, **kwargs).arguments
        index = self.calls
        self.calls += 1
        entry = {"spy": self.name, "index": index}
        entry.update(self.note(index, arguments))
        self.log.append(entry)
        return self.answer(index, arguments)

    def note(self, index: int, arguments: dict) -> dict:
        """What to note about call ``index`` (data only)."""
        return {}

    def answer(self, index: int, arguments: dict) -> Any:
        """What call ``index`` returns."""
        return None


@recipe
def spy_log(spy: Spy) -> list:
    """What a :class:`Spy` (and the spies sharing its log) noted, in call order."""
    return [dict(entry) for entry in spy.log[:200]]
