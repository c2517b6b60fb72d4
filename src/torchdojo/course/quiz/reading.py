"""How an answer is read from what a learner typed or wrote: one reader for both ways.

The terminal quiz and answer files read answers with the same function,
:func:`read_answer`, so the same text means the same answer in both:

- an option is named by its letter, in either case (``b``, ``B``: in the
  terminal the letter shown; in an answer file the letter of the option in
  the bank's order, when no option id is itself a letter), by its id as the
  template shows it (``rank_2``, ``RANK_2``), or by its text when that text
  is what the option shows (``2`` for ``rank_2) 2``);
- several options (multiple select) are separated by commas, spaces or both
  (``a, c``, ``a c``, ``a,c``, ``[a, c]``), or written as a list;
- true or false, in either language and case: ``v``, ``verdadero``, ``t``,
  ``true``, ``sí``, ``s``, ``yes``, ``y`` / ``f``, ``falso``, ``false``, ``no``, ``n``;
- a number by the rule of :mod:`torchdojo.course.quiz.spelling`.

Each kind says how its answer is read (``Question.read``); this module has
what the kinds share. What cannot be read raises :class:`Unreadable`, with a
message in both languages: the terminal shows it and asks again, an answer
file gets it as the question's feedback (status ``error``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from torchdojo.course.quiz.shuffle import LETTERS
from torchdojo.text.i18n import Message

if TYPE_CHECKING:
    from torchdojo.course.quiz.parts import Option, QuestionLike as Question

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "Unreadable", "choose", "file_letters", "read_answer", "read_bool",
           "tokens"]

#: Words for true and for false, accepted in both languages (compared case-insensitively).
TRUE_WORDS = frozenset({"v", "verdadero", "t", "true", "s", "si", "sí", "y", "yes"})
FALSE_WORDS = frozenset({"f", "falso", "false", "n", "no"})

_SEPARATORS = re.compile(r"[\s,;]+")


class Unreadable(ValueError):
    """Text that is not an answer to the question: a catalog message (``msgid`` with its fields) says why
    and what to write, in the learner's language when shown (:meth:`text`)."""

    def __init__(self, msgid: str, /, **params: Any):
        self.message = Message(msgid, **params)
        super().__init__(self.message.render("en"))

    def text(self, lang: str) -> str:
        return self.message.render(lang)

    @property
    def es(self) -> str:
        return self.text("es")

    @property
    def en(self) -> str:
        return self.text("en")


class Joined:
    """Messages shown one after the other (``"; "`` between them), each in the language of the frame."""

    def __init__(self, parts: list[Message], sep: str = "; "):
        self.parts, self.sep = parts, sep

    def render(self, lang: str) -> str:
        return self.sep.join(p.render(lang) for p in self.parts)


def read_answer(q: Question, given: Any, lang: str = "es", letters: Mapping[str, str] | None = None) -> Any:
    """``given`` (typed text, or an answer file's value) as the answer of ``q``, in answer-file form.

    ``letters`` maps the letters the learner saw to option ids (the terminal);
    ``None`` reads an answer file, where a letter is the option's place in
    the bank. Values that are already in answer-file form come back as they
    are; a value of the wrong type too (grading reports it). Raises
    :class:`Unreadable` for text that names nothing.
    """
    return q.read(given, lang, letters)


def tokens(text: str) -> list[str]:
    """The items of a list typed on one line: ``a, c``, ``a c``, ``[a, c]``."""
    return [t for t in _SEPARATORS.split(text.strip().strip("[]")) if t]


def file_letters(options: tuple[Option, ...]) -> dict[str, str]:
    """Letter -> id in the bank's order, unless an option id is itself a letter (then none)."""
    if any(len(o.id) == 1 for o in options):
        return {}
    return {LETTERS[i]: o.id for i, o in enumerate(options)}


def _plain(text: str) -> str:
    # "Autosupervisado." and "autosupervisado" name the same option
    return " ".join(text.split()).rstrip(".").casefold()


def choose(token: str, options: tuple[Option, ...], lang: str, letters: Mapping[str, str] | None) -> str | None:
    """The id of the option ``token`` names: a letter, then an id, then the option's own text."""
    word = token.strip().casefold()
    letters = file_letters(options) if letters is None else letters
    if word in letters:
        return letters[word]
    for o in options:
        if o.id == word:
            return o.id
    same_text = [o.id for o in options if _plain(o.text.get(lang)) == _plain(token)]
    return same_text[0] if len(same_text) == 1 else None


def read_bool(word: str) -> bool | None:
    """``True``/``False`` for a word of :data:`TRUE_WORDS`/:data:`FALSE_WORDS`, else ``None``."""
    word = word.strip().casefold()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
