"""Quiz answer files in either edition: from the bank (full) or as shipped (student).

The student edition has no question banks (they hold the answer keys); it ships
each quiz as the answer files ``quizzes/<topic>.<lang>.yaml`` that
:func:`torchdojo.course.quiz.answer_template` writes, questions as comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from torchdojo.course import edition, paths
from torchdojo.text.errors import UserError

TEMPLATES_DIR = "quizzes"


def template_path(topic: str, lang: str, root: Path | None = None) -> Path:
    """Where an answer file to fill in lives in a student edition or release (``quizzes/<topic>.<lang>.yaml``)."""
    return (root or paths.content_root()) / TEMPLATES_DIR / f"{topic}.{lang}.yaml"


def _shipped(topic: str, lang: str) -> str:
    from torchdojo.course.quiz.bank import quiz_topics

    topics = quiz_topics()
    if topic not in topics:
        raise UserError("unknown quiz topic '{topic}' (topics: {known})", topic=topic, known=", ".join(topics))
    path = template_path(topic, lang)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise UserError("{path}: this student edition lacks the answer file of '{topic}'",
                        path=str(path), topic=topic) from None


def quiz_template(topic: str, lang: str, fmt: str = "yaml") -> str:
    """The answer file of ``topic`` to fill in: YAML with the questions as comments, or bare JSON."""
    if edition.is_student():
        text = _shipped(topic, lang)
        if fmt == "yaml":
            return text
        doc = yaml.safe_load(text)
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    from torchdojo.course.manifest import course
    from torchdojo.course.quiz.answers import answer_template
    from torchdojo.course.quiz.bank import load_bank

    bank = load_bank(topic)
    return answer_template(bank, lang, fmt, course().topic(topic).title.get(lang))


def question_count(topic: str) -> int:
    """How many questions the quiz of ``topic`` has."""
    if edition.is_student():
        return len(yaml.safe_load(_shipped(topic, "en")).get("answers") or {})
    from torchdojo.course.quiz.bank import load_bank

    return len(load_bank(topic).questions)
