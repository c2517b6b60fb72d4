"""Gradescope's ``results.json``, one per submission (student).

Gradescope's documented format: ``score`` (optional when every test has one),
``execution_time`` (seconds), ``output``, ``visibility``, and ``tests`` with
``name``, ``score``, ``max_score``, ``status`` (``passed`` or ``failed``),
``output`` and ``visibility``.

An exercise becomes one test for its public checks (``visible``) and, when it
has hidden checks, one more for those, shown to the student only once the
instructor publishes the grades (``after_published``). The exercise's points
are shared between the two by the checks' weights, as in torchdojo's own score.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo.text import atomic
from torchdojo.classroom.exports.summary import output_names
from torchdojo.classroom.result import Total
from torchdojo.wire.report import ItemResult, TopicResult

if TYPE_CHECKING:
    from torchdojo.classroom.result import ClassResult

HIDDEN_SUFFIX = " (hidden)"


def _entry(name: str, score: float, max_score: float, passed: bool, output: str, visibility: str) -> dict[str, Any]:
    # Gradescope documents execution_time for the whole submission only, not per test.
    return {"name": name, "score": round(score, 4), "max_score": round(max_score, 4),
            "status": "passed" if passed else "failed", "output": output, "visibility": visibility}


def item_tests(item: ItemResult) -> list[dict[str, Any]]:
    """One Gradescope test for the item's public checks and one for its hidden checks (if any)."""
    counted = [t for t in item.tests if t.status != "skipped"]
    hidden = [t for t in counted if t.hidden]
    public = [t for t in counted if not t.hidden]
    weight = sum(t.weight for t in counted) or 1.0
    if hidden and public:
        won_public = round(item.max_score * sum(t.weight for t in public if t.status == "passed") / weight, 4)
        max_public = round(item.max_score * sum(t.weight for t in public) / weight, 4)
        won_hidden = round(item.score - won_public, 4)
        # The split must add up to the exercise's own score (an override, e.g. a
        # forbidden call, scores 0 whatever the checks said): otherwise one test.
        if 0 <= won_hidden <= item.max_score - max_public + 1e-9:
            out = []
            for part, name, visibility, won, most in (
                    (public, item.id, "visible", won_public, max_public),
                    (hidden, item.id + HIDDEN_SUFFIX, "after_published", won_hidden,
                     round(item.max_score - max_public, 4))):
                ok = all(t.status == "passed" for t in part) and item.status == "passed"
                failing = next((t.feedback for t in part if t.status != "passed" and t.feedback), "")
                out.append(_entry(name, won, most, ok, "passed" if ok else (failing or item.feedback or item.status),
                                  visibility))
            return out
    visibility = "after_published" if hidden and not public else "visible"
    return [_entry(item.id, item.score, item.max_score, item.status == "passed", item.feedback or item.status,
                   visibility)]


def results_json(topics: list[TopicResult]) -> dict[str, Any]:
    """A Gradescope results document for one submission."""
    tests = [entry for topic in topics for item in topic.exercises for entry in item_tests(item)]
    return {
        "score": Total.of(topics).score,
        "execution_time": round(sum(t.duration_s for t in topics), 3),
        "output": "torchdojo",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_results(result: ClassResult, folder: Path) -> list[Path]:
    written = []
    names = output_names(result.students)
    for student in result.students:
        path = folder / names[student] / "results.json"
        doc = results_json(list(result.results.get(student, {}).values()))
        atomic.write_text(path, json.dumps(doc, indent=2, ensure_ascii=False))
        written.append(path)
    return written
