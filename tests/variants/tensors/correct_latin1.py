# -*- coding: latin-1 -*-
"""A correct solution saved in Latin-1 (PEP 263 line above; the comments and
strings hold Latin-1 bytes such as ñ and á), written with callable objects,
classes with ``__call__`` and staticmethods assigned to the exercise names."""

# Señales de año: código con acentos en Latin-1, ¿se lee bien? ¡Sí!

import torch


class _Info:
    """Objeto invocable: describe un tensor (éste es un comentario en Latin-1)."""

    claves = ("ndim", "shape", "dtype", "device", "numel")

    def __call__(self, t):
        return {clave: getattr(self, "_" + clave)(t) for clave in self.claves}

    @staticmethod
    def _ndim(t):
        return t.dim()

    @staticmethod
    def _shape(t):
        return t.shape

    @staticmethod
    def _dtype(t):
        return t.dtype

    @staticmethod
    def _device(t):
        return str(t.device)

    @staticmethod
    def _numel(t):
        n = 1
        for lado in t.shape:
            n *= lado
        return n


tensor_info = _Info()


class _Rango:
    def __call__(self, rows, cols, *, dtype=torch.float32, device="cpu"):
        valores = [[f * cols + c for c in range(cols)] for f in range(rows)]
        return torch.tensor(valores, dtype=dtype, device=device)


make_range_matrix = _Rango()


class _Aleatorio:
    def __call__(self, shape, seed, *, device="cpu"):
        generador = torch.Generator(device=device)
        generador.manual_seed(seed)
        return torch.rand(size=shape, generator=generador, device=device)


seeded_rand = _Aleatorio()


class DimensionesIncompatibles(ValueError):
    """Una subclase de ValueError: también vale."""


class _Producto:
    def __call__(self, a, b):
        if a.size(1) != b.size(0):
            raise DimensionesIncompatibles(f"dimensiones incompatibles: {a.shape} × {b.shape}")
        return torch.mm(a, b)


safe_matmul = _Producto()


class _Resumen:
    def __call__(self, t):
        d = t.to(torch.float64)
        return {"min": d.min().item(), "max": d.max().item(), "mean": d.mean().item(),
                "sum": d.sum().item(), "argmax": int(torch.argmax(t))}


summarize = _Resumen()


class _Imagenes:
    @staticmethod
    def aplanar(x):
        return x.reshape(x.size(0), x.size(1) * x.size(2) * x.size(3))

    @staticmethod
    def canales_al_final(x):
        return torch.einsum("nchw->nhwc", x)


flatten_images = _Imagenes.aplanar
to_channels_last = _Imagenes().canales_al_final


def add_batch_dim(x):
    return torch.stack([x])


def from_numpy_shared(arr):
    return torch.from_numpy(arr)


def best_device():
    return torch.device("cuda" if torch.cuda.is_available() else
                        "mps" if torch.backends.mps.is_available() else "cpu")


def move_to(t, device):
    return t.to(device)
