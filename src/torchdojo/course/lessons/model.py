"""A lesson as data: parts, each in Spanish and English, with runnable examples.

The source format (``lessons/<topic>.md``) is described in ``docs/lesson-format.md``
and parsed by :mod:`torchdojo.course.lessons.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.text.errors import UserError
from torchdojo.course.manifest import Text

#: The label of the parts that go beyond the notes.
FURTHER = Text(es="Para ir más allá", en="Going further")


class LessonError(UserError):
    """A malformed lesson; the message names the file, the line and the part."""


@dataclass(frozen=True)
class Example:
    """A ``python`` code block of a part: the tests run it, in lesson order."""

    #: The code as the Spanish text has it (the English one differs in comments only).
    code: str
    #: What it prints, when an ``output`` block follows it (checked by the tests).
    output: str | None
    #: Line of the block's opening fence in the source file.
    line: int


@dataclass(frozen=True)
class Part:
    """One part of a lesson: a heading and its text, in both languages."""

    id: str
    #: The notes' section it teaches (an id of ``lessons/sections.toml``), or
    #: ``None`` for a part that goes beyond the notes ("Para ir más allá").
    section: str | None
    #: Names of the topic's exercises this part prepares (its notebook cells come first).
    prepares: tuple[str, ...]
    #: The part's Markdown, per language, without markers.
    text: Text
    #: Line of the part's marker in the source file.
    line: int
    examples: tuple[Example, ...] = ()
    #: Names of the figures it shows (``lessons/figures/<name>.<lang>.svg``).
    figures: tuple[str, ...] = ()

    @property
    def further(self) -> bool:
        """Whether the part goes beyond the notes."""
        return self.section is None

    def heading(self, lang: str) -> str:
        """The part's title (its ``##`` heading, without the hashes)."""
        first = self.text.get(lang).lstrip("\n").splitlines()[0]
        return first.lstrip("#").strip()


@dataclass(frozen=True)
class Lesson:
    """A topic's lesson: its parts in reading order (the notes' parts first)."""

    topic: str
    parts: tuple[Part, ...]
    source: Path = field(default=Path("lesson.md"), compare=False)
    format_version: int = 1

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    @property
    def examples(self) -> tuple[Example, ...]:
        """Every example of the lesson, in order."""
        return tuple(e for p in self.parts for e in p.examples)
