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

An exercise and a quiz question may share an id (``tensors/add_batch_dim`` is
both): items are keyed by kind and id, never by id alone, and each item counts
a student at most once, so no count exceeds the class.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from torchdojo.wire.report import PASSED
from torchdojo.text.i18n import N_

if TYPE_CHECKING:
    from torchdojo.classroom.result import ClassResult

#: Share of the class in each of the strongest and weakest groups (Kelley's 27 %).
GROUP = 0.27
#: Below this many students a flag would be noise.
MIN_STUDENTS = 4
#: Most common failure messages kept per item.
TOP_FAILURES = 3
_COUNTS = re.compile(r"\s*\((\d+) (?:of|de) (\d+) [^)]*\)\s*$")


#: Letters, digits and the marks that join them: what a name's neighbours must not be.
_WORD = r"[^\W_]"


#: What stands for a student's name in a shared failure message (the report translates it).
STUDENT = N_("<student>")

def _fold(text: str) -> str:
    """Lower case without accents ("Ána" -> "ana"); one character in, one character out."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[:1]
        out.append(base.lower() if len(base.lower()) == 1 else ch)
    return "".join(out)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    needle = _fold(unicodedata.normalize("NFC", name.strip()))
    if len(needle) < 2:
        return None
    # Neither a letter, digit or "_" beside it, nor "-", "." or "'" joining it to more of a word
    # ("ana-maria", "ana.py"); code quoted as code (`max`, 'max', max(...)) is not a name either.
    return re.compile(r"(?<![\w`'\"])(?<![\w][-.'])" + re.escape(needle) + r"(?![\w`\"(])(?!'(?!s\b))(?![-.][\w])")


def mentions(text: str, name: str) -> bool:
    """Whether ``name`` stands as a whole word in ``text`` (as :func:`blank_name` would replace it)."""
    pattern = _name_pattern(name)
    return bool(pattern and pattern.search(_fold(unicodedata.normalize("NFC", text))))


def _blank_unshared(text: str, name: str, other: str, placeholder: str = STUDENT) -> str:
    """Blank ``name`` in ``text`` only where ``other`` (a classmate's message) does not hold it in the same place."""
    import difflib

    pattern = _name_pattern(name)
    if pattern is None:
        return text
    text = unicodedata.normalize("NFC", text)
    mine = list(re.finditer(r"\w+|\W+", _fold(text)))
    theirs = [m.group() for m in re.finditer(r"\w+|\W+", _fold(unicodedata.normalize("NFC", other)))]
    kept: set[int] = set()
    matcher = difflib.SequenceMatcher(None, [m.group() for m in mine], theirs, autojunk=False)
    for block in matcher.get_matching_blocks():
        kept.update(mine[i].start() for i in range(block.a, block.a + block.size))
    pieces, pos = [], 0
    for m in pattern.finditer(_fold(text)):
        if m.start() in kept:
            continue
        pieces += [text[pos:m.start()], placeholder]
        pos = m.end()
    return "".join(pieces) + text[pos:] if pieces else text


def blank_name(text: str, name: str, placeholder: str = STUDENT) -> str:
    """``text`` with every whole-word occurrence of the student's ``name`` replaced by ``placeholder``.

    Whole words only, whatever the case and accents ("Ana", "ANA", "Ána" for
    ``ana``): never inside a word ("canales", "Mariana", "nueva" for ``eva``),
    nor as part of a longer name, file or identifier ("ana-maria", "ana_2",
    "ana.py"), nor where it is quoted as code (```max```, ``'max'``,
    ``max(``). A one-letter name is never blanked.
    """
    pattern = _name_pattern(name)
    if pattern is None or not text:
        return text
    text = unicodedata.normalize("NFC", text)
    haystack = _fold(text)
    pieces, pos = [], 0
    for m in pattern.finditer(haystack):
        pieces += [text[pos:m.start()], placeholder]
        pos = m.end()
    return "".join(pieces) + text[pos:] if pieces else text


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

    @property
    def qualified(self) -> str:
        """The id qualified by kind: ``tensors/add_batch_dim`` (exercise) or ``quiz:tensors/add_batch_dim``."""
        return f"quiz:{self.item}" if self.kind == "quiz" else self.item


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


def item_analysis(result: ClassResult) -> list[ItemStats]:
    """The class's item analysis, computed once and kept on ``result`` (every output reads this)."""
    if result.analysis is None:
        result.analysis = analyse(result)
    return result.analysis


def analyse(result: ClassResult) -> list[ItemStats]:
    """Every item of the class, in course order (exercises and questions as graded)."""
    totals = {s: (t.score, t.max_score) for s in result.students for t in [result.total(s)]}
    # Keyed by (kind, id): an exercise and a quiz question of the same id are two items.
    order: list[tuple[str, str, str]] = []
    rows: dict[tuple[str, str], dict[str, tuple[str, float, float, bool, str]]] = {}
    for s in result.students:
        for key, topic in result.results.get(s, {}).items():
            kind = "quiz" if key.startswith("quiz:") else "exercise"
            for item in topic.exercises:
                ident = (kind, item.id)
                if ident not in rows:
                    order.append((kind, item.id, key))
                    rows[ident] = {}
                if s in rows[ident]:
                    continue  # one student counts once per item, whatever a result holds
                rows[ident][s] = (s, item.score, item.max_score, item.status == PASSED,
                                  "" if item.status == PASSED else (item.feedback or item.status))
    for entries in rows.values():
        # "no tensors.py in ana" is one message for the class. A word that classmates' messages
        # for the item also hold is the course's text, not this student's name ("max" in
        # "'max' is wrong" for a student called Max): it stays.
        words = {s: set(re.findall(r"\w+", _fold(unicodedata.normalize("NFC", e[4]))))
                 for s, e in entries.items() if not e[3]}
        owners = Counter(w for ws in words.values() for w in ws)
        for s, e in entries.items():
            if e[3]:
                continue
            text = e[4]
            name = _fold(unicodedata.normalize("NFC", s.strip()))
            # Counted first, searched only then: a class of hundreds stays fast. The word count is a
            # cheap filter; mentions() (quoted code and compounds aside) decides.
            maybe = (owners[name] - (name in words[s]) > 0) if re.fullmatch(r"\w+", name) else True
            others = (entries[o][4] for o in words if o != s and mentions(entries[o][4], s)) if maybe else iter(())
            other = next(others, None)
            if other is None:
                text = blank_name(text, s)
            else:  # where a classmate's message has the same word in the same place, it is the course's
                text = _blank_unshared(text, s, other)
            entries[s] = (*e[:4], failure_message(text))
    out = []
    for kind, item_id, key in order:
        entries = list(rows[(kind, item_id)].values())
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
            item=item_id, kind=kind, key=key, students=n,
            passed=round(sum(got) / n, 4),
            mean_score=round(sum(e[1] / e[2] for e in entries if e[2]) / n, 4),
            discrimination=None if r is None else round(r, 4),
            upper=round(upper, 4), lower=round(lower, 4),
            flagged=n >= MIN_STUDENTS and r is not None and r < 0,
            failures=sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_FAILURES],
        ))
    return out
