"""Dos medias lunas entrelazadas: dos clases que ninguna recta separa.

Los puntos se generan aquí (nada se descarga) y dependen solo de ``seed``: salen
de un ``torch.Generator`` propio, así que el generador global no se lee ni se
cambia.

Two interleaving half moons: two classes that no straight line separates. The
points are generated here (nothing is downloaded) and determined by ``seed``
alone: they come from a private ``torch.Generator``, so the global RNG is never
read nor changed.
"""

from __future__ import annotations

import math
import numbers

import torch

__all__ = ["make_moons"]


def make_moons(n: int, *, noise: float = 0.1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` puntos de dos medias lunas entrelazadas, barajados / ``n`` points of two interleaving half moons, shuffled.

    Devuelve ``(X, y)``: ``X`` float32 de forma ``(n, 2)`` e ``y`` int64 de forma
    ``(n,)`` con las clases 0 (luna de arriba) y 1 (luna de abajo); la clase 0
    tiene ``n // 2`` puntos y la 1 el resto. ``noise`` es la desviación típica del
    ruido gaussiano que se suma a cada coordenada. La misma ``seed`` da siempre
    los mismos datos; el generador global de torch no se toca.

    Returns ``(X, y)``: ``X`` float32 of shape ``(n, 2)`` and ``y`` int64 of shape
    ``(n,)`` holding classes 0 (upper moon) and 1 (lower moon); class 0 has
    ``n // 2`` points and class 1 the rest. ``noise`` is the standard deviation of
    the Gaussian noise added to each coordinate. The same ``seed`` always gives
    the same data; torch's global generator is left alone.

    >>> X, y = make_moons(100, noise=0.05, seed=1)
    >>> X.shape, X.dtype, y.shape, y.dtype
    (torch.Size([100, 2]), torch.float32, torch.Size([100]), torch.int64)
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    n = int(n)
    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    n_upper = n // 2
    n_lower = n - n_upper
    # Evenly spaced angles along each half circle (as scikit-learn does).
    t_upper = torch.linspace(0.0, math.pi, n_upper, dtype=torch.float64)
    t_lower = torch.linspace(0.0, math.pi, n_lower, dtype=torch.float64)
    upper = torch.stack([torch.cos(t_upper), torch.sin(t_upper)], dim=1)
    lower = torch.stack([1.0 - torch.cos(t_lower), 0.5 - torch.sin(t_lower)], dim=1)
    X = torch.cat([upper, lower])
    y = torch.cat([torch.zeros(n_upper, dtype=torch.int64), torch.ones(n_lower, dtype=torch.int64)])
    if noise > 0:
        X = X + float(noise) * torch.randn(X.shape, generator=g, dtype=torch.float64)
    order = torch.randperm(n, generator=g)
    return X[order].to(torch.float32).contiguous(), y[order].contiguous()
