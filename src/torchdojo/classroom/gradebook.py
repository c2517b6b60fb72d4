"""The gradebook: SQLite, one transaction per graded file.

Schema ``torchdojo.gradebook/1``::

    meta(key PRIMARY KEY, value)                  -- schema, course fingerprint
    results(student, topic,                       -- PRIMARY KEY (student, topic)
            content_hash,                         -- what was graded (file, siblings, graders)
            result_json,                          -- a TopicResult as JSON
            graded_at, duration_s)

A result is written only after its file is completely graded, in its own
transaction: killing the grader loses at most the files in flight, and a rerun
grades exactly the files whose content hash is missing or changed.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from torchdojo.wire.report import TopicResult

SCHEMA = "torchdojo.gradebook/1"


class Gradebook:
    """A class's results on disk (``gradebook.sqlite`` in the output folder)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)  # explicit transactions
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS results (student TEXT NOT NULL, topic TEXT NOT NULL, "
            "content_hash TEXT NOT NULL, result_json TEXT NOT NULL, graded_at TEXT NOT NULL, "
            "duration_s REAL NOT NULL, PRIMARY KEY (student, topic))")
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
        elif row[0] != SCHEMA:
            raise ValueError(f"{self.path}: gradebook schema {row[0]!r}, expected {SCHEMA!r}")

    def hash_of(self, student: str, topic: str) -> str | None:
        row = self.db.execute("SELECT content_hash FROM results WHERE student=? AND topic=?",
                              (student, topic)).fetchone()
        return row[0] if row else None

    def put(self, student: str, topic: str, content_hash: str, result: TopicResult) -> None:
        """Store one graded file, atomically (replacing an older result)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        payload = result.to_json()
        with self.db:  # BEGIN ... COMMIT
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                            (student, topic, content_hash, payload, now, result.duration_s))

    def results(self) -> dict[str, dict[str, TopicResult]]:
        """``{student: {topic: TopicResult}}``."""
        out: dict[str, dict[str, TopicResult]] = {}
        for student, topic, text in self.db.execute("SELECT student, topic, result_json FROM results"):
            out.setdefault(student, {})[topic] = TopicResult.from_json(text)
        return out

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        self.db.close()
