"""What every output says about a class, computed once: totals, bins, error causes, device notes."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from torchdojo.classroom.devices import CPU_ONLY, devices_of, is_device_exercise
from torchdojo.text.i18n import tr
from torchdojo.course.manifest import Course
from torchdojo.wire.report import TopicResult

if TYPE_CHECKING:
    from torchdojo.classroom.result import ClassResult

BAD = ("error", "timeout", "crashed")
#: Histogram bins: 0-9, 10-19, ..., 90-99, and 100 on its own (full marks).
BINS = [str(10 * i) for i in range(10)] + ["100"]


#: A name kept as it is for its files: lowercase ASCII (so no two differ only by case on
#: a case-insensitive disk) that does not itself look like a slug with a hash.
_PLAIN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
_HASHED = re.compile(r"-[0-9a-f]{16}$")


def safe_name(student: str) -> str:
    """The file/folder name of a student's outputs, one per exact student name.

    A name that is already a plain file name (lowercase ASCII letters, digits,
    ``-_.``) is used as it is; any other gets a readable slug plus 16 hex digits
    of the SHA-256 of the exact name (``o'brien`` -> ``o_brien-1f0e...``), so
    ``o_brien`` can never write over ``o'brien``'s files.
    """
    if _PLAIN.match(student) and not _HASHED.search(student) and student not in (".", ".."):
        return student
    slug = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in student)[:60].strip("_")
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{slug or 'student'}-{digest}"


def output_names(students: list[str]) -> dict[str, str]:
    """``{student: safe_name(student)}``, checked: no two students share an output name, even ignoring case."""
    names = {s: safe_name(s) for s in students}
    seen: dict[str, str] = {}
    for student, name in names.items():
        other = seen.setdefault(name.casefold(), student)
        if other != student:  # cannot happen short of a SHA-256 collision; never overwrite on it
            raise RuntimeError(f"two students share the output name {name!r}")
    return names


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
    return {i: tr(lang, CPU_ONLY) for i in cpu_only if i not in on_gpu}
