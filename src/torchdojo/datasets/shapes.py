"""Imágenes sintéticas de figuras: pequeñas, en escala de grises, dibujadas con torch.

Cada imagen muestra una figura (círculo, cuadrado, triángulo, cruz, anillo, marco,
rombo, aspa, línea o ele) en una posición, un tamaño, un grosor, un giro y un
contraste al azar, sobre un fondo con ruido. Las imágenes se generan aquí (nada se
descarga, no hace falta PIL) y dependen solo de ``seed``: salen de un
``torch.Generator`` propio, así que el generador global no se lee ni se cambia.

La misma figura cae en sitios distintos, así que un modelo lineal sobre los
píxeles acierta poco; una red convolucional pequeña acierta casi siempre.

Synthetic images of shapes: small, grayscale, drawn with torch.

Each image shows one shape (circle, square, triangle, cross, ring, frame, diamond,
x, line or ell) at a random position, size, stroke width, rotation and contrast,
on a noisy background. The images are generated here (nothing is downloaded, no
PIL needed) and determined by ``seed`` alone: they come from a private
``torch.Generator``, so the global RNG is never read nor changed.

The same shape lands in different places, so a linear model on the pixels does
poorly; a small convolutional network does well.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import torch

__all__ = [
    "BACKBONE_CLASSES",
    "DEFAULT_CLASSES",
    "SHAPES",
    "TRANSFER_CLASSES",
    "make_few_shot",
    "make_shapes",
]

#: Every shape :func:`make_shapes` can draw.
SHAPES: tuple[str, ...] = (
    "circle", "square", "triangle", "cross", "ring", "frame", "diamond", "x", "line", "ell",
)
#: The four classes :func:`make_shapes` draws by default (the ``cnns`` topic's task).
DEFAULT_CLASSES: tuple[str, ...] = ("circle", "square", "triangle", "cross")
#: The task the packaged backbone was trained on (:mod:`torchdojo.models`).
BACKBONE_CLASSES: tuple[str, ...] = ("circle", "square", "triangle", "cross", "line", "ell")
#: The new task of the transfer-learning topic: other shapes, few examples.
TRANSFER_CLASSES: tuple[str, ...] = ("ring", "frame", "diamond", "x")

_SQRT2 = math.sqrt(2.0)


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _bar(u: torch.Tensor, v: torch.Tensor, half_width: torch.Tensor, half_length: float) -> torch.Tensor:
    """Signed distance (in radius units, approximately) to a bar along ``u``."""
    return torch.maximum(v.abs() - half_width, u.abs() - half_length)


def _sdf(shape: str, u: torch.Tensor, v: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Approximate signed distance of each pixel to ``shape``, in units of the radius.

    ``u``, ``v``: pixel coordinates in the shape's frame (centre at 0, radius 1,
    ``v`` pointing down); ``h``: half the stroke width, in the same units.
    """
    if shape == "circle":
        return torch.sqrt(u * u + v * v) - 1.0
    if shape == "ring":
        return (torch.sqrt(u * u + v * v) - (1.0 - h)).abs() - h
    if shape == "square":
        return torch.maximum(u.abs(), v.abs()) - 0.8
    if shape == "frame":
        return (torch.maximum(u.abs(), v.abs()) - (0.8 - h)).abs() - h
    if shape == "diamond":
        return (u.abs() + v.abs() - 1.0) / _SQRT2
    if shape == "triangle":  # equilateral, apex up, circumradius 1
        edges = torch.maximum(v, torch.maximum(0.866 * u - 0.5 * v, -0.866 * u - 0.5 * v))
        return edges - 0.5
    if shape == "cross":  # a plus sign
        return torch.minimum(_bar(u, v, h, 0.95), _bar(v, u, h, 0.95))
    if shape == "x":
        a, b = (u + v) / _SQRT2, (v - u) / _SQRT2
        return torch.minimum(_bar(a, b, h, 1.0), _bar(b, a, h, 1.0))
    if shape == "line":
        return _bar(u, v, h, 1.0)
    if shape == "ell":  # a vertical stroke on the left and a foot along the bottom
        stem = _bar(v, u + 0.55, h, 0.9)
        foot = _bar(u - 0.1, v - 0.9 + h, h, 0.65)
        return torch.minimum(stem, foot)
    raise ValueError(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")


def make_shapes(
    n: int,
    *,
    classes: Sequence[str] = DEFAULT_CLASSES,
    size: int = 16,
    seed: int = 0,
    noise: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` imágenes de figuras, barajadas / ``n`` images of shapes, shuffled.

    Devuelve ``(X, y)``: ``X`` float32 de forma ``(n, 1, size, size)`` con valores
    en [0, 1] e ``y`` int64 de forma ``(n,)``, donde ``y[i]`` es el índice de la
    figura de la imagen ``i`` en ``classes`` (nombres de :data:`SHAPES`). Las
    clases salen equilibradas: cada una tiene ``n // len(classes)`` imágenes (las
    primeras clases una más si no es exacto). ``noise`` es la desviación típica
    del ruido gaussiano de cada píxel. La misma ``seed`` da siempre los mismos
    datos; el generador global de torch no se toca.

    Returns ``(X, y)``: ``X`` float32 of shape ``(n, 1, size, size)`` with values
    in [0, 1] and ``y`` int64 of shape ``(n,)``, where ``y[i]`` is the index in
    ``classes`` (names from :data:`SHAPES`) of the shape in image ``i``. Classes
    are balanced: each has ``n // len(classes)`` images (the first ones one more
    when it does not divide). ``noise`` is the standard deviation of each pixel's
    Gaussian noise. The same ``seed`` always gives the same data; torch's global
    generator is left alone.

    >>> X, y = make_shapes(8, seed=1)
    >>> X.shape, X.dtype, y.shape, y.dtype
    (torch.Size([8, 1, 16, 16]), torch.float32, torch.Size([8]), torch.int64)
    """
    n = _check_int(n, "n", 0)
    size = _check_int(size, "size", 8)
    if isinstance(classes, str):
        raise ValueError("classes must be a sequence of shape names, not one string")
    classes = tuple(classes)
    if not classes:
        raise ValueError("classes must name at least one shape")
    for c in classes:
        if c not in SHAPES:
            raise ValueError(f"unknown shape {c!r}; choose from {', '.join(SHAPES)}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")

    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    k = len(classes)
    y = torch.arange(n, dtype=torch.int64) % k
    y = y[torch.randperm(n, generator=g)]

    def uniform(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(n, 1, 1, generator=g, dtype=torch.float64)

    scale = size / 16.0
    radius = uniform(0.2, 0.45) * size                     # pixels
    half_stroke = uniform(0.6, 1.1) * scale / radius         # radius units
    margin = radius + 0.5
    cx = margin + (size - 2 * margin) * torch.rand(n, 1, 1, generator=g, dtype=torch.float64)
    cy = margin + (size - 2 * margin) * torch.rand(n, 1, 1, generator=g, dtype=torch.float64)
    angle = uniform(-0.35, 0.35)
    line_angle = uniform(0.0, math.pi)  # lines may point anywhere
    bg = uniform(0.0, 0.4)
    fg = bg + uniform(0.3, 1.0) * (1.0 - bg)
    dark = torch.rand(n, 1, 1, generator=g) < 0.5  # dark shape on a light background
    pixel_noise = torch.randn(n, size, size, generator=g, dtype=torch.float64)

    centres = torch.arange(size, dtype=torch.float64) + 0.5
    ys, xs = centres.view(1, size, 1), centres.view(1, 1, size)
    is_line = torch.tensor([c == "line" for c in classes])[y].view(n, 1, 1)
    theta = torch.where(is_line, line_angle, angle)
    cos, sin = torch.cos(theta), torch.sin(theta)
    dx, dy = xs - cx, ys - cy
    u = (dx * cos + dy * sin) / radius
    v = (-dx * sin + dy * cos) / radius

    mask = torch.zeros(n, size, size, dtype=torch.float64)
    for index, name in enumerate(classes):
        rows = y == index
        if not bool(rows.any()):
            continue
        dist = _sdf(name, u[rows], v[rows], half_stroke[rows]) * radius[rows]  # pixels
        mask[rows] = (0.5 - dist).clamp(0.0, 1.0)  # one pixel of anti-aliasing
    images = bg + (fg - bg) * mask
    images = torch.where(dark, 1.0 - images, images) + float(noise) * pixel_noise
    X = images.clamp(0.0, 1.0).to(torch.float32).unsqueeze(1)
    return X, y


def make_few_shot(
    per_class: int,
    *,
    classes: Sequence[str] = TRANSFER_CLASSES,
    size: int = 16,
    seed: int = 0,
    noise: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exactamente ``per_class`` imágenes por clase / exactly ``per_class`` images per class.

    Como :func:`make_shapes` con ``n = per_class * len(classes)``: un conjunto
    pequeño y equilibrado para transfer learning.

    As :func:`make_shapes` with ``n = per_class * len(classes)``: a small,
    balanced set for transfer learning.
    """
    per_class = _check_int(per_class, "per_class", 1)
    classes = tuple(classes)
    return make_shapes(per_class * len(classes), classes=classes, size=size, seed=seed, noise=noise)
