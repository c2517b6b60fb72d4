"""A feedback file per student, Markdown and HTML, in the course language.

Hidden tests' inner details are withheld (the batch grades with
``reveal_hidden=False``).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from torchdojo import atomic
from torchdojo.i18n import pick
from torchdojo.manifest import Course
from torchdojo.render.terminal import LABEL

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult


def _safe_name(student: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in student) or "_"


def _title(course: Course, key: str, lang: str) -> str:
    tid = key.split(":", 1)[-1]
    title = course.topic(tid).title.get(lang)
    return f"{title} (quiz)" if key.startswith("quiz:") else title


def student_markdown(result: ClassResult, course: Course, student: str, lang: str) -> str:
    topics = result.results.get(student, {})
    total = sum(t.score for t in topics.values())
    max_total = sum(t.max_score for t in topics.values())
    lines = [pick(lang, f"# Corrección: {student}", f"# Feedback: {student}"), "",
             f"**Total: {total:g} / {max_total:g}**", ""]
    for key, topic in topics.items():
        lines += [f"## {_title(course, key, lang)}: {topic.score:g} / {topic.max_score:g}", ""]
        lines += [pick(lang, "| ejercicio | puntos | estado | comentario |", "| item | points | status | feedback |"),
                  "|---|---|---|---|"]
        for item in topic.exercises:
            label = pick(lang, *LABEL.get(item.status, (item.status, item.status)))
            text = item.feedback.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{item.id}` | {item.score:g} / {item.max_score:g} | {label} | {text} |")
        for note in topic.notes:
            lines.append(f"\n> {note}")
        lines.append("")
    return "\n".join(lines)


def student_html(result: ClassResult, course: Course, student: str, lang: str) -> str:
    topics = result.results.get(student, {})
    total = sum(t.score for t in topics.values())
    max_total = sum(t.max_score for t in topics.values())
    e = html.escape
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
             f"<title>{e(student)}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
             "td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}"
             ".passed{color:#1a7f37}.failed,.error,.crashed{color:#cf222e}.timeout{color:#9a6700}"
             ".not_attempted{color:#777}</style></head><body>",
             f"<h1>{e(pick(lang, 'Corrección', 'Feedback'))}: {e(student)}</h1>",
             f"<p><strong>Total: {total:g} / {max_total:g}</strong></p>"]
    for key, topic in topics.items():
        parts.append(f"<h2>{e(_title(course, key, lang))}: {topic.score:g} / {topic.max_score:g}</h2><table>")
        for item in topic.exercises:
            label = pick(lang, *LABEL.get(item.status, (item.status, item.status)))
            parts.append(f"<tr><td><code>{e(item.id)}</code></td><td>{item.score:g} / {item.max_score:g}</td>"
                         f"<td class='{e(item.status)}'>{e(label)}</td><td>{e(item.feedback)}</td></tr>")
        parts.append("</table>")
        parts += [f"<p><em>{e(n)}</em></p>" for n in topic.notes]
    parts.append("</body></html>")
    return "".join(parts)


def write_feedback(result: ClassResult, course: Course, lang: str, folder: Path) -> list[Path]:
    written = []
    for student in result.students:
        name = _safe_name(student)
        md, page = folder / f"{name}.md", folder / f"{name}.html"
        atomic.write_text(md, student_markdown(result, course, student, lang))
        atomic.write_text(page, student_html(result, course, student, lang))
        written += [md, page]
    return written
