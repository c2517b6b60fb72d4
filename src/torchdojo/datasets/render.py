"""Una cuadrícula de imágenes en un PNG, sin dependencias (zlib y struct).

Sirve para mirar los datos: ``save_grid(X, y, "muestras.png")``. El PNG se
escribe a mano (escala de grises de 8 bits); matplotlib no hace falta.

A grid of images in a PNG, with no dependencies (zlib and struct). Useful to look
at the data: ``save_grid(X, y, "samples.png")``. The PNG is written by hand (8-bit
grayscale); matplotlib is not needed.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from collections.abc import Sequence

import torch

__all__ = ["encode_png", "grid_pixels", "save_grid"]

# A 3x5 bitmap font for the digits that label each tile (one string per row).
_DIGITS = {
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
}


def encode_png(pixels: Sequence[Sequence[int]] | torch.Tensor) -> bytes:
    """Bytes de un PNG en escala de grises de 8 bits / bytes of an 8-bit grayscale PNG.

    ``pixels``: filas de enteros 0..255 (lista de listas o tensor 2-D uint8).
    ``pixels``: rows of ints 0..255 (a list of lists or a 2-D uint8 tensor).
    """
    if isinstance(pixels, torch.Tensor):
        if pixels.ndim != 2:
            raise ValueError(f"expected a 2-D tensor, got shape {tuple(pixels.shape)}")
        rows = [bytes(r) for r in pixels.to(torch.uint8).tolist()]
    else:
        rows = [bytes(r) for r in pixels]
    height = len(rows)
    width = len(rows[0]) if rows else 0
    if height == 0 or width == 0 or any(len(r) != width for r in rows):
        raise ValueError("pixels must be a non-empty rectangle")
    raw = b"".join(b"\x00" + r for r in rows)  # filter type 0 on every row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit, grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def grid_pixels(
    X: torch.Tensor,
    y: torch.Tensor | Sequence[int] | None = None,
    *,
    ncols: int | None = None,
    scale: int = 4,
    pad: int = 2,
) -> torch.Tensor:
    """La cuadrícula como tensor uint8 2-D / the grid as a 2-D uint8 tensor.

    ``X``: (N, 1, H, W) o (N, H, W) con valores en [0, 1] (con varios canales se
    usa su media); cada imagen se amplía ``scale`` veces. Con ``y``, cada casilla
    lleva su etiqueta en dígitos debajo.

    ``X``: (N, 1, H, W) or (N, H, W) with values in [0, 1] (several channels are
    averaged); each image is enlarged ``scale`` times. With ``y``, each tile has
    its label in digits underneath.
    """
    X = X.detach().to("cpu", torch.float32)
    if X.ndim == 4:
        X = X.mean(dim=1)
    if X.ndim != 3 or X.shape[0] == 0:
        raise ValueError(f"expected images of shape (N, C, H, W) or (N, H, W), got {tuple(X.shape)}")
    n, h, w = X.shape
    if y is not None and len(y) != n:
        raise ValueError(f"{n} images but {len(y)} labels")
    scale, pad = max(1, int(scale)), max(0, int(pad))
    ncols = int(ncols) if ncols else max(1, math.ceil(math.sqrt(n)))
    nrows = math.ceil(n / ncols)
    label_h = 7 if y is not None else 0
    tile_h, tile_w = h * scale + label_h, w * scale
    canvas = torch.full((pad + nrows * (tile_h + pad), pad + ncols * (tile_w + pad)), 64, dtype=torch.uint8)
    big = (X.clamp(0, 1) * 255).round().to(torch.uint8)
    big = big.repeat_interleave(scale, dim=1).repeat_interleave(scale, dim=2)
    for i in range(n):
        r, c = divmod(i, ncols)
        top, left = pad + r * (tile_h + pad), pad + c * (tile_w + pad)
        canvas[top:top + h * scale, left:left + w * scale] = big[i]
        if y is not None:
            text = str(int(y[i]))
            x0 = left
            for ch in text:
                glyph = _DIGITS.get(ch, ("000",) * 5)
                for gy, row in enumerate(glyph):
                    for gx, bit in enumerate(row):
                        if bit == "1" and x0 + gx < left + tile_w:
                            canvas[top + h * scale + 1 + gy, x0 + gx] = 255
                x0 += 4
    return canvas


def save_grid(
    X: torch.Tensor,
    y: torch.Tensor | Sequence[int] | None,
    path: str | os.PathLike[str],
    *,
    ncols: int | None = None,
    scale: int = 4,
    pad: int = 2,
) -> str:
    """Guarda una cuadrícula de imágenes como PNG / save a grid of images as a PNG.

    ``X`` (N, 1, H, W) con valores en [0, 1], ``y`` etiquetas (o ``None``),
    ``path`` el archivo de salida. Devuelve la ruta escrita.

    ``X`` (N, 1, H, W) with values in [0, 1], ``y`` labels (or ``None``), ``path``
    the output file. Returns the path written.

    >>> from torchdojo.datasets import make_shapes
    >>> X, y = make_shapes(16, seed=0)
    >>> save_grid(X, y, "shapes.png")  # doctest: +SKIP
    'shapes.png'
    """
    data = encode_png(grid_pixels(X, y, ncols=ncols, scale=scale, pad=pad))
    path = os.fspath(path)
    with open(path, "wb") as f:
        f.write(data)
    return path
