"""Hidden grader for the ``fc_nets`` topic (fully connected networks).

Every exercise is graded on its own: where an exercise takes a model, the grader
builds its own reference one (with BatchNorm where the mode matters, so that
train and eval mode give different, deterministic results). Architectures are
judged by behaviour: parameter counts, output shapes, and the output after the
reference weights are loaded into the student's parameters, matched by shape
(the sizes used make every Linear weight and bias shape unique), never by
attribute names or module types.

Where a check fails, the grader computes the result of the classic mistakes
(stale gradients, no optimiser step, wrong mode, softmax on logits, percentage
for a fraction...) and names the one that matches.

No tensor is created at import time (the module is imported in the warm parent).
"""

from __future__ import annotations

import copy
import pathlib

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchdojo.datasets import make_moons
from torchdojo.grading import compare
from torchdojo.grading.feedback import check, fail, short
from torchdojo.grading.helpers import generator, init_params

# Bound before any student code runs.
_deepcopy = copy.deepcopy
_softmax = torch.softmax
_log_softmax = torch.log_softmax
_relu = torch.relu
_sigmoid = torch.sigmoid
_cross_entropy = F.cross_entropy
_load = torch.load
_save = torch.save
_isinstance = isinstance
_len = len


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


_gen = generator


def _init(module: nn.Module, seed: int, scale: float = 0.5) -> nn.Module:
    """Overwrite every parameter (and BatchNorm statistics) from a private generator."""
    return init_params(module, seed, scale, mean_scale=1.0)


def _bn_net(sizes: tuple[int, int, int], seed: int, dropout: float = 0.0) -> nn.Module:
    """Linear, BatchNorm1d, ReLU, [Dropout], Linear: mode-sensitive and deterministic without dropout."""
    a, h, c = sizes
    layers = [nn.Linear(a, h), nn.BatchNorm1d(h), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(h, c))
    return _init(nn.Sequential(*layers), seed)


def _snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: compare.to_cpu(v) for k, v in model.state_dict().items()}


def _params_cpu(model: nn.Module) -> list[torch.Tensor]:
    return [compare.to_cpu(p) for p in model.parameters()]


def _all_close(got: list[torch.Tensor], expected: list[torch.Tensor], rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    if _len(got) != _len(expected):
        return False
    for g, e in zip(got, expected):
        if tuple(g.shape) != tuple(e.shape):
            return False
        if not bool(torch.isclose(g.double(), e.double(), rtol=rtol, atol=atol).all()):
            return False
    return True


def _close_tensor(got: torch.Tensor, expected: torch.Tensor, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    return _all_close([compare.to_cpu(got)], [compare.to_cpu(expected)], rtol, atol)


def _max_diff(got: list[torch.Tensor], expected: list[torch.Tensor]) -> float:
    return max(float((g.double() - e.double()).abs().max()) for g, e in zip(got, expected))


# --------------------------------------------------------------------------
# FCNet
# --------------------------------------------------------------------------

# Sizes chosen so that every weight shape, its transpose and every bias shape
# are all different: the student's parameters map to the reference's by shape
# alone, whatever their order, names or container.
_ARCHS = [
    (3, [7, 5], 4),
    (3, [], 4),
    (3, (6,), 2),
    (3, [9, 7, 5], 4),
]


def _n_params(in_f: int, hidden, out_f: int) -> int:
    sizes = [in_f, *hidden, out_f]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(_len(sizes) - 1))


def _reference_layers(in_f: int, hidden, out_f: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = _gen(seed)
    sizes = [in_f, *hidden, out_f]
    return [
        (torch.randn(sizes[i + 1], sizes[i], generator=g) / sizes[i] ** 0.5,
         torch.randn(sizes[i + 1], generator=g) * 0.5)
        for i in range(_len(sizes) - 1)
    ]


def _reference_forward(layers, x: torch.Tensor, *, hidden_act=_relu, out_act=None) -> torch.Tensor:
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if i < _len(layers) - 1 and hidden_act is not None:
            h = hidden_act(h)
    return out_act(h) if out_act is not None else h


def _load_by_shape(model: nn.Module, layers) -> None:
    """Copy the reference weights into the student's parameters, matched by shape.

    A weight may be stored as ``(out, in)`` (``nn.Linear``, ``F.linear``) or
    transposed as ``(in, out)`` (for ``x @ W``); a bias as ``(out,)`` or ``(1, out)``.
    """
    candidates: dict[tuple[int, ...], torch.Tensor] = {}
    for w, b in layers:
        candidates[tuple(w.shape)] = w
        candidates[tuple(w.T.shape)] = w.T
        candidates[tuple(b.shape)] = b
        candidates[(1, b.shape[0])] = b.reshape(1, -1)
    shapes = [tuple(int(s) for s in p.shape) for p in model.parameters()]
    used: set[tuple[int, ...]] = set()
    for s in shapes:
        if s not in candidates or s in used:
            fail(
                "no se pudieron emparejar los parámetros de tu red con los de capas nn.Linear "
                f"(pesos (salida, entrada) y sesgos (salida,)); formas de tus parámetros: {short(shapes)}",
                "could not match your network's parameters with those of nn.Linear layers "
                f"(weights (out, in) and biases (out,)); your parameter shapes: {short(shapes)}",
            )
        used.add(s)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(candidates[tuple(int(s) for s in p.shape)])


def _fcnet(student, in_f, hidden, out_f) -> nn.Module:
    model = student.FCNet(in_f, hidden, out_f)
    check(
        _isinstance(model, nn.Module),
        f"FCNet(...) debe crear un nn.Module; llegó {type(model).__name__}",
        f"FCNet(...) must create an nn.Module; got {type(model).__name__}",
    )
    return model


@pytest.mark.exercise("FCNet")
@pytest.mark.weight(1)
def test_fcnet_parameter_count(student):
    for in_f, hidden, out_f in _ARCHS:
        model = _fcnet(student, in_f, hidden, out_f)
        got = sum(p.numel() for p in model.parameters())
        expected = _n_params(in_f, hidden, out_f)
        if got == expected:
            continue
        label = f"FCNet({in_f}, {hidden!r}, {out_f})"
        bias_sizes = [*hidden, out_f]
        missing = {sum(b for k, b in enumerate(bias_sizes) if mask >> k & 1)
                   for mask in range(1, 1 << _len(bias_sizes))}
        if expected - got in missing:
            fail(
                f"{label}: tiene {got} parámetros y se esperaban {expected}: faltan sesgos "
                "(cada nn.Linear lleva bias)",
                f"{label}: has {got} parameters, expected {expected}: biases are missing "
                "(every nn.Linear has a bias)",
            )
        fail(
            f"{label}: tiene {got} parámetros y se esperaban {expected}: una nn.Linear por capa oculta "
            "más una de salida, ni más ni menos",
            f"{label}: has {got} parameters, expected {expected}: one nn.Linear per hidden layer "
            "plus one output layer, no more, no less",
        )


@pytest.mark.exercise("FCNet")
@pytest.mark.weight(1)
def test_fcnet_output_shape(student, device):
    g = _gen(11)
    for in_f, hidden, out_f in _ARCHS[:3]:
        model = _fcnet(student, in_f, hidden, out_f).to(device)
        x = torch.randn(6, in_f, generator=g).to(device)
        out = model(x)
        what = (f"FCNet({in_f}, {hidden!r}, {out_f})(x)", f"FCNet({in_f}, {hidden!r}, {out_f})(x)")
        compare.require_tensor(out, what)
        compare.shape(out, (6, out_f), what)
        compare.dtype(out, torch.float32, what)
        compare.device(out, device, what)


@pytest.mark.exercise("FCNet")
@pytest.mark.weight(2)
def test_fcnet_computes_linear_relu_logits(student, device):
    g = _gen(12)
    for k, (in_f, hidden, out_f) in enumerate(_ARCHS):
        label = f"FCNet({in_f}, {hidden!r}, {out_f})"
        layers = _reference_layers(in_f, hidden, out_f, seed=100 + k)
        model = _fcnet(student, in_f, hidden, out_f)
        n = sum(p.numel() for p in model.parameters())
        check(
            n == _n_params(in_f, hidden, out_f),
            f"{label}: número de parámetros incorrecto ({n}); ver la otra prueba",
            f"{label}: wrong number of parameters ({n}); see the other test",
        )
        _load_by_shape(model, layers)
        model = model.to(device)
        x = torch.randn(16, in_f, generator=g) * 2
        out = model(x.to(device))
        compare.require_tensor(out, (label, label))
        compare.shape(out, (16, out_f), (label, label))
        got = compare.to_cpu(out).float()
        expected = _reference_forward(layers, x)
        if _close_tensor(got, expected):
            continue
        mistakes = [
            (_reference_forward(layers, x, out_act=lambda t: _softmax(t, dim=-1)),
             "aplicas softmax a la salida: forward debe devolver los logits en bruto "
             "(nn.CrossEntropyLoss ya aplica softmax)",
             "you apply softmax to the output: forward must return the raw logits "
             "(nn.CrossEntropyLoss already applies softmax)"),
            (_reference_forward(layers, x, out_act=lambda t: _log_softmax(t, dim=-1)),
             "aplicas log_softmax a la salida: forward debe devolver los logits en bruto",
             "you apply log_softmax to the output: forward must return the raw logits"),
            (_reference_forward(layers, x, out_act=_relu),
             "aplicas ReLU después de la última capa: la salida son logits en bruto, "
             "que pueden ser negativos",
             "you apply ReLU after the last layer: the output is raw logits, which may be negative"),
            (_reference_forward(layers, x, out_act=_sigmoid),
             "aplicas sigmoid a la salida: forward debe devolver los logits en bruto",
             "you apply sigmoid to the output: forward must return the raw logits"),
            (_reference_forward(layers, x, hidden_act=None),
             "falta la ReLU entre las capas: sin ella, varias Linear seguidas equivalen a una sola",
             "the ReLU between layers is missing: without it, several Linear layers amount to one"),
        ]
        for alt, es, en in mistakes:
            if _close_tensor(got, alt):
                fail(f"{label}: {es}", f"{label}: {en}")
        diff = float((got.double() - expected.double()).abs().max())
        fail(
            f"{label}: con los pesos de referencia cargados (emparejados por forma), la salida difiere "
            f"hasta en {diff:.3g} de Linear, ReLU, ..., Linear (sin nada tras la última Linear)",
            f"{label}: with the reference weights loaded (matched by shape), the output differs by up "
            f"to {diff:.3g} from Linear, ReLU, ..., Linear (nothing after the last Linear)",
        )


# --------------------------------------------------------------------------
# count_parameters
# --------------------------------------------------------------------------


def _count_case(got, expected: int, model: nn.Module, trainable_only: bool) -> None:
    value = compare.number(got, ("count_parameters(...)", "count_parameters(...)"), integer=True)
    if value == expected:
        return
    call = f"count_parameters(model, trainable_only={trainable_only})"
    params = list(model.parameters())
    n_all = sum(p.numel() for p in params)
    n_trainable = sum(p.numel() for p in params if p.requires_grad)
    n_state = sum(v.numel() for v in model.state_dict().values())
    n_state_float = sum(v.numel() for v in model.state_dict().values() if v.is_floating_point())
    if value == _len(params) or value == sum(1 for p in params if p.requires_grad):
        fail(f"{call}: devolvió {value}, el número de tensores de parámetros; se cuentan sus valores "
             f"(sumar p.numel()): se esperaba {expected}",
             f"{call}: returned {value}, the number of parameter tensors; count their values "
             f"(sum p.numel()): expected {expected}")
    if trainable_only and value == n_all:
        fail(f"{call}: devolvió {value}, todos los parámetros; con trainable_only=True cuenta solo los "
             f"que tienen requires_grad=True: se esperaba {expected}",
             f"{call}: returned {value}, all parameters; with trainable_only=True count only those "
             f"with requires_grad=True: expected {expected}")
    if not trainable_only and value == n_trainable:
        fail(f"{call}: devolvió {value}, solo los entrenables; con trainable_only=False cuenta todos "
             f"(también los de requires_grad=False): se esperaba {expected}",
             f"{call}: returned {value}, only the trainable ones; with trainable_only=False count all "
             f"of them (requires_grad=False too): expected {expected}")
    if value in (n_state, n_state_float):
        fail(f"{call}: devolvió {value}, que incluye los buffers (estadísticas de BatchNorm) del "
             f"state_dict; cuenta solo model.parameters(): se esperaba {expected}",
             f"{call}: returned {value}, which includes the state_dict's buffers (BatchNorm "
             f"statistics); count model.parameters() only: expected {expected}")
    fail(f"{call}: se esperaba {expected} y llegó {value}",
         f"{call}: expected {expected}, got {value}")


@pytest.mark.exercise("count_parameters")
def test_count_parameters_plain_model(student):
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))  # 20 + 12
    _count_case(student.count_parameters(model), 32, model, True)
    _count_case(student.count_parameters(model, trainable_only=False), 32, model, False)


@pytest.mark.exercise("count_parameters")
def test_count_parameters_frozen_and_buffers(student):
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))  # 30 + 12 + 21
    for p in model[0].parameters():
        p.requires_grad_(False)
    _count_case(student.count_parameters(model), 33, model, True)
    _count_case(student.count_parameters(model, trainable_only=False), 63, model, False)
    for p in model.parameters():
        p.requires_grad_(False)
    _count_case(student.count_parameters(model), 0, model, True)


# --------------------------------------------------------------------------
# train_step
# --------------------------------------------------------------------------


def _reference_step(model: nn.Module, X, y, make_opt, stale, *, mode: str = "train", clear: bool = True,
                    step: bool = True) -> tuple[list[torch.Tensor], float, float]:
    """On a copy of ``model``: one step done one way (right, or with a classic mistake).

    Returns the parameters after it, the loss of its forward pass and the loss of
    a forward pass after the step (what a student who recomputes the loss gets).
    """
    m = _deepcopy(model)
    for p, s in zip(m.parameters(), stale):
        p.grad = s.clone()
    opt = make_opt(m.parameters())
    m.train(mode == "train")
    if clear:
        opt.zero_grad()
    loss = _cross_entropy(m(X), y)
    loss.backward()
    if step:
        opt.step()
    with torch.no_grad():
        after = _cross_entropy(m(X), y)
    return _params_cpu(m), float(loss.item()), float(after.item())


_STEP_MISTAKES = [
    (dict(clear=False),
     "los gradientes viejos no se borraron: llama a optimizer.zero_grad() antes de backward() "
     "(los gradientes se acumulan de un paso a otro)",
     "the stale gradients were not cleared: call optimizer.zero_grad() before backward() "
     "(gradients accumulate from one step to the next)"),
    (dict(step=False),
     "los parámetros no cambiaron: falta optimizer.step() (o borras los gradientes entre "
     "backward() y step())",
     "the parameters did not change: optimizer.step() is missing (or you clear the gradients "
     "between backward() and step())"),
    (dict(mode="eval"),
     "el paso se dio en modo evaluación: llama a model.train() antes de la pasada hacia delante "
     "(BatchNorm y Dropout se comportan distinto al entrenar; el modelo llegó en modo eval)",
     "the step ran in evaluation mode: call model.train() before the forward pass "
     "(BatchNorm and Dropout behave differently in training; the model came in eval mode)"),
]


def _train_step_case(student, device, make_opt, seed: int) -> None:
    g = _gen(seed)
    model = _bn_net((4, 16, 3), seed).to(device)
    X = torch.randn(32, 4, generator=g).to(device)
    y = torch.randint(0, 3, (32,), generator=g).to(device)
    # Stale gradients from an earlier step, and eval mode left by an earlier evaluation.
    stale = [(torch.randn(p.shape, generator=g) * 2).to(device) for p in model.parameters()]
    model.eval()
    initial = _deepcopy(model)  # the mistakes' results are computed from it only if needed
    right, right_loss, after_loss = _reference_step(initial, X, y, make_opt, stale)
    for p, s in zip(model.parameters(), stale):
        p.grad = s.clone()
    optimizer = make_opt(model.parameters())

    got = student.train_step(model, X, y, nn.CrossEntropyLoss(), optimizer)

    params = _params_cpu(model)
    if not _all_close(params, right):
        for kw, es, en in _STEP_MISTAKES:
            if _all_close(params, _reference_step(initial, X, y, make_opt, stale, **kw)[0]):
                fail(es, en)
        fail(
            "los parámetros tras el paso no son los de un paso correcto (modo entrenamiento, "
            f"zero_grad, forward, pérdida, backward, step): difieren hasta en {_max_diff(params, right):.3g}",
            "the parameters after the step are not those of a correct step (train mode, zero_grad, "
            f"forward, loss, backward, step): they differ by up to {_max_diff(params, right):.3g}",
        )
    what = ("la pérdida devuelta", "the returned loss")
    if compare.is_tensor(got):
        fail("la pérdida devuelta es un tensor; devuelve un float de Python con loss.item()",
             "the returned loss is a tensor; return a Python float with loss.item()")
    value = compare.number(got, what)
    if abs(value - right_loss) > 1e-4 * abs(right_loss) + 1e-5 and abs(value - after_loss) <= 1e-4 * abs(after_loss) + 1e-5:
        fail(f"devolviste la pérdida calculada después del paso ({value:.6g}); devuelve la de la pasada "
             f"hacia delante de antes de step() ({right_loss:.6g})",
             f"you returned the loss computed after the step ({value:.6g}); return the one of the forward "
             f"pass before step() ({right_loss:.6g})")
    compare.close(got, right_loss, what, rtol=1e-4, atol=1e-5)


@pytest.mark.exercise("train_step")
@pytest.mark.weight(2)
def test_train_step_sgd_with_stale_gradients(student, device):
    _train_step_case(student, device, lambda ps: torch.optim.SGD(ps, lr=0.1), seed=21)


@pytest.mark.exercise("train_step")
def test_train_step_uses_the_given_optimizer(student, device):
    _train_step_case(student, device, lambda ps: torch.optim.Adam(ps, lr=0.01), seed=22)


# --------------------------------------------------------------------------
# accuracy
# --------------------------------------------------------------------------


def _accuracy_case(student, logits: torch.Tensor, targets: torch.Tensor) -> None:
    expected = float((logits.argmax(dim=-1) == targets).double().mean())
    got = student.accuracy(logits, targets)
    what = ("accuracy(logits, targets)", "accuracy(logits, targets)")
    if compare.is_tensor(got):
        fail("accuracy devolvió un tensor; devuelve un float de Python (.item() o float(...))",
             "accuracy returned a tensor; return a Python float (.item() or float(...))")
    value = compare.number(got, what)
    if abs(value - expected) <= 1e-6:
        return
    n = targets.shape[0]
    lg = logits.detach()
    alternatives = [
        (expected * 100,
         f"devolviste un porcentaje ({value:g}); la exactitud es una fracción en [0, 1]: {expected:g}",
         f"you returned a percentage ({value:g}); accuracy is a fraction in [0, 1]: {expected:g}"),
        (expected * n,
         f"devolviste el número de aciertos ({value:g}); divide entre el número de filas: "
         f"la fracción en [0, 1] es {expected:g}",
         f"you returned the number of hits ({value:g}); divide by the number of rows: "
         f"the fraction in [0, 1] is {expected:g}"),
        (float((lg.argmax() == targets).double().mean()),
         "argmax sin dim da un solo índice de todo el tensor aplanado; usa logits.argmax(dim=-1), "
         f"uno por fila. Se esperaba {expected:g}",
         "argmax without dim gives one index into the whole flattened tensor; use "
         f"logits.argmax(dim=-1), one per row. Expected {expected:g}"),
        (float((lg.max(dim=-1).values == targets).double().mean()),
         "comparas los valores máximos de los logits con las clases; la clase predicha es el índice "
         f"del máximo: logits.argmax(dim=-1). Se esperaba {expected:g}",
         "you compare the logits' largest values with the classes; the predicted class is the index "
         f"of the largest value: logits.argmax(dim=-1). Expected {expected:g}"),
    ]
    if lg.shape[0] == lg.shape[1]:
        alternatives.append((
            float((lg.argmax(dim=0) == targets).double().mean()),
            f"tomas argmax sobre la dimensión equivocada (0); las clases van en la última: "
            f"logits.argmax(dim=-1). Se esperaba {expected:g}",
            f"you take argmax over the wrong dimension (0); classes are along the last one: "
            f"logits.argmax(dim=-1). Expected {expected:g}"))
    for alt, es, en in alternatives:
        if abs(value - alt) <= 1e-6:
            fail(es, en)
    fail(f"accuracy: se esperaba {expected:g} (fracción de filas cuyo argmax coincide con la clase) y "
         f"llegó {value:g}",
         f"accuracy: expected {expected:g} (the fraction of rows whose argmax equals the target), "
         f"got {value:g}")


def _logits_with_hits(n: int, c: int, hits: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = _gen(seed)
    logits = torch.randn(n, c, generator=g) * 3
    # The largest value of all sits in row 0 (at its own argmax), so that a flat
    # argmax() is a valid class index and that mistake can be told apart.
    logits[0, logits[0].argmax()] = logits.max() + 1.0
    pred = logits.argmax(dim=-1)
    wrong = (pred + torch.randint(1, c, (n,), generator=g)) % c
    right_rows = torch.randperm(n, generator=g)[:hits]
    targets = wrong.clone()
    targets[right_rows] = pred[right_rows]
    return logits, targets


@pytest.mark.exercise("accuracy")
@pytest.mark.weight(2)
def test_accuracy_fraction_of_argmax_hits(student):
    logits, targets = _logits_with_hits(40, 4, 25, seed=31)
    _accuracy_case(student, logits.requires_grad_(), targets)


@pytest.mark.exercise("accuracy")
def test_accuracy_square_and_extremes(student):
    logits, targets = _logits_with_hits(5, 5, 2, seed=32)
    _accuracy_case(student, logits, targets)
    logits, targets = _logits_with_hits(12, 3, 12, seed=33)
    _accuracy_case(student, logits, targets)
    logits, targets = _logits_with_hits(8, 2, 3, seed=34)
    _accuracy_case(student, logits, targets)


# --------------------------------------------------------------------------
# predict_proba
# --------------------------------------------------------------------------


def _predict_case(student, device, n: int, seed: int) -> None:
    g = _gen(seed)
    model = _bn_net((5, 16, 3), seed, dropout=0.5).to(device)  # left in train mode
    X = (torch.randn(n, 5, generator=g) * 2).to(device)
    before = _snapshot(model)
    ref = _deepcopy(model).eval()
    with torch.no_grad():
        logits = compare.to_cpu(ref(X))
    expected = _softmax(logits, dim=-1)

    got = student.predict_proba(model, X)

    what = ("predict_proba(model, X)", "predict_proba(model, X)")
    compare.require_tensor(got, what)
    compare.shape(got, (n, 3), what)
    compare.device(got, X.device, what)
    check(got.is_floating_point(),
          f"predict_proba debe devolver probabilidades en coma flotante; llegó dtype {got.dtype}",
          f"predict_proba must return floating-point probabilities; got dtype {got.dtype}")
    check(not got.requires_grad,
          "el resultado tiene requires_grad=True: calcula la predicción dentro de torch.no_grad() "
          "(o torch.inference_mode()), que no guarda el grafo de gradientes",
          "the result has requires_grad=True: compute the prediction inside torch.no_grad() "
          "(or torch.inference_mode()), which keeps no gradient graph")
    probs = compare.to_cpu(got).double()
    if not bool(torch.isclose(probs.sum(dim=-1), torch.ones(n, dtype=torch.float64), atol=1e-4).all()):
        if _close_tensor(probs, logits):
            fail("devolviste los logits: aplica softmax sobre la última dimensión "
                 "(torch.softmax(logits, dim=-1)) para obtener probabilidades",
                 "you returned the logits: apply softmax over the last dimension "
                 "(torch.softmax(logits, dim=-1)) to get probabilities")
        if bool(torch.isclose(probs.sum(dim=0), torch.ones(3, dtype=torch.float64), atol=1e-4).all()):
            fail("aplicas softmax sobre la dimensión equivocada (0, las filas); las clases van en la "
                 "última: dim=-1",
                 "you apply softmax over the wrong dimension (0, the rows); classes are along the last "
                 "one: dim=-1")
        fail("las filas no suman 1: aplica softmax sobre la última dimensión (dim=-1)",
             "the rows do not sum to 1: apply softmax over the last dimension (dim=-1)")
    after = _snapshot(model)
    changed = [key for key, value in before.items() if key not in after or not bool(torch.equal(after[key], value))]
    if not _close_tensor(probs, expected.double(), rtol=1e-4, atol=1e-5):
        diff = float((probs - expected.double()).abs().max())
        if changed:
            fail(f"predict_proba cambió el modelo ({changed[0]}) y las probabilidades difieren hasta en "
                 f"{diff:.3g}: hubo una pasada hacia delante en modo entrenamiento, que actualiza las "
                 "estadísticas de BatchNorm; llama a model.eval() antes de cualquier pasada y predice una "
                 "sola vez dentro de torch.no_grad()",
                 f"predict_proba changed the model ({changed[0]}) and the probabilities differ by up to "
                 f"{diff:.3g}: a forward pass ran in training mode, which updates BatchNorm's running "
                 "statistics; call model.eval() before any forward pass and predict once inside "
                 "torch.no_grad()")
        fail("las probabilidades no son softmax(model(X)) en modo evaluación (difieren hasta en "
             f"{diff:.3g}): llama a model.eval() antes de predecir; el modelo llegó en modo "
             "entrenamiento y Dropout y BatchNorm se comportan distinto",
             "the probabilities are not softmax(model(X)) in evaluation mode (they differ by up to "
             f"{diff:.3g}): call model.eval() before predicting; the model came in training mode, and "
             "Dropout and BatchNorm behave differently")
    check(not changed,
          f"predict_proba cambió el modelo ({short(changed)}): predecir no entrena ni cambia parámetros",
          f"predict_proba changed the model ({short(changed)}): predicting neither trains nor changes "
          "parameters")


@pytest.mark.exercise("predict_proba")
@pytest.mark.weight(2)
def test_predict_proba_eval_mode_softmax(student, device):
    _predict_case(student, device, n=24, seed=41)


@pytest.mark.exercise("predict_proba")
def test_predict_proba_other_batch(student, device):
    _predict_case(student, device, n=7, seed=42)


# --------------------------------------------------------------------------
# fit_line
# --------------------------------------------------------------------------


def _fit_line_case(student, w_true: float, b_true: float, tol: float, data_seed: int, **kwargs) -> None:
    g = _gen(data_seed)
    x = torch.rand(64, 1, generator=g)
    y = w_true * x + b_true
    got = student.fit_line(x, y, **kwargs)
    check(_isinstance(got, (tuple, list)) and _len(got) == 2,
          f"fit_line debe devolver una tupla (w, b); llegó {short(got)}",
          f"fit_line must return a tuple (w, b); got {short(got)}")
    w, b = got
    for name, v in (("w", w), ("b", b)):
        if compare.is_tensor(v):
            fail(f"{name} es un tensor; devuelve floats de Python (.item())",
                 f"{name} is a tensor; return Python floats (.item())")
    w = compare.number(w, "w")
    b = compare.number(b, "b")
    if abs(w - w_true) > tol or abs(b - b_true) > tol:
        call = f"fit_line(x, y, seed={kwargs['seed']})" if "seed" in kwargs else "fit_line(x, y)"
        fail(f"{call}: con tus epochs y lr por defecto, sobre datos sin ruido de w={w_true}, b={b_true}, "
             f"llegó w={w:.4g}, b={b:.4g}; ambos deben quedar a menos de {tol}: entrena más épocas o con "
             "un lr mayor (y borra los gradientes en cada época)",
             f"{call}: with your default epochs and lr, on noiseless data with w={w_true}, b={b_true}, "
             f"you got w={w:.4g}, b={b:.4g}; both must end within {tol}: train for more epochs or with a "
             "larger lr (and clear the gradients every epoch)")


@pytest.mark.exercise("fit_line")
@pytest.mark.weight(2)
def test_fit_line_reaches_the_line(student):
    # The default seed, and two other starting points: the defaults must not depend on luck.
    for kwargs in ({}, {"seed": 1}, {"seed": 2}):
        _fit_line_case(student, 0.7, 0.3, 0.05, data_seed=51, **kwargs)


@pytest.mark.exercise("fit_line")
def test_fit_line_learns_from_the_data(student):
    # Another line, checked loosely: the answer must come from the data.
    _fit_line_case(student, 0.4, 0.5, 0.1, data_seed=52)


# --------------------------------------------------------------------------
# train_classifier
# --------------------------------------------------------------------------


def _reference_fit(model: nn.Module, X, y, epochs: int, lr: float, *, mode: str = "train",
                   clear: bool = True, optimizer: str = "adam") -> tuple[list[float], list[torch.Tensor], float]:
    m = _deepcopy(model)
    m.train(mode == "train")
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(m.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        if clear:
            opt.zero_grad()
        loss = _cross_entropy(m(X), y)
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    with torch.no_grad():
        final = float(_cross_entropy(m(X), y).item())
    return losses, _params_cpu(m), final


def _losses_close(got: list[float], expected: list[float]) -> bool:
    return _len(got) == _len(expected) and all(
        abs(a - b) <= 1e-3 * abs(b) + 1e-5 for a, b in zip(got, expected))


_FIT_MISTAKES = [
    (dict(mode="eval"),
     "el entrenamiento se hizo en modo evaluación: llama a model.train() antes del bucle "
     "(el modelo llegó en modo eval; BatchNorm se comporta distinto al entrenar)",
     "training ran in evaluation mode: call model.train() before the loop (the model came in "
     "eval mode; BatchNorm behaves differently in training)"),
    (dict(clear=False),
     "los gradientes no se borran en cada época: llama a optimizer.zero_grad() antes de backward()",
     "the gradients are not cleared every epoch: call optimizer.zero_grad() before backward()"),
    (dict(optimizer="sgd"),
     "las pérdidas son las de SGD: usa torch.optim.Adam(model.parameters(), lr=lr)",
     "the losses are those of SGD: use torch.optim.Adam(model.parameters(), lr=lr)"),
]


def _train_classifier_case(student, device, epochs: int, lr: float, seed: int) -> None:
    X, y = make_moons(64, noise=0.1, seed=seed)
    X, y = X.to(device), y.to(device)
    model = _bn_net((2, 16, 2), seed).to(device)
    model.eval()  # as an earlier evaluation would leave it
    initial = _deepcopy(model)  # the mistakes' results are computed from it only if needed
    right, right_params, final = _reference_fit(initial, X, y, epochs, lr)
    shifted = right[1:] + [final]

    got = student.train_classifier(model, X, y, epochs=epochs, lr=lr)

    check(_isinstance(got, (list, tuple)),
          f"train_classifier debe devolver una lista de pérdidas; llegó {type(got).__name__} ({short(got)})",
          f"train_classifier must return a list of losses; got {type(got).__name__} ({short(got)})")
    check(_len(got) == epochs,
          f"se esperaba una pérdida por época ({epochs}) y llegaron {_len(got)}",
          f"expected one loss per epoch ({epochs}), got {_len(got)}")
    for i, v in enumerate(got):
        if compare.is_tensor(v):
            fail(f"la pérdida {i} es un tensor; guarda floats de Python con loss.item() (un tensor guarda "
                 "además todo su grafo en memoria)",
                 f"loss {i} is a tensor; store Python floats with loss.item() (a tensor also keeps its "
                 "whole graph in memory)")
        compare.number(v, (f"la pérdida {i}", f"loss {i}"))
    losses = [float(v) for v in got]
    if not _losses_close(losses, right):
        if _losses_close(losses, shifted):
            fail("las pérdidas son las de después de cada paso; guarda la de la pasada hacia delante de "
                 "cada época, antes de optimizer.step() (la misma que usas en backward())",
                 "the losses are those after each step; store the loss of each epoch's forward pass, "
                 "before optimizer.step() (the one you call backward() on)")
        for kw, es, en in _FIT_MISTAKES:
            if _losses_close(losses, _reference_fit(initial, X, y, epochs, lr, **kw)[0]):
                fail(es, en)
        i = next(k for k, (a, b) in enumerate(zip(losses, right)) if abs(a - b) > 1e-3 * abs(b) + 1e-5)
        fail(f"la pérdida de la época {i} es {losses[i]:.6g} y se esperaba {right[i]:.6g} (entrenamiento "
             "con todos los datos, modo entrenamiento, nn.CrossEntropyLoss y Adam(lr))",
             f"the loss of epoch {i} is {losses[i]:.6g}, expected {right[i]:.6g} (full-batch training, "
             "train mode, nn.CrossEntropyLoss and Adam(lr))")
    for p in model.parameters():
        compare.device(p, device, ("los parámetros del modelo", "the model's parameters"))
    params = _params_cpu(model)
    if not _all_close(params, right_params, rtol=1e-3, atol=1e-4):
        if _all_close(params, _params_cpu(initial), rtol=0, atol=0):
            fail("el modelo que se te pasó no cambió: entrénalo en su sitio, no una copia",
                 "the model you were given did not change: train it in place, not a copy")
        fail("los parámetros finales del modelo no son los esperados tras el entrenamiento "
             f"(difieren hasta en {_max_diff(params, right_params):.3g})",
             "the model's final parameters are not those expected after training "
             f"(they differ by up to {_max_diff(params, right_params):.3g})")


@pytest.mark.exercise("train_classifier")
@pytest.mark.weight(2)
def test_train_classifier_losses_and_weights(student, device):
    _train_classifier_case(student, device, epochs=12, lr=0.05, seed=61)


@pytest.mark.exercise("train_classifier")
def test_train_classifier_one_epoch(student, device):
    _train_classifier_case(student, device, epochs=1, lr=0.1, seed=62)


# --------------------------------------------------------------------------
# save_weights / load_weights
# --------------------------------------------------------------------------


def _weights_model(seed: int) -> nn.Module:
    return _bn_net((3, 4, 2), seed)


def _same_state(got: dict, expected: dict[str, torch.Tensor], es_what: str, en_what: str) -> None:
    got_keys = sorted(str(k) for k in got)
    check(got_keys == sorted(expected),
          f"{es_what}: las claves {short(got_keys)} no son las del state_dict {short(sorted(expected))}",
          f"{en_what}: the keys {short(got_keys)} are not the state_dict's {short(sorted(expected))}")
    for key, value in expected.items():
        compare.tensor_close(got[key], value, (f"{es_what}[{key!r}]", f"{en_what}[{key!r}]"), rtol=0, atol=0)


def _save_case(student, path) -> None:
    model = _weights_model(71)
    expected = _snapshot(model)
    student.save_weights(model, path)
    check(pathlib.Path(path).is_file(),
          f"save_weights no escribió ningún archivo en {path}",
          f"save_weights wrote no file at {path}")
    try:
        loaded = _load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means the same
        fail("el archivo no se puede cargar con torch.load(path, weights_only=True) "
             f"({type(exc).__name__}): ¿guardaste el modelo entero con torch.save(model, path)? Guarda solo "
             "model.state_dict()",
             "the file cannot be loaded with torch.load(path, weights_only=True) "
             f"({type(exc).__name__}): did you save the whole model with torch.save(model, path)? Save only "
             "model.state_dict()")
    check(_isinstance(loaded, dict),
          f"el archivo contiene {type(loaded).__name__}, no un state_dict (un dict de tensores): guarda "
          "model.state_dict()",
          f"the file holds {type(loaded).__name__}, not a state_dict (a dict of tensors): save "
          "model.state_dict()")
    _same_state(loaded, expected, "lo guardado", "what was saved")


@pytest.mark.exercise("save_weights")
def test_save_weights_state_dict_str_path(student, tmp_path):
    _save_case(student, str(tmp_path / "pesos.pt"))


@pytest.mark.exercise("save_weights")
def test_save_weights_state_dict_pathlib(student, tmp_path):
    _save_case(student, tmp_path / "weights.pth")


def _load_case(student, path) -> None:
    source = _weights_model(72)
    _save(source.state_dict(), path)
    expected = _snapshot(source)
    model = _weights_model(73)
    got = student.load_weights(model, path)
    check(got is model,
          f"load_weights debe devolver el modelo que recibe; llegó {type(got).__name__} "
          "(ojo: model.load_state_dict(...) devuelve un informe de claves, no el modelo)",
          f"load_weights must return the model it was given; got {type(got).__name__} "
          "(beware: model.load_state_dict(...) returns a report of keys, not the model)")
    _same_state(_snapshot(model), expected, "el modelo cargado", "the loaded model")


@pytest.mark.exercise("save_weights")
def test_load_weights_str_path(student, tmp_path):
    _load_case(student, str(tmp_path / "pesos.pt"))


@pytest.mark.exercise("save_weights")
def test_load_weights_pathlib(student, tmp_path):
    _load_case(student, tmp_path / "weights.pth")
