"""The sections of the course notes (``lessons/sections.toml``) that questions refer to.

A question may name the section of the notes it checks (``section: why_pytorch``);
the bank loader accepts only ids listed in that file.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from torchdojo import paths
from torchdojo.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def sections_file() -> Path:
    """Where the notes' sections are listed (``lessons/sections.toml`` of the content)."""
    return paths.content_root() / "lessons" / "sections.toml"


@lru_cache(maxsize=None)
def _ids(path: Path) -> tuple[str, ...] | None:
    try:
        with path.open("rb") as f:
            return tuple(s["id"] for s in tomllib.load(f)["sections"])
    except FileNotFoundError:
        return None
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a valid sections file ({exc})") from None


def section_ids() -> tuple[str, ...] | None:
    """The section ids in the notes' order; ``None`` where the content has no sections file."""
    return _ids(sections_file())
