"""Every class output reads as ids and text, never as a Python object's repr.

A class with every status (passed, failed, error, timeout, crashed, not
attempted, a quiz answered and one not) is written out in both languages by
the real exporters; every file is read back and searched for what a repr
looks like (``<built-in method ...>``, ``... at 0x...``, ``object at``).
"""

from __future__ import annotations

import re

import pytest

from torchdojo.course import quiz
from torchdojo.classroom.result import ClassResult
from torchdojo.classroom.exports import write_all
from torchdojo.course.manifest import course
from torchdojo.wire.report import CRASHED, ERROR, FAILED, NOT_ATTEMPTED, PASSED, TIMEOUT, ItemResult, TopicResult

REPR = re.compile(r"<built-in|<bound method|<function |\bat 0x[0-9a-f]+|object at|<class '")
STATUSES = (PASSED, FAILED, ERROR, TIMEOUT, CRASHED, NOT_ATTEMPTED)


def every_status_class(lang: str) -> ClassResult:
    topic = course().topic("tensors")
    exercises = topic.exercises
    results: dict[str, dict[str, TopicResult]] = {}
    for n, status in enumerate(STATUSES):
        items = []
        for i, ex in enumerate(exercises):
            st = status if i % 2 == 0 else STATUSES[(n + i) % len(STATUSES)]
            score = ex.points if st == PASSED else 0.0
            items.append(ItemResult(ex.id, score, ex.points, st, f"{st}: line one\nline two"))
        results[f"student_{status}"] = {"tensors": TopicResult.from_items("tensors", items, source="tensors.py",
                                                                          duration_s=0.5 + n)}
    answered = quiz.grade_answers("paradigms", {"game_agent": "c"}, lang)
    unanswered = quiz.grade_answers("paradigms", {}, lang)
    for i, s in enumerate(results):
        results[s]["quiz:paradigms"] = answered if i % 2 == 0 else unanswered
    students = list(results)
    return ClassResult(students=students, topics=["tensors", "quiz:paradigms"], results=results,
                       errors={"student_crashed": "could not read the zip: bad header"})


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_output_shows_ids_and_text_never_a_repr(tmp_path, lang):
    result = every_status_class(lang)
    result.out = tmp_path
    written = write_all(result, course(), lang)
    assert tmp_path / "report.html" in written
    texts = {p: p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file()}
    assert len(texts) >= 8
    for path, text in texts.items():
        assert not REPR.search(text), f"{path.name}: {REPR.search(text).group(0)!r}"
    report = texts[tmp_path / "report.html"]
    # The errors table names the exercise ids it counts, and its statuses in the report's language.
    section = report.split('id="errors"', 1)[1].split("<h2", 1)[0]
    assert "tensors/" in section
    for status in (ERROR, TIMEOUT, CRASHED):
        label = {"es": {"error": "error", "timeout": "tiempo agotado", "crashed": "proceso caído"},
                 "en": {"error": "error", "timeout": "timeout", "crashed": "crashed"}}[lang][status]
        assert f"<td>{label}</td>" in section, (status, section[:2000])


def test_feedback_points_stay_on_one_line(tmp_path):
    result = every_status_class("en")
    result.out = tmp_path
    write_all(result, course(), "en")
    page = (tmp_path / "feedback").glob("*.html")
    html = next(iter(page)).read_text(encoding="utf-8")
    assert ".pts{white-space:nowrap}" in html and '<td class="pts">' in html


@pytest.mark.process
def test_the_report_as_a_browser_shows_it(tmp_path):
    from conftest import headless_dom

    result = every_status_class("es")
    result.out = tmp_path / "out"
    result.out.mkdir()
    write_all(result, course(), "es")
    dom, _ = headless_dom(result.out / "report.html", tmp_path / "profile")
    section = dom.split('id="errors"', 1)[1].split("<h2", 1)[0]
    assert "tensors/" in section and "tiempo agotado" in section
    assert not REPR.search(dom)
