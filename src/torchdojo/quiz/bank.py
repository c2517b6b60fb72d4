"""Load and validate question banks (``quizzes/<topic>.yaml``).

Validation walks the composed YAML nodes rather than the loaded data, so every
error can name the file, the line and the question id, e.g.::

    quizzes/why_ml.yaml:42: question 'spam_filter': answer: 'e' is not one of the options (a, b, c, d)
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from torchdojo import paths
from torchdojo.errors import UserError
from torchdojo.quiz.model import (
    KINDS, Bank, Matching, MultipleSelect, Numeric, Option, Question, SingleChoice, Text, TrueFalse,
)

FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TAG = re.compile(r"^[a-z][a-z0-9_-]*$")
# Ids that PyYAML reads as booleans or null: an answer file saying `q: no`
# would hand the grader False instead of the option 'no'.
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null"}
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_READ_AS = {_INT: "a number", _FLOAT: "a number", _BOOL: "a boolean", _NULL: "null"}

_COMMON = {"id", "kind", "text", "explanation", "difficulty", "tags", "points"}
_FIELDS = {
    "single": _COMMON | {"options", "answer"},
    "multiple": _COMMON | {"options", "answer"},
    "true_false": _COMMON | {"answer"},
    "matching": _COMMON | {"left", "right", "answer"},
    "numeric": _COMMON | {"answer", "tolerance"},
}

try:  # the C loader is much faster and gives the same nodes and marks
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class BankError(UserError):
    """A malformed question bank; the message names file, line and question."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Typed accessors over YAML nodes that fail with file:line and question id."""

    def __init__(self, path: Path):
        self.path = path
        self.qid: str | None = None  # the question being read, for messages
        self._constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node | None, message: str) -> BankError:
        loc = f"{self.path}:{_line(node)}" if node is not None else str(self.path)
        who = f"question '{self.qid}': " if self.qid else ""
        return BankError(f"{loc}: {who}{message}")

    def scalar(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, where: str, allowed: set[str] | None = None,
                required: tuple[str, ...] = ()) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{where}: must be a mapping (key: value lines)")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR):
                raise self.fail(key_node, f"{where}: keys must be plain words")
            key = key_node.value
            if key in out:  # PyYAML would silently keep the last one
                raise self.fail(key_node, f"{where}: duplicate key '{key}'")
            if allowed is not None and key not in allowed:
                raise self.fail(key_node, f"{where}: unknown field '{key}' (allowed: {', '.join(sorted(allowed))})")
            out[key] = value_node
        for key in required:
            if key not in out:
                raise self.fail(node, f"{where}: missing field '{key}'")
        return out

    def sequence(self, node: yaml.Node, where: str, min_len: int = 0) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{where}: must be a list")
        if len(node.value) < min_len:
            raise self.fail(node, f"{where}: needs at least {min_len} item(s), got {len(node.value)}")
        return list(node.value)

    def string(self, node: yaml.Node, where: str) -> str:
        if isinstance(node, yaml.ScalarNode) and node.tag in _READ_AS:
            # `en: Yes` or `es: 0` is not text to YAML; say so, or the author is puzzled.
            raise self.fail(node, f"{where}: YAML reads {node.value!r} as {_READ_AS[node.tag]}, "
                                  "not text; put it in quotes")
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _STR) or not node.value.strip():
            raise self.fail(node, f"{where}: must be a non-empty string")
        return str(node.value).strip()

    def ident(self, node: yaml.Node, where: str, pattern: re.Pattern[str] = _ID) -> str:
        # Numbers and booleans are not ids, even if they look like one.
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _STR):
            raise self.fail(node, f"{where}: must be an id (lower-case letters, digits, '_'), got {node.value!r}")
        value = node.value
        if not pattern.match(value):
            raise self.fail(node, f"{where}: {value!r} is not an id (lower-case letters, digits, '_')")
        if value in _YAML_WORDS:
            raise self.fail(node, f"{where}: {value!r} reads as a boolean or null in YAML answer files; "
                                  "pick another id")
        return value

    def number(self, node: yaml.Node, where: str) -> float:
        if not (isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT)):
            raise self.fail(node, f"{where}: must be a number, got {getattr(node, 'value', '?')!r}")
        value = float(self.scalar(node))
        if not math.isfinite(value):
            raise self.fail(node, f"{where}: must be a finite number")
        return value

    def text(self, node: yaml.Node, where: str) -> Text:
        raw = self.mapping(node, where, allowed={"es", "en"}, required=("es", "en"))
        return Text(es=self.string(raw["es"], f"{where}.es"), en=self.string(raw["en"], f"{where}.en"))

    def option(self, node: yaml.Node, where: str) -> Option:
        raw = self.mapping(node, where, allowed={"id", "es", "en", "why"}, required=("id", "es", "en"))
        oid = self.ident(raw["id"], f"{where}.id")
        why = self.text(raw["why"], f"{where}[{oid}].why") if "why" in raw else None
        return Option(id=oid, text=Text(es=self.string(raw["es"], f"{where}[{oid}].es"),
                                        en=self.string(raw["en"], f"{where}[{oid}].en")), why=why)

    def options(self, node: yaml.Node, where: str, min_len: int) -> tuple[Option, ...]:
        items = self.sequence(node, where, min_len=min_len)
        if len(items) > 26:  # the interactive quiz labels them a..z
            raise self.fail(node, f"{where}: at most 26 items, got {len(items)}")
        opts = tuple(self.option(n, where) for n in items)
        seen: set[str] = set()
        for n, o in zip(items, opts):
            if o.id in seen:
                raise self.fail(n, f"{where}: duplicate option id '{o.id}'")
            seen.add(o.id)
        return opts

    def choice(self, node: yaml.Node, where: str, options: tuple[Option, ...]) -> str:
        value = self.ident(node, where)
        ids = [o.id for o in options]
        if value not in ids:
            raise self.fail(node, f"{where}: '{value}' is not one of the options ({', '.join(ids)})")
        return value


def _common(r: _Reader, raw: dict[str, yaml.Node], node: yaml.Node) -> dict[str, Any]:
    difficulty_node = raw["difficulty"]
    difficulty = r.scalar(difficulty_node) if isinstance(difficulty_node, yaml.ScalarNode) else None
    if difficulty_node.tag != _INT or difficulty not in (1, 2, 3):
        raise r.fail(difficulty_node, f"difficulty: must be 1, 2 or 3, got {getattr(difficulty_node, 'value', '?')!r}")
    tags = tuple(r.ident(t, "tags", _TAG) for t in r.sequence(raw["tags"], "tags", min_len=1))
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
        "line": _line(node),
    }


def _single(r: _Reader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Question:
    options = r.options(raw["options"], "options", min_len=2)
    return SingleChoice(options=options, answer=r.choice(raw["answer"], "answer", options), **common)


def _multiple(r: _Reader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Question:
    options = r.options(raw["options"], "options", min_len=3)
    picks = r.sequence(raw["answer"], "answer (a list of option ids)", min_len=1)
    answer = [r.choice(n, "answer", options) for n in picks]
    if len(set(answer)) != len(answer):
        raise r.fail(raw["answer"], "answer: an option is listed twice")
    return MultipleSelect(options=options, answer=frozenset(answer), **common)


def _true_false(r: _Reader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Question:
    node = raw["answer"]
    if node.tag != _BOOL:
        raise r.fail(node, f"answer: must be true or false, got {getattr(node, 'value', '?')!r}")
    return TrueFalse(answer=bool(r.scalar(node)), **common)


def _matching(r: _Reader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Question:
    left = r.options(raw["left"], "left", min_len=2)
    right = r.options(raw["right"], "right", min_len=2)
    clash = sorted({o.id for o in left} & {o.id for o in right})
    if clash:  # feedback names items by id, so the two sides must not share one
        raise r.fail(raw["right"], f"right: id(s) {', '.join(clash)} also used on the left")
    pairs = r.mapping(raw["answer"], "answer (left id: right id)")
    left_ids = [o.id for o in left]
    answer: dict[str, str] = {}
    for key, value_node in pairs.items():
        if key not in left_ids:
            raise r.fail(value_node, f"answer: '{key}' is not a left item ({', '.join(left_ids)})")
        answer[key] = r.choice(value_node, f"answer.{key}", right)
    missing = [i for i in left_ids if i not in answer]
    if missing:
        raise r.fail(raw["answer"], f"answer: no match given for left item(s) {', '.join(missing)}")
    return Matching(left=left, right=right, answer=answer, **common)


def _numeric(r: _Reader, raw: dict[str, yaml.Node], common: dict[str, Any]) -> Question:
    answer = r.number(raw["answer"], "answer")
    abs_tol = rel_tol = 0.0
    if "tolerance" in raw:
        tol = r.mapping(raw["tolerance"], "tolerance", allowed={"abs", "rel"})
        abs_tol = r.number(tol["abs"], "tolerance.abs") if "abs" in tol else 0.0
        rel_tol = r.number(tol["rel"], "tolerance.rel") if "rel" in tol else 0.0
        if abs_tol < 0 or rel_tol < 0:
            raise r.fail(raw["tolerance"], "tolerance: abs and rel must not be negative")
    return Numeric(answer=answer, abs_tol=abs_tol, rel_tol=rel_tol, **common)


_BUILDERS: dict[str, Callable[[_Reader, dict[str, yaml.Node], dict[str, Any]], Question]] = {
    "single": _single,
    "multiple": _multiple,
    "true_false": _true_false,
    "matching": _matching,
    "numeric": _numeric,
}
assert set(_BUILDERS) == set(KINDS)


def _question(r: _Reader, node: yaml.Node, index: int) -> Question:
    r.qid = None
    raw = r.mapping(node, f"questions[{index}]")
    if "id" not in raw:
        raise r.fail(node, f"questions[{index}]: missing field 'id'")
    r.qid = r.ident(raw["id"], "id")
    if "kind" not in raw:
        raise r.fail(node, "missing field 'kind'")
    kind = r.string(raw["kind"], "kind")
    if kind not in _FIELDS:
        raise r.fail(raw["kind"], f"kind: unknown kind '{kind}' (one of {', '.join(_FIELDS)})")
    required = tuple(sorted(_FIELDS[kind] - {"points", "tolerance"}))
    for key_node, _ in node.value:
        if key_node.value not in _FIELDS[kind]:
            raise r.fail(key_node, f"unknown field '{key_node.value}' for kind '{kind}' "
                                   f"(allowed: {', '.join(sorted(_FIELDS[kind]))})")
    for key in required:
        if key not in raw:
            raise r.fail(node, f"missing field '{key}'")
    return _BUILDERS[kind](r, raw, _common(r, raw, node))


def parse_bank(text: str, path: Path, topic: str | None = None) -> Bank:
    """Validate the text of a bank file; ``path`` is used only in messages.

    When ``topic`` is given, the file's ``topic:`` must equal it.
    """
    r = _Reader(path)
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
    if version_node.tag != _INT or r.scalar(version_node) != FORMAT_VERSION:
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
    from torchdojo.manifest import course

    return [t.id for t in course().topics if t.quiz]


def load_bank(topic: str) -> Bank:
    """The validated bank of a course topic.

    Raises :class:`torchdojo.errors.UserError` for a topic without a quiz and
    :class:`BankError` (a ``UserError``) for a malformed bank.
    """
    topics = quiz_topics()
    if topic not in topics:
        raise UserError("unknown quiz topic '{topic}' (topics: {known})", topic=topic, known=", ".join(topics))
    return load_bank_file(bank_path(topic), topic)


def load_all_banks() -> dict[str, Bank]:
    """Every topic's bank, in course order, keyed by topic id."""
    return {t: load_bank(t) for t in quiz_topics()}
