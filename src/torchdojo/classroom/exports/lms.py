"""Gradebook import files for learning-management systems: Canvas and Moodle.

Both are CSV files with one row per student and one column per graded key
(``tensors``, ``quiz:tensors``), named ``torchdojo <key>``; the student id is
the submission folder's name, so name the folders after the id the LMS
matches on (see ``docs/class-grading.md``).

* **Canvas** (Gradebook > Import): the columns ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section`` first, then one column per
  assignment, and a second row ``Points Possible`` with each maximum. Canvas
  matches a row by ``ID``, ``SIS User ID`` or ``SIS Login ID``; torchdojo
  fills ``SIS Login ID`` (and ``Student``) with the folder name and leaves
  Canvas's internal ``ID`` empty. Columns without an assignment id in
  parentheses become new assignments.
* **Moodle** (Grades > Import > CSV file): a header row, one column that
  identifies the user (here ``Username``, mapped in Moodle's import form to
  the user field it holds) and one numeric column per grade item, each mapped
  to an existing or a new grade item.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from torchdojo.text import atomic
from torchdojo.classroom.exports.tables import _cell, _points, csv_text

if TYPE_CHECKING:
    from torchdojo.classroom.result import ClassResult

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_IDENTITY = "Username"


def column_name(key: str) -> str:
    return f"torchdojo {key}"


def _max_of(result: ClassResult, key: str) -> float:
    # Every student is graded on the same selection, so any row has the course's maximum.
    for student in result.students:
        topic = result.results.get(student, {}).get(key)
        if topic is not None:
            return topic.max_score
    return 0.0


def write_canvas(result: ClassResult, path: Path) -> Path:
    header = CANVAS_IDENTITY + [column_name(k) for k in result.topics]
    rows = [header, [CANVAS_POINTS_ROW, "", "", "", "", *(_points(_max_of(result, k)) for k in result.topics)]]
    for student in result.students:
        topics = result.results.get(student, {})
        rows.append([_cell(student), "", "", _cell(student), "",
                     *(_points(topics[k].score) if k in topics else "" for k in result.topics)])
    atomic.write_text(path, csv_text(rows), encoding="utf-8")
    return path


def write_moodle(result: ClassResult, path: Path) -> Path:
    rows = [[MOODLE_IDENTITY, *(column_name(k) for k in result.topics)]]
    for student in result.students:
        topics = result.results.get(student, {})
        rows.append([_cell(student), *(_points(topics[k].score) if k in topics else "" for k in result.topics)])
    atomic.write_text(path, csv_text(rows), encoding="utf-8")
    return path
