"""The sections of the course notes (``lessons/sections.toml``), in the notes' order.

Lessons (``section=`` on a part), quiz questions (``section:``) and the coverage
table (``docs/coverage.md``) name a section by its id. Each section lists the
topics whose lessons teach it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Text

FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class SectionsError(UserError):
    """A malformed ``sections.toml``; the message names the file and the field."""


@dataclass(frozen=True)
class Section:
    """One section of the notes."""

    id: str
    title: Text
    #: The topics whose lessons teach this section, in course order.
    topics: tuple[str, ...]


def sections_path() -> Path:
    return paths.lessons_dir() / "sections.toml"


def load_sections(path: str | Path | None = None) -> tuple[Section, ...]:
    """The notes' sections, in the notes' order (by default the packaged file)."""
    path = Path(path) if path is not None else sections_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SectionsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SectionsError(f"{path}: not valid TOML: {exc}") from None
    if data.get("format_version") != FORMAT_VERSION:
        raise SectionsError(f"{path}: format_version: must be {FORMAT_VERSION}, got {data.get('format_version')!r}")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise SectionsError(f"{path}: sections: must be a non-empty array of tables")
    out: list[Section] = []
    for i, raw in enumerate(raw_sections):
        where = f"{path}: sections[{i}]"
        if not isinstance(raw, dict) or set(raw) != {"id", "title", "topics"}:
            raise SectionsError(f"{where}: must have exactly the keys id, title and topics")
        sid, title, topics = raw["id"], raw["title"], raw["topics"]
        if not isinstance(sid, str) or not _ID.match(sid):
            raise SectionsError(f"{where}.id: must be a lower-case identifier, got {sid!r}")
        if sid in {s.id for s in out}:
            raise SectionsError(f"{where}.id: duplicate section id '{sid}'")
        if not (isinstance(title, dict) and set(title) == {"es", "en"}
                and all(isinstance(v, str) and v.strip() for v in title.values())):
            raise SectionsError(f"{where}.title: must be a table with non-empty 'es' and 'en'")
        if not (isinstance(topics, list) and topics and all(isinstance(t, str) for t in topics)):
            raise SectionsError(f"{where}.topics: must be a non-empty list of topic ids")
        out.append(Section(sid, Text(es=title["es"], en=title["en"]), tuple(topics)))
    return tuple(out)
