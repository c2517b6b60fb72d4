"""``grades.csv`` (wide: one row per student), ``grades_long.csv`` (nbgrader's long format) and
``grades.json`` (``torchdojo.grades/2``)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo.text import atomic
from torchdojo.classroom.devices import devices_of, device_note
from torchdojo.course.manifest import Course

if TYPE_CHECKING:
    from torchdojo.classroom.analysis import ItemStats
    from torchdojo.classroom.result import ClassResult

SCHEMA = "torchdojo.grades/2"
#: Feedback longer than this is cut in grades.json (it can hold a student's own exception text).
FEEDBACK_LIMIT = 2000
#: nbgrader's ``nbgrader export`` columns, in its order: one row per student and assignment.
LONG_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                "raw_score", "late_submission_penalty", "score", "max_score"]


def _cell(text: str) -> str:
    # A spreadsheet runs cells that start like a formula: neutralise them.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def columns(result: ClassResult, course: Course) -> list[str]:
    cols: list[str] = []
    for key in result.topics:
        if key.startswith("quiz:"):
            cols.append(key)
        else:
            cols.extend(e.id for e in course.topic(key).exercises)
    return cols


def _points(x: float) -> str:
    return f"{x:g}"


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(result: ClassResult, course: Course, path: Path) -> Path:
    cols = columns(result, course)
    rows = [["student", *cols, "total", "max_total", "percent"]]
    for student in result.students:
        scores: dict[str, float] = {}
        for key, topic in result.results.get(student, {}).items():
            if key.startswith("quiz:"):
                scores[key] = topic.score
            else:
                scores.update({e.id: e.score for e in topic.exercises})
        t = result.total(student)
        rows.append([_cell(student), *(_points(scores.get(c, 0.0)) for c in cols),
                     _points(t.score), _points(t.max_score), f"{t.percent:.1f}"])
    # UTF-8 with a BOM: spreadsheets then read accents in student names correctly.
    atomic.write_text(path, csv_text(rows), encoding="utf-8-sig")
    return path


def write_long_csv(result: ClassResult, path: Path) -> Path:
    """nbgrader's long format (as its ``nbgrader export`` writes): one row per student and assignment.

    An assignment is a gradebook key (``tensors``, ``quiz:tensors``); columns
    torchdojo does not know (due date, names, email, late penalty) are empty.
    """
    rows = [LONG_COLUMNS]
    for student in result.students:
        for key in result.topics:
            topic = result.results.get(student, {}).get(key)
            if topic is None:
                continue
            rows.append([key, "", "", _cell(student), "", "", "", _points(topic.score), "0",
                         _points(topic.score), _points(topic.max_score)])
    atomic.write_text(path, csv_text(rows), encoding="utf-8")
    return path


def _strip_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_timing(v) for k, v in value.items() if k != "duration_s"}
    if isinstance(value, list):
        return [_strip_timing(v) for v in value]
    return value


def _topic_dict(topic: Any, course: Course, lang: str) -> dict[str, Any]:
    d = _strip_timing(asdict(topic))
    for item, entry in zip(topic.exercises, d["exercises"]):
        entry["feedback"] = entry["feedback"][:FEEDBACK_LIMIT]
        for test in entry["tests"]:
            test["feedback"] = test["feedback"][:FEEDBACK_LIMIT]
        used = devices_of(item)
        if used:
            entry["devices"] = used
        note = device_note(course, item, lang)
        if note:
            entry["device_note"] = note
    return d


def _item_dict(s: ItemStats) -> dict[str, Any]:
    return {"id": s.qualified, "item": s.item, "kind": s.kind, "key": s.key, "students": s.students, "passed": s.passed,
            "mean_score": s.mean_score, "discrimination": s.discrimination, "upper": s.upper, "lower": s.lower,
            "flagged": s.flagged, "failures": [{"message": m, "count": c} for m, c in s.failures]}


def grades_document(result: ClassResult, course: Course | None = None, lang: str = "en") -> dict[str, Any]:
    """The ``torchdojo.grades/2`` document (no timings, so two runs compare byte for byte)."""
    from torchdojo.classroom.analysis import item_analysis
    from torchdojo.course.manifest import course as packaged

    course = course or packaged()
    students = []
    for student in result.students:
        t = result.total(student)
        entry: dict[str, Any] = {
            "student": student,
            "score": t.score,
            "max_score": t.max_score,
            "percent": round(t.percent, 2),
            "topics": [_topic_dict(topic, course, lang) for topic in result.results.get(student, {}).values()],
        }
        if student in result.errors:
            entry["error"] = result.errors[student]
        students.append(entry)
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "topics": result.topics,
        "settings": {"device": result.device, "secret": result.secret},
        "students": students,
        "item_analysis": [_item_dict(s) for s in item_analysis(result)],
        # Every entry of the class folder that is not a student, with why.
        "skipped": [{"entry": e[:FEEDBACK_LIMIT], "reason": r[:FEEDBACK_LIMIT]} for e, r in result.skipped_entries],
    }
    if result.notes:
        doc["notes"] = list(result.notes)
    if result.similarity is not None:
        doc["similarity"] = result.similarity.to_dict()
    return doc


def write_json(result: ClassResult, path: Path, course: Course | None = None, lang: str = "en") -> Path:
    atomic.write_text(path, json.dumps(grades_document(result, course, lang), indent=2, ensure_ascii=False))
    return path
