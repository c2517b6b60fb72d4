"""Files written after grading a class; each is written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from torchdojo.manifest import Course

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult


def write_all(result: ClassResult, course: Course, lang: str) -> list[Path]:
    from torchdojo.classroom.exports import feedback, gradescope, html_report, tables

    assert result.out is not None
    out = result.out
    written = [tables.write_csv(result, course, out / "grades.csv"),
               tables.write_json(result, out / "grades.json")]
    written += feedback.write_feedback(result, course, lang, out / "feedback")
    written += gradescope.write_results(result, out / "gradescope")
    written.append(html_report.write_report(result, course, lang, out / "report.html"))
    return written
