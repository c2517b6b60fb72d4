"""¿Qué es un tensor? / What is a tensor?

ES: Un tensor es un array multidimensional: la forma en que PyTorch representa las
entradas, las salidas y los pesos (weights) de una red. Cada tensor tiene un número
de dimensiones (``ndim``), una forma (``shape``: el tamaño de cada dimensión), un
tipo de dato (``dtype``) y un dispositivo (``device``: CPU o GPU). En estos
ejercicios creas, inspeccionas, transformas y mueves tensores. Cada función se
califica por separado; el límite de tiempo es de 10 s por ejercicio.

EN: A tensor is a multidimensional array: the way PyTorch represents a network's
inputs, outputs and weights. Every tensor has a number of dimensions (``ndim``), a
shape (the size of each dimension), a data type (``dtype``) and a device (CPU or
GPU). In these exercises you
create, inspect, transform and move tensors. Each function is graded on its own;
the time limit is 10 s per exercise.
"""

import torch


def tensor_info(t):
    """ES: Describe el tensor ``t``.

    Devuelve un dict con las claves:
    ``ndim`` (int, número de dimensiones), ``shape`` (tupla de int; un
    ``torch.Size`` sirve), ``dtype`` (el ``torch.dtype``), ``device`` (str, igual a
    ``str(t.device)``, p. ej. ``"cpu"``) y ``numel`` (int, número de elementos).
    Se admiten claves extra.

    EN: Describe the tensor ``t``.

    Return a dict with the keys: ``ndim`` (int, number of dimensions), ``shape``
    (tuple of int; a ``torch.Size`` is fine), ``dtype`` (the ``torch.dtype``),
    ``device`` (str, equal to ``str(t.device)``, e.g. ``"cpu"``) and ``numel``
    (int, number of elements). Extra keys are fine.

    >>> tensor_info(torch.zeros(2, 3))["shape"]
    (2, 3)
    """
    ### BEGIN SOLUTION
    return {
        "ndim": t.ndim,
        "shape": tuple(t.shape),
        "dtype": t.dtype,
        "device": str(t.device),
        "numel": t.numel(),
    }
    ### END SOLUTION


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    """ES: Una matriz ``rows`` x ``cols`` con los valores 0, 1, ..., rows*cols-1
    por filas (la primera fila es 0..cols-1), del ``dtype`` pedido y en el
    ``device`` pedido (``str`` o ``torch.device``). ``rows, cols >= 1``.
    Se califica en CPU y en GPU si la hay.

    EN: A ``rows`` x ``cols`` matrix holding 0, 1, ..., rows*cols-1 in row-major
    order (the first row is 0..cols-1), of the requested ``dtype`` and on the
    requested ``device`` (a ``str`` or a ``torch.device``). ``rows, cols >= 1``.
    Graded on the CPU and on the GPU when there is one.

    >>> make_range_matrix(2, 3)
    tensor([[0., 1., 2.],
            [3., 4., 5.]])
    """
    ### BEGIN SOLUTION
    return torch.arange(rows * cols, dtype=dtype, device=device).reshape(rows, cols)
    ### END SOLUTION


def seeded_rand(shape, seed, *, device="cpu"):
    """ES: Un tensor float32 de forma ``shape`` (tupla o lista de int) con valores
    uniformes en [0, 1), en ``device``. Reproducible: en un mismo dispositivo, la
    misma ``seed`` da los mismos valores y otra semilla da otros. No debe cambiar
    el estado global del generador aleatorio (ni el de la CPU ni el del
    dispositivo): quien llama no debe notar nada. Se califica en CPU y en GPU.

    EN: A float32 tensor of shape ``shape`` (a tuple or list of ints) with values
    uniform in [0, 1), on ``device``. Reproducible: on one device, the same
    ``seed`` gives the same values and another seed gives other values. It must
    leave the global random state (of the CPU and of the device) untouched: the
    caller must notice nothing. Graded on the CPU and on the GPU.
    """
    ### BEGIN SOLUTION
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return torch.rand(tuple(shape), generator=generator, device=device, dtype=torch.float32)
    ### END SOLUTION


def safe_matmul(a, b):
    """ES: El producto matricial ``a @ b`` de dos tensores 2-D. Si las dimensiones
    interiores no coinciden (columnas de ``a`` != filas de ``b``), lanza
    ``ValueError`` con un mensaje que nombre las dos formas, p. ej.
    ``"no se pueden multiplicar (2, 3) y (4, 5)"``. Se califica en CPU y en GPU.

    EN: The matrix product ``a @ b`` of two 2-D tensors. When the inner sizes
    differ (columns of ``a`` != rows of ``b``), raise ``ValueError`` with a message
    that names both shapes, e.g. ``"cannot multiply (2, 3) and (4, 5)"``. Graded
    on the CPU and on the GPU.
    """
    ### BEGIN SOLUTION
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {tuple(a.shape)} and {tuple(b.shape)}: inner sizes differ")
    return a @ b
    ### END SOLUTION


def summarize(t):
    """ES: Resumen de un tensor no vacío (entero o de punto flotante): un dict con
    ``min``, ``max``, ``mean`` y ``sum`` como ``float`` de Python (tolerancia
    relativa 1e-4) y ``argmax`` como ``int``: el índice plano (por filas) del
    primer máximo, como ``t.flatten().argmax()``.

    EN: Summary of a non-empty tensor (integer or floating point): a dict with
    ``min``, ``max``, ``mean`` and ``sum`` as Python ``float`` (relative tolerance
    1e-4) and ``argmax`` as ``int``: the row-major flat index of the first maximum,
    as ``t.flatten().argmax()``.
    """
    ### BEGIN SOLUTION
    values = t.double()
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "sum": float(values.sum()),
        "argmax": int(t.flatten().argmax()),
    }
    ### END SOLUTION


def flatten_images(x):
    """ES: Aplana un lote de imágenes (N, C, H, W) a (N, C*H*W), conservando el
    orden de los valores de cada imagen. Debe funcionar también con tensores no
    contiguos (p. ej. tras un ``permute``). Se califica en CPU y en GPU.

    EN: Flatten a batch of images (N, C, H, W) to (N, C*H*W), keeping the order of
    each image's values. It must also work on non-contiguous tensors (e.g. after
    a ``permute``). Graded on the CPU and on the GPU.
    """
    ### BEGIN SOLUTION
    return x.flatten(start_dim=1)
    ### END SOLUTION


def to_channels_last(x):
    """ES: Reordena un lote (N, C, H, W) a un tensor de forma (N, H, W, C): el valor
    en ``[n, c, h, w]`` pasa a ``[n, h, w, c]``. (No es ``torch.channels_last``,
    que es un formato de memoria que conserva la forma.)

    EN: Reorder a batch (N, C, H, W) into a tensor of shape (N, H, W, C): the value
    at ``[n, c, h, w]`` moves to ``[n, h, w, c]``. (Not ``torch.channels_last``, a
    memory format that keeps the shape.)
    """
    ### BEGIN SOLUTION
    return x.permute(0, 2, 3, 1)
    ### END SOLUTION


def add_batch_dim(x):
    """ES: Añade una dimensión nueva de tamaño 1 al principio: (C, H, W) pasa a
    (1, C, H, W); en general, forma ``s`` pasa a ``(1, *s)``.

    EN: Add a new leading dimension of size 1: (C, H, W) becomes (1, C, H, W); in
    general, shape ``s`` becomes ``(1, *s)``.
    """
    ### BEGIN SOLUTION
    return x.unsqueeze(0)
    ### END SOLUTION


def from_numpy_shared(arr):
    """ES: Un tensor que comparte memoria con el array de NumPy ``arr`` (C-contiguo
    y escribible): lo que se escribe en uno se ve en el otro. Mismo dtype.

    EN: A tensor that shares memory with the NumPy array ``arr`` (C-contiguous and
    writable): writes to one show in the other. Same dtype.
    """
    ### BEGIN SOLUTION
    return torch.from_numpy(arr)
    ### END SOLUTION


def best_device():
    """ES: El mejor dispositivo disponible como ``torch.device``: ``cuda`` si CUDA
    está disponible; si no, ``mps`` si MPS lo está; si no, ``cpu``. Se califica
    en la máquina tal como es.

    EN: The best available device as a ``torch.device``: ``cuda`` if CUDA is
    available; otherwise ``mps`` if MPS is; otherwise ``cpu``. Graded on the
    machine as it is.
    """
    ### BEGIN SOLUTION
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
    ### END SOLUTION


def move_to(t, device):
    """ES: El tensor ``t`` en ``device`` (``str`` o ``torch.device``), con el mismo
    dtype y los mismos valores. Se califica en CPU y en GPU.

    EN: The tensor ``t`` on ``device`` (a ``str`` or a ``torch.device``), with the
    same dtype and values. Graded on the CPU and on the GPU.
    """
    ### BEGIN SOLUTION
    return t.to(device)
    ### END SOLUTION
