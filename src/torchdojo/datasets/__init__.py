"""Pequeños conjuntos de datos generados al momento: deterministas según la semilla, sin descargar nada.

Small data sets generated on the fly: deterministic by seed, nothing downloaded.
"""

from .moons import make_moons  # noqa: F401
from .shapes import make_few_shot, make_shapes  # noqa: F401
