"""The course's Spanish terms (``glossary.toml``) and the checks that keep texts to them.

The glossary records, for each term of the notes, the one Spanish word the course
uses, its English counterpart, the variants it never uses for that meaning, and
whether it is glossed (``etiquetas (labels)``) once per topic. It also lists words
of one region's Spanish that neutral Latin-American Spanish avoids. The format is
versioned and validated on load; errors name the file and the line::

    glossary.toml:31: terms[4].forbidden: must be a list of non-empty strings

``forbidden_uses`` finds the variants and regional words in a text, with line
numbers; ``missing_glosses`` finds the glossed terms a text uses but never glosses.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from torchdojo.course import paths
from torchdojo.text.errors import UserError

FORMAT_VERSION = 1


class GlossaryError(UserError):
    """A malformed glossary; the message names file, line and field."""


@dataclass(frozen=True)
class Term:
    """One term: the Spanish the course uses for an English term of the notes."""

    #: The Spanish forms the course uses (singular and plural), preferred first.
    es: tuple[str, ...]
    #: The English term and its forms, as the notes write it.
    en: tuple[str, ...]
    #: Glossed once per topic: ``es (en)``, e.g. ``etiquetas (labels)``.
    gloss: bool = False
    #: Spanish variants never used for this meaning.
    forbidden: tuple[str, ...] = ()
    #: Phrases in which a forbidden word means something else (``media precisión``).
    allowed: tuple[str, ...] = ()
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Avoid:
    """Words of one region's Spanish that neutral Latin-American Spanish avoids."""

    words: tuple[str, ...]
    #: What to write instead.
    use: str
    line: int = 0


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    avoid: tuple[Avoid, ...]
    source: Path


@dataclass(frozen=True)
class Finding:
    """A word a text should not use, where it is and what to write instead."""

    line: int
    word: str
    advice: str

    def __str__(self) -> str:
        return f"{self.line}: '{self.word}': {self.advice}"


def _flexible(phrase: str) -> str:
    """A regex for ``phrase`` in which any run of spaces, new lines included, separates words.

    Folded YAML and wrapped docstrings break lines anywhere, even inside a term.
    """
    return r"\s+".join(re.escape(word) for word in phrase.split())


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(_flexible(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


class _Reader:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.headers = [i + 1 for i, line in enumerate(text.splitlines())
                        if re.match(r"\s*\[\[(terms|avoid)\]\]", line)]
        self.kinds = [m.group(1) for m in re.finditer(r"(?m)^\s*\[\[(terms|avoid)\]\]", text)]

    def line_of(self, table: str, index: int) -> int:
        seen = [line for line, kind in zip(self.headers, self.kinds) if kind == table]
        return seen[index] if index < len(seen) else 0

    def fail(self, line: int, where: str, message: str) -> GlossaryError:
        loc = f"{self.path}:{line}" if line else str(self.path)
        return GlossaryError(f"{loc}: {where}: {message}")

    def strings(self, raw: dict[str, Any], key: str, where: str, line: int, required: bool) -> tuple[str, ...]:
        value = raw.get(key, [] if not required else None)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value) \
                or (required and not value):
            raise self.fail(line, f"{where}.{key}", "must be a list of non-empty strings")
        return tuple(v.strip() for v in value)


def parse_glossary(text: str, path: Path) -> Glossary:
    """Validate the text of a glossary file; ``path`` is used in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GlossaryError(f"{path}: invalid TOML: {exc}") from None
    r = _Reader(path, text)
    unknown = set(data) - {"format_version", "terms", "avoid"}
    if unknown:
        raise r.fail(0, "(top level)", f"unknown field(s) {', '.join(sorted(unknown))}")
    if data.get("format_version") != FORMAT_VERSION:
        raise r.fail(1, "format_version", f"must be {FORMAT_VERSION}, got {data.get('format_version')!r}")
    terms = []
    for i, raw in enumerate(data.get("terms", [])):
        line, where = r.line_of("terms", i), f"terms[{i}]"
        extra = set(raw) - {"es", "en", "gloss", "forbidden", "allowed", "note"}
        if extra:
            raise r.fail(line, where, f"unknown field(s) {', '.join(sorted(extra))}")
        gloss = raw.get("gloss", False)
        if not isinstance(gloss, bool):
            raise r.fail(line, f"{where}.gloss", "must be true or false")
        term = Term(es=r.strings(raw, "es", where, line, True), en=r.strings(raw, "en", where, line, True),
                    gloss=gloss, forbidden=r.strings(raw, "forbidden", where, line, False),
                    allowed=r.strings(raw, "allowed", where, line, False),
                    note=str(raw.get("note", "")), line=line)
        clash = [w for w in term.es if term.forbidden and _words(term.forbidden).fullmatch(w)]
        if clash:
            raise r.fail(line, f"{where}.forbidden", f"forbids the preferred form '{clash[0]}'")
        stray = [a for a in term.allowed if not (term.forbidden and _words(term.forbidden).search(a))]
        if stray:
            raise r.fail(line, f"{where}.allowed", f"'{stray[0]}' holds none of the forbidden words")
        terms.append(term)
    avoid = []
    for i, raw in enumerate(data.get("avoid", [])):
        line, where = r.line_of("avoid", i), f"avoid[{i}]"
        extra = set(raw) - {"words", "use"}
        if extra:
            raise r.fail(line, where, f"unknown field(s) {', '.join(sorted(extra))}")
        use = raw.get("use")
        if not isinstance(use, str) or not use.strip():
            raise r.fail(line, f"{where}.use", "must be a non-empty string")
        avoid.append(Avoid(words=r.strings(raw, "words", where, line, True), use=use.strip(), line=line))
    if not terms:
        raise r.fail(0, "terms", "the glossary has no terms")
    return Glossary(terms=tuple(terms), avoid=tuple(avoid), source=path)


def glossary_path() -> Path:
    """``glossary.toml`` at the top of the course content."""
    return paths.content_root() / "glossary.toml"


def load_glossary(path: str | Path | None = None) -> Glossary:
    """Load and validate a glossary (by default the course's own)."""
    path = Path(path) if path is not None else glossary_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GlossaryError(f"{path}: no such glossary") from None
    return parse_glossary(text, path)


def _blank(text: str, phrases: tuple[str, ...]) -> str:
    """The text with the allowed phrases blanked out (new lines kept), so their words are not flagged."""
    for phrase in phrases:
        text = re.sub(_flexible(phrase), lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.IGNORECASE)
    return text


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def forbidden_uses(glossary: Glossary, text: str) -> list[Finding]:
    """Forbidden variants and regional words in ``text``, with their line numbers."""
    rules = []
    for t in glossary.terms:
        if t.forbidden:
            rules.append((_words(t.forbidden), t.allowed, f"the course writes '{t.es[0]}' ({t.en[0]})"))
    for a in glossary.avoid:
        rules.append((_words(a.words), (), f"not neutral Latin-American Spanish; write {a.use}"))
    found = []
    for pattern, allowed, advice in rules:
        for m in pattern.finditer(_blank(text, allowed)):
            found.append(Finding(_line_at(text, m.start()), " ".join(m.group(0).split()), advice))
    return sorted(found, key=lambda f: f.line)


def _used(term: Term, text: str) -> re.Match[str] | None:
    return _words(term.es).search(text)


def _glossed(term: Term, text: str) -> bool:
    es = "|".join(_flexible(w) for w in term.es)
    en = "|".join(_flexible(w) for w in term.en)
    # The Spanish form, up to three more words ("capa de entrada"), then the English in brackets.
    pattern = rf"(?<![\w-])(?:{es})(?![\w-])(?:\s+[\w-]+){{0,3}}\s*\([^)]*?(?<![\w-])(?:{en})(?![\w-])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def missing_glosses(glossary: Glossary, text: str) -> list[tuple[Term, int]]:
    """Glossed terms that ``text`` uses but never glosses, with the line of their first use."""
    out = []
    for t in glossary.terms:
        if t.gloss:
            m = _used(t, text)
            if m and not _glossed(t, text):
                out.append((t, _line_at(text, m.start())))
    return out
