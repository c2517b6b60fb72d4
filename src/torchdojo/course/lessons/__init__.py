"""Lessons: one per topic, Spanish first and English, in ``lessons/<topic>.md``.

The single source from which the terminal (``torchdojo learn``), the notebooks
and the student release show the course's teaching text. Format:
``docs/lesson-format.md``.

>>> from torchdojo.course.lessons import load_lesson
>>> lesson = load_lesson("tensors")
>>> lesson.parts[0].section
'why_pytorch'
"""

from __future__ import annotations

from pathlib import Path

from torchdojo.course import paths
from torchdojo.course.lessons.model import FURTHER, Example, Lesson, LessonError, Part
from torchdojo.course.lessons.parse import check_lesson, parse_lesson
from torchdojo.course.lessons.sections import Section, SectionsError, load_sections
from torchdojo.course.manifest import Course
from torchdojo.course.manifest import course as packaged_course

__all__ = [
    "FURTHER",
    "Example",
    "Lesson",
    "LessonError",
    "Part",
    "Section",
    "SectionsError",
    "lesson_path",
    "lesson_topics",
    "load_all_lessons",
    "load_lesson",
    "load_sections",
]


def lesson_path(topic_id: str) -> Path:
    return paths.lessons_dir() / f"{topic_id}.md"


def load_lesson(topic_id: str, *, path: str | Path | None = None, the_course: Course | None = None,
                sections: tuple[Section, ...] | None = None) -> Lesson:
    """The lesson of ``topic_id``, parsed and checked against the course and the notes' sections.

    Raises :class:`LessonError` (a one-line message with file and line) when the
    source is malformed, and ``FileNotFoundError`` when the topic has no lesson.
    """
    source = Path(path) if path is not None else lesson_path(topic_id)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise LessonError(f"{source}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise LessonError(f"{source}: not UTF-8 text") from None
    lesson = parse_lesson(text, source)
    check_lesson(lesson, the_course or packaged_course(), sections if sections is not None else load_sections())
    if lesson.topic != topic_id:
        raise LessonError(f"{source}: the lesson is for topic '{lesson.topic}', not '{topic_id}'")
    return lesson


def lesson_topics(the_course: Course | None = None) -> list[str]:
    """Topics that have a lesson, in course order."""
    the_course = the_course or packaged_course()
    return [t.id for t in the_course.topics if lesson_path(t.id).is_file()]


def load_all_lessons(the_course: Course | None = None) -> dict[str, Lesson]:
    """Every lesson, by topic, in course order."""
    the_course = the_course or packaged_course()
    sections = load_sections()
    return {t: load_lesson(t, the_course=the_course, sections=sections) for t in lesson_topics(the_course)}
