"""Answer files (schema ``torchdojo.answers/1``, JSON or YAML) and their template.

::

    {"schema": "torchdojo.answers/1", "topic": "why_ml",
     "answers": {"tax_rules": "b", "dl_uses": ["a", "c"], "ml_always_right": false,
                 "match_paradigm": {"spam": "supervised"}, "conv_out": 7}}

``schema``, ``topic`` and ``student`` are optional; ``answers`` is required.
Files are parsed with limits (:mod:`torchdojo.course.quiz.untrusted`): they come from
students and are read in the instructor's process.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr
from torchdojo.course.quiz.feedback import clip
from torchdojo.course.quiz.model import Bank
from torchdojo.course.quiz.untrusted import parse_document, read_text

SCHEMA = "torchdojo.answers/1"
_KEYS = {"schema", "topic", "student", "answers"}
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Longest ``student`` kept (it is free text, shown to the instructor).
STUDENT_CHARS = 100


def load_answer_file(path: str | Path) -> dict[str, Any]:
    """Read an answer file into ``{"schema", "topic", "student", "answers"}``.

    ``topic`` and ``student`` are ``None`` when the file does not say. Numbers
    in ``answers`` keep their spelling, as strings (``"2.560"``): the numeric
    question reads them in the quiz's language. Raises
    :class:`torchdojo.text.errors.UserError` (a one-line message) for a missing,
    unreadable or oversized file, invalid JSON/YAML, a file beyond the limits
    of :mod:`torchdojo.course.quiz.untrusted`, or a document of the wrong shape. Bad
    individual answers are not errors here: grading scores them as ``error``.
    """
    path = Path(path)
    where = clip(str(path), 200)
    data = parse_document(read_text(path), path)
    if not isinstance(data, dict):
        raise UserError("{path}: an answer file must be a mapping with an 'answers' key, got {type}",
                        path=where, type=type(data).__name__)
    unknown = sorted(clip(str(k), 40) for k in data if k not in _KEYS)
    if unknown:
        raise UserError("{path}: unknown top-level key(s) {keys} (allowed: {allowed})",
                        path=where, keys=", ".join(unknown[:5]), allowed=", ".join(sorted(_KEYS)))
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise UserError("{path}: schema must be '{schema}', got {got}", path=where, schema=SCHEMA,
                        got=clip(repr(schema)))
    if "answers" not in data:
        raise UserError("{path}: missing the 'answers' mapping (question id: answer)", path=where)
    answers = data["answers"]
    if answers is None:  # `answers:` with nothing under it
        answers = {}
    if not isinstance(answers, dict):
        raise UserError("{path}: 'answers' must be a mapping of question id to answer, got {type}",
                        path=where, type=type(answers).__name__)
    topic = data.get("topic")
    if topic is not None and not (isinstance(topic, str) and _TOPIC.match(topic)):
        raise UserError("{path}: 'topic' must be a topic id such as 'why_ml', got {got}", path=where,
                        got=clip(repr(topic)))
    student = data.get("student")
    if isinstance(student, (dict, list)):
        raise UserError("{path}: 'student' must be a name or an id, not a {type}", path=where,
                        type=type(student).__name__)
    return {"schema": SCHEMA, "topic": topic,
            "student": None if student is None else clip(str(student), STUDENT_CHARS),
            "answers": {str(k): v for k, v in answers.items()}}


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
        doc = {"schema": SCHEMA, "topic": bank.topic, "answers": {q.id: q.skeleton() for q in bank.questions}}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    head = tr(lang, "Answers to the '{topic}' quiz", topic=bank.topic)
    lines = [f"# {head}{': ' + title if title else ''}",
             "# " + tr(lang, "Replace each null, then grade with: torchdojo quiz {topic} --answers FILE",
                       topic=bank.topic),
             f"schema: {SCHEMA}", f"topic: {bank.topic}", "answers:"]
    for n, q in enumerate(bank.questions, 1):
        lines.append("")
        lines += _comment(f"{n}. [{q.title(lang)}] {q.text.get(lang)}", "  ")
        lines += [ln for line in q.template_lines(lang) for ln in _comment(line, "  ")]
        lines += _comment("→ " + q.how(lang), "  ")
        skeleton = q.skeleton()
        if isinstance(skeleton, dict):
            lines.append(f"  {q.id}:")
            lines += [f"    {k}: null" for k in skeleton]
        else:
            lines.append(f"  {q.id}: {_yaml_value(skeleton)}")
    return "\n".join(lines) + "\n"
