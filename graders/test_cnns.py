"""Hidden grader for the ``cnns`` topic (convolutional networks), run in the judge.

The submission lives in its own process: ``student`` reaches its module,
``lab`` the trusted recipes of :mod:`torchdojo.shared.recipes.cnns`, which
build there every object this grader hands to student code (a small CNN with
BatchNorm behind a mode probe, DataLoaders, the loss, an SGD that notes its
steps, the TinyVGG ``fit`` trains); each is checked against the judge's twin
right after it is built. Every score rests on what the judge recomputes:

* ``conv_output_size``: against ``nn.Conv2d`` itself;
* ``TinyVGG``: output shapes, the parameter count, and the output once the
  reference weights are copied into the student's parameters, matched by shape
  (the sizes used make the shapes of the first conv weight, the Linear weight
  and the conv/Linear biases distinct; tensors of equal shape are tried in
  every order), in eval and in train mode, never by attribute names or module
  types;
* ``make_loader``: the batches of each epoch, read back as data, while a recipe
  moves the student process's global random generator in between;
* ``train_epoch``, ``evaluate``, ``fit``: parameters and BatchNorm statistics
  read back after the call and compared, with the numbers returned, with the
  judge's own run of the same steps from the same weights and batches, in
  float64 on the CPU. Where they differ, the judge reruns the usual mistakes
  (gradients never cleared, plain cross-entropy instead of the given loss, ...)
  to name the one that matches; what the probe and the spy saw only names a
  mistake too. So that an evaluation without ``torch.no_grad()`` changes
  numbers, the probe network of the ``evaluate`` tests computes otherwise while
  autograd records (as BatchNorm does in train mode).

``fit``'s loop is graded with spies lent to the module as ``train_epoch`` and
``evaluate`` (``lab.spy``, ``lab.lend``): they note how ``fit`` calls them and
answer numbers the judge chose, and the ``train_epoch`` spy steps the optimiser
``fit`` made once with gradients the judge chose, so a bug in the helpers costs
only their own exercises and no working helper runs in the student process.
The accuracy bar is the one test of ``fit`` that runs the student's own
``train_epoch`` and ``evaluate`` (the contract lets only it follow their bugs). On CUDA the
student process runs without TF32 (a recipe turns it off) so that its float32
results meet the float64 reference at the accelerator tolerance. Moving
batches or the model to the device can only be seen on an accelerator: on a
CPU-only machine those checks pass trivially.

No tensor is created at import time (the module is imported in the warm judge).
"""

from __future__ import annotations

import copy
import itertools

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from torchdojo.datasets.shapes import make_shapes
from torchdojo.judge import compare
from torchdojo.judge.feedback import Feedback, check, fail, short
from torchdojo.judge.helpers import generator, init_params
from torchdojo.judge.props import grading_settings
from torchdojo.judge.remote import Handle, StudentRaised, TwinMismatch
from torchdojo.judge.seeding import mix

_cpu = torch.device("cpu")
_f64 = torch.float64


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _tol(device: torch.device) -> tuple[float, float]:
    # The student's float32 against the judge's float64; accelerators (TF32 off) reorder sums more.
    return (1e-4, 1e-5) if device.type == "cpu" else (2e-3, 2e-4)


def _gap(device: torch.device) -> float:
    """Top-two logits closer than this may rank either way in the student's float32."""
    return 1e-5 if device.type == "cpu" else 1e-3


def _precise(lab, device: torch.device) -> None:
    if device.type == "cuda":
        lab.run("cnns_full_precision")


def _autograd_on(lab) -> None:
    """Gradient tracking on in the student process: an earlier exercise may have left it off (one bug,
    one exercise)."""
    lab.run("cnns_autograd_on")


def _is_device_error(exc: StudentRaised) -> bool:
    text = exc.message.lower()
    return exc.is_a(RuntimeError) and not exc.not_implemented and (
        "device" in text or "cuda" in text or "mps" in text or "type (torch" in text)


def _device_feedback(exc: StudentRaised, what_es: str, what_en: str) -> Feedback:
    return Feedback(
        f"{what_es} falló por mezclar dispositivos ({short(exc.message, 200)}): debe mover a `device` lo que usa "
        "(los lotes con `X.to(device)`, `y.to(device)`; el modelo con `model.to(device)`)",
        f"{what_en} failed by mixing devices ({short(exc.message, 200)}): it must move what it uses to `device` "
        "(the batches with `X.to(device)`, `y.to(device)`; the model with `model.to(device)`)",
    )


def _call(name: str, fn: Handle, *args, **kwargs):
    """Call a student function; a device mix-up becomes feedback that names it."""
    try:
        return fn(*args, **kwargs)
    except StudentRaised as exc:
        if _is_device_error(exc):
            raise _device_feedback(exc, name, name) from None
        raise


def _pair_of_floats(got: object, name: str) -> tuple[float, float]:
    check(
        isinstance(got, (tuple, list)) and len(got) == 2,
        f"{name} debe devolver una tupla (pérdida_media, exactitud); devolvió {short(got)}",
        f"{name} must return a tuple (mean_loss, accuracy); it returned {short(got)}",
    )
    loss = compare.number(got[0], (f"{name}: pérdida media", f"{name}: mean loss"))
    acc = compare.number(got[1], (f"{name}: exactitud", f"{name}: accuracy"))
    return loss, acc


def _near(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    return abs(a - b) <= atol + rtol * abs(b)


def _state_diff(got: dict, expected: dict[str, torch.Tensor], rtol: float, atol: float,
                slack: dict[str, torch.Tensor] | None = None) -> list[str]:
    """Keys of ``expected`` whose tensor in ``got`` is missing or not close (integer tensors: equal).

    ``slack``: extra absolute tolerance per element, for the keys it names.
    """
    bad = []
    for key, e in expected.items():
        g = got.get(key) if isinstance(got, dict) else None
        if not isinstance(g, torch.Tensor) or tuple(g.shape) != tuple(e.shape):
            bad.append(key)
            continue
        g = compare.to_cpu(g)
        if e.is_floating_point():
            e = e.to(_f64)
            room = atol + rtol * e.abs() + (slack[key] if slack and key in slack else 0.0)
            ok = g.is_floating_point() and bool(((g.to(_f64) - e).abs() <= room).all())
        else:
            ok = not g.is_floating_point() and torch.equal(g.to(torch.int64), e.to(torch.int64))
        if not ok:
            bad.append(key)
    return bad


def _cpu_state(module: nn.Module, params_only: bool = False) -> dict[str, torch.Tensor]:
    names = {name for name, _ in module.named_parameters()}
    return {k: compare.to_cpu(v) for k, v in module.state_dict().items() if k in names or not params_only}


# -- what the grader hands to student code: recipes, checked against twins ----


def _probe_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = generator(seed)
    X = torch.randn(n, 1, 8, 8, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    return X, y


def _probe_net(lab, seed: int, device: torch.device, *, train: bool, grad_scale: float = 1.0):
    """The probe CNN in the student process, its twin here, and a float64 CPU copy to recompute with."""
    model, twin = lab.build_with_twin("cnns_probe_net", seed=mix(seed), device=str(device), train=train,
                                      grad_scale=grad_scale)
    return model, twin, copy.deepcopy(twin).to(_cpu, _f64)


def _loss(lab, label_smoothing: float = 0.0) -> Handle:
    handle = lab.build("cnns_cross_entropy", label_smoothing=label_smoothing)
    if handle.attr("label_smoothing") != label_smoothing or handle.attr("reduction") != "mean":
        raise TwinMismatch("recipe cnns_cross_entropy: label_smoothing or reduction differs")
    return handle


def _loader(lab, X: torch.Tensor, y: torch.Tensor, batch_size: int, orders: list | None = None) -> Handle:
    """A DataLoader in the student process; one pass of it read back must be the twin's batches."""
    handle, twin = lab.build_with_twin("cnns_loader", X=X, y=y, batch_size=batch_size, orders=orders)
    got = handle.iterate()
    expected = [list(b) for b in twin]
    same = isinstance(got, list) and len(got) == len(expected) and all(
        isinstance(g, list) and len(g) == 2 and all(isinstance(t, torch.Tensor) for t in g)
        and all(t.shape == e.shape and torch.equal(compare.to_cpu(t), e) for t, e in zip(g, b))
        for g, b in zip(got, expected))
    if not same:
        raise TwinMismatch("recipe cnns_loader: the batches differ")
    return handle


def _sgd(lab, model: Handle, twin: nn.Module, lr: float, momentum: float = 0.0) -> Handle:
    opt = lab.build("cnns_sgd", model=model, lr=lr, momentum=momentum)
    expected = torch.optim.SGD([torch.zeros(1)], lr=lr, momentum=momentum).defaults
    groups = opt.attr("param_groups")
    shapes = [tuple(p.shape) for p in twin.parameters()]
    if opt.attr("defaults") != expected or not isinstance(groups, list) or len(groups) != 1 or [
            tuple(p.shape) for p in groups[0].get("params", [])] != shapes:
        raise TwinMismatch("recipe cnns_sgd: hyper-parameters or parameters differ")
    return opt


# -- the judge's own runs, in float64 on the CPU ----------------------------


def _batches(X: torch.Tensor, y: torch.Tensor, batch_size: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(X[i:i + batch_size].to(_f64), y[i:i + batch_size]) for i in range(0, len(X), batch_size)]


def _run(net: nn.Module, batches, loss_fn, *, opt=None, train: bool = True, grad: bool = True,
         clear: bool = True, watch=None) -> tuple[list[float], list[torch.Tensor]]:
    """One pass of ``net`` over ``batches`` (a step per batch when ``opt``): batch losses and outputs.

    ``watch(net)`` runs after each backward, before the step.
    """
    net.train(train)
    losses, outs = [], []
    with torch.set_grad_enabled(grad):
        for X, y in batches:
            out = net(X)
            loss = loss_fn(out, y)
            if opt is not None:
                if clear:
                    opt.zero_grad()
                loss.backward()
                if watch is not None:
                    watch(net)
                opt.step()
            losses.append(float(loss.detach()))
            outs.append(out.detach())
    return losses, outs


def _sgd_epoch(start: nn.Module, batches, *, lr: float, momentum: float = 0.0, label_smoothing: float = 0.0,
               clear: bool = True, train: bool = True):
    """A copy of ``start`` after one SGD epoch: (state, batch losses, outputs)."""
    net = copy.deepcopy(start)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    losses, outs = _run(net, batches, nn.CrossEntropyLoss(label_smoothing=label_smoothing), opt=opt,
                        train=train, clear=clear)
    return _cpu_state(net), losses, outs


def _hits(outs: list[torch.Tensor], batches, gap: float) -> tuple[int, int, int]:
    """(right, surely right, unsure): examples whose top two logits are within ``gap`` may go either way."""
    right = sure = unsure = 0
    for out, (_, y) in zip(outs, batches):
        top = out.topk(2, dim=1).values
        close = (top[:, 0] - top[:, 1]) <= gap
        ok = out.argmax(1) == y
        right += int(ok.sum())
        sure += int((ok & ~close).sum())
        unsure += int(close.sum())
    return right, sure, unsure


def _acc_ok(acc: float, n: int, sure: int, unsure: int) -> bool:
    return any(abs(acc - k / n) <= 1e-6 for k in range(sure, sure + unsure + 1))


def _loss_diagnosis(got_loss: float, batch_losses: list[float], n: int,
                    plain: list[float] | None = None, name: str = "") -> tuple[str, str]:
    if plain is not None and _near(got_loss, sum(plain) / len(plain)):
        return (f" (es la entropía cruzada sin más: {name} debe usar la loss_fn que recibe, loss_fn(salida, y))",
                f" (that is plain cross-entropy: {name} must use the loss_fn it is given, loss_fn(output, y))")
    if _near(got_loss, sum(batch_losses)):
        return (" (devolviste la suma de las pérdidas de los lotes, no la media)",
                " (you returned the sum of the batch losses, not the mean)")
    if batch_losses and _near(got_loss, batch_losses[-1]):
        return (" (devolviste la pérdida del último lote, no la media de la época)",
                " (you returned the last batch's loss, not the epoch's mean)")
    if _near(got_loss, sum(batch_losses) / n):
        return (" (dividiste la suma de pérdidas medias por lote entre el número de ejemplos)",
                " (you divided the sum of per-batch mean losses by the number of examples)")
    return "", ""


def _acc_diagnosis(got: float, correct: int, n: int, batches: int) -> tuple[str, str]:
    if _near(got, 100 * correct / n):
        return (" (es un porcentaje: la exactitud es una fracción en [0, 1])",
                " (that is a percentage: accuracy is a fraction in [0, 1])")
    if _near(got, float(correct)):
        return (" (es el número de aciertos: divide entre el número de ejemplos)",
                " (that is the number of hits: divide by the number of examples)")
    if batches and _near(got, correct / batches):
        return (" (dividiste entre el número de lotes, no de ejemplos)",
                " (you divided by the number of batches, not of examples)")
    return "", ""


def _check_loss_and_acc(name: str, got: object, batch_losses: list[float], outs, batches, device,
                        *, plain: list[float] | None = None, mode_es: str = "", mode_en: str = "") -> None:
    loss, acc = _pair_of_floats(got, name)
    n = sum(len(y) for _, y in batches)
    exp_loss = sum(batch_losses) / len(batch_losses)  # batches of equal size
    rtol, atol = _tol(device)
    if not _near(loss, exp_loss, rtol=max(rtol, 1e-4), atol=max(atol, 1e-5)):
        es, en = _loss_diagnosis(loss, batch_losses, n, plain, name)
        fail(f"{name}: pérdida media esperada {exp_loss:.6f}{mode_es}, llegó {loss!r}{es}",
             f"{name}: expected mean loss {exp_loss:.6f}{mode_en}, got {loss!r}{en}")
    right, sure, unsure = _hits(outs, batches, _gap(device))
    if not _acc_ok(acc, n, sure, unsure):
        es, en = _acc_diagnosis(acc, right, n, len(batches))
        fail(f"{name}: exactitud esperada {right / n!r}{mode_es}, llegó {acc!r}{es}",
             f"{name}: expected accuracy {right / n!r}{mode_en}, got {acc!r}{en}")


# -- reference implementations ------------------------------------------------


def _ref_conv_output_size(size: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


class _RefTinyVGG(nn.Module):
    def __init__(self, in_channels: int, hidden: int, num_classes: int, image_size: int):
        super().__init__()
        self.c1 = nn.Conv2d(in_channels, hidden, 3, padding=1)
        self.c2 = nn.Conv2d(hidden, hidden, 3, padding=1)
        self.c3 = nn.Conv2d(hidden, hidden, 3, padding=1)
        self.c4 = nn.Conv2d(hidden, hidden, 3, padding=1)
        self.fc = nn.Linear(hidden * (image_size // 4) ** 2, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)
        return F.max_pool2d(F.relu(self.c4(F.relu(self.c3(x)))), 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x).flatten(1))


def _vgg_layers(c: int, h: int, n: int, s: int) -> list[tuple]:
    """The TinyVGG architecture as layer specs for the ``cnns_sequential`` recipe."""
    block = [("conv2d", h, h, 3, 1), ("relu",), ("conv2d", h, h, 3, 1), ("relu",), ("maxpool2d", 2)]
    return [("conv2d", c, h, 3, 1)] + block[1:] + block + [("flatten",), ("linear", h * (s // 4) ** 2, n)]


# --------------------------------------------------------------------------
# conv_output_size
# --------------------------------------------------------------------------


@st.composite
def _conv_args(draw, *, stride: bool = True, padding: bool = True, dilation: bool = True):
    k = draw(st.integers(1, 7))
    s = draw(st.integers(1, 4)) if stride else 1
    p = draw(st.integers(0, 3)) if padding else 0
    d = draw(st.integers(1, 3)) if dilation else 1
    smallest = max(1, d * (k - 1) + 1 - 2 * p)
    size = draw(st.integers(smallest, smallest + 40))
    return size, k, s, p, d


def _conv2d_size(size: int, k: int, s: int, p: int, d: int) -> int:
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
    with torch.no_grad():
        return int(conv(torch.zeros(1, 1, size, size)).shape[-1])


# Usual mistakes: (formula, whether it can differ from the right one for (stride, padding, dilation), es, en).
_CONV_MISTAKES = [
    (lambda n, k, s, p, d: _ref_conv_output_size(n, k, s, p, 1), lambda s, p, d: d != 1,
     "olvidaste la dilatación: el filtro abarca dilation*(kernel_size-1) + 1 píxeles",
     "you forgot the dilation: the filter spans dilation*(kernel_size-1) + 1 pixels"),
    (lambda n, k, s, p, d: _ref_conv_output_size(n, k, s, 0, d), lambda s, p, d: p != 0,
     "olvidaste el padding: se añaden `padding` ceros a cada lado (2*padding en total)",
     "you forgot the padding: `padding` zeros are added on each side (2*padding in all)"),
    (lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1, lambda s, p, d: p != 0,
     "contaste el padding una sola vez: se añade a cada lado, 2*padding en total",
     "you counted the padding once: it is added on each side, 2*padding in all"),
    (lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s, lambda s, p, d: True,
     "falta el +1 final de la fórmula",
     "the formula's final +1 is missing"),
    (lambda n, k, s, p, d: -((-(n + 2 * p - d * (k - 1) - 1)) // s) + 1, lambda s, p, d: s != 1,
     "redondeaste hacia arriba: la división por el stride se redondea hacia abajo (`//`)",
     "you rounded up: the division by the stride rounds down (`//`)"),
    (lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1, lambda s, p, d: True,
     "el filtro abarca dilation*(kernel_size-1) + 1 píxeles, no dilation*kernel_size",
     "the filter spans dilation*(kernel_size-1) + 1 pixels, not dilation*kernel_size"),
]


def _conv_diagnosis(student, got: int, size: int, k: int, s: int, p: int, d: int, nargs: int) -> tuple[str, str]:
    right = _ref_conv_output_size(size, k, s, p, d)
    found = [m for m in _CONV_MISTAKES if m[1](s, p, d) and m[0](size, k, s, p, d) == got != right]
    # Several mistakes give this value: the student's answers for a few larger sizes tell them apart.
    for extra in range(size + 1, size + 6):
        if len(found) < 2:
            break
        try:
            value = student.conv_output_size(*(extra, k, s, p, d)[:nargs])
        except StudentRaised:
            break
        if type(value) is not int:
            break
        found = [m for m in found if m[0](extra, k, s, p, d) == value] or found
    if found:
        return " (" + found[0][2] + ")", " (" + found[0][3] + ")"
    return "", ""


def _check_conv(student, size: int, k: int, s: int, p: int, d: int, *, nargs: int = 5) -> None:
    expected = _conv2d_size(size, k, s, p, d)
    args = (size, k, s, p, d)[:nargs]
    got = student.conv_output_size(*args)
    call = f"conv_output_size{args}"
    value = compare.number(got, call, integer=True)
    if value != expected:
        es, en = _conv_diagnosis(student, value, size, k, s, p, d, nargs)
        fail(
            f"{call}: nn.Conv2d da {expected} y llegó {value}{es}",
            f"{call}: nn.Conv2d gives {expected}, got {value}{en}",
        )


@pytest.mark.exercise("conv_output_size")
@pytest.mark.hint(es="Con los valores por defecto (stride 1, sin padding, sin dilatación): size - kernel_size + 1.",
                  en="With the defaults (stride 1, no padding, no dilation): size - kernel_size + 1.")
@grading_settings(max_examples=25)
@given(args=_conv_args(stride=False, padding=False, dilation=False))
def test_conv_output_size_defaults(student, args):
    size, k, *_ = args
    _check_conv(student, size, k, 1, 0, 1, nargs=2)


@pytest.mark.exercise("conv_output_size")
@grading_settings(max_examples=40)
@given(args=_conv_args(dilation=False))
def test_conv_output_size_stride_and_padding(student, args):
    _check_conv(student, *args, nargs=4)


@pytest.mark.exercise("conv_output_size")
@pytest.mark.hint(es="Un filtro de tamaño k con dilatación d abarca d*(k-1) + 1 píxeles.",
                  en="A filter of size k with dilation d spans d*(k-1) + 1 pixels.")
@grading_settings(max_examples=40)
@given(args=_conv_args())
def test_conv_output_size_dilation(student, args):
    _check_conv(student, *args)


# --------------------------------------------------------------------------
# TinyVGG
# --------------------------------------------------------------------------

# (in_channels, hidden_units, num_classes, image_size): in_channels != hidden and
# num_classes != hidden, so that shapes tell the tensors apart.
_VGG_CONFIGS = [(1, 8, 4, 16), (3, 5, 2, 8), (2, 6, 3, 12), (1, 4, 7, 28)]


def _vgg_param_count(c: int, h: int, n: int, s: int) -> int:
    return (c * h * 9 + h) + 3 * (h * h * 9 + h) + h * (s // 4) ** 2 * n + n


def _build_vgg(student, config, device: torch.device) -> Handle:
    model = student.TinyVGG(*config)
    check(isinstance(model, Handle) and model.is_a("nn.Module"),
          f"TinyVGG{config} debe ser un nn.Module; llegó {short(model)}",
          f"TinyVGG{config} must be an nn.Module; got {short(model)}")
    return model.to(device)


def _forward(model: Handle, x: torch.Tensor, config) -> torch.Tensor:
    c, h, _, s = config
    try:
        return model(x)
    except StudentRaised as exc:
        if exc.not_implemented or not exc.is_a(RuntimeError):
            raise
        fail(
            f"TinyVGG{config}: forward con imágenes {tuple(x.shape)} lanzó {short(exc.message, 240)}. "
            f"¿Depende el tamaño de entrada de la Linear de image_size? Debe ser hidden_units * (image_size // 4)**2 "
            f"= {h * (s // 4) ** 2}; las convoluciones llevan padding=1 y la primera recibe in_channels = {c} canales",
            f"TinyVGG{config}: forward with images {tuple(x.shape)} raised {short(exc.message, 240)}. "
            f"Does the Linear's input size depend on image_size? It must be hidden_units * (image_size // 4)**2 "
            f"= {h * (s // 4) ** 2}; the convolutions have padding=1 and the first takes in_channels = {c} channels",
        )


def _param_shapes(model: Handle) -> list[tuple[int, ...]]:
    return [tuple(p["shape"]) for p in model.params()]


@pytest.mark.exercise("TinyVGG")
@pytest.mark.hint(es=("Cada MaxPool(2) divide el lado entre 2: la Linear recibe "
                      "hidden_units * (image_size // 4)**2 valores."),
                  en="Each MaxPool(2) halves the side: the Linear receives hidden_units * (image_size // 4)**2 values.")
def test_tinyvgg_output_shape(student, lab, device):
    _precise(lab, device)
    g = generator(11)
    for config in _VGG_CONFIGS:
        c, _, n, s = config
        model = _build_vgg(student, config, device)
        for batch in (3, 1):  # one image too: nothing may squeeze the batch dimension away
            x = torch.randn(batch, c, s, s, generator=g).to(device)
            out = _forward(model, x, config)
            what = (f"TinyVGG{config} con entrada {(batch, c, s, s)}", f"TinyVGG{config} with input {(batch, c, s, s)}")
            compare.require_tensor(out, what)
            compare.shape(out, (batch, n), what)
            compare.device(out, device, what)


@pytest.mark.exercise("TinyVGG")
@pytest.mark.hint(es=("Cuatro convoluciones 3x3 con sesgo (la primera de in_channels a hidden_units, las otras "
                      "de hidden_units a hidden_units) y una sola Linear."),
                  en=("Four 3x3 convolutions with bias (the first from in_channels to hidden_units, the others "
                      "from hidden_units to hidden_units) and a single Linear."))
def test_tinyvgg_parameter_count(student, lab, device):
    _precise(lab, device)
    for config in _VGG_CONFIGS:
        c, h, n, s = config
        model = _build_vgg(student, config, device)
        # One forward first, so that lazily built layers have their parameters.
        _forward(model, torch.zeros(2, c, s, s).to(device), config)
        got = 0
        for shape in _param_shapes(model):
            size = 1
            for dim in shape:
                size *= int(dim)
            got += size
        expected = _vgg_param_count(c, h, n, s)
        if got == expected:
            continue
        conv = (c * h * 9 + h) + 3 * (h * h * 9 + h)
        detail_es = detail_en = ""
        if got == expected - 4 * h:
            detail_es, detail_en = " (¿convoluciones sin sesgo?)", " (convolutions without bias?)"
        elif (got - conv - n) % n == 0 and got - conv - n > 0:
            flat = (got - conv - n) // n
            detail_es = (f" (la Linear parece recibir {flat} valores; con image_size={s} deben ser "
                         f"hidden_units * (image_size // 4)**2 = {h * (s // 4) ** 2})")
            detail_en = (f" (the Linear seems to receive {flat} values; with image_size={s} it must be "
                         f"hidden_units * (image_size // 4)**2 = {h * (s // 4) ** 2})")
        fail(
            f"TinyVGG{config}: se esperaban {expected} parámetros y tiene {got}{detail_es}",
            f"TinyVGG{config}: expected {expected} parameters, it has {got}{detail_en}",
        )


def _assignments(student_shapes: list[tuple], ref_shapes: list[tuple]):
    """Ways to map the reference's tensors onto the student's by shape (in-order first).

    Yields lists of ``(student_index, ref_index, transposed)``. A 2-D reference
    tensor may match a student tensor of the transposed shape (``x @ W`` styles).
    """
    groups: dict[tuple, list[int]] = {}
    for i, shape in enumerate(student_shapes):
        groups.setdefault(tuple(shape), []).append(i)
    wanted: dict[tuple, list[int]] = {}
    for j, shape in enumerate(ref_shapes):
        wanted.setdefault(tuple(shape), []).append(j)
    plan = []  # (ref indices, student indices, transposed)
    used: set[tuple] = set()
    for shape, refs in wanted.items():
        if len(groups.get(shape, [])) == len(refs) and shape not in used:
            plan.append((refs, groups[shape], False))
            used.add(shape)
        elif len(shape) == 2 and len(groups.get(shape[::-1], [])) == len(refs) and shape[::-1] not in used:
            plan.append((refs, groups[shape[::-1]], True))
            used.add(shape[::-1])
        else:
            return
    if sum(len(s) for _, s, _ in plan) != len(student_shapes):
        return
    orders = [itertools.permutations(s) for _, s, _ in plan]
    for count, combo in enumerate(itertools.product(*orders)):
        if count >= 300:
            return
        mapping = []
        for (refs, _, transposed), studs in zip(plan, combo):
            for j, i in zip(refs, studs):
                mapping.append((i, j, transposed))
        yield mapping


def _close(out: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> bool:
    return (isinstance(out, torch.Tensor) and tuple(out.shape) == tuple(expected.shape)
            and bool(torch.isclose(compare.to_cpu(out).to(_f64), expected, rtol=rtol, atol=atol).all()))


@pytest.mark.exercise("TinyVGG")
@pytest.mark.weight(2)
@pytest.mark.hint(es=("Orden: Conv, ReLU, Conv, ReLU, MaxPool(2), dos veces; luego Flatten (C, H, W) y Linear, "
                      "sin nada después."),
                  en=("Order: Conv, ReLU, Conv, ReLU, MaxPool(2), twice; then Flatten (C, H, W) and Linear, "
                      "nothing after."))
def test_tinyvgg_matches_reference(student, lab, device):
    _precise(lab, device)
    rtol, atol = _tol(device)
    g = generator(12)
    for index, config in enumerate(_VGG_CONFIGS):
        c, _, _, s = config
        ref = init_params(_RefTinyVGG(*config), 100 + index, 0.25, 0.2).to(_f64).eval()
        model = _build_vgg(student, config, device)
        model.eval()
        x = torch.randn(4, c, s, s, generator=g)
        _forward(model, x.to(device), config)  # materialise lazy layers
        s_shapes = _param_shapes(model)
        r_params = [p.detach() for p in ref.parameters()]
        with torch.no_grad():
            expected = ref(x.to(_f64))
        matched = False
        tried = False
        last = None  # the output with the tensors mapped in order, for the feedback
        for mapping in _assignments(s_shapes, [tuple(p.shape) for p in r_params]):
            values: list = [None] * len(s_shapes)
            for i, j, transposed in mapping:
                values[i] = r_params[j].t() if transposed else r_params[j]
            model.set_params(values)
            out = _forward(model, x.to(device), config)
            compare.require_tensor(out, (f"TinyVGG{config}: salida", f"TinyVGG{config}: output"))
            if _close(out, expected, rtol, atol):
                matched = True
                break
            if not tried:
                last = compare.to_cpu(out).to(_f64)
            tried = True
        if matched:
            # No layer of the architecture behaves differently in training.
            model.train()
            out = _forward(model, x.to(device), config)
            check(_close(out, expected, rtol, atol),
                  f"TinyVGG{config}: en modo entrenamiento (model.train()) la salida difiere de la de la arquitectura, "
                  "aunque en modo evaluación coincide: ¿añadiste Dropout u otra capa que cambia al entrenar? La "
                  "arquitectura no lleva ni Dropout ni BatchNorm",
                  f"TinyVGG{config}: in train mode (model.train()) the output differs from the architecture's, "
                  "although in eval mode it matches: did you add Dropout or another layer that changes in training? "
                  "The architecture has neither Dropout nor BatchNorm")
            continue
        if not tried:
            shapes = sorted({tuple(p.shape) for p in r_params})
            fail(
                f"TinyVGG{config}: las formas de tus parámetros {s_shapes} no corresponden a las de la arquitectura "
                f"(4 convoluciones 3x3 con sesgo y una Linear: {shapes})",
                f"TinyVGG{config}: your parameters' shapes {s_shapes} do not match the architecture's "
                f"(4 3x3 convolutions with bias and one Linear: {shapes})",
            )
        es = en = ""
        with torch.no_grad():
            hwc = ref.fc(ref.features(x.to(_f64)).permute(0, 2, 3, 1).flatten(1))
        if last is not None and tuple(last.shape) == tuple(expected.shape):
            if _close(last, torch.softmax(expected, 1), rtol, atol):
                es, en = (" (aplicas softmax al final: devuelve logits)",
                          " (you apply softmax at the end: return logits)")
            elif _close(last, torch.relu(expected), rtol, atol):
                es, en = (" (hay una ReLU después de la Linear: devuelve logits)",
                          " (there is a ReLU after the Linear: return logits)")
            elif _close(last, hwc, rtol, atol):
                es, en = (" (aplanas en orden H, W, C: usa x.flatten(1) sobre (N, C, H, W))",
                          " (you flatten in H, W, C order: use x.flatten(1) on (N, C, H, W))")
        fail(
            f"TinyVGG{config}: con los pesos de la referencia copiados en tus parámetros (emparejados por forma), "
            f"la salida difiere{es}. Comprueba el orden Conv, ReLU, Conv, ReLU, MaxPool(2) en cada bloque, "
            f"el padding=1 y que no haya nada tras la Linear",
            f"TinyVGG{config}: with the reference weights copied into your parameters (matched by shape), the "
            f"output differs{en}. Check the order Conv, ReLU, Conv, ReLU, MaxPool(2) in each block, padding=1, and "
            f"that nothing follows the Linear",
        )


# --------------------------------------------------------------------------
# make_loader
# --------------------------------------------------------------------------


def _indexed_data(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Examples that carry their index: X[i] = (i, -i), y[i] = i."""
    idx = torch.arange(n)
    return torch.stack([idx.float(), -idx.float()], dim=1), idx.clone()


def _epoch(loader: object, n: int, batch_size: int) -> list[int]:
    """The example order of one pass (read back as data); checks the batch structure on the way."""
    if isinstance(loader, Handle):
        try:
            batches = loader.iterate()
        except StudentRaised as exc:
            if exc.is_a(TypeError) and "not iterable" in exc.message:
                fail(f"make_loader debe devolver un DataLoader; devolvió un {loader.type_name}",
                     f"make_loader must return a DataLoader; it returned a {loader.type_name}")
            raise
    elif isinstance(loader, (list, tuple)):
        batches = list(loader)
    else:
        fail(f"make_loader debe devolver un DataLoader; devolvió {short(loader)}",
             f"make_loader must return a DataLoader; it returned {short(loader)}")
    order: list[int] = []
    sizes: list[int] = []
    for batch in batches:
        check(isinstance(batch, (tuple, list)) and len(batch) == 2,
              f"cada lote debe ser un par (X_lote, y_lote); llegó {short(batch)}",
              f"each batch must be a pair (X_batch, y_batch); got {short(batch)}")
        xb = compare.require_tensor(batch[0], ("X_lote", "X_batch"))
        yb = compare.require_tensor(batch[1], ("y_lote", "y_batch"))
        check(xb.ndim == 2 and yb.ndim == 1 and len(xb) == len(yb),
              f"X_lote e y_lote deben ser un lote de ejemplos de X y sus y; llegaron formas {tuple(xb.shape)} y "
              f"{tuple(yb.shape)}",
              f"X_batch and y_batch must be a batch of examples of X and their y; got shapes {tuple(xb.shape)} and "
              f"{tuple(yb.shape)}")
        ys = [int(v) for v in compare.to_cpu(yb).tolist()]
        expected_x = torch.stack([torch.tensor(ys).float(), -torch.tensor(ys).float()], dim=1)
        compare.tensor_close(xb, expected_x, ("X_lote (debe ir con su y_lote)", "X_batch (must go with its y_batch)"))
        order.extend(ys)
        sizes.append(len(ys))
    full = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != full:
        if sum(sizes) == n - n % batch_size and n % batch_size:
            fail(f"con {n} ejemplos y batch_size={batch_size} faltan los {n % batch_size} del último lote: "
                 f"no descartes el último lote (drop_last=False)",
                 f"with {n} examples and batch_size={batch_size} the {n % batch_size} of the last batch are "
                 f"missing: do not drop the last batch (drop_last=False)")
        fail(f"con {n} ejemplos y batch_size={batch_size} se esperaban lotes de tamaños {full}; llegaron {sizes}",
             f"with {n} examples and batch_size={batch_size} expected batches of sizes {full}; got {sizes}")
    check(sorted(order) == list(range(n)),
          "cada ejemplo debe salir exactamente una vez por época",
          "every example must come out exactly once per epoch")
    return order


@pytest.mark.exercise("make_loader")
@pytest.mark.hint(es=("Pasa shuffle tal cual al DataLoader; no descarta el último lote salvo que le pidas "
                      "drop_last=True."),
                  en=("Hand shuffle over to the DataLoader as it is; it keeps the last batch unless you ask for "
                      "drop_last=True."))
def test_make_loader_keeps_order_and_last_batch(student):
    X, y = _indexed_data(10)
    loader = student.make_loader(X, y, 4)
    check(_epoch(loader, 10, 4) == list(range(10)),
          "make_loader(X, y, 4) (shuffle=False por defecto) debe dar los ejemplos en su orden",
          "make_loader(X, y, 4) (shuffle=False by default) must keep the examples in order")
    # Batches that divide the data, a batch larger than the data, and one explicit shuffle=False.
    for n, bs, options in ((10, 3, {"shuffle": False, "seed": mix(5)}), (12, 4, {}), (5, 8, {}),
                           (7, 7, {"shuffle": False})):
        X, y = _indexed_data(n)
        loader = student.make_loader(X, y, bs, **options)
        for _ in range(2):  # and again: the next epoch keeps the order too
            check(_epoch(loader, n, bs) == list(range(n)),
                  f"con shuffle=False los ejemplos deben salir en su orden (n={n}, batch_size={bs})",
                  f"with shuffle=False the examples must come in their order (n={n}, batch_size={bs})")


@pytest.mark.exercise("make_loader")
@pytest.mark.hint(es="Crea un torch.Generator propio con manual_seed(seed) y pásalo al DataLoader (generator=...).",
                  en=("Create a torch.Generator of your own with manual_seed(seed) and pass it to the DataLoader "
                      "(generator=...)."))
def test_make_loader_same_seed_same_batches(student, lab):
    n, bs = 24, 5
    X, y = _indexed_data(n)
    a = student.make_loader(X, y, bs, shuffle=True, seed=mix(7))
    lab.run("cnns_global_seed", seed=mix(999), draws=3)  # the global generator moves on between the two
    b = student.make_loader(X, y, bs, shuffle=True, seed=mix(7))
    orders = []
    for epoch in range(3):
        lab.run("cnns_global_seed", seed=mix(1000 + epoch))
        oa = _epoch(a, n, bs)
        lab.run("cnns_global_seed", seed=mix(2000 + epoch), draws=5)
        ob = _epoch(b, n, bs)
        check(oa == ob,
              f"dos loaders creados con la misma seed dieron otro orden en la época {epoch + 1} tras mover el "
              f"generador global ({oa[:8]}... frente a {ob[:8]}...): el barajado debe depender solo de seed, con un "
              f"torch.Generator propio, no de torch.manual_seed",
              f"two loaders built with the same seed gave another order in epoch {epoch + 1} after the global "
              f"generator moved ({oa[:8]}... vs {ob[:8]}...): the shuffling must depend on seed alone, through a "
              f"torch.Generator of its own, not torch.manual_seed")
        orders.append(oa)
    check(any(o != list(range(n)) for o in orders),
          "con shuffle=True los ejemplos deben salir barajados, no en su orden",
          "with shuffle=True the examples must come out shuffled, not in their order")
    check(len({tuple(o) for o in orders}) > 1,
          f"con shuffle=True las 3 épocas salieron en el mismo orden ({orders[0][:8]}...): hay que barajar en cada "
          "época, no una vez al crear el loader. Pasa shuffle=True y el generador al DataLoader, que baraja de nuevo "
          "en cada pasada",
          f"with shuffle=True the 3 epochs came in the same order ({orders[0][:8]}...): shuffle at each epoch, "
          "not once when the loader is built. Pass shuffle=True and the generator to the DataLoader, which shuffles "
          "again on every pass")


@pytest.mark.exercise("make_loader")
def test_make_loader_seed_matters(student):
    n, bs = 24, 6
    X, y = _indexed_data(n)
    firsts = [_epoch(student.make_loader(X, y, bs, shuffle=True, seed=mix(seed)), n, bs) for seed in (0, 1, 2)]
    check(len({tuple(o) for o in firsts}) == 3,
          "con shuffle=True, tres seeds distintas deben dar órdenes distintos: ¿usas la seed?",
          "with shuffle=True, three different seeds must give different orders: do you use the seed?")


# --------------------------------------------------------------------------
# train_epoch
# --------------------------------------------------------------------------

_PILE_UP = ("tras train_epoch los parámetros son los de no borrar nunca los gradientes: los gradientes se acumulan "
            "lote tras lote. Llama a optimizer.zero_grad() en cada lote, antes de loss.backward()",
            "after train_epoch the parameters are those of never clearing the gradients: gradients pile up batch "
            "after batch. Call optimizer.zero_grad() for each batch, before loss.backward()")


def _train_epoch_mismatch(lab, model: Handle, opt: Handle, before: dict, after: dict, start: nn.Module, batches,
                          *, lr: float, momentum: float, label_smoothing: float, rtol: float, atol: float,
                          summary: tuple[str, str]) -> None:
    """The parameters differ from the judge's run: fail, naming the mistake where one is recognised."""
    calls = lab.run("cnns_probe_calls", model=model)
    check(calls, "train_epoch no pasó ningún lote por el modelo",
          "train_epoch did not pass any batch through the model")
    check(any(training for training, _ in calls),
          "train_epoch usó el modelo en modo evaluación (el modelo llega en modo eval): "
          "llama a model.train() antes del bucle",
          "train_epoch used the model in eval mode (the model arrives in eval mode): "
          "call model.train() before the loop")
    check(len(calls) == len(batches),
          f"train_epoch hizo {len(calls)} pasadas hacia delante con {len(batches)} lotes: una por lote",
          f"train_epoch made {len(calls)} forward passes for {len(batches)} batches: one per batch")
    steps = lab.run("cnns_spy_steps", optimizer=opt)
    check(len(steps) == len(batches),
          f"train_epoch llamó a optimizer.step() {len(steps)} veces con {len(batches)} lotes: un paso por lote",
          f"train_epoch called optimizer.step() {len(steps)} times for {len(batches)} batches: one step per batch")
    check(all(steps),
          "al llamar a optimizer.step() no había gradientes: llama a loss.backward() antes",
          "there were no gradients when optimizer.step() ran: call loss.backward() before it")
    if not _state_diff(after, before, 0.0, 0.0):
        fail("tras train_epoch los parámetros no cambiaron: falta optimizer.step() (tras loss.backward())",
             "after train_epoch the parameters did not change: optimizer.step() (after loss.backward()) is missing")
    alike = {"lr": lr, "momentum": momentum}
    if not _state_diff(after, _sgd_epoch(start, batches, **alike, label_smoothing=label_smoothing, clear=False)[0],
                       rtol, atol):
        fail(*_PILE_UP)
    if label_smoothing and not _state_diff(after, _sgd_epoch(start, batches, **alike)[0], rtol, atol):
        fail("tras train_epoch los parámetros son los de la entropía cruzada sin más, no los de la loss_fn que "
             f"recibe (CrossEntropyLoss(label_smoothing={label_smoothing})): calcula la pérdida con loss_fn(salida, y)",
             "after train_epoch the parameters are those of plain cross-entropy, not of the loss_fn it is given "
             f"(CrossEntropyLoss(label_smoothing={label_smoothing})): compute the loss with loss_fn(output, y)")
    fail(*summary)


def _grade_train_epoch(student, lab, *, X, y, batch_size: int, seed: int, device: torch.device, device_arg,
                       arrives_training: bool, lr: float, momentum: float, label_smoothing: float,
                       summary: tuple[str, str]) -> None:
    _precise(lab, device)
    _autograd_on(lab)
    model, twin, start = _probe_net(lab, seed, device, train=arrives_training)
    loader = _loader(lab, X, y, batch_size)
    loss_fn = _loss(lab, label_smoothing)
    opt = _sgd(lab, model, twin, lr, momentum)
    got = _call("train_epoch", student.train_epoch, model, loader, loss_fn, opt, device_arg)
    after = model.state_dict()
    batches = _batches(X, y, batch_size)
    expected, losses, outs = _sgd_epoch(start, batches, lr=lr, momentum=momentum, label_smoothing=label_smoothing)
    rtol, atol = _tol(device)
    if _state_diff(after, expected, rtol, atol):
        _train_epoch_mismatch(lab, model, opt, _cpu_state(twin, params_only=True), after, start, batches, lr=lr,
                              momentum=momentum, label_smoothing=label_smoothing, rtol=rtol, atol=atol,
                              summary=summary)
    plain = _sgd_epoch(start, batches, lr=lr, momentum=momentum)[1] if label_smoothing else None
    _check_loss_and_acc("train_epoch", got, losses, outs, batches, device, plain=plain)


@pytest.mark.exercise("train_epoch")
@pytest.mark.hint(es=("Los gradientes se acumulan en .grad hasta que alguien los borra: "
                      "optimizer.zero_grad() en cada lote."),
                  en="Gradients pile up in .grad until someone clears them: optimizer.zero_grad() for each batch.")
def test_train_epoch_clears_gradients_one_step_per_batch(student, lab, device):
    X, y = _probe_data(16, 23)
    same = (torch.cat([X, X, X]), torch.cat([y, y, y]))  # the same batch three times
    _grade_train_epoch(
        student, lab, X=same[0], y=same[1], batch_size=16, seed=24, device=device, device_arg=device,
        arrives_training=True, lr=0.1, momentum=0.0, label_smoothing=0.0,
        summary=("con el mismo lote tres veces, tras train_epoch los parámetros difieren de los de un paso de SGD "
                 "por lote con los gradientes borrados en cada lote (zero_grad, backward, step)",
                 "with the same batch three times, after train_epoch the parameters differ from one SGD step per "
                 "batch with gradients cleared for each batch (zero_grad, backward, step)"))


@pytest.mark.exercise("train_epoch")
@pytest.mark.weight(2)
@pytest.mark.hint(es=("model.train() antes del bucle; en cada lote: mover a device, forward, pérdida, zero_grad, "
                      "backward, step."),
                  en=("model.train() before the loop; for each batch: move to device, forward, loss, zero_grad, "
                      "backward, step."))
def test_train_epoch_matches_reference(student, lab, device):
    X, y = _probe_data(48, 21)
    # The device as a str this time; the loss with label smoothing and SGD with momentum: any loss_fn and
    # optimizer it is given.
    _grade_train_epoch(
        student, lab, X=X, y=y, batch_size=16, seed=22, device=device, device_arg=str(device),
        arrives_training=False, lr=0.1, momentum=0.5, label_smoothing=0.1,
        summary=("tras train_epoch los parámetros difieren de los de un paso del optimizador por lote con los "
                 "gradientes borrados en cada lote (zero_grad, backward, step) y la pérdida loss_fn(salida, y)",
                 "after train_epoch the parameters differ from one optimizer step per batch with gradients cleared "
                 "for each batch (zero_grad, backward, step) and the loss loss_fn(output, y)"))


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------

# While autograd records, the probe network scales its input by this: an evaluation
# that tracks gradients computes other losses (see the module docstring).
_GRAD_SCALE = 1.5


def _grade_evaluate(student, lab, *, n: int, batch_size: int, data_seed: int, seed: int, device: torch.device,
                    device_arg, label_smoothing: float) -> None:
    _precise(lab, device)
    _autograd_on(lab)  # so that an evaluation which tracks gradients shows it
    X, y = _probe_data(n, data_seed)
    model, twin, start = _probe_net(lab, seed, device, train=True, grad_scale=_GRAD_SCALE)  # arrives in train mode
    loader = _loader(lab, X, y, batch_size)
    loss_fn = _loss(lab, label_smoothing)
    got = _call("evaluate", student.evaluate, model, loader, loss_fn, device_arg)
    after = model.state_dict()
    grads = [p["grad"] for p in model.params(grads=True)]
    batches = _batches(X, y, batch_size)
    losses, outs = _run(copy.deepcopy(start), batches, nn.CrossEntropyLoss(label_smoothing=label_smoothing),
                        train=False, grad=False)
    changed = _state_diff(after, _cpu_state(twin), 0.0, 0.0)
    calls = lab.run("cnns_probe_calls", model=model)
    if changed or any(gr is not None for gr in grads):
        # What the probe saw names the cause of a change the judge found.
        check(not any(training for training, _ in calls),
              "evaluate usó el modelo en modo entrenamiento (llega en modo train): llama a model.eval() antes "
              "del bucle; si no, BatchNorm usa las estadísticas del lote y cambia running_mean/running_var",
              "evaluate used the model in train mode (it arrives in train mode): call model.eval() before the loop; "
              "otherwise BatchNorm uses the batch's statistics and changes running_mean/running_var")
        check(not changed,
              f"evaluate cambió el modelo ({', '.join(changed[:4])}): evaluar no debe tocar parámetros ni estadísticas",
              f"evaluate changed the model ({', '.join(changed[:4])}): evaluating must not touch parameters "
              f"or statistics")
        fail("evaluate dejó gradientes en los parámetros: sin loss.backward() al evaluar",
             "evaluate left gradients on the parameters: no loss.backward() when evaluating")
    try:
        plain = None
        if label_smoothing:
            plain = _run(copy.deepcopy(start), batches, nn.CrossEntropyLoss(), train=False, grad=False)[0]
        _check_loss_and_acc("evaluate", got, losses, outs, batches, device, plain=plain,
                            mode_es=" (en modo eval)", mode_en=" (in eval mode)")
    except Feedback:
        check(calls, "evaluate no pasó ningún lote por el modelo", "evaluate did not pass any batch through the model")
        check(not any(training for training, _ in calls),
              "evaluate usó el modelo en modo entrenamiento (llega en modo train): llama a model.eval() antes "
              "del bucle",
              "evaluate used the model in train mode (it arrives in train mode): call model.eval() before the loop")
        check(not any(grad for _, grad in calls),
              "evaluate registró gradientes: envuelve el bucle en with torch.no_grad(): (o torch.inference_mode())",
              "evaluate tracked gradients: wrap the loop in with torch.no_grad(): (or torch.inference_mode())")
        raise
    # Afterwards the process computes with autograd again, as any later training needs: the model,
    # in eval mode, must give the output the judge computes with gradients tracked (the probe scales).
    model.eval()
    x = X[:4]
    out = model(x.to(device))
    with torch.no_grad():
        without = copy.deepcopy(start).eval()(x.to(_f64))
    tracked = copy.deepcopy(start).eval()(x.to(_f64)).detach()
    rtol, atol = _tol(device)
    check(not (_close(out, without, rtol, atol) and not _close(out, tracked, rtol, atol)),
          "evaluate dejó desactivado el seguimiento de gradientes para todo el proceso (torch.set_grad_enabled(False) "
          "sin volver a activarlo): después el modelo ya no calcula con autograd y cualquier entrenamiento posterior "
          "fallaría; usa un bloque `with torch.no_grad():`, que lo restablece al salir",
          "evaluate left gradient tracking switched off for the whole process (torch.set_grad_enabled(False) never "
          "switched back on): afterwards the model no longer computes with autograd and any later training would "
          "fail; use a `with torch.no_grad():` block, which restores it on exit")


@pytest.mark.exercise("evaluate")
@pytest.mark.hint(es="model.eval() y with torch.no_grad(): alrededor del bucle; ni backward ni optimizador.",
                  en="model.eval() and with torch.no_grad(): around the loop; no backward, no optimiser.")
def test_evaluate_eval_mode_no_side_effects(student, lab, device):
    _grade_evaluate(student, lab, n=40, batch_size=10, data_seed=31, seed=32, device=device, device_arg=device,
                    label_smoothing=0.0)


@pytest.mark.exercise("evaluate")
def test_evaluate_values(student, lab, device):
    # The device as a str, the loss with label smoothing: evaluate uses the loss_fn it is given.
    _grade_evaluate(student, lab, n=36, batch_size=12, data_seed=33, seed=34, device=device,
                    device_arg=str(device), label_smoothing=0.2)


# --------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------

_HISTORY_KEYS = ("train_loss", "train_acc", "test_loss", "test_acc")
# Adam's step is about lr * g / (|g| + 1e-8): for 0 < |g| below this, float32 rounding of g shows in the step.
_TINY_GRAD = 1e-6


def _call_fit(student, model, train_loader, test_loader, *, epochs, lr, device):
    return _call("fit", student.fit, model, train_loader, test_loader, epochs=epochs, lr=lr, device=device)


def _spy_grads(shapes: list[torch.Size], epochs: int, seed: int) -> list[list[torch.Tensor]]:
    """Gradients the train_epoch spy hands the optimiser, one set per epoch: no size near 0, where
    float32 rounding would show in Adam's normalised step, and sizes that vary between epochs, so
    that Adam's kept moments show."""
    g = generator(seed)
    out = []
    for _ in range(epochs):
        out.append([torch.where(torch.rand(s, generator=g) < 0.5, -1.0, 1.0) * (0.2 + 2 * torch.rand(s, generator=g))
                    for s in shapes])
    return out


def _history(got: object, epochs: int) -> dict[str, list[float]]:
    check(isinstance(got, dict),
          f"fit debe devolver un dict de listas; devolvió {short(got)}",
          f"fit must return a dict of lists; it returned {short(got)}")
    missing = [k for k in _HISTORY_KEYS if k not in got]
    check(not missing,
          f"al dict que devuelve fit le faltan las claves {missing}",
          f"the dict fit returns lacks the keys {missing}")
    out = {}
    for key in _HISTORY_KEYS:
        values = got[key]
        check(isinstance(values, (list, tuple)) and len(values) == epochs,
              f"fit: {key} debe ser una lista con un valor por época ({epochs}); llegó {short(values)}",
              f"fit: {key} must be a list with one value per epoch ({epochs}); got {short(values)}")
        out[key] = [compare.number(v, f"fit: {key}") for v in values]
        if key.endswith("acc"):
            check(all(0.0 <= v <= 1.0 for v in out[key]),
                  f"fit: {key} debe ser una fracción en [0, 1]; llegó {out[key]}",
                  f"fit: {key} must be a fraction in [0, 1]; got {out[key]}")
    return out


def _check_model_moved(model: Handle, device: torch.device) -> None:
    places = [p["device"] for p in model.params()]
    check(all(compare.same_device(d, device) for d in places),
          f"fit debe mover el modelo a {device} (model.to(device)); sus parámetros siguen en {places[0]}",
          f"fit must move the model to {device} (model.to(device)); its parameters are still on {places[0]}")


@pytest.mark.exercise("fit")
@pytest.mark.weight(2)
@pytest.mark.hint(es=("optimizer = torch.optim.Adam(model.parameters(), lr=lr), creado una sola vez antes del "
                      "bucle de épocas."),
                  en=("optimizer = torch.optim.Adam(model.parameters(), lr=lr), created once, before the loop "
                      "over epochs."))
def test_fit_matches_adam_reference(student, lab, device):
    """fit's loop, with spies as train_epoch and evaluate (no working helper runs in the student process).

    The spies note how fit calls them and answer (loss, accuracy) pairs chosen
    here; the train_epoch spy also gives the model gradients chosen here and
    steps the optimiser fit passed once. A fit that trains or evaluates with a
    loop of its own (it may) is followed by the judge's own run of that part.
    The judge replays the whole fit, epoch by epoch, in float64 from the same
    weights: the weights and history fit leaves must match.
    """
    _precise(lab, device)
    _autograd_on(lab)
    epochs, lr = 2, 0.01
    X, y = _probe_data(48, 41)
    Xt, yt = _probe_data(24, 42)
    model, twin, net = _probe_net(lab, 43, _cpu, train=True)  # arrives on the CPU
    train_loader, test_loader = _loader(lab, X, y, 16), _loader(lab, Xt, yt, 12)
    g = generator(44)
    answers = {role: [(round(0.3 + 2 * float(torch.rand(1, generator=g)), 6),
                       round(float(torch.randint(1, 48, (1,), generator=g)) / 48, 6)) for _ in range(epochs)]
               for role in ("train", "evaluate")}
    logits, targets = torch.randn(6, 3, generator=g), torch.randint(0, 3, (6,), generator=g)
    grads = _spy_grads([p.shape for p in twin.parameters()], epochs, 45)
    common = {"model": model, "train_loader": train_loader, "test_loader": test_loader,
              "logits": logits, "targets": targets}
    train_spy = lab.spy("cnns_fit_spy", role="train", answers=answers["train"], grads=grads, **common)
    eval_spy = lab.spy("cnns_fit_spy", role="evaluate", answers=answers["evaluate"], partner=train_spy, **common)
    lab.lend(train_epoch=train_spy, evaluate=eval_spy)
    got = _call_fit(student, model, train_loader, test_loader, epochs=epochs, lr=lr, device=device)
    hist = _history(got, epochs)
    _check_model_moved(model, device)
    log = lab.spy_log(train_spy)
    spied = {"train": any(e.get("role") == "train" for e in log), "test": any(e.get("role") == "evaluate" for e in log)}
    _check_fit_calls(log, epochs, device, F.cross_entropy(logits, targets).item(), spied)
    after = model.state_dict()
    check(_state_diff(after, _cpu_state(twin, params_only=True), 0.0, 0.0),
          "fit no cambió los parámetros del modelo: ¿entrenas el modelo que recibes, con un optimizador "
          "sobre sus parámetros?",
          "fit did not change the model's parameters: do you train the model you are given, with an optimiser "
          "over its parameters?")
    if any(entry.get("optimizer") for entry in log if entry.get("role") == "train"):
        fail("fit crea un optimizador nuevo en cada época: Adam(model.parameters(), lr=lr) se crea una vez, antes "
             "del bucle, y se usa en todas las épocas (un Adam nuevo pierde lo que aprendió de los gradientes)",
             "fit creates a new optimiser every epoch: Adam(model.parameters(), lr=lr) is created once, before the "
             "loop, and used for every epoch (no new one per epoch: a new Adam forgets what it learnt from the "
             "gradients)")
    # The judge's own fit: Adam(lr) and cross-entropy, one optimiser for every epoch; an epoch fit left to
    # the train_epoch spy is one Adam step with the spy's gradients, one it ran itself is the real epoch.
    train, test = _batches(X, y, 16), _batches(Xt, yt, 12)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    exp: dict[str, list] = {key: [] for key in _HISTORY_KEYS}
    seen = {"train": [], "test": []}
    tiny = {name: torch.zeros_like(p, dtype=torch.bool) for name, p in net.named_parameters()}

    def note_tiny_gradients(module: nn.Module) -> None:
        for name, p in module.named_parameters():
            tiny[name] |= (p.grad != 0) & (p.grad.abs() < _TINY_GRAD)

    for epoch in range(epochs):
        for part, batches, step in (("train", train, opt), ("test", test, None)):
            if spied[part]:
                if step is not None:
                    for p, grad in zip(net.parameters(), grads[epoch]):
                        p.grad = grad.to(_f64)
                    step.step()
                loss, acc = answers["train" if part == "train" else "evaluate"][epoch]
                exp[f"{part}_loss"].append(loss)
                exp[f"{part}_acc"].append(acc)
                seen[part].append(None)
                continue
            losses, outs = _run(net, batches, nn.CrossEntropyLoss(), opt=step, train=step is not None,
                                grad=step is not None, watch=note_tiny_gradients)
            exp[f"{part}_loss"].append(sum(losses) / len(losses))
            exp[f"{part}_acc"].append(_hits(outs, batches, _gap(device)))
            seen[part].append(sum(len(b[1]) for b in batches))
    rtol, atol = _tol(device)
    # Adam divides by the gradient's size: where it was tiny, rounding in float32 moves a step by up to lr.
    slack = {name: mask.to(_f64) * lr * epochs * len(train) for name, mask in tiny.items()}
    if _state_diff(after, _cpu_state(net), max(rtol, 1e-4), max(atol, 1e-5), slack):
        fail("tras fit los parámetros difieren de los de Adam(model.parameters(), lr=lr) con entropía cruzada, "
             "creado una vez y usado en todas las épocas (ni otro optimizador, ni otros argumentos, "
             "ni uno nuevo por época)",
             "after fit the parameters differ from those of Adam(model.parameters(), lr=lr) with cross-entropy, "
             "created once and used for every epoch (no other optimiser, no other arguments, no new one per epoch)")
    for key in _HISTORY_KEYS:
        part = key.split("_")[0]
        ok, shown = True, []
        for got_v, expected, n in zip(hist[key], exp[key], seen[part]):
            if n is None:  # a spy's answer, passed on as it came
                ok &= _near(got_v, expected, 1e-6, 1e-9)
                shown.append(expected)
            elif key.endswith("loss"):
                ok &= _near(got_v, expected, max(rtol, 1e-4), 1e-5)
                shown.append(round(expected, 5))
            else:
                right, sure, unsure = expected
                ok &= _acc_ok(got_v, n, sure, unsure)
                shown.append(round(right / n, 5))
        if not ok:
            helper = ("train_epoch" if part == "train" else "evaluate") if spied[part] else ""
            fail(f"fit: {key} esperado {shown}, llegó {[round(v, 6) for v in hist[key]]}"
                 + (f" (lo que devuelve {helper}, época a época)" if helper else "")
                 + (" (¿entrenamiento y evaluación intercambiados?)" if part == "test" else ""),
                 f"fit: expected {key} {shown}, got {[round(v, 6) for v in hist[key]]}"
                 + (f" (what {helper} returns, epoch by epoch)" if helper else "")
                 + (" (training and evaluation swapped?)" if part == "test" else ""))


def _names_device(text: object, device: torch.device) -> bool:
    """Whether ``text`` (what a spy noted of a device argument) names ``device``."""
    try:
        return compare.same_device(str(text), device)
    except (RuntimeError, ValueError):  # not a device at all
        return False


def _check_fit_calls(log: list[dict], epochs: int, device: torch.device, ce: float, spied: dict[str, bool]) -> None:
    """fit calls train_epoch then evaluate (those it uses) once per epoch, with its model, loaders, device and
    a cross-entropy."""
    roles = [entry.get("role") for entry in log]
    epoch = [role for role, part in (("train", "train"), ("evaluate", "test")) if spied[part]]
    check(roles == epoch * epochs,
          f"fit debe llamar, en cada una de las {epochs} épocas, a train_epoch y luego a evaluate, una vez cada una; "
          f"llamó {[e.get('spy') for e in log][:12]}",
          f"fit must call train_epoch and then evaluate, once each, in every one of the {epochs} epochs; "
          f"it called {[e.get('spy') for e in log][:12]}")
    for entry in log:
        helper = entry.get("spy")
        check(entry.get("same_model") is True,
              f"fit debe pasar a {helper} el modelo que recibe", f"fit must pass {helper} the model it is given")
        wanted = "train" if entry.get("role") == "train" else "test"
        check(entry.get("loader") == wanted,
              f"fit debe pasar a {helper} {wanted}_loader (¿entrenamiento y evaluación intercambiados?)",
              f"fit must pass {helper} {wanted}_loader (training and evaluation swapped?)")
        check(_names_device(entry.get("device"), device),
              f"fit debe pasar a {helper} el device que recibe ({device}); pasó {entry.get('device')!r}",
              f"fit must pass {helper} the device it is given ({device}); it passed {entry.get('device')!r}")
        loss = entry.get("loss")
        check(isinstance(loss, float) and _near(loss, ce, 1e-4, 1e-6),
              f"fit debe pasar a {helper} la entropía cruzada (nn.CrossEntropyLoss()) como loss_fn; con ella, "
              f"una pérdida de {ce:.5f} dio {loss}",
              f"fit must pass {helper} cross-entropy (nn.CrossEntropyLoss()) as loss_fn; on a loss of {ce:.5f} "
              f"it gave {loss}")


# A reference TinyVGG fitted on shapes images must reach this test accuracy.
# Over 50 seeds of data, shuffling and initialisation the lowest was 0.805 (mean 0.91).
_FIT_BAR = 0.7
_FIT_TASK = {"classes": ("circle", "cross"), "train_n": 1000, "test_n": 200, "epochs": 4, "lr": 0.003,
             "batch_size": 25, "hidden": 8, "data_seed": 0, "init_seed": 1}


@pytest.mark.exercise("fit")
@pytest.mark.hint(es="Si fit entrena bien con Adam(lr), una TinyVGG aprende a distinguir las figuras en pocas épocas.",
                  en="If fit trains properly with Adam(lr), a TinyVGG learns to tell the shapes apart in a few epochs.")
def test_fit_reaches_accuracy_bar(student, lab, device):
    lab.unlend()  # fit runs with the student's own train_epoch and evaluate: the only test that follows their bugs
    _precise(lab, device)
    _autograd_on(lab)
    t = _FIT_TASK
    X, y = make_shapes(t["train_n"], classes=t["classes"], seed=mix(t["data_seed"]))
    Xt, yt = make_shapes(t["test_n"], classes=t["classes"], seed=mix(t["data_seed"] + 1000))
    layers = _vgg_layers(1, t["hidden"], len(t["classes"]), 16)
    model, twin = lab.build_with_twin("cnns_sequential", layers=layers, init_seed=mix(t["init_seed"]))
    g = generator(t["data_seed"])
    # One order for the loader's check, then one per epoch: shuffled batches the judge chose.
    orders = [torch.randperm(t["train_n"], generator=g).tolist() for _ in range(t["epochs"] + 1)]
    train_loader = _loader(lab, X, y, t["batch_size"], orders=orders)
    test_loader = _loader(lab, Xt, yt, 50)
    got = _call_fit(student, model, train_loader, test_loader, epochs=t["epochs"], lr=t["lr"],
                    device=str(device))  # the device as a str
    del got  # what fit returns is graded with spies (test_fit_matches_adam_reference); here, only the weights
    _check_model_moved(model, device)
    # The test accuracy of the weights fit left behind, computed here.
    net = copy.deepcopy(twin).to(_f64).eval()
    state = model.state_dict()
    check(isinstance(state, dict) and sorted(state) == sorted(net.state_dict()),
          "fit cambió la estructura del modelo que recibe", "fit changed the structure of the model it is given")
    net.load_state_dict({k: compare.to_cpu(v).to(_f64) for k, v in state.items()})
    test = _batches(Xt, yt, 50)
    with torch.no_grad():
        outs = [net(Xb) for Xb, _ in test]
    right, _, _ = _hits(outs, test, _gap(device))
    acc = right / t["test_n"]
    check(acc >= _FIT_BAR,
          f"tras fit (Adam, lr={t['lr']}, {t['epochs']} épocas) una TinyVGG de referencia acierta {acc:.2f} de las "
          f"imágenes de prueba; se esperaba al menos {_FIT_BAR}",
          f"after fit (Adam, lr={t['lr']}, {t['epochs']} epochs) a reference TinyVGG gets {acc:.2f} of the test "
          f"images right; at least {_FIT_BAR} was expected")
