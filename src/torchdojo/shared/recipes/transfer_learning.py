"""Recipes of the ``transfer_learning`` grader: the models it hands to student code, and a few probes.

The models come in every layout the curriculum names for the last layer, plus
the course's pretrained backbone:

==========================  ==================================================
layout                      last layer
==========================  ==================================================
``fc``                      ``model.fc`` after a ``features`` body
``fc_resnet``               ``model.fc``, torchvision ResNet naming (``conv1``,
                            ``bn1``, ``layer1``, ``avgpool``), with a
                            parameter of the model's own (a layer scale)
``classifier``              ``model.classifier``, an ``nn.Linear``
``classifier_seq``          ``model.classifier[-1]`` of Flatten, Dropout, Linear
``classifier_mlp``          ``model.classifier[-1]`` of a VGG-style head with
                            two Linear layers
``backbone``                :func:`torchdojo.models.pretrained_backbone`
==========================  ==================================================

Every model contains BatchNorm, so a frozen part that runs in train mode shows.
:func:`transfer_learning_spy` makes the ``freeze``, ``replace_head`` and
``trainable_parameters`` lent to the module while ``build_transfer_model`` and
``fine_tune`` are graded: spies that act only as the judge's script says, on
the one model the judge built (see :class:`TransferSpy`).
Each model is built whole, with the number of classes it is asked for: nothing
here replaces a head or freezes a model the way an exercise does (student code
can read this file). The judge builds the same model as its twin and knows,
from :data:`HEADS`, where each layout keeps its last layer.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from torchdojo.shared.recipes import recipe
from torchdojo.shared.recipes.common import Spy, seed_parameters

#: layout -> the attribute path of its last layer (``classifier_seq``: ``classifier[2]``).
HEADS: dict[str, tuple[str, ...]] = {
    "fc": ("fc",),
    "fc_resnet": ("fc",),
    "classifier": ("classifier",),
    "classifier_seq": ("classifier", "2"),
    "classifier_mlp": ("classifier", "4"),
    "backbone": ("classifier",),
}
#: layout -> ``in_features`` of its last layer.
HEAD_IN: dict[str, int] = {"fc": 16, "fc_resnet": 16, "classifier": 16, "classifier_seq": 16,
                           "classifier_mlp": 12, "backbone": 64}
#: Value of the gradient that frozen parameters receive during backward (``plant``).
PLANTED_GRAD = 1e-6


def _body(flatten: bool) -> nn.Sequential:
    layers = [nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(2)]
    return nn.Sequential(*layers, nn.Flatten()) if flatten else nn.Sequential(*layers)


class FcNet(nn.Module):
    """torchvision's ResNet convention for the last layer: ``.fc``."""

    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.features = _body(flatten=True)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


class ResNetStyleNet(nn.Module):
    """ResNet's own naming (no ``features``), a residual block, and a parameter at the root."""

    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu = nn.ReLU()
        self.layer1 = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU())
        self.layer_scale = nn.Parameter(torch.ones(1))  # the model's own parameter, in no child module
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.bn1(self.conv1(x)))
        x = x + self.layer_scale * self.layer1(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class LinearClassifierNet(nn.Module):
    """The last layer is ``.classifier``, an ``nn.Linear``."""

    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.features = _body(flatten=True)
        self.classifier = nn.Linear(16, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class SequentialClassifierNet(nn.Module):
    """The last layer is the last item of ``.classifier``, an ``nn.Sequential`` (Flatten, Dropout, Linear)."""

    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.features = _body(flatten=False)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(16, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class MLPClassifierNet(nn.Module):
    """A VGG-style ``.classifier``: Flatten, Linear, ReLU, Dropout, Linear (the last one is the head)."""

    def __init__(self, num_classes: int = 5) -> None:
        super().__init__()
        self.features = _body(flatten=False)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.ReLU(), nn.Dropout(0.25),
                                        nn.Linear(12, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


_CLASSES = {"fc": FcNet, "fc_resnet": ResNetStyleNet, "classifier": LinearClassifierNet,
            "classifier_seq": SequentialClassifierNet, "classifier_mlp": MLPClassifierNet}


def head_of(model: nn.Module, layout: str) -> nn.Module:
    """The last layer of a model of ``layout`` (used by the judge on its twin)."""
    module: Any = model
    for part in HEADS[layout]:
        module = module[int(part)] if part.isdigit() else getattr(module, part)
    return module


def _seed_head(head: nn.Linear, seed: int) -> None:
    """``nn.Linear``'s own initial distribution (uniform in +-1/sqrt(in_features)), from a private generator."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    bound = 1.0 / math.sqrt(head.in_features)
    with torch.no_grad():
        head.weight.copy_((torch.rand(head.weight.shape, generator=g) * 2 - 1) * bound)
        head.bias.copy_((torch.rand(head.bias.shape, generator=g) * 2 - 1) * bound)


def _plant_on_backward(model: nn.Module, _inputs: Any, output: Any) -> None:
    """Forward hook: during backward, frozen parameters receive a small gradient.

    A gradient on a frozen parameter is none of the training loop's business (it
    may be stale, or written by other code); an optimiser over the trainable
    parameters never sees it, one over every parameter moves that parameter on
    its next step, whenever ``zero_grad`` is called. So "Adam over the trainable
    parameters only" shows in the weights, which the judge reads back.
    """
    if not torch.is_grad_enabled() or not isinstance(output, torch.Tensor) or not output.requires_grad:
        return

    def plant(grad: torch.Tensor) -> None:
        for p in model.parameters():
            if not p.requires_grad:
                p.grad = torch.full_like(p, PLANTED_GRAD)

    output.register_hook(plant)


@recipe
def transfer_learning_model(layout: str, seed: int = 0, num_classes: int | None = None,
                            head_seed: int | None = None, device: str = "cpu",
                            dtype: torch.dtype = torch.float32, train: bool = True,
                            frozen: tuple[str, ...] | list[str] = (), thawed: tuple[str, ...] | list[str] = (),
                            plant: bool = False) -> nn.Module:
    """A model of ``layout`` (see the module docstring), seeded, with some parameters frozen.

    ``num_classes``: outputs of the last layer (the layout's own default when
    ``None``: 5, or the backbone's 6). ``seed`` seeds every parameter and the
    BatchNorm statistics (the backbone's are pretrained); ``head_seed``, when
    given, seeds the last layer afresh as ``nn.Linear`` would (the backbone's
    last layer is pretrained unless ``head_seed`` or another ``num_classes`` is
    given). ``frozen``: name prefixes whose parameters stop requiring
    gradients (``""``: all, the last layer included); ``thawed``: parameter
    names that require them again. ``plant``: frozen parameters receive a small
    gradient during every backward (see :func:`_plant_on_backward`).
    """
    if layout == "backbone":
        from torchdojo.models.backbone import ShapesBackbone, load_state_dict

        state = load_state_dict()
        classes = 6 if num_classes is None else int(num_classes)
        model: nn.Module = ShapesBackbone(num_classes=classes)
        if classes == 6 and head_seed is None:
            model.load_state_dict(state)
        else:
            model.load_state_dict({k: v for k, v in state.items() if not k.startswith("classifier.")}, strict=False)
            _seed_head(head_of(model, layout), int(seed if head_seed is None else head_seed))
    else:
        model = _CLASSES[layout](5 if num_classes is None else int(num_classes))
        seed_parameters(model, int(seed), 0.3, 0.2)
        if head_seed is not None:
            _seed_head(head_of(model, layout), int(head_seed))
    for name, p in model.named_parameters():
        if any(name.startswith(prefix) for prefix in frozen):
            p.requires_grad_(False)
        if name in thawed:
            p.requires_grad_(True)
    if plant:
        model.register_forward_hook(_plant_on_backward)
    return model.to(device=torch.device(device), dtype=dtype).train(bool(train))


@recipe
def transfer_learning_seed_global(seed: int) -> None:
    """Seed the global CPU generator (a student's mini-batch shuffles then start from a known state)."""
    torch.manual_seed(int(seed))


@recipe
def transfer_learning_unit_step(params: Any) -> str:
    """One plain gradient step (SGD, lr 1) over ``params``, as an optimiser handed them would take it.

    The judge sets known gradients beforehand and reads the model's parameters
    back: which moved, and how often, says what ``params`` held. Returns ``""``,
    or why no optimiser accepts ``params`` (an item that is not a tensor, say).
    """
    items = list(params)
    if not items:
        return ""
    try:
        optimizer = torch.optim.SGD(items, lr=1.0)
    except (TypeError, ValueError) as exc:
        return str(exc)[:300] or type(exc).__name__
    optimizer.step()
    return ""


_seen: list[dict[str, Any]] | None = None
_original_init = torch.optim.Optimizer.__init__


@recipe
def transfer_learning_watch_optimizers() -> None:
    """Start noting every ``torch.optim`` optimiser created: type, learning rates, frozen parameters given.

    For feedback only (it names a mistake): student code could go around it.
    """
    global _seen
    _seen = []
    seen = _seen

    def __init__(opt: Any, params: Any, defaults: Any, *args: Any, **kwargs: Any) -> None:
        _original_init(opt, params, defaults, *args, **kwargs)
        try:
            groups = [(g.get("lr"), list(g["params"])) for g in opt.param_groups]
            seen.append({
                "adam": isinstance(opt, torch.optim.Adam) and not bool(opt.defaults.get("decoupled_weight_decay")),
                "type": type(opt).__name__[:60],
                "lrs": [float(lr) for lr, _ in groups if isinstance(lr, (int, float))],
                "frozen": sum(1 for _, ps in groups for p in ps if not p.requires_grad),
                "count": sum(len(ps) for _, ps in groups),
            })
        except Exception:  # noqa: BLE001 - an odd optimiser: note what can be noted
            seen.append({"adam": False, "type": type(opt).__name__[:60], "lrs": [], "frozen": 0, "count": 0})

    torch.optim.Optimizer.__init__ = __init__  # type: ignore[method-assign]


@recipe
def transfer_learning_optimizers_seen() -> list[dict[str, Any]]:
    """Stop noting optimisers; what was noted since :func:`transfer_learning_watch_optimizers`."""
    global _seen
    torch.optim.Optimizer.__init__ = _original_init  # type: ignore[method-assign]
    seen, _seen = (_seen or []), None
    return seen[:20]


class TransferSpy(Spy):
    """``freeze``, ``replace_head`` or ``trainable_parameters`` as the exercise under test calls it.

    It acts only on ``model``, the model the judge handed in (found in what the
    call passes: that model itself, or a module holding it), and only as
    scripted: ``freeze`` stops the parameters named in ``names`` requiring
    gradients; ``replace_head`` puts the judge's ``head`` at ``path``;
    ``trainable_parameters`` answers the parameters named in ``names``. Each
    returns what it was given (``trainable_parameters``: the list). It notes
    whether the model came, and the ``num_classes`` asked for.
    """

    PARAMS = {"freeze": ["model"], "replace_head": ["model", "num_classes"], "trainable_parameters": ["model"]}

    def __init__(self, role: str, model: nn.Module, names: list | None = None, path: list | None = None,
                 head: nn.Module | None = None, log: list | None = None) -> None:
        super().__init__(role, self.PARAMS[role], log)
        self.role, self.model, self.head = role, model, head
        self.names = {str(n) for n in names or ()}
        self.path = [str(p) for p in path or ()]

    def _given(self, arguments: dict) -> bool:
        given = arguments["model"]
        return given is self.model or (isinstance(given, nn.Module) and any(m is self.model for m in given.modules()))

    def note(self, index: int, arguments: dict) -> dict:
        entry: dict[str, Any] = {"given": self._given(arguments)}
        if self.role == "replace_head":
            classes = arguments["num_classes"]
            entry["num_classes"] = int(classes) if isinstance(classes, int) else repr(classes)[:40]
        return entry

    def answer(self, index: int, arguments: dict) -> Any:
        if not self._given(arguments):
            raise TypeError(f"{self.role}() got {type(arguments['model']).__name__}, not the model it was meant for")
        if self.role == "freeze":
            for name, p in self.model.named_parameters():
                if name in self.names:
                    p.requires_grad_(False)
        elif self.role == "replace_head":
            parent: Any = self.model
            for part in self.path[:-1]:
                parent = parent[int(part)] if part.isdigit() else getattr(parent, part)
            last = self.path[-1]
            if last.isdigit():
                parent[int(last)] = self.head
            else:
                setattr(parent, last, self.head)
        else:
            return [p for name, p in self.model.named_parameters() if name in self.names]
        return arguments["model"]


@recipe
def transfer_learning_spy(role: str, model: nn.Module, names: list | None = None, path: list | None = None,
                          head: nn.Module | None = None, partner: TransferSpy | None = None) -> TransferSpy:
    """A :class:`TransferSpy`; with ``partner``, both note their calls in one log."""
    return TransferSpy(role, model, names, path, head, log=None if partner is None else partner.log)


@recipe
def transfer_learning_head(in_features: int, num_classes: int, seed: int, device: str = "cpu") -> nn.Module:
    """A fresh ``nn.Linear(in_features, num_classes)`` seeded as ``nn.Linear`` would be (the replace_head spy's)."""
    head = nn.Linear(int(in_features), int(num_classes))
    _seed_head(head, int(seed))
    return head.to(torch.device(device))
