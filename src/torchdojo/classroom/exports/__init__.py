"""Files written after grading a class; each is written atomically.

=====================  ====================================================
``grades.csv``         wide: one row per student, a column per exercise/quiz
``grades_long.csv``    nbgrader's long format: a row per student and key
``canvas.csv``         Canvas gradebook import
``moodle.csv``         Moodle grade import
``grades.json``        ``torchdojo.grades/2``: results, item analysis, copies
``feedback/``          a Markdown and an HTML page per student
``gradescope/``        Gradescope ``results.json`` per student
``report.html``        the class at a glance
=====================  ====================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from torchdojo.course.manifest import Course

if TYPE_CHECKING:
    import jinja2

    from torchdojo.classroom.result import ClassResult

TEMPLATES = ("report.html.j2", "feedback.md.j2", "feedback.html.j2")


def check_templates(templates: str | Path | None) -> jinja2.Environment:
    """Compile every template now, so a broken instructor template stops the run before grading; the
    environment that holds them compiled (give it to :func:`write_all`)."""
    import jinja2

    from torchdojo.classroom.exports.templating import environment
    from torchdojo.text.errors import UserError

    env = environment(templates)
    for name in TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise UserError("template {path}:{line}: {detail}", path=exc.filename or name, line=exc.lineno,
                            detail=exc.message) from None
    return env


def write_all(result: ClassResult, course: Course, lang: str, templates: str | Path | None = None,
              env: jinja2.Environment | None = None) -> list[Path]:
    """Every output of :data:`TEMPLATES`'s table; each is a bounded step (:mod:`torchdojo.classroom.steps`).

    One output that fails or runs out of time is said in ``result.notes``
    (and so in the outputs written after it); the others are still written.
    """
    from torchdojo.classroom import steps
    from torchdojo.classroom.analysis import analyse
    from torchdojo.classroom.exports import feedback, gradescope, html_report, lms, tables
    from torchdojo.classroom.exports.templating import environment

    assert result.out is not None
    out = result.out
    env = env or environment(templates)
    if result.analysis is None:
        try:
            result.analysis = steps.bounded(lambda: analyse(result), steps.N_ITEM_ANALYSIS)
        except steps.StepFailed as exc:
            result.analysis = []
            result.notes.append(str(exc))
    writers = [
        ("grades.csv", lambda: [tables.write_csv(result, course, out / "grades.csv")]),
        ("grades_long.csv", lambda: [tables.write_long_csv(result, out / "grades_long.csv")]),
        ("canvas.csv", lambda: [lms.write_canvas(result, out / "canvas.csv")]),
        ("moodle.csv", lambda: [lms.write_moodle(result, out / "moodle.csv")]),
        ("grades.json", lambda: [tables.write_json(result, out / "grades.json", course, lang)]),
        ("feedback", lambda: feedback.write_feedback(result, course, lang, out / "feedback", env)),
        ("gradescope", lambda: gradescope.write_results(result, out / "gradescope")),
        ("report.html", lambda: [html_report.write_report(result, course, lang, out / "report.html", env)]),
    ]
    written: list[Path] = []
    for name, write in writers:
        try:
            written += steps.bounded(write, name)
        except steps.StepFailed as exc:
            result.notes.append(str(exc))
            if name == "report.html":  # the page still exists, and says what stopped it
                written.append(html_report.write_fallback(out / "report.html", lang, result.notes))
    return written
