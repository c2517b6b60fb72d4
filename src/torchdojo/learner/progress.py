"""A learner's progress, kept in the workspace (``.torchdojo/progress.json``).

Schema ``torchdojo.progress/1``::

    {"schema": "torchdojo.progress/1",
     "items": {"tensors/seeded_rand": {"status": "passed", "score": 1.0,
                                       "max_score": 1.0, "attempts": 2,
                                       "updated": "2026-11-27T08:00:00+00:00"},
               "quiz:why_ml": {...}}}

Exercises are keyed by their id; quizzes by ``quiz:<topic>``. Written atomically.
Recording progress in a folder makes it a workspace (see :mod:`torchdojo.learner.workspace`).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from torchdojo.text import atomic
from torchdojo.learner import workspace as workspace_module
from torchdojo.wire.report import Report, TopicResult
from torchdojo.learner.workspace import STATE_DIR

SCHEMA = "torchdojo.progress/1"
__all__ = ["SCHEMA", "STATE_DIR", "load", "progress_path", "record_report", "record_topic"]


def progress_path(workspace: str | Path) -> Path:
    return Path(workspace) / STATE_DIR / "progress.json"


def load(workspace: str | Path) -> dict[str, Any]:
    """The stored progress, or an empty record; a corrupt file counts as empty."""
    path = progress_path(workspace)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"schema": SCHEMA, "items": {}}
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("items"), dict):
        return {"schema": SCHEMA, "items": {}}
    return data


def record_topic(workspace: str | Path, topic: TopicResult) -> None:
    """Store a topic's results. A quiz is stored as one item (its total)."""
    data = load(workspace)
    items = data["items"]
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if topic.kind == "quiz":
        entries = [(f"quiz:{topic.topic}", topic.score, topic.max_score,
                    "passed" if topic.score >= topic.max_score else "failed")]
    else:
        entries = [(e.id, e.score, e.max_score, e.status) for e in topic.exercises]
    for key, score, max_score, status in entries:
        old = items.get(key, {})
        items[key] = {
            "status": status,
            "score": score,
            "max_score": max_score,
            "best_score": max(score, old.get("best_score", 0.0)),
            "attempts": int(old.get("attempts", 0)) + (0 if status == "not_attempted" else 1),
            "updated": now,
        }
    atomic.write_text(progress_path(workspace), json.dumps(data, indent=2, ensure_ascii=False))
    workspace_module.mark(workspace)


def record_report(workspace: str | Path, report: Report) -> None:
    for topic in report.topics:
        record_topic(workspace, topic)
