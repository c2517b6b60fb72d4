"""Transfer learning.

Entrenar una red desde cero necesita muchos ejemplos. Con transfer learning se
parte de una red ya entrenada en otra tarea parecida (el backbone, la red base que
se reutiliza): sus capas ya saben extraer características (features) útiles
(bordes, esquinas, trazos...). Se congelan esas capas (sus parámetros dejan de
entrenarse), se cambia la última capa por una nueva, la cabeza (head), con tantas
salidas como clases tenga la tarea nueva, y se entrena solo esa cabeza. Con pocos
ejemplos por clase, así se llega mucho más lejos que entrenando la misma red desde
cero.

El curso trae un backbone preentrenado: ``torchdojo.models.pretrained_backbone()``
devuelve una CNN pequeña con BatchNorm, entrenada para reconocer seis figuras de
``torchdojo.datasets.make_shapes`` (círculo, cuadrado, triángulo, cruz, línea y
ele). Su última capa es ``model.classifier``, una ``nn.Linear(64, 6)``. La tarea
nueva son otras cuatro figuras (anillo, marco, rombo y aspa) con solo 10
ejemplos por clase: ``torchdojo.datasets.make_few_shot(10)``. Cada función dice
cuánto tiempo le da el corrector. Las funciones marcadas «(dispositivo)» se
corrigen en la CPU y, si hay una, también en la GPU.

Training a network from scratch needs many examples. Transfer learning starts
from a network already trained on another, similar task (the "backbone"): its
layers already know how to extract useful features (edges, corners, strokes...).
Those layers are frozen (their parameters stop training), the last layer (the
"head") is swapped for a new one with as many outputs as the new task has
classes, and only that head is trained. With few examples per class, this goes
much further than training the same network from scratch.

The course ships a pretrained backbone: ``torchdojo.models.pretrained_backbone()``
returns a small CNN with BatchNorm, trained to recognise six shapes of
``torchdojo.datasets.make_shapes`` (circle, square, triangle, cross, line and
ell). Its last layer is ``model.classifier``, an ``nn.Linear(64, 6)``. The new
task is four other shapes (ring, frame, diamond and x) with only 10 examples per
class: ``torchdojo.datasets.make_few_shot(10)``. Each function states how much
time the grader gives it. Functions marked "(device)" are graded on the CPU and,
where one is available, on the GPU too.
"""

import torch
from torch import nn


def freeze(model):
    """Congelar un modelo / Freeze a model.

    Hace que ningún parámetro de ``model`` (de todas sus capas, también las de
    BatchNorm) requiera gradientes (``requires_grad`` a ``False``) y devuelve el
    mismo ``model``. Ojo: ``model.eval()`` no congela nada, y ``model.requires_grad
    = False`` solo crea un atributo. Límite del corrector: 10 s.

    Makes no parameter of ``model`` (of any layer, BatchNorm ones included)
    require gradients (``requires_grad`` set to ``False``) and returns the same
    ``model``. Beware: ``model.eval()`` freezes nothing, and
    ``model.requires_grad = False`` only creates an attribute. Grader's time
    limit: 10 s.
    """
    ### BEGIN SOLUTION
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model
    ### END SOLUTION


def trainable_parameters(model):
    """Los parámetros entrenables / The trainable parameters.

    Devuelve una ``list`` con los parámetros de ``model`` que requieren
    gradientes (los propios objetos ``nn.Parameter``, en cualquier orden): lo que
    se le pasa al optimizador. Límite del corrector: 10 s.

    Returns a ``list`` of the parameters of ``model`` that require gradients (the
    ``nn.Parameter`` objects themselves, in any order): what you hand to the
    optimiser. Grader's time limit: 10 s.
    """
    ### BEGIN SOLUTION
    return [p for p in model.parameters() if p.requires_grad]
    ### END SOLUTION


def replace_head(model, num_classes):
    """Cambiar la última capa / Replace the last layer. (dispositivo / device)

    La última capa de ``model`` es una ``nn.Linear`` en uno de estos sitios:
    ``model.fc`` (como en las ResNet de torchvision), ``model.classifier``, o el
    último elemento de ``model.classifier`` cuando es un ``nn.Sequential`` (los
    demás elementos se quedan). Cámbiala por una ``nn.Linear(in_features,
    num_classes)`` nueva, con sesgo y entrenable (aunque el modelo esté
    congelado), con los mismos ``in_features`` que la vieja y en el mismo
    dispositivo y dtype que sus pesos (un modelo en float64 o en la GPU sigue
    funcionando). Devuelve el mismo ``model``. Límite del corrector: 10 s.

    The last layer of ``model`` is an ``nn.Linear`` in one of these places:
    ``model.fc`` (as in torchvision's ResNets), ``model.classifier``, or the last
    item of ``model.classifier`` when that is an ``nn.Sequential`` (the other
    items stay). Replace it with a new ``nn.Linear(in_features, num_classes)``,
    with bias and trainable (even when the model is frozen), with the same
    ``in_features`` as the old one and on the same device and dtype as its
    weights (a float64 model or one on the GPU keeps working). Returns the same
    ``model``. Grader's time limit: 10 s.
    """
    ### BEGIN SOLUTION
    if isinstance(getattr(model, "fc", None), nn.Linear):
        parent, name = model, "fc"
    elif isinstance(model.classifier, nn.Sequential):
        parent, name = model.classifier, str(len(model.classifier) - 1)
    else:
        parent, name = model, "classifier"
    old = getattr(parent, name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    setattr(parent, name, new)
    return model
    ### END SOLUTION


def build_transfer_model(backbone, num_classes):
    """Preparar un backbone para una tarea nueva / Get a backbone ready for a new task. (dispositivo / device)

    Congela ``backbone`` y le pone una cabeza nueva de ``num_classes`` salidas
    (puedes usar tus ``freeze`` y ``replace_head``; el orden importa). Devuelve un
    ``nn.Module`` (el propio backbone o un envoltorio) cuyos únicos parámetros
    con ``requires_grad`` son los de la cabeza nueva, que sustituye a la última
    capa (recibe sus mismos ``in_features``). Límite del corrector: 10 s.

    Freezes ``backbone`` and gives it a new head with ``num_classes`` outputs (you
    may use your ``freeze`` and ``replace_head``; order matters). Returns an
    ``nn.Module`` (the backbone itself or a wrapper) whose only parameters with
    ``requires_grad`` are the new head's, which replaces the last layer (it takes
    the same ``in_features``). Grader's time limit: 10 s.
    """
    ### BEGIN SOLUTION
    return replace_head(freeze(backbone), num_classes)
    ### END SOLUTION


def fine_tune(model, X, y, *, epochs, lr, device):
    """Entrenar la cabeza nueva / Train the new head. (dispositivo / device)

    ``model`` llega con su backbone congelado y una cabeza nueva (como la deja
    ``build_transfer_model``); ``X`` (N, 1, 16, 16) e ``y`` (N,) son los pocos
    ejemplos de la tarea nueva. Mueve el modelo y los datos a ``device``, crea
    ``torch.optim.Adam`` con ese ``lr`` solo sobre los parámetros entrenables
    (puedes usar tu ``trainable_parameters``) y entrena ``epochs`` épocas con
    entropía cruzada, con el lote completo o con minilotes. Las partes congeladas
    deben quedar idénticas, bit a bit, también las estadísticas de BatchNorm
    (``running_mean``, ``running_var``). Devuelve la lista de pérdidas por época (floats de Python, ``epochs``
    elementos; con minilotes, la media de la época). El corrector comprueba
    además que, con 10 ejemplos por clase, el modelo aprende la tarea nueva.
    Límite del corrector: 20 s.

    ``model`` comes with its backbone frozen and a new head (as
    ``build_transfer_model`` leaves it); ``X`` (N, 1, 16, 16) and ``y`` (N,) are
    the few examples of the new task. Move the model and the data to ``device``,
    create ``torch.optim.Adam`` with that ``lr`` over the trainable parameters
    only (you may use your ``trainable_parameters``) and train for ``epochs``
    epochs with cross-entropy, full batch or mini-batches. The frozen parts must
    stay identical, bit for bit, BatchNorm statistics included (``running_mean``,
    ``running_var``). Returns the list of per-epoch losses (Python
    floats, ``epochs`` items; with mini-batches, the epoch's mean). The grader
    also checks that, with 10 examples per class, the model learns the new task.
    Grader's time limit: 20 s.
    """
    ### BEGIN SOLUTION
    model.to(device)
    X, y = X.to(device), y.to(device)
    optimizer = torch.optim.Adam(trainable_parameters(model), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        model.eval()  # frozen BatchNorm keeps its statistics
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION
