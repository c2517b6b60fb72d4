"""A feedback file per student, Markdown and HTML, in the course language.

Rendered from the templates ``feedback.md.j2`` and ``feedback.html.j2``
(:mod:`templating`; an instructor can override them). Hidden tests' inner
details are withheld (the batch grades with ``reveal_hidden=False``). One
student's page failing to render never stops the others: that student gets a
plain page saying so.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from torchdojo.text import atomic
from torchdojo.classroom.devices import device_note
from torchdojo.classroom.exports.summary import cause, output_names
from torchdojo.classroom.exports.templating import clip, environment, render
from torchdojo.text.i18n import tr
from torchdojo.course.manifest import Course
from torchdojo.text.terminal import status_label

if TYPE_CHECKING:
    from torchdojo.classroom.result import ClassResult


def _title(course: Course, key: str, lang: str) -> str:
    tid = key.split(":", 1)[-1]
    title = course.topic(tid).title.get(lang)
    return tr(lang, "{title} (quiz)", title=title) if key.startswith("quiz:") else title


def student_context(result: ClassResult, course: Course, student: str, lang: str) -> dict[str, Any]:
    """What the feedback templates see for one student."""
    t = result.total(student)
    topics = []
    for key, topic in result.results.get(student, {}).items():
        topics.append({
            "key": key,
            "title": _title(course, key, lang),
            "score": topic.score,
            "max_score": topic.max_score,
            "cause": cause(topic),
            "notes": topic.notes,
            "rows": [{
                "id": item.id,
                "score": item.score,
                "max_score": item.max_score,
                "status": item.status,
                "label": status_label(item.status, lang),
                "feedback": item.feedback,
                "device_note": device_note(course, item, lang),
            } for item in topic.exercises],
        })
    return {"student": student, "lang": lang, "score": t.score, "max_score": t.max_score,
            "percent": t.percent, "topics": topics, "error": result.errors.get(student, "")}


def _fallback(student: str, lang: str, exc: BaseException) -> tuple[str, str]:
    why = clip(f"{type(exc).__name__}: {exc}")
    text = tr(lang, "The feedback for {student} could not be rendered: {why}", student=student, why=why)
    return text + "\n", f"<!doctype html><html lang='{lang}'><meta charset='utf-8'><p>{html.escape(text)}</p></html>"


def write_feedback(result: ClassResult, course: Course, lang: str, folder: Path,
                   env: jinja2.Environment | None = None) -> list[Path]:
    env = env or environment()
    written = []
    names = output_names(result.students)
    for student in result.students:
        name = names[student]
        md, page = folder / f"{name}.md", folder / f"{name}.html"
        try:
            context = student_context(result, course, student, lang)
            texts = (render(env, "feedback.md.j2", **context), render(env, "feedback.html.j2", **context))
        except Exception as exc:  # one student's page must not stop the others
            texts = _fallback(student, lang, exc)
        atomic.write_text(md, texts[0])
        atomic.write_text(page, texts[1])
        written += [md, page]
    return written
