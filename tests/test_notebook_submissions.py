"""`torchdojo check` grades `<module>.ipynb` like `<module>.py`."""

from __future__ import annotations

import json

from conftest import by_name, reference_source, statuses

from torchdojo.course.manifest import course
from torchdojo.editions.notebooks import build
from torchdojo.text import nbjson


def _notebook(*sources: str, raw_cells: list | None = None) -> str:
    cells = [nbjson.code(f"c{i}", src) for i, src in enumerate(sources)]
    cells.insert(0, nbjson.markdown("intro", "# A notebook"))
    nb = nbjson.notebook(cells)
    if raw_cells is not None:
        nb["cells"] += raw_cells
    return nbjson.dumps(nb)


def _pieces() -> dict:
    return {p.exercise.name: p for p in build.split_topic(course().topic("tensors")).pieces}


def test_correct_notebook_gets_full_marks(grade):
    result = grade(_notebook(reference_source("tensors")), name="tensors.ipynb")
    assert result.source == "tensors.ipynb"
    assert result.score == result.max_score
    assert set(statuses(result).values()) == {"passed"}


def test_generated_notebook_with_answers_gets_full_marks(grade):
    """The learner notebook, stubs replaced by the answers, cell by cell (check cells included)."""
    module = build.split_topic(course().topic("tensors"))
    nb = build.learner_notebook(module)
    answers = {p.exercise.name: p.answer for p in module.pieces}
    for cell in nb["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    result = grade(nbjson.dumps(nb), name="tensors.ipynb")
    assert result.score == result.max_score
    assert result.notes == []


def test_magics_are_handled_as_jupyter_runs_them(grade):
    p = _pieces()
    result = grade(_notebook(
        "!pip install torchdojo\n%matplotlib inline\nimport torch",
        "%%bash\necho this cell is not Python",
        "%time z = 1\n" + p["add_batch_dim"].answer,
        "  !ls -l\n" + p["move_to"].answer,  # a first line's indentation goes, as in IPython
        "%%capture\n" + p["to_channels_last"].answer,  # the body of %%capture is Python: it runs
        "%%time\nif True:\n    %time w = 2\n    !echo shell inside a block\n" + p["flatten_images"].answer,
    ), name="tensors.ipynb")
    s = statuses(result)
    for name in ("add_batch_dim", "move_to", "to_channels_last", "flatten_images"):
        assert s[name] == "passed", (name, s)
    assert s["summarize"] == "not_attempted" or s["summarize"] == "error"
    assert result.notes == []  # nothing failed: no magic line reached Python


def test_a_cell_magic_keeps_the_functions_it_defines_and_their_errors_name_the_cell(grade):
    result = grade(_notebook(
        "import torch",
        "%%time\ndef summarize(t):\n    return {'min': 1/0}",
    ), name="tensors.ipynb")
    feedback = next(e.feedback for e in result.exercises if e.id.endswith("/summarize"))
    assert "ZeroDivisionError" in feedback and "code cell 2" in feedback, feedback


def test_a_failing_cell_does_not_hide_later_cells(grade):
    p = _pieces()
    result = grade(_notebook(
        "import torch",
        p["add_batch_dim"].answer,
        "raise ValueError('boom')",
        "def broken(:\n    pass",
        p["move_to"].answer,
    ), name="tensors.ipynb")
    s = statuses(result)
    assert s["add_batch_dim"] == "passed" and s["move_to"] == "passed"
    assert len(result.notes) == 2
    assert any("boom" in n for n in result.notes)
    assert any("syntax" in n for n in result.notes)


def test_list_and_string_sources_and_other_cell_types(grade):
    p = _pieces()
    raw = [{"cell_type": "raw", "metadata": {}, "source": "not python"},
           {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
            "source": p["add_batch_dim"].answer.splitlines(keepends=True)}]
    result = grade(_notebook("import torch", raw_cells=raw), name="tensors.ipynb")
    assert statuses(result)["add_batch_dim"] == "passed"


def test_corrupt_notebook_gives_one_line_error_per_exercise(grade):
    for data in (b"{not json", b"\x00\x01\x02binary", json.dumps({"nbformat": 4}).encode(), b""):
        result = grade(data, name="tensors.ipynb")
        assert result.score == 0
        assert len(result.exercises) == len(course().topic("tensors").exercises)
        for item in result.exercises:
            assert item.status == "error", (data, item)
            assert item.feedback and "\n" not in item.feedback
            assert "tensors.ipynb" in item.feedback


def test_py_wins_over_ipynb(grade):
    result = grade(reference_source("tensors"), extra={"tensors.ipynb": "{not json"})
    assert result.source == "tensors.py" and result.score == result.max_score
    assert by_name(result, "summarize").status == "passed"
