"""Answer files (schema ``torchdojo.answers/1``, JSON or YAML) and their template.

::

    {"schema": "torchdojo.answers/1", "topic": "why_ml",
     "answers": {"tax_rules": "b", "dl_uses": ["a", "c"], "ml_always_right": false,
                 "match_paradigm": {"spam": "supervised"}, "conv_out": 7}}

``schema``, ``topic`` and ``student`` are optional; ``answers`` is required.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import yaml

from torchdojo.errors import UserError
from torchdojo.i18n import pick
from torchdojo.quiz.model import Bank, Matching, MultipleSelect, Numeric, Question, SingleChoice, TrueFalse

SCHEMA = "torchdojo.answers/1"
_KEYS = {"schema", "topic", "student", "answers"}


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError("{path}:{line}: invalid JSON: {detail} (column {column})",
                            path=str(path), line=exc.lineno, detail=exc.msg, column=exc.colno) from None
    try:
        # YAML also reads JSON, so any other extension goes through YAML.
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise UserError("{path}: invalid YAML: {detail}", path=where, detail=exc.problem or exc.context) from None
    except yaml.YAMLError as exc:
        raise UserError("{path}: invalid YAML: {detail}", path=str(path), detail=" ".join(str(exc).split())) from None


def load_answer_file(path: str | Path) -> dict[str, Any]:
    """Read an answer file into ``{"schema", "topic", "student", "answers"}``.

    ``topic`` and ``student`` are ``None`` when the file does not say. Raises
    :class:`torchdojo.errors.UserError` (a one-line message) for a missing or
    unreadable file, invalid JSON/YAML, or a document of the wrong shape.
    Bad individual answers are not errors here: grading scores them as ``error``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError("{path}: no such answer file", path=str(path)) from None
    except IsADirectoryError:
        raise UserError("{path}: is a directory, not an answer file", path=str(path)) from None
    except OSError as exc:
        raise UserError("{path}: cannot read: {detail}", path=str(path), detail=exc.strerror or str(exc)) from None
    except UnicodeDecodeError:
        raise UserError("{path}: not UTF-8 text", path=str(path)) from None
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise UserError("{path}: an answer file must be a mapping with an 'answers' key, "
                        "got {type}", path=str(path), type=type(data).__name__)
    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        raise UserError("{path}: unknown top-level key(s) {keys} "
                        "(allowed: {allowed})",
                        path=str(path), keys=", ".join(unknown), allowed=", ".join(sorted(_KEYS)))
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise UserError("{path}: schema must be '{schema}', got {got}", path=str(path), schema=SCHEMA, got=repr(schema))
    if "answers" not in data:
        raise UserError("{path}: missing the 'answers' mapping (question id: answer)", path=str(path))
    answers = data["answers"]
    if answers is None:  # `answers:` with nothing under it
        answers = {}
    if not isinstance(answers, dict):
        raise UserError("{path}: 'answers' must be a mapping of question id to answer, "
                        "got {type}", path=str(path), type=type(answers).__name__)
    topic = data.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise UserError("{path}: 'topic' must be a topic id such as 'why_ml', got {got}",
                        path=str(path), got=repr(topic))
    student = data.get("student")
    return {"schema": SCHEMA, "topic": topic, "student": None if student is None else str(student),
            "answers": {str(k): v for k, v in answers.items()}}


def _skeleton(q: Question) -> Any:
    if isinstance(q, Matching):
        return {o.id: None for o in q.left}
    return None


def _how(q: Question, lang: str) -> str:
    if isinstance(q, SingleChoice):
        ids = ", ".join(o.id for o in q.options)
        return pick(lang, f"un id de opción ({ids})", f"one option id ({ids})")
    if isinstance(q, MultipleSelect):
        return pick(lang, "una lista de ids, p. ej. [a, c] (puntuación parcial)",
                    "a list of ids, e.g. [a, c] (partial credit)")
    if isinstance(q, TrueFalse):
        return pick(lang, "true o false", "true or false")
    if isinstance(q, Matching):
        ids = ", ".join(o.id for o in q.right)
        return pick(lang, f"para cada elemento, un id de la derecha ({ids})",
                    f"for each item, a right-hand id ({ids})")
    assert isinstance(q, Numeric)
    return pick(lang, "un número", "a number")


def _comment(text: str, indent: str, width: int = 88) -> list[str]:
    out = []
    for para in text.splitlines() or [""]:
        wrapped = textwrap.wrap(para, width=width - len(indent) - 2) or [""]
        out += [f"{indent}# {line}".rstrip() for line in wrapped]
    return out


def _yaml_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON flow values are valid YAML


def answer_template(bank: Bank, lang: str = "es", fmt: str = "yaml", title: str = "") -> str:
    """An answer-file skeleton for a bank: every question id, no answers.

    ``fmt="yaml"`` adds each question, its options and the expected answer
    shape as comments, so the file can be filled in without the terminal;
    ``fmt="json"`` is the bare skeleton.
    """
    if fmt == "json":
        doc = {"schema": SCHEMA, "topic": bank.topic, "answers": {q.id: _skeleton(q) for q in bank.questions}}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    head = pick(lang, f"Respuestas del cuestionario '{bank.topic}'", f"Answers to the '{bank.topic}' quiz")
    lines = [f"# {head}{': ' + title if title else ''}",
             "# " + pick(lang, f"Rellena cada null y corrige con: torchdojo quiz {bank.topic} --answers FICHERO",
                         f"Replace each null, then grade with: torchdojo quiz {bank.topic} --answers FILE"),
             f"schema: {SCHEMA}", f"topic: {bank.topic}", "answers:"]
    for n, q in enumerate(bank.questions, 1):
        lines.append("")
        lines += _comment(f"{n}. [{q.kind_title.get(lang)}] {q.text.get(lang)}", "  ")
        if isinstance(q, (SingleChoice, MultipleSelect)):
            lines += [ln for o in q.options for ln in _comment(f"  {o.id}) {o.text.get(lang)}", "  ")]
        if isinstance(q, Matching):
            lines += [ln for o in q.left for ln in _comment(f"  {o.id}: {o.text.get(lang)}", "  ")]
            lines += _comment("  " + pick(lang, "opciones:", "choices:"), "  ")
            lines += [ln for o in q.right for ln in _comment(f"    {o.id}) {o.text.get(lang)}", "  ")]
        lines += _comment("→ " + _how(q, lang), "  ")
        skeleton = _skeleton(q)
        if isinstance(skeleton, dict):
            lines.append(f"  {q.id}:")
            lines += [f"    {k}: null" for k in skeleton]
        else:
            lines.append(f"  {q.id}: {_yaml_value(skeleton)}")
    return "\n".join(lines) + "\n"
