"""Item analysis on a hand-built class: the point-biserial, the groups, the flag, the failure messages."""

from __future__ import annotations

import pytest

from torchdojo.classroom.analysis import analyse, failure_message, point_biserial
from torchdojo.classroom.batch import ClassResult
from torchdojo.report import ItemResult, TopicResult


def klass(rows: dict[str, dict[str, bool]]) -> ClassResult:
    """``{student: {item: got it}}`` -> a ClassResult with one quiz topic of 1-point items."""
    results = {}
    for student, items in rows.items():
        graded = [ItemResult(f"t/{i}", 1.0 if ok else 0.0, 1.0, "passed" if ok else "failed",
                             "" if ok else f"wrong in {student} (1 of 3 checks passed)") for i, ok in items.items()]
        results[student] = {"quiz:t": TopicResult.from_items("t", graded, kind="quiz")}
    return ClassResult(students=list(rows), topics=["quiz:t"], results=results)


def test_point_biserial_is_pearson_on_a_binary_variable():
    assert point_biserial([True, False, True, False], [90, 10, 80, 20]) == pytest.approx(0.9899, abs=1e-4)
    assert point_biserial([True, True, True], [1, 2, 3]) is None  # no variance: undefined
    assert point_biserial([True], [1]) is None


def test_the_item_the_strongest_miss_is_flagged():
    # s0..s5 from strongest to weakest on the good items; "odd" is got only by the weakest.
    rows = {}
    for k in range(6):
        rows[f"s{k}"] = {"a": k < 4, "b": k < 3, "c": k < 5, "odd": k >= 4}
    items = {s.item: s for s in analyse(klass(rows))}
    assert items["t/odd"].flagged and items["t/odd"].discrimination < 0
    assert items["t/odd"].upper == 0 and items["t/odd"].lower == 1
    for name in ("t/a", "t/b", "t/c"):
        assert not items[name].flagged and items[name].discrimination > 0, name
    assert items["t/a"].passed == round(4 / 6, 4)
    # per-student text and check counts are gone: one message for the whole class
    assert items["t/b"].failures == [("wrong in <student>", 3)]
    assert items["t/odd"].kind == "quiz" and items["t/odd"].key == "quiz:t"


def test_too_few_students_are_never_flagged():
    rows = {"s0": {"odd": False, "a": True}, "s1": {"odd": True, "a": False}}
    assert not any(s.flagged for s in analyse(klass(rows)))


def test_failure_messages_are_one_line_and_cut():
    assert failure_message("a\nb  (2 de 5 comprobaciones correctas)") == "a b"
    assert len(failure_message("x" * 1000)) == 160
