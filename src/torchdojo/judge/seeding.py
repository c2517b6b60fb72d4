"""The instructor's grading secret: hidden inputs students cannot precompute.

With no secret, every randomised input of a grader comes from the seeds
written in the grader (and hypothesis's derandomised examples), so grading is
reproducible by anyone who has the graders. With a secret (``torchdojo grade
--secret``), every seed a grader asks for goes through :func:`mix`, and
hypothesis draws its examples from a seed derived from the secret and the
test's id: the same secret gives the same inputs (byte-identical grades),
another secret other inputs (and the same verdicts on correct and mistaken
solutions, since graders hold for any seed).
"""

from __future__ import annotations

import hashlib

_secret = ""


def set_secret(secret: str) -> None:
    """Set the secret for this judge process (one job)."""
    global _secret
    _secret = secret or ""


def secret_in_use() -> bool:
    return bool(_secret)


def mix(seed: int, salt: str = "") -> int:
    """``seed`` itself without a secret; else a 63-bit number derived from the secret, ``salt`` and ``seed``."""
    if not _secret:
        return seed
    digest = hashlib.sha256(f"{_secret}\x00{salt}\x00{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)
