"""The terminal side of a quiz: print, and read a reply until it can be read.

Each question kind asks its own question through a :class:`Session` (see
``Question.ask`` in :mod:`torchdojo.course.quiz.kinds.base`); the quiz loop itself is
:func:`torchdojo.course.quiz.interactive.run_interactive`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from rich.console import Console
from rich.text import Text as RichText

from torchdojo.text.i18n import pick, tr
from torchdojo.course.quiz.reading import Unreadable
from torchdojo.course.quiz.shuffle import LETTERS

if TYPE_CHECKING:
    from torchdojo.course.quiz.parts import Option

SKIP = "-"


class Invalid(Exception):
    """A reply that cannot be read; ``message`` (in the quiz language), if any, says why."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class Skip(Exception):
    """The learner skipped the question."""


def words(text: str) -> list[str]:
    """The letters of a reply such as ``a c`` or ``a,c``, lower-cased."""
    return [t for t in re.split(r"[\s,;]+", text.strip().lower()) if t]


class Session:
    """One learner at the terminal: the language, where to print, how to read."""

    def __init__(self, lang: str, console: Console, read: Callable[[str], str]):
        self.lang = lang
        self.console = console
        self.read = read

    def t(self, es: str, en: str) -> str:
        """Text a course writes in both languages (a question kind the course adds): the pair's ``lang`` side.
        The engine's own kinds say everything through :meth:`msg` and the catalog."""
        return pick(self.lang, es, en)

    def msg(self, msgid: str, /, **params: Any) -> str:
        """A program message of the quiz engine in the session's language (gettext catalog)."""
        return tr(self.lang, msgid, **params)

    def say(self, text: str, style: str = "") -> None:
        # RichText, not markup: course text may hold brackets such as x[0].
        self.console.print(RichText(text, style=style))

    def ask(self, prompt: str, parse: Callable[[str], Any], expected: str) -> Any:
        """Read until a reply parses; ``-`` skips (:class:`Skip`); EOF propagates.

        ``parse`` raises :class:`Invalid` (or
        :class:`~torchdojo.course.quiz.reading.Unreadable`) for a reply it cannot
        read; its message, or else ``expected``, is shown before asking again.
        """
        while True:
            reply = self.read(prompt).strip()
            if reply == SKIP:
                raise Skip()
            message = ""
            if reply:
                try:
                    return parse(reply)
                except Invalid as exc:
                    message = exc.message
                except Unreadable as exc:
                    message = exc.text(self.lang)
            self.say(message or self.msg("Cannot read '{reply}'. {expected}", reply=reply, expected=expected),
                     "yellow")

    def show_options(self, options: tuple[Option, ...]) -> None:
        """``a) text`` for each option, in display order."""
        for letter, o in zip(LETTERS, options):
            self.say(f"  {letter}) {o.text.get(self.lang)}")
