"""What every output says about a class, computed once: totals, bins, error causes, device notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from torchdojo.classroom.devices import CPU_ONLY, devices_of, is_device_exercise
from torchdojo.i18n import pick
from torchdojo.manifest import Course
from torchdojo.report import TopicResult

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult

BAD = ("error", "timeout", "crashed")
#: Histogram bins: 0-9, 10-19, ..., 90-99, and 100 on its own (full marks).
BINS = [str(10 * i) for i in range(10)] + ["100"]


@dataclass(frozen=True)
class Total:
    score: float
    max_score: float

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


def safe_name(student: str) -> str:
    """A file name for a student's outputs (any other character becomes ``_``)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in student)[:120] or "_"


def total(result: ClassResult, student: str) -> Total:
    topics = result.results.get(student, {}).values()
    return Total(round(sum(t.score for t in topics), 4), round(sum(t.max_score for t in topics), 4))


def histogram(percents: list[float]) -> list[int]:
    """Counts per bin of :data:`BINS`; full marks (100 %) have their own bin."""
    counts = [0] * len(BINS)
    for p in percents:
        counts[10 if p >= 100.0 - 1e-9 else min(9, max(0, int(p // 10)))] += 1
    return counts


def cause(topic: TopicResult) -> str:
    """Why a topic's items failed to run, when the topic knows (a notebook cell's syntax error, ...)."""
    for note in topic.notes:
        if not note.startswith("internal"):
            return note
    return ""


def failing_rows(result: ClassResult) -> list[dict[str, str]]:
    """One row per student, topic and reason for items that errored, timed out or crashed.

    The reason is the cause when the topic records one (the syntax error that
    stopped a definition), followed by the symptom (``does not define summarize``).
    """
    rows: dict[tuple[str, str, str, str], list[str]] = {}
    for s in result.students:
        for key, topic in result.results.get(s, {}).items():
            why = cause(topic)
            for item in topic.exercises:
                if item.status in BAD:
                    reason = f"{why} → {item.feedback}" if why and why not in item.feedback else item.feedback
                    rows.setdefault((s, key, item.status, reason), []).append(item.id)
    return [{"student": s, "topic": key, "items": ids[0] + (f" (+{len(ids) - 1})" if len(ids) > 1 else ""),
             "status": status, "reason": reason} for (s, key, status, reason), ids in rows.items()]


def device_notes(result: ClassResult, course: Course, lang: str) -> dict[str, str]:
    """``{exercise id: note}`` for device exercises that no grading of this class ran on a GPU."""
    cpu_only: list[str] = []
    on_gpu: set[str] = set()
    for s in result.students:
        for topic in result.results.get(s, {}).values():
            for item in topic.exercises:
                if not is_device_exercise(course, item.id):
                    continue
                used = devices_of(item)
                if any(d != "cpu" for d in used):
                    on_gpu.add(item.id)
                elif used and item.id not in cpu_only:
                    cpu_only.append(item.id)
    return {i: pick(lang, *CPU_ONLY) for i in cpu_only if i not in on_gpu}
