"""``grades.csv`` (one row per student) and ``grades.json`` (``torchdojo.grades/1``)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo import atomic
from torchdojo.manifest import Course

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult

SCHEMA = "torchdojo.grades/1"


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


def write_csv(result: ClassResult, course: Course, path: Path) -> Path:
    cols = columns(result, course)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["student", *cols, "total", "max_total", "percent"])
    for student in result.students:
        topics = result.results.get(student, {})
        scores: dict[str, float] = {}
        total = max_total = 0.0
        for key, topic in topics.items():
            total += topic.score
            max_total += topic.max_score
            if key.startswith("quiz:"):
                scores[key] = topic.score
            else:
                scores.update({e.id: e.score for e in topic.exercises})
        percent = 100.0 * total / max_total if max_total else 0.0
        writer.writerow([_cell(student), *(_points(scores.get(c, 0.0)) for c in cols),
                         _points(round(total, 4)), _points(round(max_total, 4)), f"{percent:.1f}"])
    # UTF-8 with a BOM: spreadsheets then read accents in student names correctly.
    atomic.write_text(path, buf.getvalue(), encoding="utf-8-sig")
    return path


def _strip_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_timing(v) for k, v in value.items() if k != "duration_s"}
    if isinstance(value, list):
        return [_strip_timing(v) for v in value]
    return value


def grades_document(result: ClassResult) -> dict[str, Any]:
    """The ``torchdojo.grades/1`` document (no timings, so two runs compare equal)."""
    students = []
    for student in result.students:
        topics = [_strip_timing(asdict(t)) for t in result.results.get(student, {}).values()]
        students.append({
            "student": student,
            "score": round(sum(t["score"] for t in topics), 4),
            "max_score": round(sum(t["max_score"] for t in topics), 4),
            "topics": topics,
        })
    return {"schema": SCHEMA, "topics": result.topics, "students": students}


def write_json(result: ClassResult, path: Path) -> Path:
    atomic.write_text(path, json.dumps(grades_document(result), indent=2, ensure_ascii=False, sort_keys=False))
    return path
