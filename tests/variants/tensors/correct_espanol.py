"""Una solución correcta con identificadores y comentarios en español.

seeded_rand usa ``torch.random.fork_rng`` + ``torch.manual_seed``: el estado
global se restaura al salir del bloque, así que quien llama no nota nada.
"""

import torch

DIMENSIONES_CLAVE = ("ndim", "shape", "dtype", "device", "numel")


def tensor_info(t):
    # Cada propiedad sale directamente del tensor.
    valores = (t.ndim, tuple(t.shape), t.dtype, str(t.device), t.numel())
    return dict(zip(DIMENSIONES_CLAVE, valores))


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    total = rows * cols
    matriz = torch.zeros(rows, cols, dtype=dtype, device=device)
    # Se rellena por filas: la fila i empieza en i * cols.
    for fila in range(rows):
        matriz[fila] = torch.arange(fila * cols, (fila + 1) * cols, device=device).to(dtype)
    assert matriz.numel() == total
    return matriz


def seeded_rand(shape, seed, *, device="cpu"):
    tipo = torch.device(device).type
    dispositivos = [torch.device(device)] if tipo != "cpu" else []
    # device_type solo con un acelerador: torch 2.3 no acepta device_type=None.
    opciones = {"device_type": tipo} if tipo != "cpu" else {}
    with torch.random.fork_rng(devices=dispositivos, **opciones):
        torch.manual_seed(seed)
        return torch.rand(tuple(shape), device=device)


def safe_matmul(a, b):
    filas_a, columnas_a = a.shape
    filas_b, columnas_b = b.shape
    if columnas_a != filas_b:
        raise ValueError(f"no se pueden multiplicar {tuple(a.shape)} y {tuple(b.shape)}: "
                         f"{columnas_a} columnas frente a {filas_b} filas")
    return a @ b


def summarize(t):
    plano = t.reshape(-1)
    en_coma_flotante = plano.to(torch.float64)
    posicion_maximo = int(torch.nonzero(plano == plano.max())[0])  # el primer máximo
    return {
        "min": float(en_coma_flotante.min()),
        "max": float(en_coma_flotante.max()),
        "mean": float(en_coma_flotante.sum() / plano.numel()),
        "sum": float(en_coma_flotante.sum()),
        "argmax": posicion_maximo,
    }


def flatten_images(x):
    lote = x.shape[0]
    return x.contiguous().view(lote, -1)


def to_channels_last(x):
    # (N, C, H, W) -> (N, H, W, C): dos trasposiciones seguidas
    return x.transpose(1, 2).transpose(2, 3)


def add_batch_dim(x):
    return x.view(1, *x.shape)


def from_numpy_shared(arr):
    return torch.from_numpy(arr)


def best_device():
    if torch.cuda.is_available():
        nombre = "cuda"
    elif torch.backends.mps.is_available():
        nombre = "mps"
    else:
        nombre = "cpu"
    return torch.device(nombre)


def move_to(t, device):
    destino = torch.device(device)
    return t if t.device == destino else t.to(destino)
