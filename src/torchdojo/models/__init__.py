"""Modelos que trae el curso: la red preentrenada de transfer learning.

Models that ship with the course: the pretrained network for transfer learning.

>>> from torchdojo.models import pretrained_backbone
>>> backbone = pretrained_backbone()          # nn.Module, eval mode, on the CPU
>>> backbone.classifier                       # its last layer
Linear(in_features=64, out_features=6, bias=True)
"""

from .backbone import (
    PRETRAIN_CLASSES,
    BackboneChecksumError,
    ShapesBackbone,
    pretrained_backbone,
)

__all__ = ["PRETRAIN_CLASSES", "BackboneChecksumError", "ShapesBackbone", "pretrained_backbone"]
