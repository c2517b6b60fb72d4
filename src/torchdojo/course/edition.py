"""Which edition of the course is installed: the full course, or the student edition.

* The **full edition** (the ``torchdojo`` distribution, or a checkout) holds
  everything: stubs, reference solutions, hidden graders, quiz banks with their
  answer keys. Maintainers, instructors and self-learners use it.
* The **student edition** (the ``torchdojo-student`` wheel that ``torchdojo
  release`` builds) holds the engine, the stubs, the public tests, the lessons
  and the quizzes as answer files to fill in: no solutions, no hidden graders,
  no answer keys. Its ``check`` runs the public tests (names and signatures);
  the grade comes from the instructor's full edition.

The student edition's content folder holds ``edition.json``
(``{"schema": "torchdojo.edition/1", "edition": "student"}``); the full
edition's has none. See ``docs/editions.md``.
"""

from __future__ import annotations

import json
from functools import lru_cache

from torchdojo.course import paths
from torchdojo.text.errors import UserError

FILE = "edition.json"
SCHEMA = "torchdojo.edition/1"
EDITIONS = ("full", "student")


@lru_cache(maxsize=None)
def current() -> str:
    """``"full"`` or ``"student"``, from the content folder."""
    path = paths.content_root() / FILE
    if not path.is_file():
        return "full"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA or doc.get("edition") not in EDITIONS:
        raise UserError("{path}: not a valid {schema} file", path=str(path), schema=SCHEMA)
    return str(doc["edition"])


def is_student() -> bool:
    """Whether the installed content is the student edition."""
    return current() == "student"


def require_full(command: str) -> None:
    """A one-line error when ``command`` needs what only the full edition has."""
    if is_student():
        raise UserError("'{command}' needs the full edition of torchdojo: this is the student edition "
                        "(no solutions, hidden graders or answer keys)", command=command)
