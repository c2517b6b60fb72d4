"""La red preentrenada del curso: una CNN pequeña con BatchNorm.

Se entrenó (con ``scripts/train_backbone.py``, determinista) para reconocer seis
figuras de :func:`torchdojo.datasets.make_shapes` (:data:`PRETRAIN_CLASSES`). Sus
pesos viajan dentro del paquete (``backbone.pt``, solo el ``state_dict``) y se
cargan con ``torch.load(..., weights_only=True)`` tras comprobar su SHA-256.

Arquitectura: ``features`` (tres bloques Conv 3x3 - BatchNorm - ReLU, los dos
primeros con MaxPool(2), y al final una media global y Flatten: 64 características por
imagen) y ``classifier``, un ``nn.Linear(64, 6)``, la última capa.

The course's pretrained network: a small CNN with BatchNorm. It was trained (by
``scripts/train_backbone.py``, deterministically) to recognise six shapes of
:func:`torchdojo.datasets.make_shapes` (:data:`PRETRAIN_CLASSES`). Its weights
ship inside the package (``backbone.pt``, the ``state_dict`` only) and are loaded
with ``torch.load(..., weights_only=True)`` after their SHA-256 is checked.

Architecture: ``features`` (three blocks Conv 3x3 - BatchNorm - ReLU, the first
two with MaxPool(2), then a global average and Flatten: 64 features per image)
and ``classifier``, an ``nn.Linear(64, 6)``, the last layer.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import torch
from torch import nn

from torchdojo.datasets.shapes import BACKBONE_CLASSES
from torchdojo.text.i18n import default_lang, tr_pair

__all__ = [
    "FEATURES",
    "PRETRAIN_CLASSES",
    "WEIGHTS_PATH",
    "WEIGHTS_SHA256",
    "BackboneChecksumError",
    "ShapesBackbone",
    "pretrained_backbone",
]

#: The shapes the backbone was trained to tell apart, in label order.
PRETRAIN_CLASSES: tuple[str, ...] = BACKBONE_CLASSES
#: Width of the feature vector that ``features`` gives (``classifier.in_features``).
FEATURES = 64
#: The packaged weights.
WEIGHTS_PATH = Path(__file__).resolve().with_name("backbone.pt")
#: SHA-256 of ``backbone.pt``; ``scripts/train_backbone.py`` rewrites this line.
WEIGHTS_SHA256 = "0c052ffbc9516e3d6d8fd8fee39584a5f0cb050c474e078fed3313f01f26a154"


class BackboneChecksumError(RuntimeError):
    """The packaged weights file is missing, damaged or not the one released.

    Its message comes from the catalog in both languages (:meth:`render`); ``str()`` is the one of the
    course language of this process (``TORCHDOJO_LANG``, else the locale, else Spanish).
    """

    def __init__(self, msgid: str, /, **params: object) -> None:
        self.said = tr_pair(msgid, **params)
        super().__init__(self.said.render(default_lang()))

    def render(self, lang: str) -> str:
        return self.said.render(lang)


class ShapesBackbone(nn.Module):
    """CNN pequeña para imágenes (N, 1, 16, 16) / a small CNN for (N, 1, 16, 16) images.

    Acepta cualquier tamaño de imagen a partir de 4x4 (la media global lo
    resume todo en 64 características). / Accepts any image size from 4x4 up (the global
    average sums everything up in 64 features).
    """

    def __init__(self, num_classes: int = len(PRETRAIN_CLASSES), in_channels: int = 1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 16, kernel_size=3, padding=1),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, FEATURES, kernel_size=3, padding=1),
            nn.BatchNorm2d(FEATURES),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(FEATURES, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def _verified_bytes(path: Path, expected: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BackboneChecksumError("cannot read the pretrained weights {path}: {why}. Reinstall torchdojo.",
                                    path=str(path), why=str(exc.strerror or exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise BackboneChecksumError(
            "the pretrained weights {path} have SHA-256 {digest}, expected {expected}: the file is damaged or "
            "not the released one. Reinstall torchdojo (or, in the repository, rerun scripts/train_backbone.py).",
            path=str(path), digest=digest, expected=expected)
    return data


def load_state_dict(path: str | Path = WEIGHTS_PATH, sha256: str = WEIGHTS_SHA256) -> dict[str, torch.Tensor]:
    """El ``state_dict`` de ``path`` tras comprobar su SHA-256 / the verified ``state_dict``."""
    data = _verified_bytes(Path(path), sha256)
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def pretrained_backbone(device: str | torch.device = "cpu") -> ShapesBackbone:
    """Una copia nueva de la red preentrenada, en modo eval / a fresh copy of the pretrained network, in eval mode.

    Cada llamada lee y comprueba los pesos y devuelve un modelo independiente en
    ``device``; su última capa es ``model.classifier`` (``nn.Linear(64, 6)``).
    Lanza :class:`BackboneChecksumError` si el archivo de pesos no es el publicado.

    Each call reads and checks the weights and returns an independent model on
    ``device``; its last layer is ``model.classifier`` (``nn.Linear(64, 6)``).
    Raises :class:`BackboneChecksumError` when the weights file is not the
    released one.

    >>> model = pretrained_backbone()
    >>> model(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 6])
    """
    model = ShapesBackbone()
    model.load_state_dict(load_state_dict())
    model.eval()
    return model.to(device)
