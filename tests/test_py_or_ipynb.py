"""A topic handed in both as ``<module>.py`` and ``<module>.ipynb``: the changed one is graded, and it is said.

Real files: the course's own stub and generated notebook, a learner's edits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import reference_source
from torchdojo.classroom.layout import ClassLayout
from torchdojo.text.i18n import tr
from torchdojo.course.manifest import course
from torchdojo.course.stubs import stub_path
from torchdojo.judge.submission import choose_submission

SRC = str(Path(__file__).resolve().parents[1] / "src")
TOPIC = course().topic("tensors")


def notebook_with(cell: str) -> str:
    """The course's generated notebook with one more code cell (the learner's work) at the end."""
    nb = json.loads(stub_path(TOPIC, "ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": cell})
    return json.dumps(nb)


def resaved(text: str) -> str:
    """What Jupyter does to an untouched notebook on save: outputs, counts, metadata; no code changes."""
    nb = json.loads(text)
    nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = n + 1
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ok\n"}]
    return json.dumps(nb, indent=2)


def both(folder: Path, py: str | None = None, nb: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tensors.py").write_text(py or stub_path(TOPIC).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "tensors.ipynb").write_text(nb or stub_path(TOPIC, "ipynb").read_text(encoding="utf-8"),
                                          encoding="utf-8")


def test_the_changed_notebook_beside_the_stub_is_chosen_and_said(tmp_path):
    both(tmp_path, nb=notebook_with("def summarize(t):\n    return {}\n"))
    path, why = choose_submission(tmp_path, TOPIC)
    assert path.name == "tensors.ipynb" and why
    assert tr("en", why[0], **why[1]) == ("both tensors.py and tensors.ipynb are here: graded tensors.ipynb, "
                                          "the one you changed (tensors.py is as it was given)")
    assert tr("es", why[0], **why[1]).startswith("están tensors.py y tensors.ipynb: se calificó tensors.ipynb")


def test_the_changed_module_beside_a_resaved_notebook_is_chosen(tmp_path):
    # Opening and saving the notebook in Jupyter changes its bytes, not its code: it is not the work.
    both(tmp_path, py=reference_source("tensors"),
         nb=resaved(stub_path(TOPIC, "ipynb").read_text(encoding="utf-8")))
    path, why = choose_submission(tmp_path, TOPIC)
    assert path.name == "tensors.py" and "graded tensors.py" in tr("en", why[0], **why[1])


def test_both_changed_the_last_saved_and_neither_the_module(tmp_path):
    both(tmp_path / "a", py=reference_source("tensors"), nb=notebook_with("x = 1\n"))
    later = time.time() + 5
    os.utime(tmp_path / "a" / "tensors.py", (later, later))
    path, why = choose_submission(tmp_path / "a", TOPIC)
    assert path.name == "tensors.py" and "delete or rename tensors.ipynb" in tr("en", why[0], **why[1])
    both(tmp_path / "b")
    assert choose_submission(tmp_path / "b", TOPIC) == (tmp_path / "b" / "tensors.py", None)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "tensors.ipynb").write_text("{}", encoding="utf-8")
    assert choose_submission(tmp_path / "c", TOPIC) == (tmp_path / "c" / "tensors.ipynb", None)


def test_a_hand_in_with_both_grades_the_changed_one(tmp_path):
    both(tmp_path / "class" / "ana", nb=notebook_with("def summarize(t):\n    return {}\n"))
    both(tmp_path / "class" / "bea", py=reference_source("tensors"))
    with ClassLayout(tmp_path / "class", course()) as layout:
        students = {s.student: s for s in layout.students()}
    assert students["ana"].modules["tensors"].name == "tensors.ipynb" and "tensors" in students["ana"].choices
    assert students["bea"].modules["tensors"].name == "tensors.py" and "tensors" in students["bea"].choices


@pytest.mark.process
def test_start_format_ipynb_then_check_grades_the_notebook_and_says_so(tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC, "TORCHDOJO_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("TORCHDOJO_WORKSPACE", None)
    ws = tmp_path / "ws"
    started = subprocess.run([sys.executable, "-m", "torchdojo", "start", str(ws), "--format", "ipynb"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    made = sorted(p.name for p in ws.iterdir() if p.is_file())
    assert made == sorted(f"{t.module_name}.ipynb" for t in course().exercise_topics)
    assert (ws / ".torchdojo" / "workspace.json").is_file()
    # The learner also has the .py stub (an earlier 'start'), and works in the notebook.
    shutil.copy(stub_path(TOPIC), ws / "tensors.py")
    (ws / "tensors.ipynb").write_text(notebook_with(reference_source("tensors")), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "check", "tensors", "-w", str(ws), "--device", "cpu",
                           "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    topic = json.loads(proc.stdout)["topics"][0]
    assert topic["source"] == "tensors.ipynb" and topic["score"] == topic["max_score"] == 11
    assert sum("graded tensors.ipynb, the one you changed" in n for n in topic["notes"]) == 1, topic["notes"]


def test_a_broken_notebook_never_replaces_a_written_module(tmp_path):
    both(tmp_path, py=reference_source("tensors"), nb="{not json")
    later = time.time() + 5
    os.utime(tmp_path / "tensors.ipynb", (later, later))
    assert choose_submission(tmp_path, TOPIC)[0].name == "tensors.py"
