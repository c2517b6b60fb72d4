"""What every question kind shares, and the registry of kinds.

A kind is one class, in one module of :mod:`torchdojo.course.quiz.kinds`, that owns
everything about questions of that kind: reading and validating its fields
from a bank file, grading an answer, asking it in the terminal, describing its
answer in answer-file templates and notebooks, and what of it is shuffled. The
rest of the quiz engine only calls the methods below, so adding a kind means
writing one class and registering it with :func:`register`
(``docs/quiz-format.md``, "Adding a question kind").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from torchdojo.course.manifest import Text
from torchdojo.text.i18n import tr
from torchdojo.course.quiz.nodes import MAX_OPTIONS, NodeReader
from torchdojo.course.quiz.parts import Option
from torchdojo.course.quiz.shuffle import Mix, Shown

if TYPE_CHECKING:
    import yaml

    from torchdojo.course.quiz.feedback import Feedback, Scored
    from torchdojo.course.quiz.terminal import Session


@dataclass(frozen=True, kw_only=True)
class Question(ABC):
    """What every kind of question has, and what every kind must do."""

    #: The ``kind:`` of the bank file.
    kind: ClassVar[str] = ""
    #: A short human name of the kind, for prompts and templates: an English catalog message (``N_``),
    #: or, for a kind a course adds, a :class:`Text` pair it writes itself.
    kind_title: ClassVar[str | Text] = ""
    #: The fields this kind adds to the common ones (``id``, ``kind``, ``text``, ...).
    fields: ClassVar[frozenset[str]] = frozenset()
    #: Those of :attr:`fields` that may be left out.
    optional_fields: ClassVar[frozenset[str]] = frozenset()

    id: str
    text: Text
    explanation: Text
    difficulty: int
    tags: tuple[str, ...]
    points: float = 1.0
    #: The section of the course notes it asks about (an id of ``lessons/sections.toml``).
    section: str | None = None
    #: The line of the question in its bank file (for messages).
    line: int = 0

    # --- the bank file ------------------------------------------------------

    @classmethod
    @abstractmethod
    def parse(cls, r: NodeReader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Question:
        """Build the question from its YAML nodes; ``common`` holds the shared fields, read.

        Fail with ``raise r.fail(node, message)`` so the message names file and line.
        """

    # --- reading ------------------------------------------------------------

    def read(self, given: Any, lang: str, letters: Mapping[str, str] | None = None) -> Any:
        """``given`` as typed in the terminal or written in an answer file, in answer-file form.

        The one reader of both ways of answering (:func:`torchdojo.course.quiz.reading.read_answer`
        calls it): text naming options by letter, id or text, lists on one
        line, true/false words. ``letters`` maps the letters the learner saw
        to option ids (the terminal); ``None`` reads an answer file. A value
        already in answer-file form, or of a type this kind does not read,
        comes back unchanged (:meth:`score` judges it). Raise
        :class:`torchdojo.course.quiz.reading.Unreadable` for text that names nothing.
        The default reads nothing.
        """
        return given

    # --- grading ------------------------------------------------------------

    def is_blank(self, given: Any) -> bool:
        """Whether ``given`` means "not answered" (``null``, ``""``, ``[]``, ``{}``)."""
        if given is None:
            return True
        if isinstance(given, str):
            return not given.strip()
        if isinstance(given, (list, tuple)):
            return not given
        if isinstance(given, Mapping):  # the template writes {left: null, ...} for matching
            return all(v is None for v in given.values())
        return False

    @abstractmethod
    def score(self, given: Any, f: Feedback) -> Scored:
        """Grade a non-blank answer, as an answer file (or a notebook) holds it.

        Never raises for a bad answer: that is :func:`torchdojo.course.quiz.feedback.error`.
        Anything repeated from ``given`` goes through :func:`~torchdojo.course.quiz.feedback.echo`.
        """

    @abstractmethod
    def expected(self) -> Any:
        """The right answer, in answer-file form (plain data: ids, lists, dicts, numbers)."""

    # --- answer files -------------------------------------------------------

    def skeleton(self) -> Any:
        """The empty answer a template writes (``null`` unless the kind needs a shape)."""
        return None

    @abstractmethod
    def how(self, lang: str) -> str:
        """How to write the answer in an answer file, in ``lang``."""

    def template_lines(self, lang: str) -> list[str]:
        """Lines under the question in a template's comments (its options, say)."""
        return []

    # --- the terminal -------------------------------------------------------

    def shown(self, mix: Mix) -> Shown:
        """The question as displayed, with whatever it shuffles passed through ``mix``."""
        return Shown(self)

    @abstractmethod
    def ask(self, s: Session, shown: Shown) -> Any:
        """Show what is left to show (the text is already out), read the reply.

        Returns the answer in answer-file form (stable ids, never letters), so
        that :meth:`score` grades it exactly as it would grade a file.
        """

    # --- notebooks ----------------------------------------------------------

    def notebook_lines(self) -> list[str]:
        """Markdown lines under the question text (its options), Spanish first."""
        return []

    def title(self, lang: str) -> str:
        """:attr:`kind_title` in ``lang``."""
        t = self.kind_title
        return t.get(lang) if isinstance(t, Text) else tr(lang, t)

    @abstractmethod
    def notebook_how(self) -> str:
        """How to write the answer in a notebook cell, in both languages."""


Q = TypeVar("Q", bound=type[Question])

#: Every kind, by its ``kind:`` name, in the order they were registered.
KINDS: dict[str, type[Question]] = {}


def register(cls: Q) -> Q:
    """Class decorator: make ``cls`` the kind named ``cls.kind``."""
    if not cls.kind or cls.kind in KINDS:
        raise ValueError(f"question kind {cls.kind!r} has no name or is registered twice")
    KINDS[cls.kind] = cls
    return cls


# --- reading options, for the kinds that have them ---------------------------

def read_option(r: NodeReader, node: yaml.Node, where: str) -> Option:
    raw = r.mapping(node, where, allowed={"id", "es", "en", "why"}, required=("id", "es", "en"))
    oid = r.ident(raw["id"], f"{where}.id")
    why = r.text(raw["why"], f"{where}[{oid}].why") if "why" in raw else None
    return Option(id=oid, text=Text(es=r.string(raw["es"], f"{where}[{oid}].es"),
                                    en=r.string(raw["en"], f"{where}[{oid}].en")), why=why)


def read_options(r: NodeReader, node: yaml.Node, where: str, min_len: int) -> tuple[Option, ...]:
    """A list of options with unique ids, ``min_len`` to 26 of them."""
    items = r.sequence(node, where, min_len=min_len)
    if len(items) > MAX_OPTIONS:  # the interactive quiz labels them a..z
        raise r.fail(node, f"{where}: at most {MAX_OPTIONS} items, got {len(items)}")
    opts = tuple(read_option(r, n, where) for n in items)
    seen: set[str] = set()
    for n, o in zip(items, opts):
        if o.id in seen:
            raise r.fail(n, f"{where}: duplicate option id '{o.id}'")
        seen.add(o.id)
    return opts


def read_choice(r: NodeReader, node: yaml.Node, where: str, options: tuple[Option, ...]) -> str:
    """One id among ``options``."""
    value = r.ident(node, where)
    ids = [o.id for o in options]
    if value not in ids:
        raise r.fail(node, f"{where}: '{value}' is not one of the options ({', '.join(ids)})")
    return value


def option_lines(options: tuple[Option, ...]) -> list[str]:
    """Notebook Markdown bullets: ``- `id`: texto / *text*``."""
    return [f"- `{o.id}`: {o.text.es} / *{o.text.en}*" for o in options]
