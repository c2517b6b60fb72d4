"""Every class step after grading is bounded: one that fails or runs out of time is said, the others are written."""

from __future__ import annotations

import json
import time

import pytest

from torchdojo.classroom import steps
from torchdojo.classroom.result import ClassResult
from torchdojo.classroom.exports import write_all
from torchdojo.course.manifest import course
from torchdojo.wire.report import ItemResult, TopicResult


def test_a_step_that_runs_past_its_time_or_fails_is_one_line():
    with pytest.raises(steps.StepFailed, match=r"^slow did not finish within 0.2 s$"):
        steps.bounded(lambda: time.sleep(3), "slow", seconds=0.2)
    with pytest.raises(steps.StepFailed, match=r"^big failed: MemoryError: no room$"):
        steps.bounded(lambda: (_ for _ in ()).throw(MemoryError("no room")), "big", seconds=5)
    assert steps.bounded(lambda: 42, "quick", seconds=5) == 42


def test_an_output_that_hangs_leaves_every_other_output_and_a_note(tmp_path, monkeypatch):
    # An instructor's report template that loops for a long time: report.html must not stop the run.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text("{% for i in range(30000000) %}{% endfor %}done", encoding="utf-8")
    monkeypatch.setattr(steps, "STEP_TIME_LIMIT_S", 0.2)  # the loop takes over a second
    items = [ItemResult("tensors/add_batch_dim", 1.0, 1.0, "passed", "")]
    result = ClassResult(students=["ana"], topics=["tensors"], out=tmp_path / "out",
                         results={"ana": {"tensors": TopicResult.from_items("tensors", items)}})
    start = time.monotonic()
    written = write_all(result, course(), "en", templates=templates)
    assert time.monotonic() - start < 15
    names = {p.name for p in written}
    assert {"grades.csv", "grades_long.csv", "canvas.csv", "moodle.csv", "grades.json", "report.html"} <= names
    assert result.notes == ["report.html did not finish within 0.2 s"]
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "report.html did not finish within 0.2 s" in page
    doc = json.loads((tmp_path / "out" / "grades.json").read_text(encoding="utf-8"))
    assert doc["item_analysis"][0]["students"] == 1
