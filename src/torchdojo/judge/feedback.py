"""Feedback that says what was expected and what came back, in both languages."""

from __future__ import annotations

from typing import Any, NoReturn

from torchdojo.text.i18n import tr_pair
from torchdojo.wire.report import NOT_ATTEMPTED_MSGID

#: The feedback of a test that reached the stub's NotImplementedError, in both languages.
NOT_ATTEMPTED_TEXT = tr_pair(NOT_ATTEMPTED_MSGID)


class Feedback(AssertionError):
    """A failed expectation of a grader, with its message in Spanish and English."""

    def __init__(self, es: str, en: str):
        super().__init__(en)
        self.es = es
        self.en = en

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.es


def fail(es: str, en: str) -> NoReturn:
    """Fail the current test with feedback in both languages."""
    raise Feedback(es, en)


def check(condition: Any, es: str, en: str) -> None:
    """Fail with the given feedback unless ``condition`` holds."""
    if not condition:
        raise Feedback(es, en)


def type_name(value: Any) -> str:
    """The type a learner would recognise: a student object's own type name, not our proxy's."""
    name = getattr(value, "type_name", None)
    if isinstance(name, str) and type(value).__name__ in ("Handle", "Unsendable"):
        return name
    return type(value).__name__


def short(value: Any, limit: int = 160) -> str:
    """A compact, bounded ``repr`` for feedback (student values can be huge)."""
    try:
        text = repr(value)
    except Exception:  # a student object whose repr raises
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
