"""Hidden grader for the ``transfer_learning`` topic.

The models handed to the student come in the three layouts the curriculum names:
a last ``nn.Linear`` at ``.fc`` (torchvision's ResNet convention), at
``.classifier``, or as the last item of an ``nn.Sequential`` ``.classifier`` (after
a Flatten and a Dropout that must stay), plus the course's packaged backbone
(``torchdojo.models.pretrained_backbone``). All contain BatchNorm, so that a frozen
part that runs in train mode shows: its running statistics drift.

A head is found by behaviour: after ``replace_head`` on a frozen model, the only
parameters that require gradients must be one weight ``(num_classes, in_features)``
and one bias ``(num_classes,)``, on the old layer's device and dtype, and the
model's output must have ``num_classes`` columns. ``build_transfer_model`` and
``fine_tune`` run with the grader's own ``freeze``, ``replace_head`` and
``trainable_parameters`` put in the student's module for the duration of the call,
so a bug there costs only its own exercise. ``fine_tune``'s optimiser is observed
as it is created (every ``torch.optim`` optimiser goes through
``Optimizer.__init__``): it must be Adam, with the given ``lr``, over trainable
parameters only.

No tensor is created at import time (the module is imported in the warm parent).
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from torchdojo.datasets.shapes import TRANSFER_CLASSES, make_few_shot, make_shapes
from torchdojo.grading import compare
from torchdojo.grading.feedback import check, fail, short
from torchdojo.grading.helpers import generator, init_params, swapped_in
from torchdojo.models import pretrained_backbone

# Bound before any student code runs.
_deepcopy = copy.deepcopy
_equal = torch.equal
_isinstance = isinstance
_len = len
_list = list
_tuple = tuple
_float = float
_int = int
_id = id
_Parameter = nn.Parameter
_Adam = torch.optim.Adam
_Optimizer = torch.optim.Optimizer
_Optimizer_init = torch.optim.Optimizer.__dict__["__init__"]
_cpu = torch.device("cpu")


# --------------------------------------------------------------------------
# Models in the three layouts
# --------------------------------------------------------------------------


_gen = generator


def _init(module: nn.Module, seed: int) -> nn.Module:
    return init_params(module, seed, 0.3, mean_scale=0.2)


def _body(flatten: bool) -> nn.Sequential:
    layers = [nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(2)]
    return nn.Sequential(*layers, nn.Flatten()) if flatten else nn.Sequential(*layers)


class _FcNet(nn.Module):
    """torchvision's ResNet convention: the last layer is ``.fc``."""

    def __init__(self) -> None:
        super().__init__()
        self.features = _body(flatten=True)
        self.fc = nn.Linear(16, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


class _LinearClassifierNet(nn.Module):
    """The last layer is ``.classifier``, an ``nn.Linear``."""

    def __init__(self) -> None:
        super().__init__()
        self.features = _body(flatten=True)
        self.classifier = nn.Linear(16, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class _SequentialClassifierNet(nn.Module):
    """The last layer is the last item of ``.classifier``, an ``nn.Sequential``."""

    def __init__(self) -> None:
        super().__init__()
        self.features = _body(flatten=False)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(16, 5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


_LAYOUTS = {
    "model.fc": _FcNet,
    "model.classifier (nn.Linear)": _LinearClassifierNet,
    "model.classifier[-1] (nn.Sequential)": _SequentialClassifierNet,
}


def _model(layout: str, seed: int) -> nn.Module:
    return _init(_LAYOUTS[layout](), seed)


def _head_prefix(layout: str) -> str:
    return {"model.fc": "fc.", "model.classifier (nn.Linear)": "classifier.",
            "model.classifier[-1] (nn.Sequential)": "classifier.2."}[layout]


def _state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: compare.to_cpu(v) for k, v in model.state_dict().items()}


def _changed(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor]) -> list[str]:
    return [k for k, v in before.items() if k not in after or after[k].dtype != v.dtype or not _equal(after[k], v)]


def _x(n: int, seed: int, device: torch.device, dtype: torch.dtype = torch.float32, size: int = 8) -> torch.Tensor:
    return torch.randn(n, 1, size, size, generator=_gen(seed)).to(device=device, dtype=dtype)


# -- references ---------------------------------------------------------------


def _ref_freeze(model):
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def _ref_replace_head(model, num_classes):
    fc = getattr(model, "fc", None)
    if _isinstance(fc, nn.Linear):
        parent, name = model, "fc"
    elif _isinstance(model.classifier, nn.Sequential):
        parent, name = model.classifier, str(_len(model.classifier) - 1)
    else:
        parent, name = model, "classifier"
    old = getattr(parent, name)
    setattr(parent, name, nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype))
    return model


def _ref_trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def _ref_build(backbone, num_classes):
    return _ref_replace_head(_ref_freeze(backbone), num_classes)


_patched = swapped_in


def _trainable(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    return [(n, p) for n, p in model.named_parameters() if p.requires_grad]


def _check_new_head(model: nn.Module, num_classes: int, in_features: int, device: torch.device,
                    dtype: torch.dtype, where: str) -> None:
    """The only trainable tensors are a fresh head's weight and bias, on that device and dtype."""
    trainable = _trainable(model)
    shapes = sorted(_tuple(p.shape) for _, p in trainable)
    expected = sorted([(num_classes, in_features), (num_classes,)])
    if not trainable:
        fail(f"{where}: ningún parámetro requiere gradientes; la cabeza nueva debe ser entrenable "
             f"(una nn.Linear nueva lo es; si congelas después de cambiar la cabeza, la congelas también)",
             f"{where}: no parameter requires gradients; the new head must be trainable (a new nn.Linear is; "
             f"if you freeze after replacing the head, you freeze it too)")
    if shapes != expected:
        names = ", ".join(f"{n} {_tuple(p.shape)}" for n, p in trainable[:6])
        fail(f"{where}: los parámetros entrenables deberían ser solo el peso {(num_classes, in_features)} y el sesgo "
             f"{(num_classes,)} de la cabeza nueva (nn.Linear({in_features}, {num_classes}) en lugar de la última "
             f"capa); son: {names}",
             f"{where}: the trainable parameters should be only the new head's weight {(num_classes, in_features)} "
             f"and bias {(num_classes,)} (nn.Linear({in_features}, {num_classes}) in place of the last layer); "
             f"they are: {names}")
    for name, p in trainable:
        if p.dtype != dtype or not compare.same_device(p.device, device):
            fail(f"{where}: la cabeza nueva ({name}) está en {p.device} con dtype {p.dtype}; la capa vieja estaba "
                 f"en {device} con dtype {dtype}. Crea la nn.Linear con device=vieja.weight.device y "
                 f"dtype=vieja.weight.dtype (o muévela con .to(...))",
                 f"{where}: the new head ({name}) is on {p.device} with dtype {p.dtype}; the old layer was on "
                 f"{device} with dtype {dtype}. Create the nn.Linear with device=old.weight.device and "
                 f"dtype=old.weight.dtype (or move it with .to(...))")


def _check_output(model: nn.Module, x: torch.Tensor, num_classes: int, where: str) -> torch.Tensor:
    model.eval()
    try:
        with torch.no_grad():
            out = model(x)
    except NotImplementedError:
        raise
    except RuntimeError as exc:
        fail(f"{where}: el modelo ya no funciona ({short(str(exc), 200)}). Cambia solo la última nn.Linear: "
             f"lo demás (p. ej. el Flatten de un classifier nn.Sequential) se queda",
             f"{where}: the model no longer runs ({short(str(exc), 200)}). Replace only the last nn.Linear: "
             f"the rest (e.g. the Flatten of an nn.Sequential classifier) stays")
    what = (f"{where}: salida", f"{where}: output")
    compare.require_tensor(out, what)
    compare.shape(out, (_len(x), num_classes), what)
    return out


# --------------------------------------------------------------------------
# freeze
# --------------------------------------------------------------------------


@pytest.mark.exercise("freeze")
@pytest.mark.hint(es="model.eval() no congela; recorre model.parameters() y pon requires_grad a False en cada uno.",
                  en="model.eval() does not freeze; go through model.parameters() and set requires_grad to False on each.")
def test_freeze_every_parameter(student):
    models = [("model.fc", _model("model.fc", 1)),
              ("model.classifier[-1] (nn.Sequential)", _model("model.classifier[-1] (nn.Sequential)", 2)),
              ("pretrained_backbone()", pretrained_backbone())]
    for where, model in models:
        before = _state(model)
        got = student.freeze(model)
        check(got is model,
              f"freeze debe devolver el mismo modelo que recibe; devolvió {short(got)}",
              f"freeze must return the same model it receives; it returned {short(got)}")
        left = [n for n, p in model.named_parameters() if p.requires_grad]
        if left:
            n_all = _len(_list(model.parameters()))
            bn = [n for n in left if n.startswith("features.1") or ".bn" in n]
            extra_es = " (también los de BatchNorm)" if bn else ""
            extra_en = " (BatchNorm's too)" if bn else ""
            fail(f"freeze ({where}): {_len(left)} de {n_all} parámetros siguen requiriendo gradientes: "
                 f"{', '.join(left[:6])}. Todos deben quedar con requires_grad=False{extra_es}",
                 f"freeze ({where}): {_len(left)} of {n_all} parameters still require gradients: "
                 f"{', '.join(left[:6])}. All of them must end with requires_grad=False{extra_en}")
        changed = _changed(before, _state(model))
        check(not changed,
              f"freeze ({where}) cambió valores del modelo ({', '.join(changed[:4])}): solo debe congelarlo",
              f"freeze ({where}) changed values of the model ({', '.join(changed[:4])}): it must only freeze it")


# --------------------------------------------------------------------------
# replace_head
# --------------------------------------------------------------------------


def _check_replace(student, layout: str, num_classes: int, device: torch.device, dtype: torch.dtype, seed: int):
    where = f"replace_head({layout}, {num_classes})"
    model = _model(layout, seed).to(device=device, dtype=dtype)
    model.requires_grad_(False)  # a frozen backbone: only the new head may train
    prefix = _head_prefix(layout)
    before = {k: v for k, v in _state(model).items() if not k.startswith(prefix)}
    got = student.replace_head(model, num_classes)
    check(got is model,
          f"{where} debe devolver el mismo modelo, con la cabeza cambiada; devolvió {short(got)}",
          f"{where} must return the same model, with its head replaced; it returned {short(got)}")
    _check_new_head(model, num_classes, 16, device, dtype, where)
    _check_output(model, _x(3, seed, device, dtype), num_classes, where)
    after = _state(model)
    changed = _changed(before, after)
    check(not changed,
          f"{where} cambió o quitó partes del modelo que no son la cabeza: {', '.join(changed[:4])}",
          f"{where} changed or removed parts of the model other than the head: {', '.join(changed[:4])}")


@pytest.mark.exercise("replace_head")
@pytest.mark.weight(2)
@pytest.mark.hint(es="La capa vieja puede estar en model.fc, en model.classifier o en model.classifier[-1]; la nueva va en el mismo sitio.",
                  en="The old layer may be at model.fc, model.classifier or model.classifier[-1]; the new one goes in the same place.")
def test_replace_head_each_layout(student, device):
    for i, layout in enumerate(_LAYOUTS):
        for num_classes in (3, 5):  # 5: as many classes as before, still a new trainable layer
            _check_replace(student, layout, num_classes, device, torch.float32, 10 * i + num_classes)


@pytest.mark.exercise("replace_head")
@pytest.mark.hint(es="nn.Linear(..., device=vieja.weight.device, dtype=vieja.weight.dtype).",
                  en="nn.Linear(..., device=old.weight.device, dtype=old.weight.dtype).")
def test_replace_head_keeps_dtype_and_device(student, device):
    dtype = torch.float16 if device.type == "mps" else torch.float64
    for i, layout in enumerate(_LAYOUTS):
        _check_replace(student, layout, 4, device, dtype, 50 + i)


# --------------------------------------------------------------------------
# build_transfer_model
# --------------------------------------------------------------------------


def _check_build(student, backbone: nn.Module, head_prefix: str, in_features: int, num_classes: int,
                 device: torch.device, where: str) -> None:
    before = {k: v for k, v in _state(backbone).items() if not k.startswith(head_prefix)}
    with _patched(student, freeze=_ref_freeze, replace_head=_ref_replace_head,
                  trainable_parameters=_ref_trainable_parameters):
        got = student.build_transfer_model(backbone, num_classes)
    check(_isinstance(got, nn.Module),
          f"{where} debe devolver un nn.Module; devolvió {short(got)}",
          f"{where} must return an nn.Module; it returned {short(got)}")
    _check_new_head(got, num_classes, in_features, device, torch.float32, where)
    _check_output(got, _x(4, 7, device, size=16), num_classes, where)
    changed = _changed(before, _state(backbone))
    check(not changed,
          f"{where} cambió valores de la backbone ({', '.join(changed[:4])}): solo debe congelarla y cambiar la cabeza",
          f"{where} changed values of the backbone ({', '.join(changed[:4])}): it must only freeze it and replace the head")


@pytest.mark.exercise("build_transfer_model")
@pytest.mark.hint(es="Congela primero y cambia la cabeza después: la cabeza nueva es lo único que entrena.",
                  en="Freeze first, then replace the head: the new head is the only thing that trains.")
def test_build_transfer_model(student, device):
    _check_build(student, pretrained_backbone(device), "classifier.", 64, 4, device,
                 "build_transfer_model(pretrained_backbone(), 4)")
    _check_build(student, _model("model.fc", 3).to(device), "fc.", 16, 2, device,
                 "build_transfer_model(<model.fc>, 2)")


# --------------------------------------------------------------------------
# trainable_parameters
# --------------------------------------------------------------------------


@pytest.mark.exercise("trainable_parameters")
@pytest.mark.hint(es="Una list por comprensión: [p for p in model.parameters() if p.requires_grad].",
                  en="A list comprehension: [p for p in model.parameters() if p.requires_grad].")
def test_trainable_parameters(student):
    partly = _model("model.classifier[-1] (nn.Sequential)", 4)
    partly.features.requires_grad_(False)
    partly.features[1].bias.requires_grad_(True)  # one frozen-looking part left trainable
    frozen = _model("model.fc", 5).requires_grad_(False)
    cases = [(("un modelo congelado en parte", "a partly frozen model"), partly),
             (("un modelo congelado", "a frozen model"), frozen),
             (("un modelo entrenable", "a trainable model"), _model("model.fc", 6))]
    for (where_es, where_en), model in cases:
        got = student.trainable_parameters(model)
        check(type(got) is _list,
              f"trainable_parameters debe devolver una list; devolvió {type(got).__name__} ({short(got)}). "
              "Un generador o un filter solo se puede recorrer una vez: usa list(...) o una lista por comprensión",
              f"trainable_parameters must return a list; it returned {type(got).__name__} ({short(got)}). "
              "A generator or a filter can be gone through only once: use list(...) or a list comprehension")
        expected = {_id(p): n for n, p in model.named_parameters() if p.requires_grad}
        got_ids = [_id(p) for p in got]
        check(all(_isinstance(p, _Parameter) for p in got),
              f"trainable_parameters ({where_es}) debe devolver los propios parámetros (nn.Parameter), no "
              f"{short(got[:2])}",
              f"trainable_parameters ({where_en}) must return the parameters themselves (nn.Parameter), not "
              f"{short(got[:2])}")
        check(_len(got_ids) == _len(set(got_ids)),
              f"trainable_parameters ({where_es}) repite parámetros", f"trainable_parameters ({where_en}) repeats parameters")
        missing = [n for i, n in expected.items() if i not in got_ids]
        extra = _len([i for i in got_ids if i not in expected])
        check(not missing and not extra,
              f"trainable_parameters ({where_es}): faltan {missing[:4]} y sobran {extra} (congelados o ajenos al modelo); "
              f"se esperaban los {_len(expected)} parámetros con requires_grad",
              f"trainable_parameters ({where_en}): missing {missing[:4]} and {extra} extra (frozen or not the model's); "
              f"expected the {_len(expected)} parameters with requires_grad")


# --------------------------------------------------------------------------
# fine_tune
# --------------------------------------------------------------------------


class _OptimizerSpy:
    """Notes every torch.optim optimiser created while active: its type, lr and parameters."""

    def __init__(self) -> None:
        self.created: list[dict] = []

    def __enter__(self) -> _OptimizerSpy:
        original = _Optimizer_init
        spy = self

        def __init__(opt, params, defaults, *args, **kwargs):
            original(opt, params, defaults, *args, **kwargs)
            groups = [(g.get("lr"), [p for p in g["params"]]) for g in opt.param_groups]
            spy.created.append({
                "adam": _isinstance(opt, _Adam) and not bool(opt.defaults.get("decoupled_weight_decay", False)),
                "type": type(opt).__name__,
                "lrs": [_float(lr) for lr, _ in groups],
                "frozen": sum(1 for _, ps in groups for p in ps if not p.requires_grad),
                "count": sum(_len(ps) for _, ps in groups),
            })

        _Optimizer.__init__ = __init__
        return self

    def __exit__(self, *exc) -> bool:
        _Optimizer.__init__ = _Optimizer_init
        return False


def _transfer_model(device: torch.device, seed: int, num_classes: int = 4) -> nn.Module:
    torch.manual_seed(seed)  # the new head's initialisation
    model = _ref_build(pretrained_backbone(), num_classes)
    return model.train()  # arrives in train mode: fine_tune must set the modes it needs


def _call_fine_tune(student, model, X, y, *, epochs, lr, device, spy=None):
    with _patched(student, trainable_parameters=_ref_trainable_parameters, freeze=_ref_freeze,
                  replace_head=_ref_replace_head):
        try:
            if spy is None:
                return student.fine_tune(model, X, y, epochs=epochs, lr=lr, device=device)
            with spy:
                return student.fine_tune(model, X, y, epochs=epochs, lr=lr, device=device)
        except RuntimeError as exc:
            text = str(exc).lower()
            if not _isinstance(exc, NotImplementedError) and ("device" in text or "cuda" in text or "mps" in text):
                fail(f"fine_tune falló por mezclar dispositivos ({short(str(exc), 200)}): mueve el modelo y los "
                     f"datos a device (model.to(device), X.to(device), y.to(device))",
                     f"fine_tune failed by mixing devices ({short(str(exc), 200)}): move the model and the data "
                     f"to device (model.to(device), X.to(device), y.to(device))")
            raise


def _losses(got: object, epochs: int) -> list[float]:
    check(_isinstance(got, (_list, _tuple)) and _len(got) == epochs,
          f"fine_tune debe devolver una lista con la pérdida de cada época ({epochs}); devolvió {short(got)}",
          f"fine_tune must return a list with each epoch's loss ({epochs}); it returned {short(got)}")
    return [compare.number(v, ("fine_tune: pérdida", "fine_tune: loss")) for v in got]


@pytest.mark.exercise("fine_tune")
@pytest.mark.weight(2)
@pytest.mark.hint(es="Adam solo sobre los parámetros entrenables, y model.eval(): en modo train, BatchNorm cambia running_mean/var aunque esté congelada.",
                  en="Adam over the trainable parameters only, and model.eval(): in train mode, BatchNorm changes running_mean/var even when frozen.")
def test_fine_tune_trains_only_the_head(student, device):
    model = _transfer_model(device, 61)
    X, y = make_few_shot(5, seed=62)
    before = _state(model)
    spy = _OptimizerSpy()
    got = _call_fine_tune(student, model, X, y, epochs=4, lr=0.01, device=device, spy=spy)
    losses = _losses(got, 4)
    check(all(compare.same_device(p.device, device) for p in model.parameters()),
          f"fine_tune debe mover el modelo a {device} (model.to(device))",
          f"fine_tune must move the model to {device} (model.to(device))")
    after = _state(model)
    frozen = {k: v for k, v in before.items() if not k.startswith("classifier.")}
    changed = _changed(frozen, after)
    stats = [k for k in changed if k.endswith(("running_mean", "running_var", "num_batches_tracked"))]
    if stats:
        fail(f"fine_tune cambió estadísticas de BatchNorm de la parte congelada ({', '.join(stats[:3])}): en modo "
             f"entrenamiento BatchNorm las actualiza aunque sus parámetros estén congelados. El modelo llega en modo "
             f"train: pon model.eval() (la cabeza lineal entrena igual)",
             f"fine_tune changed BatchNorm statistics of the frozen part ({', '.join(stats[:3])}): in train mode "
             f"BatchNorm updates them even when its parameters are frozen. The model arrives in train mode: call "
             f"model.eval() (the linear head trains the same)")
    if changed:
        fail(f"fine_tune cambió parámetros congelados ({', '.join(changed[:3])}): deben quedar idénticos; entrena "
             f"solo los que tienen requires_grad y no los descongeles",
             f"fine_tune changed frozen parameters ({', '.join(changed[:3])}): they must stay identical; train only "
             f"those with requires_grad, and do not unfreeze them")
    check(not _equal(after["classifier.weight"], before["classifier.weight"]),
          "fine_tune no entrenó la cabeza nueva: sus pesos no cambiaron",
          "fine_tune did not train the new head: its weights did not change")
    check(spy.created,
          "fine_tune no creó ningún optimizador de torch.optim: usa torch.optim.Adam(trainable_parameters(model), lr=lr)",
          "fine_tune created no torch.optim optimiser: use torch.optim.Adam(trainable_parameters(model), lr=lr)")
    for opt in spy.created:
        check(opt["adam"],
              f"fine_tune usa {opt['type']}: el curso fija torch.optim.Adam(..., lr=lr)",
              f"fine_tune uses {opt['type']}: the course fixes torch.optim.Adam(..., lr=lr)")
        check(all(abs(lr - 0.01) < 1e-12 for lr in opt["lrs"]),
              f"fine_tune creó Adam con lr={opt['lrs']}; debe usar el lr que recibe (0.01)",
              f"fine_tune created Adam with lr={opt['lrs']}; it must use the lr it is given (0.01)")
        check(opt["frozen"] == 0,
              f"el optimizador de fine_tune recibe {opt['frozen']} parámetros congelados (de {opt['count']}): pásale "
              f"solo los entrenables, trainable_parameters(model)",
              f"fine_tune's optimiser is given {opt['frozen']} frozen parameters (of {opt['count']}): give it only "
              f"the trainable ones, trainable_parameters(model)")
    check(losses[-1] < losses[0],
          f"las pérdidas de fine_tune no bajan: {[round(v, 4) for v in losses]}",
          f"fine_tune's losses do not go down: {[round(v, 4) for v in losses]}")


# With 10 examples per class of the new task, the fine-tuned model must reach this
# accuracy on held-out images. Over 50 seeds of data, test images and head
# initialisation, full batch or mini-batches of 8 or 1, the lowest was 0.80.
_FINE_TUNE_BAR = 0.7
_FINE_TUNE_TASK = {"per_class": 10, "epochs": 40, "lr": 0.01, "data_seed": 0, "test_seed": 1, "head_seed": 2,
                   "test_n": 400}


@pytest.mark.exercise("fine_tune")
@pytest.mark.hint(es="Con la backbone congelada en modo eval y Adam sobre la cabeza, 10 ejemplos por clase bastan.",
                  en="With the backbone frozen in eval mode and Adam on the head, 10 examples per class are enough.")
def test_fine_tune_learns_new_task(student, device):
    t = _FINE_TUNE_TASK
    X, y = make_few_shot(t["per_class"], seed=t["data_seed"])
    Xt, yt = make_shapes(t["test_n"], classes=TRANSFER_CLASSES, seed=t["test_seed"])
    model = _transfer_model(device, t["head_seed"])
    torch.manual_seed(t["head_seed"])  # mini-batch shuffles, if any, start from a known state
    _losses(_call_fine_tune(student, model, X, y, epochs=t["epochs"], lr=t["lr"], device=device), t["epochs"])
    model.eval()
    with torch.no_grad():
        pred = model(Xt.to(next(iter(model.parameters())).device)).argmax(1).cpu()
    acc = _float((pred == yt).float().mean())
    check(acc >= _FINE_TUNE_BAR,
          f"tras fine_tune ({t['per_class']} ejemplos por clase, {t['epochs']} épocas, lr={t['lr']}) el modelo acierta "
          f"{acc:.2f} de las imágenes nuevas; se esperaba al menos {_FINE_TUNE_BAR}",
          f"after fine_tune ({t['per_class']} examples per class, {t['epochs']} epochs, lr={t['lr']}) the model gets "
          f"{acc:.2f} of the new images right; at least {_FINE_TUNE_BAR} was expected")
