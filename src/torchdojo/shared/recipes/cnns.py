"""Recipes of the ``cnns`` grader: what it hands to student code, built in the student process.

* :func:`cnns_probe_net`: a small CNN with BatchNorm behind a :class:`ModeProbe`
  (the model ``train_epoch``, ``evaluate`` and ``fit`` get), and
  :func:`cnns_probe_calls` to read what the probe saw;
* :func:`cnns_sequential`: an ``nn.Sequential`` from layer specs with PyTorch's
  default initialisation drawn from a private seed (the model ``fit`` must
  train past an accuracy bar; the grader gives the specs);
* :func:`cnns_loader`: a ``DataLoader`` over the grader's tensors, in their
  order or in the orders the grader gives, one per epoch;
* :func:`cnns_cross_entropy` and :func:`cnns_sgd` (an SGD that notes whether
  gradients were there at each step);
* :func:`cnns_global_seed`: moves the global random generator, as other code
  between two calls would;
* :func:`cnns_full_precision`: no TF32 on CUDA, so that float32 results can be
  compared with the judge's float64 reference;
* :func:`cnns_autograd_on`: gradient tracking back on before a test, whatever
  an earlier exercise left (one bug, one exercise);
* :func:`cnns_fit_spy`: the ``train_epoch`` and ``evaluate`` lent to the module
  while ``fit``'s loop is graded: spies (:class:`FitSpy`) that note how they are
  called and answer numbers the judge chose; the ``train_epoch`` spy also
  hands the optimiser it gets gradients the judge chose and steps it once.

None of them solves an exercise: the spies neither run the model nor read
the loader, the loader replays orders the judge chose
(no seed, no shuffling of its own), the network is not a TinyVGG, and the
TinyVGG the accuracy bar uses is built from the grader's layer list. What the
probe and the spy note only helps the grader name a mistake; scores rest on
values the judge recomputes.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, Sampler, TensorDataset

from torchdojo.shared.recipes import recipe
from torchdojo.shared.recipes.common import Spy, layer, seed_parameters

# Bound when the recipes are imported, before any submission is.
_grad_enabled = torch.is_grad_enabled
_bool = bool


class ModeProbe(nn.Module):
    """Records ``(training, grad_enabled)`` at every call; scales by ``grad_scale`` while autograd records.

    With ``grad_scale`` other than 1 the network computes something else when
    gradients are tracked, as BatchNorm does in train mode: so an evaluation
    that forgets ``torch.no_grad()`` returns other losses, which the judge sees
    in the numbers it recomputes (not only in what this probe recorded).
    """

    def __init__(self, grad_scale: float = 1.0) -> None:
        super().__init__()
        self.grad_scale = float(grad_scale)
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grad = _bool(_grad_enabled())
        self.calls.append((_bool(self.training), grad))
        if grad and self.grad_scale != 1.0:
            return x * self.grad_scale
        return x


class ProbeNet(nn.Module):
    """ModeProbe - Conv(1->4, 3x3, padding 1, no bias) - BatchNorm - tanh - AvgPool(2) - Linear(64 -> 3).

    For ``(N, 1, 8, 8)`` images. Every step is smooth: with ReLU or max
    pooling, an activation within rounding of a kink (about one run in a
    thousand) sends a gradient one way in the student's float32 and the other
    in the judge's float64 reference. The convolution has no bias: before
    BatchNorm its gradient is zero in exact arithmetic and rounding noise in
    float32, which Adam's normalised step would turn into moves of size ``lr``.
    """

    def __init__(self, grad_scale: float = 1.0) -> None:
        super().__init__()
        self.probe = ModeProbe(grad_scale)
        self.conv = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.head = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.probe(x)
        x = torch.nn.functional.avg_pool2d(torch.tanh(self.bn(self.conv(x))), 2)
        return self.head(x.flatten(1))


@recipe
def cnns_probe_net(seed: int, device: str = "cpu", train: bool = True, grad_scale: float = 1.0) -> nn.Module:
    """A :class:`ProbeNet` with every parameter and BatchNorm statistic drawn from ``seed``."""
    with torch.random.fork_rng(devices=[]):  # the default initialisation, overwritten, leaves no trace
        model = seed_parameters(ProbeNet(grad_scale), seed, 0.3, 0.2)
    return model.to(torch.device(device)).train(train)


@recipe
def cnns_probe_calls(model: nn.Module) -> list:
    """What the model's :class:`ModeProbe` recorded: ``[(training, grad_enabled), ...]``."""
    return [(_bool(t), _bool(g)) for t, g in model.probe.calls]


@recipe
def cnns_sequential(layers: list, init_seed: int, device: str = "cpu") -> nn.Module:
    """``nn.Sequential`` of layer specs (:func:`~torchdojo.shared.recipes.common.layer`), default init.

    PyTorch's own initialisation, drawn from ``init_seed`` in a forked random
    state: the global generator is left as it was.
    """
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(int(init_seed))  # the CPU's only: nothing else is drawn
        model = layer(list(layers))
    return model.to(torch.device(device))


class ReplaySampler(Sampler):
    """Yields the orders it was given, one per pass (cycling): an epoch order the judge chose and knows."""

    def __init__(self, orders: list) -> None:
        self.orders = [[int(i) for i in order] for order in orders]
        self.passes = 0

    def __iter__(self):
        order = self.orders[self.passes % len(self.orders)]
        self.passes += 1
        return iter(order)

    def __len__(self) -> int:
        return len(self.orders[0])


@recipe
def cnns_loader(X: torch.Tensor, y: torch.Tensor, batch_size: int, orders: list | None = None) -> DataLoader:
    """``DataLoader(TensorDataset(X, y), batch_size)``: in order, or in ``orders[k]`` on the k-th pass."""
    sampler = ReplaySampler(orders) if orders else None
    return DataLoader(TensorDataset(X, y), batch_size=int(batch_size), sampler=sampler)


@recipe
def cnns_cross_entropy(label_smoothing: float = 0.0) -> nn.Module:
    return nn.CrossEntropyLoss(label_smoothing=float(label_smoothing))


class StepSpy(torch.optim.SGD):
    """SGD that notes, at every ``step()``, whether any parameter had a non-zero gradient."""

    def __init__(self, params: Any, lr: float, momentum: float) -> None:
        super().__init__(params, lr=lr, momentum=momentum)
        self.steps: list[bool] = []

    def step(self, closure: Any = None) -> Any:
        self.steps.append(any(p.grad is not None and _bool(p.grad.detach().abs().sum() > 0)
                              for group in self.param_groups for p in group["params"]))
        return super().step(closure)


@recipe
def cnns_sgd(model: nn.Module, lr: float, momentum: float = 0.0) -> torch.optim.Optimizer:
    """:class:`StepSpy` over all of a module's parameters."""
    return StepSpy(list(model.parameters()), float(lr), float(momentum))


@recipe
def cnns_spy_steps(optimizer: torch.optim.Optimizer) -> list:
    """What a :class:`StepSpy` noted: one bool per ``step()`` (gradients were there)."""
    return [_bool(s) for s in optimizer.steps]


@recipe
def cnns_global_seed(seed: int, draws: int = 0) -> None:
    """``torch.manual_seed(seed)`` then ``draws`` numbers from the global generator, in the student process."""
    torch.manual_seed(int(seed))
    if draws:
        torch.rand(int(draws))


@recipe
def cnns_full_precision() -> None:
    """No TF32 in this process's CUDA convolutions and matrix products.

    TF32 keeps 10 bits of mantissa: float32 results would then differ from the
    judge's float64 reference by about 1e-3, which no fixed tolerance separates
    from a small mistake. Student code may turn it back on; only its own
    comparisons would suffer.
    """
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


@recipe
def cnns_autograd_on() -> None:
    """Switch gradient tracking back on: an earlier exercise may have left it off for the whole process."""
    torch.set_grad_enabled(True)


class FitSpy(Spy):
    """``train_epoch`` (``role="train"``) or ``evaluate`` (``role="evaluate"``) as ``fit`` calls it.

    Notes, per call: whether the model is the one ``fit`` was given, which of
    the two loaders came (``"train"``, ``"test"`` or ``"other"``), the device
    argument, what the loss function gives on the judge's ``logits`` and
    ``targets``, and which optimiser object came (0 for the first one seen, 1
    for a second one...). A ``train`` spy then gives the model's parameters the
    judge's gradients ``grads[index]`` and calls ``optimizer.step()`` once, so
    that the weights show which optimiser ``fit`` made and whether it kept it
    across epochs. Returns ``answers[index]`` as a ``(loss, accuracy)`` tuple.
    """

    PARAMS = {"train": ["model", "loader", "loss_fn", "optimizer", "device"],
              "evaluate": ["model", "loader", "loss_fn", "device"]}

    def __init__(self, role: str, answers: list, model: nn.Module, train_loader: Any, test_loader: Any,
                 logits: torch.Tensor, targets: torch.Tensor, grads: list | None = None,
                 log: list | None = None) -> None:
        super().__init__({"train": "train_epoch", "evaluate": "evaluate"}[role], self.PARAMS[role], log)
        self.role = role
        self.answers = [(float(a), float(b)) for a, b in answers]
        self.model, self.train_loader, self.test_loader = model, train_loader, test_loader
        self.logits, self.targets = logits.detach().clone(), targets.detach().clone()
        self.grads = grads or []
        self.optimizers: list = []

    def note(self, index: int, arguments: dict) -> dict:
        loader = arguments["loader"]
        which = "train" if loader is self.train_loader else "test" if loader is self.test_loader else "other"
        try:
            loss: Any = float(arguments["loss_fn"](self.logits.clone(), self.targets.clone()))
        except Exception as exc:  # noqa: BLE001 - what fit passed as the loss is the student's
            loss = f"{type(exc).__name__}: {exc}"[:200]
        entry = {"role": self.role, "same_model": arguments["model"] is self.model, "loader": which,
                 "device": str(arguments["device"])[:40], "loss": loss}
        if self.role == "train":
            optimizer = arguments["optimizer"]
            known = [i for i, o in enumerate(self.optimizers) if o is optimizer]
            if not known:
                self.optimizers.append(optimizer)
            entry["optimizer"] = known[0] if known else len(self.optimizers) - 1
            entry["optimizer_type"] = type(optimizer).__name__[:60]
            self._step(arguments["model"], optimizer, index)
        return entry

    def _step(self, model: Any, optimizer: Any, index: int) -> None:
        if not isinstance(model, nn.Module) or index >= len(self.grads):
            return
        for p, g in zip(model.parameters(), self.grads[index]):
            p.grad = g.to(device=p.device, dtype=p.dtype).clone()
        optimizer.step()

    def answer(self, index: int, arguments: dict) -> tuple:
        return self.answers[min(index, len(self.answers) - 1)]


@recipe
def cnns_fit_spy(role: str, answers: list, model: nn.Module, train_loader: Any, test_loader: Any,
                 logits: torch.Tensor, targets: torch.Tensor, grads: list | None = None,
                 partner: FitSpy | None = None) -> FitSpy:
    """A :class:`FitSpy`; with ``partner``, both note their calls in one log (the order of calls shows)."""
    return FitSpy(role, answers, model, train_loader, test_loader, logits, targets, grads,
                  log=None if partner is None else partner.log)
