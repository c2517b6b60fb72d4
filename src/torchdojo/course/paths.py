"""Where the course content lives.

In a checkout, content sits at the top of the repository (``course.toml``,
``exercises/``, ``solutions/``, ``graders/``, ``quizzes/``, ``lessons/``); in an installed wheel
it is packaged under ``torchdojo/content/``. ``TORCHDOJO_CONTENT`` overrides both.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # src/torchdojo


@lru_cache(maxsize=None)
def content_root() -> Path:
    override = os.environ.get("TORCHDOJO_CONTENT")
    if override:
        return Path(override).resolve()
    packaged = _PACKAGE / "content"
    if (packaged / "course.toml").is_file():
        return packaged
    checkout = _PACKAGE.parent.parent
    if (checkout / "course.toml").is_file():
        return checkout
    raise FileNotFoundError("torchdojo: course content not found (no course.toml)")


def manifest_path() -> Path:
    return content_root() / "course.toml"


def exercises_dir() -> Path:
    return content_root() / "exercises"


def solutions_dir() -> Path:
    return content_root() / "solutions"


def graders_dir() -> Path:
    return content_root() / "graders"


def quizzes_dir() -> Path:
    return content_root() / "quizzes"


def lessons_dir() -> Path:
    return content_root() / "lessons"
