"""Hidden grader for the ``cnns`` topic (convolutional networks).

Every exercise is graded on its own: where an exercise takes a model, a loader or
a helper, the grader builds its own reference one (a small CNN with BatchNorm and
a probe layer that records the mode and the gradient mode of every forward call,
so that train/eval mistakes are seen, deterministically). ``fit`` runs with the
grader's own ``train_epoch`` and ``evaluate`` put in the student's module for the
duration of the call, so a bug there costs only its own exercise.

TinyVGG is judged by behaviour: output shapes for several image sizes, the
parameter count, and the output once the reference weights are copied into the
student's parameters, matched by shape (the sizes used make the shapes of the
first conv weight, the Linear weight and the conv/Linear biases distinct; tensors
of equal shape are tried in every order), never by attribute names or module
types. Moving batches or the model to the device can only be seen on an
accelerator: on a CPU-only machine those checks pass trivially.

No tensor is created at import time (the module is imported in the warm parent).
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
from torch.utils.data import DataLoader, TensorDataset

from torchdojo.datasets.shapes import make_shapes
from torchdojo.grading import compare
from torchdojo.grading.feedback import Feedback, check, fail, short
from torchdojo.grading.helpers import generator, init_params, swapped_in
from torchdojo.grading.props import grading_settings

# Bound before any student code runs.
_deepcopy = copy.deepcopy
_equal = torch.equal
_isclose = torch.isclose
_grad_enabled = torch.is_grad_enabled
_isinstance = isinstance
_len = len
_list = list
_tuple = tuple
_float = float
_int = int
_cpu = torch.device("cpu")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


_gen = generator


def _init(module: nn.Module, seed: int, scale: float = 0.3) -> nn.Module:
    """Overwrite every parameter (and BatchNorm statistics) from a private generator."""
    return init_params(module, seed, scale, mean_scale=0.2)


def _state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: compare.to_cpu(v) for k, v in model.state_dict().items()}


def _params(model: nn.Module) -> list[torch.Tensor]:
    return [compare.to_cpu(p) for p in model.parameters()]


def _close_lists(got: list[torch.Tensor], expected: list[torch.Tensor], rtol: float, atol: float) -> bool:
    if _len(got) != _len(expected):
        return False
    for g, e in zip(got, expected):
        if _tuple(g.shape) != _tuple(e.shape):
            return False
        if not bool(_isclose(g.double(), e.double(), rtol=rtol, atol=atol).all()):
            return False
    return True


def _identical(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> list[str]:
    """Keys whose tensors are not bit-for-bit equal."""
    return [k for k in a if k not in b or a[k].dtype != b[k].dtype or not _equal(a[k], b[k])]


def _tol(device: torch.device) -> tuple[float, float]:
    # Accelerators may use TF32 for convolutions: looser there.
    return (1e-4, 1e-5) if device.type == "cpu" else (2e-3, 2e-4)


def _is_device_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return _isinstance(exc, RuntimeError) and not _isinstance(exc, NotImplementedError) and (
        "device" in text or "cuda" in text or "mps" in text or "type (torch" in text)


def _device_feedback(exc: BaseException, what_es: str, what_en: str) -> Feedback:
    return Feedback(
        f"{what_es} falló por mezclar dispositivos ({short(str(exc), 200)}): debe mover a `device` lo que usa "
        "(los lotes con `X.to(device)`, `y.to(device)`; el modelo con `model.to(device)`)",
        f"{what_en} failed by mixing devices ({short(str(exc), 200)}): it must move what it uses to `device` "
        "(the batches with `X.to(device)`, `y.to(device)`; the model with `model.to(device)`)",
    )


def _pair_of_floats(got: object, name: str) -> tuple[float, float]:
    check(
        _isinstance(got, (tuple, _list)) and _len(got) == 2,
        f"{name} debe devolver una tupla (pérdida_media, exactitud); devolvió {short(got)}",
        f"{name} must return a tuple (mean_loss, accuracy); it returned {short(got)}",
    )
    loss = compare.number(got[0], (f"{name}: pérdida media", f"{name}: mean loss"))
    acc = compare.number(got[1], (f"{name}: exactitud", f"{name}: accuracy"))
    return loss, acc


def _near(a: float, b: float, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    return abs(a - b) <= atol + rtol * abs(b)


# -- a mode probe and a small CNN with BatchNorm -----------------------------


class _Probe(nn.Module):
    """Identity that records ``(training, grad_enabled)`` at every call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((bool(self.training), bool(_grad_enabled())))
        return x


class _ProbeNet(nn.Module):
    """Conv(1->4) - BatchNorm - ReLU - MaxPool(2) - Linear(64 -> 3), for (N, 1, 8, 8) images."""

    def __init__(self) -> None:
        super().__init__()
        self.probe = _Probe()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.head = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.probe(x)
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.head(x.flatten(1))


def _probe_net(seed: int, device: torch.device) -> _ProbeNet:
    return _init(_ProbeNet(), seed).to(device)


def _probe_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = _gen(seed)
    X = torch.randn(n, 1, 8, 8, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    return X, y


def _loader(X: torch.Tensor, y: torch.Tensor, batch_size: int) -> DataLoader:
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=False)


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


def _ref_train_epoch(model, loader, loss_fn, optimizer, device, batch_losses=None, clear=True):
    model.train()
    total, correct, seen = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        out = model(X)
        loss = loss_fn(out, y)
        if clear:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if batch_losses is not None:
            batch_losses.append(loss.item())
        total += loss.item() * _len(y)
        correct += _int((out.argmax(1) == y).sum().item())
        seen += _len(y)
    return total / seen, correct / seen


def _ref_evaluate(model, loader, loss_fn, device):
    model.eval()
    total, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            out = model(X)
            total += loss_fn(out, y).item() * _len(y)
            correct += _int((out.argmax(1) == y).sum().item())
            seen += _len(y)
    return total / seen, correct / seen


def _ref_fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for _ in range(epochs):
        a, b = _ref_train_epoch(model, train_loader, loss_fn, opt, device)
        c, d = _ref_evaluate(model, test_loader, loss_fn, device)
        for key, value in zip(hist, (a, b, c, d)):
            hist[key].append(value)
    return hist


_patched = swapped_in


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
        return _int(conv(torch.zeros(1, 1, size, size)).shape[-1])


def _conv_diagnosis(got: int, size: int, k: int, s: int, p: int, d: int) -> tuple[str, str]:
    candidates = [
        (_ref_conv_output_size(size, k, s, p, 1), d != 1,
         "olvidaste la dilatación: el filtro abarca dilation*(kernel_size-1) + 1 píxeles",
         "you forgot the dilation: the filter spans dilation*(kernel_size-1) + 1 pixels"),
        (_ref_conv_output_size(size, k, s, 0, d), p != 0,
         "olvidaste el padding: se añaden `padding` ceros a cada lado (2*padding en total)",
         "you forgot the padding: `padding` zeros are added on each side (2*padding in all)"),
        ((size + p - d * (k - 1) - 1) // s + 1, p != 0,
         "contaste el padding una sola vez: se añade a cada lado, 2*padding en total",
         "you counted the padding once: it is added on each side, 2*padding in all"),
        ((size + 2 * p - d * (k - 1) - 1) // s, True,
         "falta el +1 final de la fórmula",
         "the formula's final +1 is missing"),
        (-((-(size + 2 * p - d * (k - 1) - 1)) // s) + 1, s != 1,
         "redondeaste hacia arriba: la división por el stride se redondea hacia abajo (`//`)",
         "you rounded up: the division by the stride rounds down (`//`)"),
        ((size + 2 * p - d * k) // s + 1, True,
         "el filtro abarca dilation*(kernel_size-1) + 1 píxeles, no dilation*kernel_size",
         "the filter spans dilation*(kernel_size-1) + 1 pixels, not dilation*kernel_size"),
    ]
    for value, relevant, es, en in candidates:
        if relevant and got == value and value != _ref_conv_output_size(size, k, s, p, d):
            return " (" + es + ")", " (" + en + ")"
    return "", ""


def _check_conv(student, size: int, k: int, s: int, p: int, d: int, *, nargs: int = 5) -> None:
    expected = _conv2d_size(size, k, s, p, d)
    args = (size, k, s, p, d)[:nargs]
    got = student.conv_output_size(*args)
    call = f"conv_output_size{args}"
    value = compare.number(got, call, integer=True)
    if value != expected:
        es, en = _conv_diagnosis(value, size, k, s, p, d)
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


def _build_vgg(student, config, device: torch.device) -> nn.Module:
    model = student.TinyVGG(*config)
    check(_isinstance(model, nn.Module),
          f"TinyVGG{config} debe ser un nn.Module; llegó {short(model)}",
          f"TinyVGG{config} must be an nn.Module; got {short(model)}")
    return model.to(device)


def _forward(model: nn.Module, x: torch.Tensor, config) -> torch.Tensor:
    _, h, _, s = config
    try:
        return model(x)
    except NotImplementedError:
        raise
    except RuntimeError as exc:
        fail(
            f"TinyVGG{config}: forward con imágenes {_tuple(x.shape)} lanzó {short(str(exc), 240)}. "
            f"¿Depende el tamaño de entrada de la Linear de image_size? Debe ser hidden_units * (image_size // 4)**2 "
            f"= {h * (s // 4) ** 2}; y las convoluciones llevan padding=1",
            f"TinyVGG{config}: forward with images {_tuple(x.shape)} raised {short(str(exc), 240)}. "
            f"Does the Linear's input size depend on image_size? It must be hidden_units * (image_size // 4)**2 "
            f"= {h * (s // 4) ** 2}; and the convolutions have padding=1",
        )


@pytest.mark.exercise("TinyVGG")
@pytest.mark.hint(es="Cada MaxPool(2) divide el lado entre 2: la Linear recibe hidden_units * (image_size // 4)**2 valores.",
                  en="Each MaxPool(2) halves the side: the Linear receives hidden_units * (image_size // 4)**2 values.")
def test_tinyvgg_output_shape(student, device):
    g = _gen(11)
    for config in _VGG_CONFIGS:
        c, _, n, s = config
        model = _build_vgg(student, config, device)
        x = torch.randn(3, c, s, s, generator=g).to(device)
        out = _forward(model, x, config)
        what = (f"TinyVGG{config} con entrada {(3, c, s, s)}", f"TinyVGG{config} with input {(3, c, s, s)}")
        compare.require_tensor(out, what)
        compare.shape(out, (3, n), what)
        compare.device(out, device, what)


@pytest.mark.exercise("TinyVGG")
@pytest.mark.hint(es="Cuatro convoluciones 3x3 con sesgo (la primera de in_channels a hidden_units, las otras de hidden_units a hidden_units) y una sola Linear.",
                  en="Four 3x3 convolutions with bias (the first from in_channels to hidden_units, the others from hidden_units to hidden_units) and a single Linear.")
def test_tinyvgg_parameter_count(student, device):
    for config in _VGG_CONFIGS:
        c, h, n, s = config
        model = _build_vgg(student, config, device)
        # One forward first, so that lazily built layers have their parameters.
        _forward(model, torch.zeros(2, c, s, s).to(device), config)
        got = _int(sum(p.numel() for p in model.parameters()))
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


def _assignments(student_params: list[torch.Tensor], ref_params: list[torch.Tensor]):
    """Ways to map the reference's tensors onto the student's by shape (in-order first).

    Yields lists of ``(student_param, ref_tensor, transposed)``. A 2-D reference
    tensor may match a student tensor of the transposed shape (``x @ W`` styles).
    """
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(student_params):
        groups.setdefault(_tuple(p.shape), []).append(i)
    wanted: dict[tuple, list[int]] = {}
    for j, r in enumerate(ref_params):
        wanted.setdefault(_tuple(r.shape), []).append(j)
    plan = []  # (ref indices, student indices, transposed)
    used: set[tuple] = set()
    for shape, refs in wanted.items():
        if _len(groups.get(shape, [])) == _len(refs) and shape not in used:
            plan.append((refs, groups[shape], False))
            used.add(shape)
        elif _len(shape) == 2 and _len(groups.get(shape[::-1], [])) == _len(refs) and shape[::-1] not in used:
            plan.append((refs, groups[shape[::-1]], True))
            used.add(shape[::-1])
        else:
            return
    if sum(_len(s) for _, s, _ in plan) != _len(student_params):
        return
    orders = [itertools.permutations(s) for _, s, _ in plan]
    for count, combo in enumerate(itertools.product(*orders)):
        if count >= 300:
            return
        mapping = []
        for (refs, _, transposed), studs in zip(plan, combo):
            for j, i in zip(refs, studs):
                mapping.append((student_params[i], ref_params[j], transposed))
        yield mapping


@pytest.mark.exercise("TinyVGG")
@pytest.mark.weight(2)
@pytest.mark.hint(es="Orden: Conv, ReLU, Conv, ReLU, MaxPool(2), dos veces; luego Flatten (C, H, W) y Linear, sin nada después.",
                  en="Order: Conv, ReLU, Conv, ReLU, MaxPool(2), twice; then Flatten (C, H, W) and Linear, nothing after.")
def test_tinyvgg_matches_reference(student, device):
    rtol, atol = _tol(device)
    g = _gen(12)
    for seed, config in enumerate([(2, 6, 3, 16), (3, 5, 2, 8)]):
        c, _, _, s = config
        ref = _init(_RefTinyVGG(*config), 100 + seed, scale=0.25).to(device).eval()
        model = _build_vgg(student, config, device)
        model.eval()
        x = torch.randn(4, c, s, s, generator=g).to(device)
        _forward(model, x, config)  # materialise lazy layers
        s_params = _list(model.parameters())
        r_params = [p.detach() for p in ref.parameters()]
        with torch.no_grad():
            expected = ref(x)
        matched = False
        tried = False
        last = None  # the output with the tensors mapped in order, for the feedback
        for mapping in _assignments(s_params, r_params):
            with torch.no_grad():
                for sp, rp, transposed in mapping:
                    sp.copy_((rp.t() if transposed else rp).to(sp.device, sp.dtype))
                out = _forward(model, x, config)
            compare.require_tensor(out, (f"TinyVGG{config}: salida", f"TinyVGG{config}: output"))
            if _tuple(out.shape) == _tuple(expected.shape) and _close_lists(
                    [compare.to_cpu(out).float()], [compare.to_cpu(expected)], rtol, atol):
                matched = True
                break
            if not tried:
                last = compare.to_cpu(out)
            tried = True
        if matched:
            continue
        if not tried:
            shapes = sorted({_tuple(p.shape) for p in r_params})
            got_shapes = [_tuple(p.shape) for p in s_params]
            fail(
                f"TinyVGG{config}: las formas de tus parámetros {got_shapes} no corresponden a las de la arquitectura "
                f"(4 convoluciones 3x3 con sesgo y una Linear: {shapes})",
                f"TinyVGG{config}: your parameters' shapes {got_shapes} do not match the architecture's "
                f"(4 3x3 convolutions with bias and one Linear: {shapes})",
            )
        exp_cpu = compare.to_cpu(expected)
        es = en = ""
        with torch.no_grad():
            feats = ref.features(x)
            hwc = compare.to_cpu(ref.fc(feats.permute(0, 2, 3, 1).flatten(1)))
        if last is not None and _tuple(last.shape) == _tuple(exp_cpu.shape):
            if _close_lists([last.float()], [torch.softmax(exp_cpu, 1)], rtol, atol):
                es, en = " (aplicas softmax al final: devuelve logits)", " (you apply softmax at the end: return logits)"
            elif _close_lists([last.float()], [torch.relu(exp_cpu)], rtol, atol):
                es, en = " (hay una ReLU después de la Linear: devuelve logits)", " (there is a ReLU after the Linear: return logits)"
            elif _close_lists([last.float()], [hwc], rtol, atol):
                es, en = (" (aplanas en orden H, W, C: usa x.flatten(1) sobre (N, C, H, W))",
                          " (you flatten in H, W, C order: use x.flatten(1) on (N, C, H, W))")
        fail(
            f"TinyVGG{config}: con los pesos de la referencia copiados en tus parámetros (emparejados por forma), "
            f"la salida difiere{es}. Comprueba el orden Conv, ReLU, Conv, ReLU, MaxPool(2) en cada bloque, el padding=1 "
            f"y que no haya nada tras la Linear",
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


def _epoch(loader, n: int, batch_size: int) -> list[int]:
    """The example order of one pass; checks the batch structure on the way."""
    order: list[int] = []
    sizes: list[int] = []
    try:
        iterator = iter(loader)
    except TypeError:
        fail(f"make_loader debe devolver un DataLoader; devolvió {short(loader)}",
             f"make_loader must return a DataLoader; it returned {short(loader)}")
    for batch in iterator:
        check(_isinstance(batch, (tuple, _list)) and _len(batch) == 2,
              f"cada lote debe ser un par (X_lote, y_lote); llegó {short(batch)}",
              f"each batch must be a pair (X_batch, y_batch); got {short(batch)}")
        xb = compare.require_tensor(batch[0], ("X_lote", "X_batch"))
        yb = compare.require_tensor(batch[1], ("y_lote", "y_batch"))
        check(_len(xb) == _len(yb), "X_lote e y_lote tienen longitudes distintas",
              "X_batch and y_batch have different lengths")
        ys = [_int(v) for v in compare.to_cpu(yb).tolist()]
        expected_x = torch.stack([torch.tensor(ys).float(), -torch.tensor(ys).float()], dim=1)
        compare.tensor_close(xb, expected_x, ("X_lote (debe ir con su y_lote)", "X_batch (must go with its y_batch)"))
        order.extend(ys)
        sizes.append(_len(ys))
    full = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    if sizes != full:
        if sum(sizes) == n - n % batch_size and n % batch_size:
            fail(f"con {n} ejemplos y batch_size={batch_size} faltan los {n % batch_size} del último lote: "
                 f"no descartes el último lote (drop_last=False)",
                 f"with {n} examples and batch_size={batch_size} the {n % batch_size} of the last batch are "
                 f"missing: do not drop the last batch (drop_last=False)")
        fail(f"con {n} ejemplos y batch_size={batch_size} se esperaban lotes de tamaños {full}; llegaron {sizes}",
             f"with {n} examples and batch_size={batch_size} expected batches of sizes {full}; got {sizes}")
    check(sorted(order) == _list(range(n)),
          "cada ejemplo debe salir exactamente una vez por época",
          "every example must come out exactly once per epoch")
    return order


@pytest.mark.exercise("make_loader")
@pytest.mark.hint(es="Pasa shuffle tal cual al DataLoader; no descarta el último lote salvo que le pidas drop_last=True.",
                  en="Hand shuffle over to the DataLoader as it is; it keeps the last batch unless you ask for drop_last=True.")
def test_make_loader_keeps_order_and_last_batch(student):
    X, y = _indexed_data(10)
    loader = student.make_loader(X, y, 4)
    check(_epoch(loader, 10, 4) == _list(range(10)),
          "make_loader(X, y, 4) (shuffle=False por defecto) debe dar los ejemplos en su orden",
          "make_loader(X, y, 4) (shuffle=False by default) must keep the examples in order")
    loader = student.make_loader(X, y, 3, shuffle=False, seed=5)
    check(_epoch(loader, 10, 3) == _list(range(10)),
          "con shuffle=False los ejemplos deben salir en su orden",
          "with shuffle=False the examples must come in their order")


@pytest.mark.exercise("make_loader")
@pytest.mark.hint(es="Crea un torch.Generator propio con manual_seed(seed) y pásalo al DataLoader (generator=...).",
                  en="Create a torch.Generator of your own with manual_seed(seed) and pass it to the DataLoader (generator=...).")
def test_make_loader_same_seed_same_batches(student):
    n, bs = 24, 5
    X, y = _indexed_data(n)
    a = student.make_loader(X, y, bs, shuffle=True, seed=7)
    torch.rand(3)  # the global generator moves on between the two
    b = student.make_loader(X, y, bs, shuffle=True, seed=7)
    orders = []
    for epoch in range(3):
        torch.manual_seed(1000 + epoch)
        oa = _epoch(a, n, bs)
        torch.manual_seed(2000 + epoch)
        torch.rand(5)
        ob = _epoch(b, n, bs)
        check(oa == ob,
              f"dos loaders creados con la misma seed dieron otro orden en la época {epoch + 1} tras mover el "
              f"generador global ({oa[:8]}... frente a {ob[:8]}...): el barajado debe depender solo de seed, con un "
              f"torch.Generator propio, no de torch.manual_seed",
              f"two loaders built with the same seed gave another order in epoch {epoch + 1} after the global "
              f"generator moved ({oa[:8]}... vs {ob[:8]}...): the shuffling must depend on seed alone, through a "
              f"torch.Generator of its own, not torch.manual_seed")
        orders.append(oa)
    check(any(o != _list(range(n)) for o in orders),
          "con shuffle=True los ejemplos deben salir barajados, no en su orden",
          "with shuffle=True the examples must come out shuffled, not in their order")


@pytest.mark.exercise("make_loader")
def test_make_loader_seed_matters(student):
    n, bs = 24, 6
    X, y = _indexed_data(n)
    firsts = [_epoch(student.make_loader(X, y, bs, shuffle=True, seed=seed), n, bs) for seed in (0, 1, 2)]
    check(_len({_tuple(o) for o in firsts}) == 3,
          "con shuffle=True, seeds distintas (0, 1, 2) deben dar órdenes distintos: ¿usas la seed?",
          "with shuffle=True, different seeds (0, 1, 2) must give different orders: do you use the seed?")


# --------------------------------------------------------------------------
# train_epoch
# --------------------------------------------------------------------------


class _RecordingSGD(torch.optim.SGD):
    """SGD that keeps a copy of every parameter's gradient at each step."""

    def __init__(self, params, lr: float):
        super().__init__(params, lr=lr)
        self.seen: list[list[torch.Tensor | None]] = []

    def step(self, closure=None):
        self.seen.append([None if p.grad is None else compare.to_cpu(p.grad)
                          for p in self.param_groups[0]["params"]])
        return super().step(closure)


def _call_train_epoch(student, model, loader, optimizer, device):
    try:
        return student.train_epoch(model, loader, nn.CrossEntropyLoss(), optimizer, device)
    except RuntimeError as exc:
        if _is_device_error(exc):
            raise _device_feedback(exc, "train_epoch", "train_epoch") from None
        raise


def _loss_diagnosis(got_loss: float, got_acc: float, batch_losses: list[float], n: int, correct: int) -> tuple[str, str]:
    if _near(got_loss, sum(batch_losses)):
        return " (devolviste la suma de las pérdidas de los lotes, no la media)", " (you returned the sum of the batch losses, not the mean)"
    if batch_losses and _near(got_loss, batch_losses[-1]):
        return " (devolviste la pérdida del último lote, no la media de la época)", " (you returned the last batch's loss, not the epoch's mean)"
    if _near(got_loss, sum(batch_losses) / n):
        return " (dividiste la suma de pérdidas medias por lote entre el número de ejemplos)", " (you divided the sum of per-batch mean losses by the number of examples)"
    return "", ""


def _acc_diagnosis(got: float, correct: int, n: int, batches: int) -> tuple[str, str]:
    if _near(got, 100 * correct / n):
        return " (es un porcentaje: la exactitud es una fracción en [0, 1])", " (that is a percentage: accuracy is a fraction in [0, 1])"
    if _near(got, _float(correct)):
        return " (es el número de aciertos: divide entre el número de ejemplos)", " (that is the number of hits: divide by the number of examples)"
    if batches and _near(got, correct / batches):
        return " (dividiste entre el número de lotes, no de ejemplos)", " (you divided by the number of batches, not of examples)"
    return "", ""


@pytest.mark.exercise("train_epoch")
@pytest.mark.hint(es="Los gradientes se acumulan en .grad hasta que alguien los borra: optimizer.zero_grad() en cada lote.",
                  en="Gradients pile up in .grad until someone clears them: optimizer.zero_grad() for each batch.")
def test_train_epoch_clears_gradients_one_step_per_batch(student, device):
    X, y = _probe_data(16, 23)
    same = (torch.cat([X, X, X]), torch.cat([y, y, y]))  # the same batch three times
    model = _probe_net(24, device)
    opt = _RecordingSGD(model.parameters(), lr=0.0)  # lr 0: every batch has the same gradient
    _call_train_epoch(student, model, _loader(*same, 16), opt, device)
    steps = opt.seen
    check(_len(steps) == 3,
          f"train_epoch llamó a optimizer.step() {_len(steps)} veces con 3 lotes: un paso por lote",
          f"train_epoch called optimizer.step() {_len(steps)} times for 3 batches: one step per batch")
    check(all(g is not None for g in steps[0]),
          "al llamar a optimizer.step() no había gradientes: llama a loss.backward() antes",
          "there were no gradients when optimizer.step() ran: call loss.backward() before it")
    first = steps[0]
    for k in (1, 2):
        now = steps[k]
        if all(g is not None for g in now) and _close_lists(now, first, 1e-4, 1e-6):
            continue
        if all(g is not None for g in now) and _close_lists(now, [(k + 1) * g for g in first], 1e-4, 1e-6):
            fail(f"en el lote {k + 1} el gradiente era {k + 1} veces el de un lote: los gradientes se acumulan. "
                 "Llama a optimizer.zero_grad() en cada lote, antes de loss.backward()",
                 f"in batch {k + 1} the gradient was {k + 1} times one batch's: gradients pile up. "
                 "Call optimizer.zero_grad() for each batch, before loss.backward()")
        fail(f"con el mismo lote repetido y lr=0, el gradiente del lote {k + 1} debería ser igual al del primero",
             f"with the same batch repeated and lr=0, the gradient of batch {k + 1} should equal the first one's")


@pytest.mark.exercise("train_epoch")
@pytest.mark.weight(2)
@pytest.mark.hint(es="model.train() antes del bucle; en cada lote: mover a device, forward, pérdida, zero_grad, backward, step.",
                  en="model.train() before the loop; for each batch: move to device, forward, loss, zero_grad, backward, step.")
def test_train_epoch_matches_reference(student, device):
    X, y = _probe_data(48, 21)
    ref = _probe_net(22, device).eval()
    start = _deepcopy(ref)
    model = _deepcopy(ref)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    batch_losses: list[float] = []
    exp_loss, exp_acc = _ref_train_epoch(ref, _loader(X, y, 16), nn.CrossEntropyLoss(), ref_opt, device,
                                         batch_losses)
    before = _params(model)
    model.probe.calls.clear()
    got = _call_train_epoch(student, model, _loader(X, y, 16), opt, device)
    calls = _list(model.probe.calls)
    check(calls, "train_epoch no pasó ningún lote por el modelo", "train_epoch did not pass any batch through the model")
    check(all(training for training, _ in calls),
          "train_epoch usó el modelo en modo evaluación (el modelo llega en modo eval): llama a model.train() antes del bucle",
          "train_epoch used the model in eval mode (the model arrives in eval mode): call model.train() before the loop")
    check(_len(calls) == 3,
          f"train_epoch hizo {_len(calls)} pasadas hacia delante con 3 lotes: una por lote",
          f"train_epoch made {_len(calls)} forward passes for 3 batches: one per batch")
    rtol, atol = _tol(device)
    after = _params(model)
    if _close_lists(after, before, 0.0, 0.0):
        fail("tras train_epoch los parámetros no cambiaron: falta optimizer.step() (tras loss.backward())",
             "after train_epoch the parameters did not change: optimizer.step() (after loss.backward()) is missing")
    if not _close_lists(after, _params(ref), rtol, atol):
        piled = _deepcopy(start)
        _ref_train_epoch(piled, _loader(X, y, 16), nn.CrossEntropyLoss(),
                         torch.optim.SGD(piled.parameters(), lr=0.1), device, clear=False)
        if _close_lists(after, _params(piled), rtol, atol):
            fail("tras train_epoch los parámetros son los de no borrar nunca los gradientes: se acumulan lote tras "
                 "lote. Llama a optimizer.zero_grad() en cada lote, antes de loss.backward()",
                 "after train_epoch the parameters are those of never clearing the gradients: they pile up batch "
                 "after batch. Call optimizer.zero_grad() for each batch, before loss.backward()")
        fail("tras train_epoch los parámetros difieren de los de un paso de SGD por lote con los gradientes "
             "borrados en cada lote (zero_grad, backward, step) y la pérdida loss_fn(salida, y)",
             "after train_epoch the parameters differ from one SGD step per batch with gradients cleared for "
             "each batch (zero_grad, backward, step) and the loss loss_fn(output, y)")
    loss, acc = _pair_of_floats(got, "train_epoch")
    correct = round(exp_acc * 48)
    if not _near(loss, exp_loss, rtol=max(rtol, 1e-4), atol=1e-5):
        es, en = _loss_diagnosis(loss, acc, batch_losses, 48, correct)
        fail(f"train_epoch: pérdida media esperada {exp_loss:.6f}, llegó {loss!r}{es}",
             f"train_epoch: expected mean loss {exp_loss:.6f}, got {loss!r}{en}")
    if not _near(acc, exp_acc, rtol=0.0, atol=1e-6):
        es, en = _acc_diagnosis(acc, correct, 48, 3)
        fail(f"train_epoch: exactitud esperada {exp_acc!r}, llegó {acc!r}{es}",
             f"train_epoch: expected accuracy {exp_acc!r}, got {acc!r}{en}")


# --------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------


def _call_evaluate(student, model, loader, device):
    try:
        return student.evaluate(model, loader, nn.CrossEntropyLoss(), device)
    except RuntimeError as exc:
        if _is_device_error(exc):
            raise _device_feedback(exc, "evaluate", "evaluate") from None
        raise


@pytest.mark.exercise("evaluate")
@pytest.mark.hint(es="model.eval() y with torch.no_grad(): alrededor del bucle; ni backward ni optimizador.",
                  en="model.eval() and with torch.no_grad(): around the loop; no backward, no optimiser.")
def test_evaluate_eval_mode_no_side_effects(student, device):
    X, y = _probe_data(40, 31)
    model = _probe_net(32, device).train()  # arrives in train mode
    before = _state(model)
    got = _call_evaluate(student, model, _loader(X, y, 10), device)
    calls = _list(model.probe.calls)
    check(calls, "evaluate no pasó ningún lote por el modelo", "evaluate did not pass any batch through the model")
    check(not any(training for training, _ in calls),
          "evaluate usó el modelo en modo entrenamiento (llega en modo train): llama a model.eval() antes del bucle; "
          "si no, BatchNorm usa las estadísticas del lote y cambia running_mean/running_var",
          "evaluate used the model in train mode (it arrives in train mode): call model.eval() before the loop; "
          "otherwise BatchNorm uses the batch's statistics and changes running_mean/running_var")
    check(not any(grad for _, grad in calls),
          "evaluate registró gradientes: envuelve el bucle en with torch.no_grad(): (o torch.inference_mode())",
          "evaluate tracked gradients: wrap the loop in with torch.no_grad(): (or torch.inference_mode())")
    changed = _identical(before, _state(model))
    check(not changed,
          f"evaluate cambió el modelo ({', '.join(changed[:4])}): evaluar no debe tocar parámetros ni estadísticas",
          f"evaluate changed the model ({', '.join(changed[:4])}): evaluating must not touch parameters or statistics")
    check(all(p.grad is None for p in model.parameters()),
          "evaluate dejó gradientes en los parámetros: sin loss.backward() al evaluar",
          "evaluate left gradients on the parameters: no loss.backward() when evaluating")
    _pair_of_floats(got, "evaluate")


@pytest.mark.exercise("evaluate")
def test_evaluate_values(student, device):
    X, y = _probe_data(40, 33)
    ref = _probe_net(34, device).train()
    model = _deepcopy(ref)
    exp_loss, exp_acc = _ref_evaluate(ref, _loader(X, y, 10), nn.CrossEntropyLoss(), device)
    loss, acc = _pair_of_floats(_call_evaluate(student, model, _loader(X, y, 10), device), "evaluate")
    rtol, _ = _tol(device)
    batch_losses = []
    correct = 0
    with torch.no_grad():
        for xb, yb in _loader(X, y, 10):
            out = ref(xb.to(device))
            batch_losses.append(F.cross_entropy(out, yb.to(device)).item())
            correct += _int((out.argmax(1) == yb.to(device)).sum().item())
    if not _near(loss, exp_loss, rtol=max(rtol, 1e-4), atol=1e-5):
        es, en = _loss_diagnosis(loss, acc, batch_losses, 40, correct)
        fail(f"evaluate: pérdida media esperada {exp_loss:.6f} (en modo eval), llegó {loss!r}{es}",
             f"evaluate: expected mean loss {exp_loss:.6f} (in eval mode), got {loss!r}{en}")
    if not _near(acc, exp_acc, rtol=0.0, atol=1e-6):
        es, en = _acc_diagnosis(acc, correct, 40, 4)
        fail(f"evaluate: exactitud esperada {exp_acc!r} (en modo eval), llegó {acc!r}{es}",
             f"evaluate: expected accuracy {exp_acc!r} (in eval mode), got {acc!r}{en}")


# --------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------

_HISTORY_KEYS = ("train_loss", "train_acc", "test_loss", "test_acc")


def _call_fit(student, model, train_loader, test_loader, *, epochs, lr, device):
    with _patched(student, train_epoch=_ref_train_epoch, evaluate=_ref_evaluate):
        try:
            return student.fit(model, train_loader, test_loader, epochs=epochs, lr=lr, device=device)
        except RuntimeError as exc:
            if _is_device_error(exc):
                raise _device_feedback(exc, "fit", "fit") from None
            raise


def _history(got: object, epochs: int) -> dict[str, list[float]]:
    check(_isinstance(got, dict),
          f"fit debe devolver un dict de listas; devolvió {short(got)}",
          f"fit must return a dict of lists; it returned {short(got)}")
    missing = [k for k in _HISTORY_KEYS if k not in got]
    check(not missing,
          f"al dict que devuelve fit le faltan las claves {missing}",
          f"the dict fit returns lacks the keys {missing}")
    out = {}
    for key in _HISTORY_KEYS:
        values = got[key]
        check(_isinstance(values, (_list, _tuple)) and _len(values) == epochs,
              f"fit: {key} debe ser una lista con un valor por época ({epochs}); llegó {short(values)}",
              f"fit: {key} must be a list with one value per epoch ({epochs}); got {short(values)}")
        out[key] = [compare.number(v, f"fit: {key}") for v in values]
        if key.endswith("acc"):
            check(all(0.0 <= v <= 1.0 for v in out[key]),
                  f"fit: {key} debe ser una fracción en [0, 1]; llegó {out[key]}",
                  f"fit: {key} must be a fraction in [0, 1]; got {out[key]}")
    return out


@pytest.mark.exercise("fit")
@pytest.mark.weight(2)
@pytest.mark.hint(es="optimizer = torch.optim.Adam(model.parameters(), lr=lr), creado una sola vez antes del bucle de épocas.",
                  en="optimizer = torch.optim.Adam(model.parameters(), lr=lr), created once, before the loop over epochs.")
def test_fit_matches_adam_reference(student, device):
    X, y = _probe_data(48, 41)
    Xt, yt = _probe_data(24, 42)
    ref = _probe_net(43, _cpu)
    model = _deepcopy(ref)
    exp = _ref_fit(ref, _loader(X, y, 16), _loader(Xt, yt, 12), epochs=2, lr=0.01, device=device)
    before = _params(model)
    got = _call_fit(student, model, _loader(X, y, 16), _loader(Xt, yt, 12), epochs=2, lr=0.01, device=device)
    hist = _history(got, 2)
    check(all(compare.same_device(p.device, device) for p in model.parameters()),
          f"fit debe mover el modelo a {device} (model.to(device)); sus parámetros siguen en "
          f"{next(iter(model.parameters())).device}",
          f"fit must move the model to {device} (model.to(device)); its parameters are still on "
          f"{next(iter(model.parameters())).device}")
    after = _params(model)
    check(not _close_lists(after, before, 0.0, 0.0),
          "fit no cambió los parámetros del modelo: ¿entrenas el modelo que recibes, con un optimizador sobre sus parámetros?",
          "fit did not change the model's parameters: do you train the model you are given, with an optimiser over its parameters?")
    rtol, atol = _tol(device)
    if not _close_lists(after, _params(ref), max(rtol, 1e-4), max(atol, 1e-5)):
        fail("tras fit los parámetros difieren de los de Adam(model.parameters(), lr=lr) con entropía cruzada, "
             "creado una vez y usado en todas las épocas (ni otro optimizador, ni otros argumentos, ni uno nuevo por época)",
             "after fit the parameters differ from those of Adam(model.parameters(), lr=lr) with cross-entropy, "
             "created once and used for every epoch (no other optimiser, no other arguments, no new one per epoch)")
    for key in _HISTORY_KEYS:
        if not _close_lists([torch.tensor(hist[key], dtype=torch.float64)],
                            [torch.tensor(exp[key], dtype=torch.float64)], max(rtol, 1e-4), 1e-5):
            fail(f"fit: {key} esperado {[round(v, 5) for v in exp[key]]}, llegó {[round(v, 5) for v in hist[key]]}"
                 + (" (¿entrenamiento y evaluación intercambiados?)" if key.startswith("test") else ""),
                 f"fit: expected {key} {[round(v, 5) for v in exp[key]]}, got {[round(v, 5) for v in hist[key]]}"
                 + (" (training and evaluation swapped?)" if key.startswith("test") else ""))


# A reference TinyVGG fitted on shapes images must reach this test accuracy.
# Over 50 seeds of data, shuffling and initialisation the lowest was 0.805 (mean 0.91).
_FIT_BAR = 0.7
_FIT_TASK = {"classes": ("circle", "cross"), "train_n": 1000, "test_n": 200, "epochs": 4, "lr": 0.003,
             "batch_size": 25, "hidden": 8, "data_seed": 0, "init_seed": 1}


@pytest.mark.exercise("fit")
@pytest.mark.hint(es="Si fit entrena bien con Adam(lr), una TinyVGG aprende a distinguir las figuras en pocas épocas.",
                  en="If fit trains properly with Adam(lr), a TinyVGG learns to tell the shapes apart in a few epochs.")
def test_fit_reaches_accuracy_bar(student, device):
    t = _FIT_TASK
    X, y = make_shapes(t["train_n"], classes=t["classes"], seed=t["data_seed"])
    Xt, yt = make_shapes(t["test_n"], classes=t["classes"], seed=t["data_seed"] + 1000)
    torch.manual_seed(t["init_seed"])
    model = _RefTinyVGG(1, t["hidden"], _len(t["classes"]), 16)
    train_loader = DataLoader(TensorDataset(X, y), batch_size=t["batch_size"], shuffle=True,
                              generator=_gen(t["data_seed"]))
    got = _call_fit(student, model, train_loader, _loader(Xt, yt, 60), epochs=t["epochs"], lr=t["lr"], device=device)
    hist = _history(got, t["epochs"])
    model.eval()
    with torch.no_grad():
        acc = _float((model(Xt.to(device)).argmax(1).cpu() == yt).float().mean())
    check(acc >= _FIT_BAR,
          f"tras fit (Adam, lr={t['lr']}, {t['epochs']} épocas) una TinyVGG de referencia acierta {acc:.2f} de las "
          f"imágenes de prueba; se esperaba al menos {_FIT_BAR}",
          f"after fit (Adam, lr={t['lr']}, {t['epochs']} epochs) a reference TinyVGG gets {acc:.2f} of the test "
          f"images right; at least {_FIT_BAR} was expected")
    check(abs(hist["test_acc"][-1] - acc) < 1e-6,
          f"fit: el último test_acc ({hist['test_acc'][-1]:.4f}) no es la exactitud del modelo en test_loader ({acc:.4f})",
          f"fit: the last test_acc ({hist['test_acc'][-1]:.4f}) is not the model's accuracy on test_loader ({acc:.4f})")
