"""Gradescope's ``results.json``, one per submission (student).

Gradescope's documented format: ``score`` (optional when every test has one),
``output``, ``visibility``, and ``tests`` with ``name``, ``score``, ``max_score``, ``status`` (``passed`` or
``failed``), ``output`` and ``visibility``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo import atomic
from torchdojo.classroom.exports.feedback import _safe_name
from torchdojo.report import TopicResult

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult


def results_json(topics: list[TopicResult]) -> dict[str, Any]:
    """A Gradescope results document for one submission."""
    tests = []
    for topic in topics:
        for item in topic.exercises:
            tests.append({
                "name": item.id,
                "score": item.score,
                "max_score": item.max_score,
                "status": "passed" if item.status == "passed" else "failed",
                "output": item.feedback or item.status,
                "visibility": "visible",
            })
    return {
        "score": round(sum(t.score for t in topics), 4),
        "output": "torchdojo",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_results(result: ClassResult, folder: Path) -> list[Path]:
    written = []
    for student in result.students:
        path = folder / _safe_name(student) / "results.json"
        doc = results_json(list(result.results.get(student, {}).values()))
        atomic.write_text(path, json.dumps(doc, indent=2, ensure_ascii=False))
        written.append(path)
    return written
