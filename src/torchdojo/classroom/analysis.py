"""Item analysis: how every exercise and quiz question of a class behaved.

For each item: the share of students who got it (full marks), the mean score,
its *discrimination* (the point-biserial correlation between getting the item
and the rest of the student's score, in percent of the rest's maximum), the
pass rates of the strongest and the weakest students (by the rest of the
score, the top and bottom 27 %), and the most common failure messages with
counts. An item that the strongest students miss more often than the weakest
(a negative discrimination: the better a student does on everything else, the
less likely they get this one) is *flagged*: it is probably badly made (a
misleading question, a test that rejects a good solution, a key that is wrong).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from torchdojo.report import PASSED

if TYPE_CHECKING:
    from torchdojo.classroom.batch import ClassResult

#: Share of the class in each of the strongest and weakest groups (Kelley's 27 %).
GROUP = 0.27
#: Below this many students a flag would be noise.
MIN_STUDENTS = 4
#: Most common failure messages kept per item.
TOP_FAILURES = 3
_COUNTS = re.compile(r"\s*\((\d+) (?:of|de) (\d+) [^)]*\)\s*$")


@dataclass
class ItemStats:
    """The analysis of one exercise or quiz question."""

    item: str
    kind: str  # "exercise" or "quiz"
    key: str  # the gradebook key: "tensors" or "quiz:tensors"
    students: int
    passed: float  # share with full marks
    mean_score: float  # mean share of the item's points
    discrimination: float | None  # point-biserial against the rest of the score; None without variance
    upper: float  # pass rate of the strongest group
    lower: float  # pass rate of the weakest group
    flagged: bool
    failures: list[tuple[str, int]] = field(default_factory=list)


def failure_message(feedback: str, limit: int = 160) -> str:
    """A failure message reduced to what students share (no per-student check counts), one line."""
    text = _COUNTS.sub("", " ".join(feedback.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def point_biserial(got: list[bool], rest: list[float]) -> float | None:
    """Pearson's correlation of a 0/1 variable with a score (the point-biserial); None without variance."""
    n = len(got)
    if n < 2:
        return None
    xs = [1.0 if g else 0.0 for g in got]
    mx, my = sum(xs) / n, sum(rest) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in rest)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, rest))
    return sxy / math.sqrt(sxx * syy)


def analyse(result: ClassResult) -> list[ItemStats]:
    """Every item of the class, in course order (exercises and questions as graded)."""
    totals: dict[str, tuple[float, float]] = {}
    for s in result.students:
        topics = result.results.get(s, {}).values()
        totals[s] = (sum(t.score for t in topics), sum(t.max_score for t in topics))
    order: list[tuple[str, str]] = []
    rows: dict[str, list[tuple[str, float, float, bool, str]]] = {}
    for s in result.students:
        for key, topic in result.results.get(s, {}).items():
            for item in topic.exercises:
                if item.id not in rows:
                    order.append((item.id, key))
                    rows[item.id] = []
                text = item.feedback or item.status
                if len(s) > 1:
                    text = text.replace(s, "<student>")  # "no tensors.py in ana" is one message for the class
                rows[item.id].append((s, item.score, item.max_score, item.status == PASSED,
                                      "" if item.status == PASSED else failure_message(text)))
    out = []
    for item_id, key in order:
        entries = rows[item_id]
        n = len(entries)
        got = [e[3] for e in entries]
        rest = []
        for s, score, max_score, _, _ in entries:
            total, max_total = totals[s]
            rest_max = max_total - max_score
            rest.append(100.0 * (total - score) / rest_max if rest_max > 0 else 0.0)
        r = point_biserial(got, rest)
        # The strongest and weakest 27 % by the rest of the score; students tied at a
        # group's edge all join it, so the order of names never decides a group.
        ordered = sorted(rest)
        size = max(1, round(n * GROUP))
        low_edge, high_edge = ordered[size - 1], ordered[-size]
        low = [got[i] for i in range(n) if rest[i] <= low_edge]
        high = [got[i] for i in range(n) if rest[i] >= high_edge]
        lower, upper = sum(low) / len(low), sum(high) / len(high)
        failures = Counter(e[4] for e in entries if not e[3])
        out.append(ItemStats(
            item=item_id, kind="quiz" if key.startswith("quiz:") else "exercise", key=key, students=n,
            passed=round(sum(got) / n, 4),
            mean_score=round(sum(e[1] / e[2] for e in entries if e[2]) / n, 4),
            discrimination=None if r is None else round(r, 4),
            upper=round(upper, 4), lower=round(lower, 4),
            flagged=n >= MIN_STUDENTS and r is not None and r < 0,
            failures=sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_FAILURES],
        ))
    return out
