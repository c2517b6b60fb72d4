"""Generated learner notebooks: in sync, deterministic, the same stubs, and checkable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from torchdojo.course import paths
from torchdojo.learner.check import check_workspace
from torchdojo.course.manifest import course
from torchdojo.learner.notebook import _is_runtime_cell, source_cells
from torchdojo.editions.notebooks import build
from torchdojo.text import nbjson
from torchdojo.editions.notebooks.split import split_solution

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]


def test_notebooks_are_in_sync():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "sync_content.py"), "--check"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert build.out_of_sync() == []


def test_every_topic_with_a_solution_has_a_valid_notebook():
    nbformat = pytest.importorskip("nbformat", reason="nbformat comes with the test extra: pip install -e .[test]")
    expected = build.expected_notebooks()
    assert paths.exercises_dir() / "notebooks" / "tensors.ipynb" in expected
    for topic in build.solution_topics():
        nbformat.validate(nbformat.read(build.notebook_path(topic), as_version=4))


def test_generation_is_deterministic_with_stable_ids():
    first, second = build.expected_notebooks(), build.expected_notebooks()
    assert first == second
    nb = json.loads(first[paths.exercises_dir() / "notebooks" / "tensors.ipynb"])
    ids = [c["id"] for c in nb["cells"]]
    # The intro, the lesson parts that come before every exercise, the imports, then the first exercise
    # (after the parts that prepare it).
    assert ids[:4] == ["lesson", "lesson-why_pytorch-es", "lesson-why_pytorch-en", "setup"]
    assert ids.index("lesson-what_is-es") < ids.index("tensor_info-md") < ids.index("tensor_info")
    assert "seeded_rand" in ids and "seeded_rand-check" in ids
    assert all(c.get("execution_count") is None and not c.get("outputs")
               for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("topic_id", [t.id for t in build.solution_topics()])
def test_stub_cells_are_the_stub_module(topic_id):
    """Setup and stub cells, joined, are exercises/<topic>.py (single source)."""
    topic = course().topic(topic_id)
    nb = json.loads(build.notebook_path(topic).read_text(encoding="utf-8"))
    stub_text = (paths.exercises_dir() / topic.module).read_text(encoding="utf-8")
    names = {e.name for e in topic.exercises}
    cells = [nbjson.cell_source(c) for c in nb["cells"] if c["id"] == "setup" or c["id"] in names]
    assert len(cells) == len(topic.exercises) + 1
    for cell in cells:
        assert cell in stub_text
    assert "### BEGIN SOLUTION" not in json.dumps(nb)


def test_split_rejects_a_missing_exercise():
    topic = course().topic("tensors")
    with pytest.raises(ValueError, match="no top-level definition"):
        split_solution("import torch\n\ndef tensor_info(t):\n    return {}\n", topic)


def test_runtime_cells_are_left_out():
    assert _is_runtime_cell('from torchdojo.learner.notebook import check\ncheck("tensors", globals())')
    assert _is_runtime_cell('check("tensors/seeded_rand", globals())')
    assert _is_runtime_cell("# t\n### BEGIN HIDDEN TESTS\nx\n### END HIDDEN TESTS")
    assert not _is_runtime_cell("def check(x):\n    return x")
    assert not _is_runtime_cell("def broken(:")
    ns = {"In": ["", "import torch", 'check("tensors", globals())', "x = 1"]}
    assert source_cells(ns) == ["import torch", "x = 1"]
    assert source_cells({"__name__": "tensors"}) is None


def test_a_notebook_with_check_cells_is_an_ordinary_submission(tmp_path, judge):
    """`torchdojo check` runs the check cells in the sandbox, where they do nothing."""
    topic = course().topic("tensors")
    module = build.split_topic(topic)
    nb = build.learner_notebook(module)
    answers = {p.exercise.name: p.answer for p in module.pieces}
    (tmp_path / "tensors.ipynb").write_text(nbjson.dumps(nb), encoding="utf-8")
    stub = check_workspace(tmp_path, ["tensors"], record=False, judge=judge, lang="en").topics[0]
    assert {e.status for e in stub.exercises} == {"not_attempted"}
    assert stub.notes == []
    for cell in nb["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    (tmp_path / "tensors.ipynb").write_text(nbjson.dumps(nb), encoding="utf-8")
    done = check_workspace(tmp_path, ["tensors"], record=False, judge=judge, lang="en").topics[0]
    assert done.score == done.max_score, [(e.id, e.feedback) for e in done.exercises if e.status != "passed"]


@pytest.mark.slow
def test_check_inside_a_running_kernel(monkeypatch):
    """A check cell in a real kernel shows what `torchdojo check` shows."""
    nbformat = pytest.importorskip("nbformat", reason="nbformat comes with the test extra: pip install -e .[test]")
    nbclient = pytest.importorskip("nbclient", reason="nbclient comes with the test extra: pip install -e .[test]")
    pytest.importorskip("ipykernel", reason="ipykernel comes with the test extra: pip install -e .[test]")
    monkeypatch.setenv("TORCHDOJO_LANG", "en")
    src = str(Path(build.__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", src)
    topic = course().topic("tensors")
    module = build.split_topic(topic)
    pieces = {p.exercise.name: p for p in module.pieces}
    cells = [
        nbjson.code("setup", module.setup),
        nbjson.code("ok", pieces["add_batch_dim"].answer),
        nbjson.code("magic", "%time y = 1"),
        nbjson.code("check-ok", build.check_code("tensors/add_batch_dim")),
        nbjson.code("stub", pieces["summarize"].stub),
        nbjson.code("check-stub", build.check_code("tensors/summarize")),
        nbjson.code("wrong", "def move_to(t, device):\n    return t.to(device).double()"),
        nbjson.code("check-wrong", build.check_code("tensors/move_to")),
        nbjson.code("raises", "def to_channels_last(x):\n    x = x.contiguous()\n"
                              "    return x.permute(0, 2, 3, 1) / 0 + {}"),
        nbjson.code("check-raises", build.check_code("tensors/to_channels_last")),
    ]
    nb = nbformat.reads(json.dumps(nbjson.notebook(cells)), as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute()

    def text(cell_id: str) -> str:
        cell = next(c for c in nb.cells if c.id == cell_id)
        return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.outputs)

    assert "tensors/add_batch_dim" in text("check-ok") and "passed" in text("check-ok")
    assert "not attempted" in text("check-stub")
    assert "failed" in text("check-wrong") and "expected dtype torch.float32" in text("check-wrong")
    # The cell that raised is named as Jupyter numbers it: it ran as In [9].
    assert "line 3 of tensors.ipynb, In [9]" in text("check-raises"), text("check-raises")
