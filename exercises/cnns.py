"""Redes convolucionales / Convolutional networks.

Una capa convolucional (``nn.Conv2d``) desliza filtros pequeños (3x3, por
ejemplo) por toda la imagen: el mismo filtro, con los mismos pesos, busca su
patrón en cada posición, con muchos menos parámetros que una red totalmente
conectada sobre los píxeles. Si la figura se desplaza, la respuesta del filtro se
desplaza con ella en el mapa de características (la convolución es equivariante a
las traslaciones), y ``MaxPool`` tolera desplazamientos pequeños. Pero ``Flatten``
y la ``nn.Linear`` final sí dependen de la posición: una red como TinyVGG
reconoce una figura en sitios nuevos en la medida en que la vio en sitios
variados durante el entrenamiento. Tras las convoluciones, ``MaxPool`` reduce el
tamaño, ``Flatten`` convierte el mapa de características en un vector y una capa
``nn.Linear`` da un logit por clase.

En este módulo calculas el tamaño de salida de una convolución, construyes una
TinyVGG, preparas un ``DataLoader`` reproducible y escribes el bucle de
entrenamiento: una época de entrenamiento, una evaluación y ``fit``, que las
repite. Los datos del curso salen de ``torchdojo.datasets.make_shapes``:
imágenes sintéticas de figuras en escala de grises (N, 1, 16, 16). Cada función
dice cuánto tiempo le da el corrector; con los valores por defecto todas tardan
mucho menos. Las funciones marcadas «(dispositivo)» se corrigen en la CPU y, si
hay una, también en la GPU.

A convolutional layer (``nn.Conv2d``) slides small filters (3x3, say) over the
whole image: the same filter, with the same weights, looks for its pattern at
every position, with far fewer parameters than a fully connected network on the
pixels. When the shape moves, the filter's response moves with it in the feature
map (convolution is equivariant to shifts), and ``MaxPool`` tolerates small
shifts. But ``Flatten`` and the final ``nn.Linear`` do depend on position: a
network such as TinyVGG recognises a shape in new places to the extent that it
saw it in varied places during training. After the convolutions, ``MaxPool``
shrinks the size, ``Flatten`` turns the feature map into a vector and an
``nn.Linear`` layer gives one logit per class.

In this module you compute the output size of a convolution, build a TinyVGG,
make a reproducible ``DataLoader`` and write the training loop: one training
epoch, one evaluation and ``fit``, which repeats them. The course's data comes
from ``torchdojo.datasets.make_shapes``: synthetic grayscale images of shapes
(N, 1, 16, 16). Each function states how much time the grader gives it; with the
defaults they all need far less. Functions marked "(device)" are graded on the
CPU and, where one is available, on the GPU too.
"""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    """Tamaño de salida de una convolución / Output size of a convolution.

    Devuelve un ``int``: el tamaño que da ``nn.Conv2d`` a lo largo de un lado de
    una entrada de tamaño ``size``, con ese ``kernel_size``, ``stride``,
    ``padding`` (ceros añadidos a cada lado) y ``dilation`` (separación entre los
    elementos del filtro: un filtro de tamaño k con dilatación d abarca
    ``d*(k-1) + 1`` píxeles). Todos los argumentos son enteros y dan una salida de
    al menos 1. Por ejemplo, ``conv_output_size(16, 3, padding=1) == 16`` y
    ``conv_output_size(16, 3, stride=2) == 7``. Puedes comprobarlo con
    ``nn.Conv2d(1, 1, k, stride, padding, dilation)(torch.zeros(1, 1, size, size)).shape``.
    Límite del corrector: 10 s.

    Returns an ``int``: the size that ``nn.Conv2d`` gives along one side of an
    input of size ``size``, with that ``kernel_size``, ``stride``, ``padding``
    (zeros added on each side) and ``dilation`` (spacing between the filter's
    elements: a filter of size k with dilation d spans ``d*(k-1) + 1`` pixels).
    All arguments are ints and give an output of at least 1. For example,
    ``conv_output_size(16, 3, padding=1) == 16`` and
    ``conv_output_size(16, 3, stride=2) == 7``. You can check it with
    ``nn.Conv2d(1, 1, k, stride, padding, dilation)(torch.zeros(1, 1, size, size)).shape``.
    Grader's time limit: 10 s.
    """
    raise NotImplementedError("TODO")


class TinyVGG(nn.Module):
    """Una VGG en miniatura / A miniature VGG. (dispositivo / device)

    ``TinyVGG(in_channels, hidden_units, num_classes, image_size)``, para
    imágenes ``(N, in_channels, image_size, image_size)``. El corrector usa un
    ``image_size`` múltiplo de 4. La arquitectura, en este orden:

    * bloque 1: Conv2d(in_channels -> hidden_units, 3x3, padding 1), ReLU,
      Conv2d(hidden_units -> hidden_units, 3x3, padding 1), ReLU, MaxPool(2);
    * bloque 2: igual, de hidden_units a hidden_units: Conv, ReLU, Conv, ReLU,
      MaxPool(2);
    * clasificador: Flatten (en orden C, H, W, como ``x.flatten(1)``) y una
      ``nn.Linear`` hasta ``num_classes``.

    Cada convolución lleva sesgo (bias). El número de entradas de la
    ``nn.Linear`` lo calculas tú a partir de ``hidden_units`` e ``image_size``.
    ``forward(x)`` devuelve los logits, de forma ``(N, num_classes)``, sin
    softmax. El número de parámetros debe ser exactamente el de esta
    arquitectura. Da igual cómo la escribas (``nn.Sequential``, ``F.conv2d``,
    ``nn.ModuleList``...). Límite del corrector: 10 s.

    ``TinyVGG(in_channels, hidden_units, num_classes, image_size)``, for images
    ``(N, in_channels, image_size, image_size)``. The grader uses an
    ``image_size`` that is a multiple of 4. The architecture, in this order:

    * block 1: Conv2d(in_channels -> hidden_units, 3x3, padding 1), ReLU,
      Conv2d(hidden_units -> hidden_units, 3x3, padding 1), ReLU, MaxPool(2);
    * block 2: the same, from hidden_units to hidden_units: Conv, ReLU, Conv,
      ReLU, MaxPool(2);
    * classifier: Flatten (in C, H, W order, as ``x.flatten(1)``) and one
      ``nn.Linear`` to ``num_classes``.

    Every convolution has a bias. The number of inputs of the ``nn.Linear`` is
    yours to work out from ``hidden_units`` and ``image_size``. ``forward(x)``
    returns the
    logits, of shape ``(N, num_classes)``, without softmax. The parameter count
    must be exactly that of this architecture. Write it any way you like
    (``nn.Sequential``, ``F.conv2d``, ``nn.ModuleList``...). Grader's time
    limit: 10 s.
    """

    def __init__(self, in_channels, hidden_units, num_classes, image_size):
        super().__init__()
        raise NotImplementedError("TODO")

    def forward(self, x):
        raise NotImplementedError("TODO")


def make_loader(X, y, batch_size, *, shuffle=False, seed=0):
    """Un DataLoader reproducible / A reproducible DataLoader.

    Devuelve un ``torch.utils.data.DataLoader`` que da lotes ``(X_lote, y_lote)``
    de ``batch_size`` ejemplos de los tensores ``X`` e ``y`` (de igual longitud).
    El último lote, si es más corto, también sale (no se descarta). Con
    ``shuffle=False`` los ejemplos salen en su orden. Con ``shuffle=True`` se
    barajan en cada época, y dos loaders creados con la misma ``seed`` dan los
    mismos lotes en el mismo orden, época tras época, haga lo que haga entretanto
    el generador aleatorio global (``torch.manual_seed``, ``torch.rand``...). Una
    ``seed`` distinta da otro orden. Límite del corrector: 10 s.

    Returns a ``torch.utils.data.DataLoader`` that yields batches
    ``(X_batch, y_batch)`` of ``batch_size`` examples from the tensors ``X`` and
    ``y`` (of equal length). The last batch, when shorter, is yielded too (not
    dropped). With ``shuffle=False`` the examples come in their order. With
    ``shuffle=True`` they are shuffled every epoch, and two loaders built with the
    same ``seed`` give the same batches in the same order, epoch after epoch,
    whatever the global random generator does meanwhile (``torch.manual_seed``,
    ``torch.rand``...). Another ``seed`` gives another order. Grader's time
    limit: 10 s.
    """
    raise NotImplementedError("TODO")


def train_epoch(model, loader, loss_fn, optimizer, device):
    """Una época de entrenamiento / One training epoch. (dispositivo / device)

    Pone ``model`` en modo entrenamiento y recorre ``loader`` una vez; para cada
    lote ``(X, y)``: lo mueve a ``device`` (el modelo ya está allí), calcula la
    salida y la pérdida ``loss_fn(salida, y)``, borra los gradientes anteriores,
    hace backward y un paso de ``optimizer`` (un paso por lote). Devuelve
    ``(pérdida_media, exactitud)`` como floats de Python: la pérdida media por
    ejemplo y la fracción de ejemplos bien clasificados (argmax de la salida
    igual a ``y``), en [0, 1], calculadas con las salidas vistas durante la época.
    El corrector usa lotes del mismo tamaño, así que la media de las pérdidas de
    los lotes también sirve. Límite del corrector: 10 s.

    Puts ``model`` in train mode and goes through ``loader`` once; for each batch
    ``(X, y)``: moves it to ``device`` (the model is already there), computes the
    output and the loss ``loss_fn(output, y)``, clears the previous gradients,
    runs backward and one ``optimizer`` step (one step per batch). Returns
    ``(mean_loss, accuracy)`` as Python floats: the mean loss per example and the
    fraction of examples classified right (argmax of the output equal to ``y``),
    in [0, 1], computed from the outputs seen during the epoch. The grader uses
    batches of equal size, so the mean of the batch losses is also right.
    Grader's time limit: 10 s.
    """
    raise NotImplementedError("TODO")


def evaluate(model, loader, loss_fn, device):
    """Evaluar un modelo / Evaluate a model. (dispositivo / device)

    Mide ``model`` sobre ``loader`` en modo evaluación y sin registrar
    gradientes: una pasada, con cada lote en ``device``. No cambia ningún parámetro ni
    estadística del modelo. Devuelve ``(pérdida_media, exactitud)`` como floats
    de Python, como ``train_epoch``. Límite del corrector: 10 s.

    Measures ``model`` on ``loader`` in eval mode and without tracking
    gradients: one pass, with each batch on ``device``. It changes no parameter or statistic
    of the model. Returns ``(mean_loss, accuracy)`` as Python floats, as
    ``train_epoch`` does. Grader's time limit: 10 s.
    """
    raise NotImplementedError("TODO")


def fit(model, train_loader, test_loader, *, epochs, lr, device):
    """Entrenar y evaluar durante varias épocas / Train and evaluate for several epochs. (dispositivo / device)

    Mueve ``model`` a ``device``, crea ``torch.optim.Adam(model.parameters(),
    lr=lr)`` (Adam con ese ``lr`` y nada más) y la pérdida de entropía cruzada
    (``nn.CrossEntropyLoss()``), y repite ``epochs`` veces: una época de
    entrenamiento sobre ``train_loader`` y una evaluación sobre ``test_loader``
    (puedes usar tus ``train_epoch`` y ``evaluate``). Devuelve un dict con las
    listas ``"train_loss"``, ``"train_acc"``, ``"test_loss"`` y ``"test_acc"``,
    con un float de Python por época. Con los datos de ``make_shapes``, una
    TinyVGG entrenada así aprende a reconocer las figuras. Límite del corrector:
    20 s.

    Moves ``model`` to ``device``, creates ``torch.optim.Adam(model.parameters(),
    lr=lr)`` (Adam with that ``lr`` and nothing else) and the cross-entropy loss
    (``nn.CrossEntropyLoss()``), and repeats ``epochs`` times: one training epoch
    over ``train_loader`` and one evaluation over ``test_loader`` (you may use your
    ``train_epoch`` and ``evaluate``). Returns a dict with the lists
    ``"train_loss"``, ``"train_acc"``, ``"test_loss"`` and ``"test_acc"``, one
    Python float per epoch. With ``make_shapes`` data, a TinyVGG trained this way
    learns to recognise the shapes. Grader's time limit: 20 s.
    """
    raise NotImplementedError("TODO")
