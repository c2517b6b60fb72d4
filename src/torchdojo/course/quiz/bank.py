"""Load and validate question banks (``quizzes/<topic>.yaml``).

Validation walks the composed YAML nodes rather than the loaded data, so every
error can name the file, the line and the question id. This module reads what
every question shares and dispatches the rest to the question's kind
(:data:`torchdojo.course.quiz.kinds.KINDS`). An error reads::

    quizzes/why_ml.yaml:42: question 'spam_filter': answer: 'e' is not one of the options (a, b, c, d)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the tomli backport (a dependency there)
    import tomli as tomllib  # type: ignore[no-redef]

import yaml

from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.course.quiz.kinds import KINDS, Question
from torchdojo.course.quiz.model import Bank
from torchdojo.course.quiz.nodes import INT, TAG, BankError, NodeReader, line_of

__all__ = ["BankError", "FORMAT_VERSION", "bank_path", "load_all_banks", "load_bank", "load_bank_file",
           "parse_bank", "quiz_topics", "section_ids"]

FORMAT_VERSION = 1
#: The fields every question has, whatever its kind.
COMMON = frozenset({"id", "kind", "text", "explanation", "difficulty", "tags", "points", "section"})
_OPTIONAL = frozenset({"points", "section"})

try:  # the C loader is much faster and gives the same nodes and marks
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@lru_cache(maxsize=4)
def _sections(path: Path) -> frozenset[str] | None:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError("{path}: cannot read the sections of the notes: {detail}",
                        path=str(path), detail=str(exc)) from None
    return frozenset(str(s.get("id")) for s in data.get("sections", []) if isinstance(s, dict))


def section_ids() -> frozenset[str] | None:
    """The ids of the notes' sections (``lessons/sections.toml``); ``None`` if the file is absent."""
    return _sections(paths.content_root() / "lessons" / "sections.toml")


def _section(r: NodeReader, node: yaml.Node) -> str:
    value = r.ident(node, "section")
    known = section_ids()
    if known is None:
        raise r.fail(node, "section: there is no lessons/sections.toml to check it against")
    if value not in known:
        raise r.fail(node, f"section: '{value}' is not a section of the notes ({', '.join(sorted(known))})")
    return value


def _common(r: NodeReader, raw: dict[str, yaml.Node], node: yaml.Node) -> dict[str, Any]:
    difficulty_node = raw["difficulty"]
    difficulty = r.scalar(difficulty_node) if isinstance(difficulty_node, yaml.ScalarNode) else None
    if difficulty_node.tag != INT or difficulty not in (1, 2, 3):
        raise r.fail(difficulty_node, f"difficulty: must be 1, 2 or 3, got {getattr(difficulty_node, 'value', '?')!r}")
    tags = tuple(r.ident(t, "tags", TAG) for t in r.sequence(raw["tags"], "tags", min_len=1))
    points = r.number(raw["points"], "points") if "points" in raw else 1.0
    if points <= 0:
        raise r.fail(raw["points"], "points: must be positive")
    return {
        "id": r.qid,
        "text": r.text(raw["text"], "text"),
        "explanation": r.text(raw["explanation"], "explanation"),
        "difficulty": difficulty,
        "tags": tags,
        "points": points,
        "section": _section(r, raw["section"]) if "section" in raw else None,
        "line": line_of(node),
    }


def _question(r: NodeReader, node: yaml.Node, index: int) -> Question:
    r.qid = None
    raw = r.mapping(node, f"questions[{index}]")
    if "id" not in raw:
        raise r.fail(node, f"questions[{index}]: missing field 'id'")
    r.qid = r.ident(raw["id"], "id")
    if "kind" not in raw:
        raise r.fail(node, "missing field 'kind'")
    kind = r.string(raw["kind"], "kind")
    if kind not in KINDS:
        raise r.fail(raw["kind"], f"kind: unknown kind '{kind}' (one of {', '.join(KINDS)})")
    cls = KINDS[kind]
    allowed = COMMON | cls.fields
    for key_node, _ in node.value:
        if key_node.value not in allowed:
            raise r.fail(key_node, f"unknown field '{key_node.value}' for kind '{kind}' "
                                   f"(allowed: {', '.join(sorted(allowed))})")
    for key in sorted(allowed - _OPTIONAL - cls.optional_fields):
        if key not in raw:
            raise r.fail(node, f"missing field '{key}'")
    return cls.parse(r, raw, _common(r, raw, node))


def parse_bank(text: str, path: Path, topic: str | None = None) -> Bank:
    """Validate the text of a bank file; ``path`` is used only in messages.

    When ``topic`` is given, the file's ``topic:`` must equal it.
    """
    r = NodeReader(path)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"{path}:{mark.line + 1}" if mark else str(path)
        raise BankError(f"{loc}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise BankError(f"{path}: invalid YAML: {exc}") from None
    if root is None:
        raise BankError(f"{path}: empty file")
    top = r.mapping(root, "(top level)", allowed={"format_version", "topic", "questions"},
                    required=("format_version", "topic", "questions"))
    version_node = top["format_version"]
    if version_node.tag != INT or r.scalar(version_node) != FORMAT_VERSION:
        raise r.fail(version_node, f"format_version: must be {FORMAT_VERSION}, got {version_node.value!r}")
    file_topic = r.ident(top["topic"], "topic")
    if topic is not None and file_topic != topic:
        raise r.fail(top["topic"], f"topic: the file says '{file_topic}' but it is the bank of '{topic}'")
    nodes = r.sequence(top["questions"], "questions", min_len=1)
    questions: list[Question] = []
    first_line: dict[str, int] = {}
    for index, node in enumerate(nodes):
        q = _question(r, node, index)
        if q.id in first_line:
            raise r.fail(node, f"duplicate question id (first used on line {first_line[q.id]})")
        first_line[q.id] = q.line
        questions.append(q)
    return Bank(topic=file_topic, questions=tuple(questions), format_version=FORMAT_VERSION, source=path)


def load_bank_file(path: str | Path, topic: str | None = None) -> Bank:
    """Load and validate one bank file; raises :class:`BankError` with file:line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except FileNotFoundError:
        raise BankError(f"{path}: no such question bank") from None
    except OSError as exc:
        raise BankError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BankError(f"{path}: not UTF-8 text") from None
    return parse_bank(text, path, topic)


def bank_path(topic: str) -> Path:
    """Where the bank of ``topic`` lives (``quizzes/<topic>.yaml``)."""
    return paths.quizzes_dir() / f"{topic}.yaml"


def quiz_topics() -> list[str]:
    """The topics that have a quiz, in course order (from ``course.toml``)."""
    from torchdojo.course.manifest import course

    return [t.id for t in course().topics if t.quiz]


def load_bank(topic: str) -> Bank:
    """The validated bank of a course topic.

    Raises :class:`torchdojo.text.errors.UserError` for a topic without a quiz and
    :class:`BankError` (a ``UserError``) for a malformed bank.
    """
    topics = quiz_topics()
    if topic not in topics:
        raise UserError("unknown quiz topic '{topic}' (topics: {known})", topic=topic, known=", ".join(topics))
    return load_bank_file(bank_path(topic), topic)


def load_all_banks() -> dict[str, Bank]:
    """Every topic's bank, in course order, keyed by topic id."""
    return {t: load_bank(t) for t in quiz_topics()}
