"""Redes totalmente conectadas / Fully connected networks.

Una red totalmente conectada encadena capas lineales (``nn.Linear``: ``x @ W.T + b``)
con funciones no lineales entre ellas (ReLU). Sin la no linealidad, varias capas
lineales seguidas equivalen a una sola. La red recibe números (las
características de entrada) y devuelve *logits*: una puntuación sin normalizar
por clase; softmax los convierte en probabilidades y argmax en la clase
predicha, algo que una persona puede leer.

En este módulo construyes una red, cuentas sus parámetros, escribes un paso de
entrenamiento y un bucle completo, mides la exactitud, predices probabilidades y
guardas y cargas los pesos. Cada función dice cuánto tiempo le da el corrector;
con los valores por defecto todas tardan mucho menos. Las funciones marcadas
«(dispositivo)» se corrigen en la CPU y, si hay una, también en la GPU: no
muevas nada a la CPU por tu cuenta; trabaja donde ya están el modelo y los datos.

A fully connected network chains linear layers (``nn.Linear``: ``x @ W.T + b``)
with non-linear functions between them (ReLU). Without the non-linearity, several
linear layers in a row amount to a single one. The network takes numbers (the
input features) and returns *logits*: one unnormalised score per class; softmax
turns them into probabilities and argmax into the predicted class, something a
person can read.

In this module you build a network, count its parameters, write one training
step and a whole training loop, measure accuracy, predict probabilities, and save
and load weights. Each function states how much time the grader gives it; with
the defaults they all need far less. Functions marked "(device)" are graded on
the CPU and, where one is available, on the GPU too: do not move anything to the
CPU yourself; work where the model and the data already are.
"""

import torch
from torch import nn


class FCNet(nn.Module):
    """Una red totalmente conectada / A fully connected network. (dispositivo / device)

    ``FCNet(in_features, hidden_units, out_features)``: ``hidden_units`` es una
    lista o tupla de enteros, el tamaño de cada capa oculta. La red es
    Linear, ReLU, Linear, ReLU, ..., Linear: una capa ``nn.Linear`` (con sesgo)
    por cada capa oculta, cada una seguida de ReLU, y una última ``nn.Linear``
    hasta ``out_features`` sin nada después. Sin capas ocultas
    (``hidden_units=[]``) es una sola ``nn.Linear(in_features, out_features)``.
    ``forward(x)`` recibe ``x`` de forma ``(N, in_features)`` y devuelve los
    logits en bruto, de forma ``(N, out_features)``: ni softmax ni ReLU al final
    (``nn.CrossEntropyLoss`` ya aplica softmax por dentro). El número de
    parámetros debe ser exactamente el de esta arquitectura, por ejemplo
    ``FCNet(2, [8], 3)`` tiene (2*8 + 8) + (8*3 + 3) = 51. Da igual cómo la
    escribas (``nn.Sequential``, ``nn.ModuleList``, ``F.linear``...). Límite del
    corrector: 10 s.

    ``FCNet(in_features, hidden_units, out_features)``: ``hidden_units`` is a
    list or tuple of ints, the size of each hidden layer. The network is Linear,
    ReLU, Linear, ReLU, ..., Linear: one ``nn.Linear`` (with bias) per hidden
    layer, each followed by ReLU, and a last ``nn.Linear`` to ``out_features``
    with nothing after it. Without hidden layers (``hidden_units=[]``) it is a
    single ``nn.Linear(in_features, out_features)``. ``forward(x)`` takes ``x`` of
    shape ``(N, in_features)`` and returns the raw logits, of shape
    ``(N, out_features)``: no softmax and no ReLU at the end
    (``nn.CrossEntropyLoss`` applies softmax internally). The parameter count
    must be exactly that of this architecture, e.g. ``FCNet(2, [8], 3)`` has
    (2*8 + 8) + (8*3 + 3) = 51. How you write it is up to you (``nn.Sequential``,
    ``nn.ModuleList``, ``F.linear``...). Grader time limit: 10 s.

    >>> net = FCNet(2, [8], 3)
    >>> net(torch.zeros(5, 2)).shape
    torch.Size([5, 3])
    """

    def __init__(self, in_features, hidden_units, out_features):
        super().__init__()
        ### BEGIN SOLUTION
        layers = []
        size = in_features
        for hidden in hidden_units:
            layers.append(nn.Linear(size, hidden))
            layers.append(nn.ReLU())
            size = hidden
        layers.append(nn.Linear(size, out_features))
        self.layers = nn.Sequential(*layers)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.layers(x)
        ### END SOLUTION


def count_parameters(model, trainable_only=True):
    """Cuenta los parámetros de un modelo / Count a model's parameters.

    Devuelve un ``int`` de Python: el número total de valores (no de tensores)
    de los parámetros de ``model``. Con ``trainable_only=True`` (por defecto)
    cuenta solo los parámetros con ``requires_grad=True``; con
    ``trainable_only=False``, todos. Los buffers (como las estadísticas de
    ``BatchNorm``) no son parámetros. Límite del corrector: 10 s.

    Returns a Python ``int``: the total number of values (not of tensors) in the
    parameters of ``model``. With ``trainable_only=True`` (the default) it counts
    only the parameters with ``requires_grad=True``; with
    ``trainable_only=False``, all of them. Buffers (such as ``BatchNorm``'s
    running statistics) are not parameters. Grader time limit: 10 s.

    >>> count_parameters(nn.Linear(3, 2))
    8
    """
    ### BEGIN SOLUTION
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
    ### END SOLUTION


def train_step(model, X, y, loss_fn, optimizer):
    """Un paso de optimización / One optimisation step. (dispositivo / device)

    ``optimizer`` ya contiene los parámetros de ``model``, que pueden traer
    gradientes viejos de antes. En este orden: pon el modelo en modo
    entrenamiento, borra los gradientes viejos, calcula la salida
    ``model(X)``, la pérdida ``loss_fn(salida, y)``, los gradientes
    (``backward``) y da un paso del optimizador. Devuelve la pérdida de esa
    pasada hacia delante (la de antes del paso) como ``float`` de Python. El
    modelo y los datos ya están en el mismo dispositivo. Límite del corrector:
    15 s.

    ``optimizer`` already holds the parameters of ``model``, which may carry
    stale gradients from before. In this order: put the model in training mode,
    clear the old gradients, compute the output ``model(X)``, the loss
    ``loss_fn(output, y)``, the gradients (``backward``) and take one optimiser
    step. Return the loss of that forward pass (the one before the step) as a
    Python ``float``. Model and data are already on the same device. Grader time
    limit: 15 s.
    """
    ### BEGIN SOLUTION
    model.train()
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


def accuracy(logits, targets):
    """Exactitud de una clasificación / Classification accuracy.

    ``logits`` tiene forma ``(N, C)`` (una puntuación por clase) y ``targets``
    forma ``(N,)`` (la clase correcta, int64). La clase predicha de cada fila es
    el índice de su valor máximo (argmax sobre la última dimensión). Devuelve
    la fracción de filas acertadas como ``float`` de Python en [0, 1] (nunca un
    porcentaje). Límite del corrector: 10 s.

    ``logits`` has shape ``(N, C)`` (one score per class) and ``targets`` shape
    ``(N,)`` (the right class, int64). The predicted class of each row is the
    index of its largest value (argmax over the last dimension). Return the
    fraction of rows predicted right as a Python ``float`` in [0, 1] (never a
    percentage). Grader time limit: 10 s.

    >>> accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0]))
    0.5
    """
    ### BEGIN SOLUTION
    predictions = logits.argmax(dim=-1)
    return (predictions == targets).float().mean().item()
    ### END SOLUTION


def fit_line(x, y, *, epochs=300, lr=0.5, seed=0):
    """Ajusta una recta con descenso por gradiente / Fit a line with gradient descent.

    ``x`` e ``y`` son tensores float32 de forma ``(N, 1)``, con ``x`` en [0, 1).
    Aprende ``y = w*x + b`` con un ``nn.Linear(1, 1)``, la pérdida MSE
    (``nn.MSELoss``) y el optimizador de descenso por gradiente que prefieras
    (``torch.optim.SGD``, ``Adam``...), con todos los datos en cada época.
    ``seed`` fija los pesos iniciales: la misma semilla da el mismo resultado.
    Devuelve ``(w, b)`` como ``float`` de Python. Los
    valores por defecto de ``epochs`` y ``lr`` son tuyos: los de la firma
    (300 épocas, ``lr=0.5``) bastan con ``torch.optim.SGD``; si eliges otro
    optimizador u otros valores, cámbialos en la firma. El corrector llama sin
    ``epochs`` ni ``lr`` y, sobre datos sin ruido de ``w=0.7``, ``b=0.3``, exige
    que los dos valores queden a menos de 0.05. Límite del corrector: 30 s
    (unos cientos de épocas tardan menos de un segundo).

    ``x`` and ``y`` are float32 tensors of shape ``(N, 1)``, with ``x`` in
    [0, 1). Learn ``y = w*x + b`` with an ``nn.Linear(1, 1)``, the MSE loss
    (``nn.MSELoss``) and the gradient-descent optimiser you prefer
    (``torch.optim.SGD``, ``Adam``...), on all the data every epoch. ``seed``
    seeds the initial weights: the same seed gives the same result. Return
    ``(w, b)`` as Python ``float``s. The defaults of ``epochs`` and ``lr`` are
    yours: those in the signature (300 epochs, ``lr=0.5``) are enough with
    ``torch.optim.SGD``; if you pick another optimiser or other values, change
    them in the signature. The grader calls without ``epochs`` or ``lr`` and,
    on noiseless data with ``w=0.7``, ``b=0.3``, requires both values to end
    within 0.05. Grader time limit: 30 s (a few hundred epochs take less than
    a second).
    """
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()
    ### END SOLUTION


def predict_proba(model, X):
    """Probabilidades de cada clase / Class probabilities. (dispositivo / device)

    Las probabilidades softmax, sobre la última dimensión, de la salida del
    modelo para ``X``, calculadas en modo evaluación y sin registrar
    gradientes. Devuelve un tensor de la forma de la salida del modelo, en el
    dispositivo de ``X``, con ``requires_grad`` False y filas que suman 1. Los
    parámetros del modelo no cambian. Límite del corrector: 10 s.

    The softmax probabilities, over the last dimension, of the model's output
    for ``X``, computed in eval mode and without tracking gradients. Return a
    tensor shaped like the model's output, on ``X``'s device, with ``requires_grad`` False and rows that sum to
    1. The model's parameters do not change. Grader time limit: 10 s.
    """
    ### BEGIN SOLUTION
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=-1)
    ### END SOLUTION


def train_classifier(model, X, y, *, epochs, lr):
    """Entrena un clasificador / Train a classifier. (dispositivo / device)

    Entrenamiento con todos los datos a la vez (sin mini-lotes), en modo
    entrenamiento, con ``nn.CrossEntropyLoss()`` y
    ``torch.optim.Adam(model.parameters(), lr=lr)``. ``X`` tiene forma
    ``(N, F)`` (float32) e ``y`` forma ``(N,)`` (int64); modelo y datos ya están
    en el mismo dispositivo: no los muevas. En cada una de las ``epochs``
    épocas: borra los gradientes, calcula la salida y la pérdida, retropropaga y
    da un paso. Entrena ``model`` en su sitio (no una copia) y devuelve una
    ``list`` con la pérdida de cada época como ``float`` de Python: la de la
    pasada hacia delante de esa época, antes de su paso (longitud ``epochs``).
    Límite del corrector: 30 s.

    Full-batch training (no mini-batches), in training mode, with
    ``nn.CrossEntropyLoss()`` and ``torch.optim.Adam(model.parameters(), lr=lr)``.
    ``X`` has shape ``(N, F)`` (float32) and ``y`` shape ``(N,)`` (int64); model
    and data are already on the same device: do not move them. In each of the
    ``epochs`` epochs: clear the gradients, compute the output and the loss,
    backpropagate and take a step. Train ``model`` in place (not a copy) and
    return a ``list`` of each epoch's loss as a Python ``float``: the loss of that
    epoch's forward pass, before its step (length ``epochs``). Grader time
    limit: 30 s.
    """
    ### BEGIN SOLUTION
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION


def save_weights(model, path):
    """Guarda los pesos de un modelo / Save a model's weights.

    ``path`` es un ``str`` o un ``pathlib.Path``. Guarda solo el ``state_dict``
    del modelo (un diccionario de tensores), no el modelo entero: así se puede
    cargar con ``torch.load(path, weights_only=True)``, que no ejecuta código
    ajeno. No devuelve nada. Límite del corrector (junto con
    ``load_weights``): 15 s.

    ``path`` is a ``str`` or a ``pathlib.Path``. Save only the model's
    ``state_dict`` (a dict of tensors), not the whole model: that way it loads
    with ``torch.load(path, weights_only=True)``, which runs no foreign code.
    Returns nothing. Grader time limit (together with ``load_weights``): 15 s.
    """
    ### BEGIN SOLUTION
    torch.save(model.state_dict(), path)
    ### END SOLUTION


def load_weights(model, path):
    """Carga pesos guardados en un modelo / Load saved weights into a model.

    ``path`` (``str`` o ``pathlib.Path``) contiene un ``state_dict`` guardado
    con ``save_weights``. Cárgalo en ``model`` (esté en la CPU o en la GPU) con
    ``torch.load(path, weights_only=True)`` y ``model.load_state_dict(...)``, y
    devuelve ``model`` (ojo: ``load_state_dict`` devuelve un informe de claves,
    no el modelo). Límite del corrector (junto con ``save_weights``): 15 s.

    ``path`` (``str`` or ``pathlib.Path``) holds a ``state_dict`` saved by
    ``save_weights``. Load it into ``model`` (on the CPU or the GPU) with
    ``torch.load(path, weights_only=True)`` and ``model.load_state_dict(...)``,
    and return ``model`` (beware: ``load_state_dict`` returns a report of keys,
    not the model). Grader time limit (together with ``save_weights``): 15 s.
    """
    ### BEGIN SOLUTION
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model
    ### END SOLUTION
