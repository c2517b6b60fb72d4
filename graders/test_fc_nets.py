"""Hidden grader for the ``fc_nets`` topic (fully connected networks); see docs/writing-graders.md.

It runs in the judge; the submission runs in its own student process. Every
model, loss, optimiser and file that an exercise hands to student code is built
there by a trusted recipe (``sequential`` of the common recipes, ``fc_nets_*``
of ``torchdojo/shared/recipes/fc_nets.py``) and checked against the judge's
twin right after building. Verdicts rest on what the judge recomputes:
parameters and buffers come back as data and are compared with a reference
computed here from the twin's initial weights, the same data and the same
hyper-parameters, on the CPU in float64 (one reference for every device; the
tolerances are wider for accelerator results).

Models where the mode matters carry BatchNorm (and Dropout where randomness
would show), so that train and eval mode give different results; a Linear
right before a BatchNorm has no bias (BatchNorm cancels it, and Adam would
turn its rounding-noise gradient into full-size steps that no reference can
reproduce). Architectures are judged by behaviour: parameter counts, output
shapes, and the output after the reference weights are loaded into the
student's parameters matched by shape, never by attribute names or module
types. Where a check fails, the grader computes the classic mistakes (stale
gradients, no optimiser step, wrong mode, softmax on logits, a percentage for
a fraction...) and names the one that matches.

No tensor is created at import time (the module is imported in the warm judge).
"""

from __future__ import annotations

import copy
import math
from collections import Counter

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from torchdojo.datasets import make_moons
from torchdojo.judge import compare
from torchdojo.judge.feedback import check, fail, short, type_name
from torchdojo.judge.helpers import generator
from torchdojo.judge.props import grading_settings
from torchdojo.judge.remote import Handle, StudentRaised, TwinMismatch
from torchdojo.judge.seeding import mix
from torchdojo.shared import recipes as recipe_book
from torchdojo.shared.recipes.fc_nets import make_optimizer

_f64 = torch.float64


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _tol(device) -> tuple[float, float]:
    """``(rtol, atol)`` for a result computed on ``device`` against the float64 reference."""
    return (1e-4, 1e-5) if torch.device(device).type == "cpu" else (1e-3, 1e-4)


def _close(got: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> bool:
    got, expected = compare.to_cpu(got), compare.to_cpu(expected)
    if tuple(got.shape) != tuple(expected.shape):
        return False
    return bool(torch.isclose(got.double(), expected.double(), rtol=rtol, atol=atol).all())


def _max_diff(got: dict[str, torch.Tensor], expected: dict[str, torch.Tensor], keys) -> float:
    return max(float((compare.to_cpu(got[k]).double() - expected[k].double()).abs().max()) for k in keys)


def _state(model: Handle) -> dict[str, torch.Tensor]:
    """A student-process module's state_dict, as tensors (on the device they came from)."""
    state = model.state_dict()
    check(isinstance(state, dict) and all(compare.is_tensor(v) for v in state.values()),
          f"el state_dict del modelo no es un dict de tensores: {short(state)}",
          f"the model's state_dict is not a dict of tensors: {short(state)}")
    return state


def _double(module: nn.Module) -> nn.Module:
    """A float64 copy of one of the judge's own twins (never a student object)."""
    return copy.deepcopy(module).double()


#: Training results may stray from the float64 reference by the tolerances plus this
#: many times what float32 rounding alone moves the judge's own float32 run. Adam
#: turns a gradient near zero (|g| ~ 1e-7, where rounding errors are a few per cent)
#: into a step of nearly lr, so two correct float32 runs (CPU and GPU, or other
#: summation orders) can differ by 1e-4 and more where one such gradient occurs.
_SLACK = 10.0


def _outcome(run) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], list]:
    """``run(dtype) -> (state, *extras)``, run in float64 and float32.

    Returns the float64 state, how far float32 rounding moves each of its
    tensors, and the float64 run's extras.
    """
    exact, *extras = run(_f64)
    rough, *_ = run(torch.float32)
    slack = {k: (rough[k].double() - exact[k].double()).abs() for k in exact}
    return exact, slack, extras


def _agrees(state: dict, exact: dict, slack: dict, keys, rtol: float, atol: float) -> bool:
    """Whether ``state`` (from the student process) matches a reference outcome on ``keys``."""
    for k in keys:
        if k not in state or not compare.is_tensor(state[k]):
            return False
        got, expected = compare.to_cpu(state[k]).double(), exact[k].double()
        if got.shape != expected.shape:
            return False
        if not bool(((got - expected).abs() <= atol + rtol * expected.abs() + _SLACK * slack[k]).all()):
            return False
    return True


def _build(lab, layout: str, sizes: tuple[int, int, int], seed: int, *, train: bool, dropout: float = 0.0):
    """A model built in the student process (and its twin here).

    ``"sequential"``: Linear (no bias), BatchNorm1d, ReLU, [Dropout], Linear;
    ``"two_part"``: a module that is not a Sequential, with nested modules and
    a parameter of its own (``fc_nets_two_part_net``).
    """
    a, h, c = sizes
    if layout == "sequential":
        layers = [("linear", a, h, False), ("batchnorm1d", h), ("relu",)]
        if dropout:
            layers.append(("dropout", dropout))
        layers.append(("linear", h, c))
        return lab.build_with_twin("sequential", layers=layers, seed=mix(seed), train=train)
    return lab.build_with_twin("fc_nets_two_part_net", sizes=(a, h, c), seed=mix(seed), dropout=dropout,
                               train=train)


def _check_optimizer(opt: Handle, kind: str, lr: float, hyper: dict, n_params: int) -> None:
    """The optimiser a recipe built holds the model's parameters and exactly these hyper-parameters."""
    state = opt.method("state_dict")
    groups = state.get("param_groups") if isinstance(state, dict) else None
    if not (isinstance(groups, list) and len(groups) == 1 and isinstance(groups[0], dict)):
        raise TwinMismatch(f"recipe fc_nets_optimizer: param_groups {short(groups, 80)}")
    params = groups[0].get("params")
    if not isinstance(params, list) or len(params) != n_params:
        raise TwinMismatch(f"recipe fc_nets_optimizer: {short(params, 40)} parameters instead of {n_params}")
    probe = torch.zeros(1, requires_grad=True)
    expected = make_optimizer(kind, [probe], lr, **dict(hyper)).state_dict()["param_groups"][0]
    for key, value in expected.items():
        if key != "params" and groups[0].get(key) != value:
            raise TwinMismatch(f"recipe fc_nets_optimizer: {key} = {short(groups[0].get(key), 40)}, not {value!r}")


def _check_loss(loss_fn: Handle, twin: nn.Module) -> None:
    """The loss a recipe built is the judge's: same kind of reduction and label smoothing."""
    for name in ("reduction", "label_smoothing"):
        expected = getattr(twin, name, None)
        if expected is not None and loss_fn.attr(name) != expected:
            raise TwinMismatch(f"recipe fc_nets_loss: {name} differs")


def _gradients_on(lab) -> bool:
    """Switch gradient tracking back on in the student process; whether it was on.

    Training exercises and predict_proba start with it on, whatever an earlier
    exercise left behind (``torch.set_grad_enabled(False)`` never undone): one
    bug, one exercise.
    """
    return lab.run("fc_nets_grad_mode_restore") is True


# --------------------------------------------------------------------------
# FCNet
# --------------------------------------------------------------------------

# Sizes >= 2 (a bias reshaped to (1, out) then never looks like a weight); sizes
# may repeat: same-shaped tensors get the same reference values and square
# weights are symmetric, so the student's parameters take the reference values
# by shape alone, whatever their order, names, container or orientation.
_ARCHS = [
    (3, [7, 5], 4),
    (3, [], 4),
    (3, (6,), 2),
    (3, [9, 7, 5], 4),
    (4, (8, 8), 3),
    (5, [6, 5, 6], 5),
]
# Only counted and shaped: sizes of 1 (one input, one output).
_SHAPE_ARCHS = _ARCHS + [(1, [4], 1), (2, (3, 3, 3), 1)]


def _n_params(in_f: int, hidden, out_f: int) -> int:
    sizes = [in_f, *hidden, out_f]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(sizes) - 1))


def _reference_layers(in_f: int, hidden, out_f: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One (weight, bias) per layer, float32 values held in float64, consistent by shape (see above)."""
    g = generator(seed)
    sizes = [in_f, *hidden, out_f]
    weights: dict[tuple[int, int], torch.Tensor] = {}
    biases: dict[int, torch.Tensor] = {}
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if (fan_out, fan_in) not in weights:
            if (fan_in, fan_out) in weights:
                weights[(fan_out, fan_in)] = weights[(fan_in, fan_out)].T
            else:
                w = torch.randn(fan_out, fan_in, generator=g) / fan_in ** 0.5
                if fan_in == fan_out:
                    w = (w + w.T) / 2 ** 0.5
                weights[(fan_out, fan_in)] = w.double()
        if fan_out not in biases:
            biases[fan_out] = (torch.randn(fan_out, generator=g) * 0.5).double()
        layers.append((weights[(fan_out, fan_in)], biases[fan_out]))
    return layers


def _reference_forward(layers, x: torch.Tensor, *, hidden_act=torch.relu, out_act=None) -> torch.Tensor:
    h = x.double()
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if i < len(layers) - 1 and hidden_act is not None:
            h = hidden_act(h)
    return out_act(h) if out_act is not None else h


def _values_by_shape(shapes: list[tuple[int, ...]], layers) -> list[torch.Tensor] | None:
    """The reference value for each of the student's parameter shapes, or ``None`` if they do not fit.

    A weight may be stored as ``(out, in)`` (``nn.Linear``, ``F.linear``) or
    transposed as ``(in, out)`` (for ``x @ W``); a bias as ``(out,)`` or ``(1, out)``.
    """
    candidates: dict[tuple[int, ...], tuple[tuple, torch.Tensor]] = {}
    wanted: Counter = Counter()
    for w, b in layers:
        o, i = w.shape
        key_w, key_b = ("w", min(o, i), max(o, i)), ("b", o)
        wanted[key_w] += 1
        wanted[key_b] += 1
        candidates[(o, i)] = (key_w, w)
        candidates[(i, o)] = (key_w, w.T)
        candidates[(o,)] = (key_b, b)
        candidates[(1, o)] = (key_b, b.reshape(1, -1))
    if any(s not in candidates for s in shapes):
        return None
    if Counter(candidates[s][0] for s in shapes) != wanted:
        return None
    return [candidates[s][1].float() for s in shapes]


def _fcnet(student, in_f, hidden, out_f) -> Handle:
    model = student.FCNet(in_f, hidden, out_f)
    check(isinstance(model, Handle) and model.is_a("nn.Module"),
          f"FCNet(...) debe crear un nn.Module; llegó {type_name(model)}",
          f"FCNet(...) must create an nn.Module; got {type_name(model)}")
    return model


def _shapes(model: Handle) -> list[tuple[int, ...]]:
    return [tuple(int(s) for s in p["shape"]) for p in model.params()]


def _param_count_case(student, in_f, hidden, out_f) -> None:
    model = _fcnet(student, in_f, hidden, out_f)
    got = sum(math.prod(s) for s in _shapes(model))
    expected = _n_params(in_f, hidden, out_f)
    if got == expected:
        return
    label = f"FCNet({in_f}, {hidden!r}, {out_f})"
    bias_sizes = [*hidden, out_f]
    missing = {sum(b for k, b in enumerate(bias_sizes) if mask >> k & 1)
               for mask in range(1, 1 << len(bias_sizes))}
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
def test_fcnet_parameter_count(student):
    for in_f, hidden, out_f in _SHAPE_ARCHS:
        _param_count_case(student, in_f, hidden, out_f)


@pytest.mark.exercise("FCNet")
@pytest.mark.weight(1)
def test_fcnet_output_shape(student, device):
    g = generator(11)
    for in_f, hidden, out_f in _SHAPE_ARCHS:
        model = _fcnet(student, in_f, hidden, out_f).to(device)
        for n in (6, 1):  # a batch of one keeps its batch dimension
            x = torch.randn(n, in_f, generator=g).to(device)
            out = model(x)
            label = f"FCNet({in_f}, {hidden!r}, {out_f})(x de forma {(n, in_f)})"
            what = (label, label.replace("x de forma", "x of shape"))
            compare.require_tensor(out, what)
            got_shape = tuple(int(s) for s in out.shape)
            if got_shape != (n, out_f) and got_shape == tuple(s for s in (n, out_f) if s != 1):
                fail(f"{what[0]}: forma {got_shape}; se esperaba {(n, out_f)}: no apliques squeeze() a la salida, "
                     "que quita las dimensiones de tamaño 1 (la del lote cuando hay un solo ejemplo)",
                     f"{what[1]}: shape {got_shape}; expected {(n, out_f)}: do not squeeze() the output, which "
                     "drops every dimension of size 1 (the batch one when there is a single example)")
            compare.shape(out, (n, out_f), what)
            compare.dtype(out, torch.float32, what)
            compare.device(out, device, what)


def _fcnet_values_case(student, device, in_f, hidden, out_f, seed: int, x: torch.Tensor) -> None:
    label = f"FCNet({in_f}, {hidden!r}, {out_f})"
    layers = _reference_layers(in_f, hidden, out_f, seed=seed)
    model = _fcnet(student, in_f, hidden, out_f)
    shapes = _shapes(model)
    n = sum(math.prod(s) for s in shapes)
    check(
        n == _n_params(in_f, hidden, out_f),
        f"{label}: número de parámetros incorrecto ({n}); ver la otra prueba",
        f"{label}: wrong number of parameters ({n}); see the other test",
    )
    values = _values_by_shape(shapes, layers)
    if values is None:
        fail(
            "no se pudieron emparejar los parámetros de tu red con los de capas nn.Linear "
            f"(pesos (salida, entrada) y sesgos (salida,)); formas de tus parámetros: {short(shapes)}",
            "could not match your network's parameters with those of nn.Linear layers "
            f"(weights (out, in) and biases (out,)); your parameter shapes: {short(shapes)}",
        )
    model.set_params(values)
    model = model.to(device)
    out = model(x.to(device))
    compare.require_tensor(out, (label, label))
    compare.shape(out, (x.shape[0], out_f), (label, label))
    rtol, atol = _tol(device)
    got = compare.to_cpu(out).double()
    expected = _reference_forward(layers, x)
    if _close(got, expected, rtol, atol):
        return
    mistakes = [
        (_reference_forward(layers, x, out_act=lambda t: torch.softmax(t, dim=-1)),
         "aplicas softmax a la salida: forward debe devolver los logits en bruto "
         "(nn.CrossEntropyLoss ya aplica softmax)",
         "you apply softmax to the output: forward must return the raw logits "
         "(nn.CrossEntropyLoss already applies softmax)"),
        (_reference_forward(layers, x, out_act=lambda t: torch.log_softmax(t, dim=-1)),
         "aplicas log_softmax a la salida: forward debe devolver los logits en bruto",
         "you apply log_softmax to the output: forward must return the raw logits"),
        (_reference_forward(layers, x, out_act=torch.relu),
         "aplicas ReLU después de la última capa: la salida son logits en bruto, "
         "que pueden ser negativos",
         "you apply ReLU after the last layer: the output is raw logits, which may be negative"),
        (_reference_forward(layers, x, out_act=torch.sigmoid),
         "aplicas sigmoid a la salida: forward debe devolver los logits en bruto",
         "you apply sigmoid to the output: forward must return the raw logits"),
        (_reference_forward(layers, x, hidden_act=None),
         "falta la ReLU entre las capas: sin ella, varias Linear seguidas equivalen a una sola",
         "the ReLU between layers is missing: without it, several Linear layers amount to one"),
    ]
    for alt, es, en in mistakes:
        if _close(got, alt, rtol, atol):
            fail(f"{label}: {es}", f"{label}: {en}")
    diff = float((got - expected).abs().max())
    fail(
        f"{label}: con los pesos de referencia cargados (emparejados por forma), la salida difiere "
        f"hasta en {diff:.3g} de Linear, ReLU, ..., Linear (sin nada tras la última Linear)",
        f"{label}: with the reference weights loaded (matched by shape), the output differs by up "
        f"to {diff:.3g} from Linear, ReLU, ..., Linear (nothing after the last Linear)",
    )


@pytest.mark.exercise("FCNet")
@pytest.mark.weight(2)
def test_fcnet_computes_linear_relu_logits(student, device):
    g = generator(12)
    for k, (in_f, hidden, out_f) in enumerate(_ARCHS):
        x = torch.randn(16, in_f, generator=g) * 2
        _fcnet_values_case(student, device, in_f, hidden, out_f, 100 + k, x)


_sizes = st.integers(2, 9)


@pytest.mark.exercise("FCNet")
@grading_settings(10)
@given(in_f=_sizes, hidden=st.lists(_sizes, max_size=3), as_tuple=st.booleans(), out_f=_sizes,
       n=st.integers(1, 9), seed=st.integers(0, 10_000))
def test_fcnet_any_architecture(student, in_f, hidden, as_tuple, out_f, n, seed):
    hidden = tuple(hidden) if as_tuple else list(hidden)
    _param_count_case(student, in_f, hidden, out_f)
    x = torch.randn(n, in_f, generator=generator(seed)) * 2
    _fcnet_values_case(student, "cpu", in_f, hidden, out_f, seed + 1, x)


# --------------------------------------------------------------------------
# count_parameters
# --------------------------------------------------------------------------


def _count(student, *args, **kwargs):
    """``count_parameters(*args, **kwargs)``; a model that cannot be iterated explained."""
    try:
        return student.count_parameters(*args, **kwargs)
    except StudentRaised as exc:
        if not (exc.is_a(TypeError) and "not iterable" in exc.message):
            raise
        fail(f"count_parameters lanzó {exc.type_name} ({short(exc.message, 100)}): no todo modelo es un "
             "nn.Sequential que se pueda recorrer capa a capa; model.parameters() da los parámetros de "
             "cualquier nn.Module, también los de submódulos anidados y los que cuelgan del propio modelo",
             f"count_parameters raised {exc.type_name} ({short(exc.message, 100)}): not every model is an "
             "nn.Sequential that can be walked layer by layer; model.parameters() gives the parameters of "
             "any nn.Module, including those of nested submodules and those held by the model itself")


def _count_case(got, twin: nn.Module, trainable_only: bool) -> None:
    params = list(twin.parameters())
    expected = sum(p.numel() for p in params if p.requires_grad or not trainable_only)
    value = compare.number(got, ("count_parameters(...)", "count_parameters(...)"), integer=True)
    if value == expected:
        return
    call = f"count_parameters(model, trainable_only={trainable_only})"
    n_all = sum(p.numel() for p in params)
    n_trainable = sum(p.numel() for p in params if p.requires_grad)
    state = twin.state_dict()
    n_state = sum(v.numel() for v in state.values())
    n_state_float = sum(v.numel() for v in state.values() if v.is_floating_point())
    if value == len(params) or value == sum(1 for p in params if p.requires_grad):
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
def test_count_parameters_plain_model(student, lab):
    model, twin = lab.build_with_twin("sequential", layers=[("linear", 3, 5), ("relu",), ("linear", 5, 2)],
                                      seed=mix(81))  # 20 + 12
    _count_case(_count(student, model), twin, True)
    _count_case(_count(student, model, trainable_only=False), twin, False)


@pytest.mark.exercise("count_parameters")
def test_count_parameters_frozen_and_buffers(student, lab):
    layers = [("linear", 4, 6), ("batchnorm1d", 6), ("relu",), ("linear", 6, 3)]  # 30 + 12 + 21
    model, twin = lab.build_with_twin("sequential", layers=layers, seed=mix(82), frozen=(0,))
    _count_case(_count(student, model), twin, True)
    _count_case(_count(student, model, trainable_only=False), twin, False)
    model, twin = lab.build_with_twin("sequential", layers=layers, seed=mix(83), frozen=(0, 1, 3))
    _count_case(_count(student, model), twin, True)


@pytest.mark.exercise("count_parameters")
def test_count_parameters_any_module(student, lab):
    # Not a Sequential: nested modules, a parameter of the model's own; the flag passed by position too.
    for frozen in ((), ("body",), ("gain", "head")):
        model, twin = lab.build_with_twin("fc_nets_two_part_net", sizes=(5, 7, 3), seed=mix(84), frozen=frozen)
        _count_case(_count(student, model), twin, True)
        _count_case(_count(student, model, False), twin, False)
        _count_case(_count(student, model, trainable_only=True), twin, True)


# --------------------------------------------------------------------------
# train_step
# --------------------------------------------------------------------------


def _reference_step(twin: nn.Module, X, y, loss_fn: nn.Module, opt: tuple, stale, *, dtype: torch.dtype = _f64,
                    mode: str = "train", clear: bool = True, step: bool = True) -> tuple[dict, float, float]:
    """On a copy of the twin in ``dtype``: one step done one way (right, or with a classic mistake).

    Returns the state after it, the loss of its forward pass and the loss of a
    forward pass after the step (what a student who recomputes the loss gets).
    """
    kind, lr, hyper = opt
    m = copy.deepcopy(twin).to(dtype)
    X = X.to(dtype)
    for p, s in zip(m.parameters(), stale):
        p.grad = s.to(dtype).clone()
    optimizer = make_optimizer(kind, m.parameters(), lr, **dict(hyper))
    m.train(mode == "train")
    if clear:
        optimizer.zero_grad()
    loss = loss_fn(m(X), y)
    loss.backward()
    if step:
        optimizer.step()
    state = {k: v.detach().clone() for k, v in m.state_dict().items()}
    with torch.no_grad():
        after = loss_fn(m(X), y)
    return state, float(loss.item()), float(after.item())


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


def _train_step_case(student, lab, device, *, layout: str, opt: tuple, seed: int,
                     label_smoothing: float = 0.0) -> None:
    kind, lr, hyper = opt
    _gradients_on(lab)
    g = generator(seed)
    model, twin = _build(lab, layout, (4, 16, 3), seed, train=False)  # eval mode, as an evaluation leaves it
    loss_fn, loss_twin = lab.build_with_twin("fc_nets_loss", kind="cross_entropy", label_smoothing=label_smoothing)
    _check_loss(loss_fn, loss_twin)
    X = torch.randn(32, 4, generator=g)
    y = torch.randint(0, 3, (32,), generator=g)
    # Stale gradients from an earlier step.
    stale = [torch.randn(p.shape, generator=g) * 2 for p in twin.parameters()]
    model.to(device)
    model.set_params(grads=stale)
    optimizer = lab.build("fc_nets_optimizer", kind=kind, model=model, lr=lr, **dict(hyper))
    _check_optimizer(optimizer, kind, lr, dict(hyper), len(stale))

    def outcome(loss=loss_twin, **kw):
        return _outcome(lambda dtype: _reference_step(twin, X, y, loss, opt, stale, dtype=dtype, **kw))

    right, slack, (right_loss, after_loss) = outcome()

    got = student.train_step(model, X.to(device), y.to(device), loss_fn, optimizer)

    state = _state(model)
    names = [name for name, _ in twin.named_parameters()]
    rtol, atol = _tol(device)
    if not _agrees(state, right, slack, names, rtol, atol):
        mistakes = list(_STEP_MISTAKES)
        if label_smoothing:
            mistakes.append((
                dict(loss=nn.CrossEntropyLoss()),
                "el paso usó una entropía cruzada propia, no la loss_fn recibida (aquí una "
                f"nn.CrossEntropyLoss(label_smoothing={label_smoothing})): calcula la pérdida con "
                "loss_fn(model(X), y)",
                "the step used a cross-entropy of its own, not the loss_fn it was given (here an "
                f"nn.CrossEntropyLoss(label_smoothing={label_smoothing})): compute the loss with "
                "loss_fn(model(X), y)"))
        for kw, es, en in mistakes:
            alt, alt_slack, _ = outcome(**kw)
            if _agrees(state, alt, alt_slack, names, rtol, atol):
                fail(es, en)
        diff = _max_diff(state, right, [k for k in names if k in state])
        fail(
            "los parámetros tras el paso no son los de un paso correcto (modo entrenamiento, "
            f"zero_grad, forward, pérdida, backward, step): difieren hasta en {diff:.3g}",
            "the parameters after the step are not those of a correct step (train mode, zero_grad, "
            f"forward, loss, backward, step): they differ by up to {diff:.3g}",
        )
    what = ("la pérdida devuelta", "the returned loss")
    if compare.is_tensor(got):
        fail("la pérdida devuelta es un tensor; devuelve un float de Python con loss.item()",
             "the returned loss is a tensor; return a Python float with loss.item()")
    value = compare.number(got, what)
    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-4 * abs(b) + 1e-5

    if not near(value, right_loss) and near(value, after_loss):
        fail(f"devolviste la pérdida calculada después del paso ({value:.6g}); devuelve la de la pasada "
             f"hacia delante de antes de step() ({right_loss:.6g})",
             f"you returned the loss computed after the step ({value:.6g}); return the one of the forward "
             f"pass before step() ({right_loss:.6g})")
    compare.close(got, right_loss, what, rtol=1e-4, atol=1e-5)
    check(_agrees(state, right, slack, [k for k in right if k not in names], rtol, atol),
          "los parámetros son correctos pero las estadísticas de BatchNorm no son las de una sola pasada "
          "hacia delante en modo entrenamiento: el paso hace exactamente una (model(X)), sin pasadas de más",
          "the parameters are right but BatchNorm's running statistics are not those of a single forward "
          "pass in training mode: the step does exactly one (model(X)), with no extra passes")


@pytest.mark.exercise("train_step")
@pytest.mark.weight(2)
def test_train_step_sgd_with_stale_gradients(student, lab, device):
    _train_step_case(student, lab, device, layout="sequential", opt=("sgd", 0.1, ()), seed=21)


@pytest.mark.exercise("train_step")
def test_train_step_uses_the_given_optimizer(student, lab, device):
    _train_step_case(student, lab, device, layout="two_part", opt=("adam", 0.01, ()), seed=22)


@pytest.mark.exercise("train_step")
def test_train_step_uses_the_given_loss(student, lab, device):
    _train_step_case(student, lab, device, layout="sequential",
                     opt=("sgd", 0.05, (("momentum", 0.9), ("weight_decay", 0.01))), seed=23,
                     label_smoothing=0.2)


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


def _logits_with_hits(n: int, c: int, hits: int, seed: int,
                      dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    g = generator(seed)
    logits = (torch.randn(n, c, generator=g) * 3).to(dtype)
    # No ties (half precision rounds values together): each row's largest value stands out.
    rows = torch.arange(n)
    logits[rows, logits.argmax(dim=-1)] += 0.5
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


@pytest.mark.exercise("accuracy")
def test_accuracy_other_sizes_and_dtypes(student):
    for n, c, hits, dtype, seed in ((1, 3, 1, torch.float32, 35), (1, 4, 0, torch.float64, 36),
                                    (500, 10, 317, torch.float64, 37), (30, 7, 11, torch.float16, 38)):
        logits, targets = _logits_with_hits(n, c, hits, seed=seed, dtype=dtype)
        _accuracy_case(student, logits, targets)


# --------------------------------------------------------------------------
# predict_proba
# --------------------------------------------------------------------------


def _predict_case(student, lab, device, *, layout: str, n: int, seed: int) -> None:
    _gradients_on(lab)  # an earlier exercise may have left it off: predict_proba is judged on its own
    g = generator(seed)
    model, twin = _build(lab, layout, (5, 16, 3), seed, train=True, dropout=0.5)  # left in train mode
    model.to(device)
    X = torch.randn(n, 5, generator=g) * 2
    with torch.no_grad():
        logits = _double(twin).eval()(X.double())
    expected = torch.softmax(logits, dim=-1)
    before = twin.state_dict()

    try:
        got = student.predict_proba(model, X.to(device))
    except StudentRaised:
        _gradients_on(lab)
        raise
    grad_was_on = _gradients_on(lab)

    what = ("predict_proba(model, X)", "predict_proba(model, X)")
    compare.require_tensor(got, what)
    compare.shape(got, (n, 3), what)
    compare.device(got, device, what)
    check(got.is_floating_point(),
          f"predict_proba debe devolver probabilidades en punto flotante; llegó dtype {got.dtype}",
          f"predict_proba must return floating-point probabilities; got dtype {got.dtype}")
    check(not got.requires_grad,
          "el resultado tiene requires_grad=True: calcula la predicción dentro de torch.no_grad() "
          "(o torch.inference_mode()), que no guarda el grafo de gradientes",
          "the result has requires_grad=True: compute the prediction inside torch.no_grad() "
          "(or torch.inference_mode()), which keeps no gradient graph")
    rtol, atol = _tol(device)
    probs = compare.to_cpu(got).double()
    if not bool(torch.isclose(probs.sum(dim=-1), torch.ones(n, dtype=_f64), atol=1e-4).all()):
        if _close(probs, logits, rtol, atol):
            fail("devolviste los logits: aplica softmax sobre la última dimensión "
                 "(torch.softmax(logits, dim=-1)) para obtener probabilidades",
                 "you returned the logits: apply softmax over the last dimension "
                 "(torch.softmax(logits, dim=-1)) to get probabilities")
        if bool(torch.isclose(probs.sum(dim=0), torch.ones(3, dtype=_f64), atol=1e-4).all()):
            fail("aplicas softmax sobre la dimensión equivocada (0, las filas); las clases van en la "
                 "última: dim=-1",
                 "you apply softmax over the wrong dimension (0, the rows); classes are along the last "
                 "one: dim=-1")
        fail("las filas no suman 1: aplica softmax sobre la última dimensión (dim=-1)",
             "the rows do not sum to 1: apply softmax over the last dimension (dim=-1)")
    after = _state(model)
    changed = [key for key, value in before.items()
               if key not in after or not bool(torch.equal(compare.to_cpu(after[key]), value))]
    if not _close(probs, expected, rtol, atol):
        diff = float((probs - expected).abs().max())
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
    check(grad_was_on,
          "predict_proba dejó desactivado el seguimiento de gradientes para todo el proceso "
          "(torch.set_grad_enabled(False) sin volver a activarlo): cualquier entrenamiento posterior "
          "fallaría; usa un bloque `with torch.no_grad():`, que lo restablece al salir",
          "predict_proba left gradient tracking switched off for the whole process "
          "(torch.set_grad_enabled(False) never switched back on): any later training would break; "
          "use a `with torch.no_grad():` block, which restores it on exit")


@pytest.mark.exercise("predict_proba")
@pytest.mark.weight(2)
def test_predict_proba_eval_mode_softmax(student, lab, device):
    _predict_case(student, lab, device, layout="sequential", n=24, seed=41)


@pytest.mark.exercise("predict_proba")
def test_predict_proba_other_batch(student, lab, device):
    _predict_case(student, lab, device, layout="two_part", n=7, seed=42)


# --------------------------------------------------------------------------
# fit_line
# --------------------------------------------------------------------------


def _pair(got) -> tuple[float, float]:
    check(isinstance(got, (tuple, list)) and len(got) == 2,
          f"fit_line debe devolver una tupla (w, b); llegó {short(got)}",
          f"fit_line must return a tuple (w, b); got {short(got)}")
    w, b = got
    for name, v in (("w", w), ("b", b)):
        if compare.is_tensor(v):
            fail(f"{name} es un tensor; devuelve floats de Python (.item())",
                 f"{name} is a tensor; return Python floats (.item())")
    return compare.number(w, "w"), compare.number(b, "b")


def _fit_line_case(student, lab, w_true: float, b_true: float, tol: float, data_seed: int, n: int = 64,
                   **kwargs) -> None:
    _gradients_on(lab)
    g = generator(data_seed)
    x = torch.rand(n, 1, generator=g)
    y = w_true * x + b_true
    w, b = _pair(student.fit_line(x, y, **kwargs))
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
def test_fit_line_reaches_the_line(student, lab):
    # The default seed, and two other starting points: the defaults must not depend on luck.
    for kwargs in ({}, {"seed": 1}, {"seed": 2}):
        _fit_line_case(student, lab, 0.7, 0.3, 0.05, data_seed=51, **kwargs)


@pytest.mark.exercise("fit_line")
def test_fit_line_learns_from_the_data(student, lab):
    # Another line and another number of points, checked loosely: the answer must come from the data.
    _fit_line_case(student, lab, 0.4, 0.5, 0.1, data_seed=52, n=40)


@pytest.mark.exercise("fit_line")
def test_fit_line_seed_sets_the_start(student, lab):
    # A few small steps keep (w, b) near their start, so the start shows.
    _gradients_on(lab)
    g = generator(53)
    x = torch.rand(32, 1, generator=g)
    y = 0.7 * x + 0.3
    seed = mix(54) % 10_000

    def run(s: int) -> tuple[float, float]:
        return _pair(student.fit_line(x, y, epochs=3, lr=0.01, seed=s))

    def show(pair: tuple[float, float]) -> str:
        return f"(w={pair[0]:.4g}, b={pair[1]:.4g})"

    first = run(seed)
    lab.run("draw_global", n=5)  # the global generator moves in between, as other code would move it
    again = run(seed)
    other = run(seed + 1)
    check(first == again,
          f"fit_line(x, y, epochs=3, lr=0.01, seed={seed}) dos veces dio {show(first)} y {show(again)}: "
          "la misma semilla debe dar los mismos pesos iniciales; siembra con torch.manual_seed(seed) (o un "
          "torch.Generator sembrado con seed) antes de crear la capa",
          f"fit_line(x, y, epochs=3, lr=0.01, seed={seed}) twice gave {show(first)} and {show(again)}: "
          "the same seed must give the same initial weights; seed with torch.manual_seed(seed) (or a "
          "torch.Generator seeded with seed) before creating the layer")
    check(first != other,
          f"las semillas {seed} y {seed + 1} dieron el mismo resultado {show(first)}: la semilla debe fijar los "
          "pesos iniciales (torch.manual_seed(seed), no un número fijo)",
          f"seeds {seed} and {seed + 1} gave the same result {show(first)}: the seed must set the initial weights "
          "(torch.manual_seed(seed), not a fixed number)")


# --------------------------------------------------------------------------
# train_classifier
# --------------------------------------------------------------------------


def _reference_fit(twin: nn.Module, X, y, epochs: int, lr: float, *, dtype: torch.dtype = _f64, mode: str = "train",
                   clear: bool = True, optimizer: str = "adam") -> tuple[dict, list[float], float]:
    """On a copy of the twin in ``dtype``: full-batch training done one way (right, or a classic mistake).

    Returns the state after it, the loss of each epoch and the loss after the last step.
    """
    m = copy.deepcopy(twin).to(dtype)
    m.train(mode == "train")
    opt = make_optimizer(optimizer, m.parameters(), lr)
    X = X.to(dtype)
    losses = []
    for _ in range(epochs):
        if clear:
            opt.zero_grad()
        loss = F.cross_entropy(m(X), y)
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    state = {k: v.detach().clone() for k, v in m.state_dict().items()}
    with torch.no_grad():
        final = float(F.cross_entropy(m(X), y).item())
    return state, losses, final


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


def _losses_close(got: list[float], expected: list[float], slack: list[float]) -> bool:
    return len(got) == len(expected) and all(
        abs(a - b) <= 1e-3 * abs(b) + 1e-5 + _SLACK * s for a, b, s in zip(got, expected, slack))


def _train_classifier_case(student, lab, device, *, layout: str, epochs: int, lr: float, seed: int,
                           n: int = 64) -> None:
    _gradients_on(lab)
    X, y = make_moons(n, noise=0.1, seed=mix(seed))
    model, twin = _build(lab, layout, (2, 16, 2), seed, train=False)  # eval mode, as an evaluation leaves it
    model.to(device)

    def outcome(**kw):
        """The float64 state, its float32 slack, the losses, their float32 slack, and the loss after training."""
        exact, rough = (_reference_fit(twin, X, y, epochs, lr, dtype=dt, **kw) for dt in (_f64, torch.float32))
        slack = {k: (rough[0][k].double() - v.double()).abs() for k, v in exact[0].items()}
        return exact[0], slack, exact[1], [abs(a - b) for a, b in zip(exact[1], rough[1])], exact[2]

    right_state, slack, right, loss_slack, final = outcome()

    got = student.train_classifier(model, X.to(device), y.to(device), epochs=epochs, lr=lr)

    check(isinstance(got, (list, tuple)),
          f"train_classifier debe devolver una lista de pérdidas; llegó {type_name(got)} ({short(got)})",
          f"train_classifier must return a list of losses; got {type_name(got)} ({short(got)})")
    check(len(got) == epochs,
          f"se esperaba una pérdida por época ({epochs}) y llegaron {len(got)}",
          f"expected one loss per epoch ({epochs}), got {len(got)}")
    for i, v in enumerate(got):
        if compare.is_tensor(v):
            fail(f"la pérdida {i} es un tensor; guarda floats de Python con loss.item() (un tensor guarda "
                 "además todo su grafo en memoria)",
                 f"loss {i} is a tensor; store Python floats with loss.item() (a tensor also keeps its "
                 "whole graph in memory)")
        compare.number(v, (f"la pérdida {i}", f"loss {i}"))
    losses = [float(v) for v in got]
    if not _losses_close(losses, right, loss_slack):
        if _losses_close(losses, right[1:] + [final], loss_slack[1:] + [0.0]):
            fail("las pérdidas son las de después de cada paso; guarda la de la pasada hacia delante de "
                 "cada época, antes de optimizer.step() (la misma que usas en backward())",
                 "the losses are those after each step; store the loss of each epoch's forward pass, "
                 "before optimizer.step() (the one you call backward() on)")
        for kw, es, en in _FIT_MISTAKES:
            _, _, alt, alt_slack, _ = outcome(**kw)
            if _losses_close(losses, alt, alt_slack):
                fail(es, en)
        i = next(k for k, (a, b, s) in enumerate(zip(losses, right, loss_slack))
                 if abs(a - b) > 1e-3 * abs(b) + 1e-5 + _SLACK * s)
        fail(f"la pérdida de la época {i} es {losses[i]:.6g} y se esperaba {right[i]:.6g} (entrenamiento "
             "con todos los datos, modo entrenamiento, nn.CrossEntropyLoss y Adam(lr))",
             f"the loss of epoch {i} is {losses[i]:.6g}, expected {right[i]:.6g} (full-batch training, "
             "train mode, nn.CrossEntropyLoss and Adam(lr))")
    state = _state(model)
    names = [name for name, _ in twin.named_parameters()]
    for k in names:
        check(k in state, f"falta {k} en el modelo", f"{k} is missing from the model")
        compare.device(state[k], device, ("los parámetros del modelo", "the model's parameters"))
    if not _agrees(state, right_state, slack, names, 1e-3, 1e-4):
        initial = twin.state_dict()
        if all(torch.equal(compare.to_cpu(state[k]), initial[k]) for k in names):
            fail("el modelo que se te pasó no cambió: entrénalo en su sitio, no una copia",
                 "the model you were given did not change: train it in place, not a copy")
        diff = _max_diff(state, right_state, names)
        fail("los parámetros finales del modelo no son los esperados tras el entrenamiento "
             f"(difieren hasta en {diff:.3g})",
             "the model's final parameters are not those expected after training "
             f"(they differ by up to {diff:.3g})")
    check(_agrees(state, right_state, slack, [k for k in right_state if k not in names], 1e-3, 1e-4),
          "los parámetros son correctos pero las estadísticas de BatchNorm no son las de una pasada hacia "
          "delante por época en modo entrenamiento: una pasada de más en ese modo (p. ej. para imprimir una "
          "exactitud) las vuelve a actualizar; hazla en modo evaluación o no la hagas",
          "the parameters are right but BatchNorm's running statistics are not those of one forward pass "
          "per epoch in training mode: one more pass in that mode (e.g. to print an accuracy) updates them "
          "again; run it in eval mode, or not at all")


@pytest.mark.exercise("train_classifier")
@pytest.mark.weight(2)
def test_train_classifier_losses_and_weights(student, lab, device):
    _train_classifier_case(student, lab, device, layout="sequential", epochs=12, lr=0.05, seed=61)


@pytest.mark.exercise("train_classifier")
def test_train_classifier_one_epoch(student, lab, device):
    _train_classifier_case(student, lab, device, layout="sequential", epochs=1, lr=0.1, seed=62)


@pytest.mark.exercise("train_classifier")
def test_train_classifier_any_module(student, lab, device):
    _train_classifier_case(student, lab, device, layout="two_part", epochs=6, lr=0.02, seed=63, n=50)


# --------------------------------------------------------------------------
# save_weights / load_weights
# --------------------------------------------------------------------------

_WEIGHTS_LAYERS = [("linear", 3, 4), ("batchnorm1d", 4), ("relu",), ("linear", 4, 2)]


def _path_arg(lab, name: str, as_path: bool):
    """A path in the student process's folder: the ``str`` itself, or a ``pathlib.Path`` built there."""
    where = lab.path(name)
    if not as_path:
        return where, where
    handle = lab.build("path", path=where)
    if handle.method("__fspath__") != where:
        raise TwinMismatch("recipe path: another path")
    return handle, where


def _same_state(got: dict, expected: dict[str, torch.Tensor], es_what: str, en_what: str) -> None:
    got_keys = sorted(str(k) for k in got)
    check(got_keys == sorted(expected),
          f"{es_what}: las claves {short(got_keys)} no son las del state_dict {short(sorted(expected))}",
          f"{en_what}: the keys {short(got_keys)} are not the state_dict's {short(sorted(expected))}")
    for key, value in expected.items():
        compare.tensor_close(got[key], value, (f"{es_what}[{key!r}]", f"{en_what}[{key!r}]"), rtol=0, atol=0)


def _save_case(student, lab, name: str, as_path: bool) -> None:
    model, twin = lab.build_with_twin("sequential", layers=_WEIGHTS_LAYERS, seed=mix(71))
    arg, where = _path_arg(lab, name, as_path)
    student.save_weights(model, arg)
    try:
        loaded = lab.read_state_file(where)  # parsed in a clean student process, never here
    except StudentRaised as exc:
        fail("el archivo no se puede cargar con torch.load(path, weights_only=True) "
             f"({exc.type_name}): ¿guardaste el modelo entero con torch.save(model, path)? Guarda solo "
             "model.state_dict()",
             "the file cannot be loaded with torch.load(path, weights_only=True) "
             f"({exc.type_name}): did you save the whole model with torch.save(model, path)? Save only "
             "model.state_dict()")
    check(loaded is not None,
          f"save_weights no escribió ningún archivo en la ruta que recibió ({name})",
          f"save_weights wrote no file at the path it was given ({name})")
    check(isinstance(loaded, dict),
          f"el archivo contiene {type_name(loaded)}, no un state_dict (un dict de tensores): guarda "
          "model.state_dict()",
          f"the file holds {type_name(loaded)}, not a state_dict (a dict of tensors): save "
          "model.state_dict()")
    _same_state(loaded, twin.state_dict(), "lo guardado", "what was saved")


@pytest.mark.exercise("save_weights")
def test_save_weights_state_dict_str_path(student, lab):
    _save_case(student, lab, "pesos.pt", as_path=False)


@pytest.mark.exercise("save_weights")
def test_save_weights_state_dict_pathlib(student, lab):
    _save_case(student, lab, "weights.pth", as_path=True)


def _load_case(student, lab, name: str, as_path: bool) -> None:
    # The file is written in the student process (its own folder), by trusted code, from the judge's tensors.
    source = recipe_book.run("sequential", {"layers": _WEIGHTS_LAYERS, "seed": mix(72)})
    expected = source.state_dict()
    arg, where = _path_arg(lab, name, as_path)
    lab.run("fc_nets_write_state", path=where, state=dict(expected))
    model = lab.build("sequential", layers=_WEIGHTS_LAYERS, seed=mix(73))
    got = student.load_weights(model, arg)
    check(isinstance(got, Handle) and got.same(model),
          f"load_weights debe devolver el modelo que recibe; llegó {type_name(got)} "
          "(ojo: model.load_state_dict(...) devuelve un informe de claves, no el modelo)",
          f"load_weights must return the model it was given; got {type_name(got)} "
          "(beware: model.load_state_dict(...) returns a report of keys, not the model)")
    _same_state(_state(model), expected, "el modelo cargado", "the loaded model")


@pytest.mark.exercise("save_weights")
def test_load_weights_str_path(student, lab):
    _load_case(student, lab, "pesos.pt", as_path=False)


@pytest.mark.exercise("save_weights")
def test_load_weights_pathlib(student, lab):
    _load_case(student, lab, "weights.pth", as_path=True)
