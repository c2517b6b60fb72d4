"""The real nbgrader on an exported topic agrees with ``torchdojo check`` point for point.

``torchdojo nbgrader source`` -> ``nbgrader generate_assignment`` -> three
students hand in (correct, mistaken, broken) -> ``nbgrader autograde`` -> the
gradebook's per-cell points equal torchdojo's per-exercise and per-question points
for the same notebooks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import torchdojo
from torchdojo.learner.check import check_workspace
from torchdojo.course.manifest import course
from torchdojo.learner.notebook import QUIZ_VARIABLE
from torchdojo.text import nbjson
from torchdojo.editions.notebooks.build import split_topic
from torchdojo.editions.notebooks.nbgrader_source import write_source
from torchdojo.editions.notebooks.quizcells import answer_line, answer_value
from torchdojo.course.quiz import grade_answers, load_bank
from torchdojo.course.quiz.model import MultipleSelect, Numeric, SingleChoice, TrueFalse

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader comes with the test extra: pip install -e .[test]")
pytest.importorskip("ipykernel", reason="ipykernel comes with the test extra: pip install -e .[test]")

TOPIC = "tensors"
SRC = str(Path(torchdojo.__file__).resolve().parent.parent)

MISTAKES = {
    "seeded_rand": (
        'def seeded_rand(shape, seed, *, device="cpu"):\n'
        "    torch.manual_seed(seed)  # changes the global RNG: the grader notices\n"
        "    return torch.rand(tuple(shape), device=device)"),
    "summarize": (
        "def summarize(t):\n"
        "    f = t.double()\n"
        '    return {"min": float(f.min()), "max": float(f.max()), "mean": float(f.sum()),\n'
        '            "sum": float(f.sum()), "argmax": int(t.flatten().argmax())}'),
    "to_channels_last": (
        "def to_channels_last(x):\n"
        "    return x.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1])"),
}
BROKEN = {
    "tensor_info": "def tensor_info(t)\n    return {}",              # a syntax error
    "make_range_matrix": "import torch\n1 / 0",                       # a cell that raises
    "add_batch_dim": "%time x = 1\n!echo hi\ndef add_batch_dim(x):\n    return x.unsqueeze(0)",
}


def _answers(kind: str) -> dict:
    bank = load_bank(TOPIC)
    out = {}
    wrong_single = partial_multiple = wrong_number = wrong_bool = False
    for q in bank.questions:
        right = answer_value(q)
        if kind == "correct":
            out[q.id] = right
        elif kind == "mistaken":
            if isinstance(q, SingleChoice) and not wrong_single:
                out[q.id], wrong_single = next(o.id for o in q.options if o.id != q.answer), True
            elif isinstance(q, MultipleSelect) and len(q.answer) > 1 and not partial_multiple:
                out[q.id], partial_multiple = sorted(q.answer)[:1], True
            elif isinstance(q, Numeric) and not wrong_number:
                out[q.id], wrong_number = q.answer + 1000, True
            elif isinstance(q, TrueFalse) and not wrong_bool:
                out[q.id], wrong_bool = not q.answer, True
            else:
                out[q.id] = right
        elif kind == "broken" and isinstance(q, SingleChoice) and not wrong_single:
            out[q.id], wrong_single = 42, True  # the wrong type: an error, zero
    return out


def _submission(release: dict, kind: str) -> tuple[dict, dict]:
    """A student's notebook from the released one, and the quiz answers in it."""
    pieces = {p.exercise.name: p for p in split_topic(course().topic(TOPIC)).pieces}
    answers = _answers(kind)
    bank = load_bank(TOPIC)
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        cid = cell["id"]
        if cid.endswith("_code") and cid[:-5] in pieces:
            name = cid[:-5]
            if kind == "correct":
                cell["source"] = pieces[name].answer
            elif kind == "mistaken":
                cell["source"] = MISTAKES.get(name, pieces[name].answer)
            elif name in BROKEN:
                cell["source"] = BROKEN[name]
        elif cid.startswith("quiz_") and cid.endswith("_answer"):
            qid = cid[len("quiz_"):-len("_answer")]
            if qid in answers:
                cell["source"] = answer_line(bank.question(qid), answers[qid])
    return nb, answers


def _run(args: list[str], cwd: Path, env: dict) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.mark.slow
def test_nbgrader_autograde_agrees_with_torchdojo(tmp_path, judge):
    started = time.perf_counter()
    root = tmp_path / "course"
    write_source(root, [TOPIC])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH", "")) if p))
    _run(["generate_assignment", TOPIC, "--force"], root, env)
    release = json.loads((root / "release" / TOPIC / f"{TOPIC}.ipynb").read_text(encoding="utf-8"))
    text = json.dumps(release)
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text

    students = {"ana": "correct", "ben": "mistaken", "cai": "broken"}
    answers = {}
    for sid, kind in students.items():
        nb, answers[sid] = _submission(release, kind)
        folder = root / "submitted" / sid / TOPIC
        folder.mkdir(parents=True)
        (folder / f"{TOPIC}.ipynb").write_text(nbjson.dumps(nb), encoding="utf-8")
    _run(["autograde", TOPIC, "--force"], root, env)
    print(f"nbgrader export + generate_assignment + autograde (3 students): {time.perf_counter() - started:.1f} s")

    topic = course().topic(TOPIC)
    bank = load_bank(TOPIC)
    with nbgrader_api.Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sid, kind in students.items():
            report = check_workspace(root / "submitted" / sid / TOPIC, [TOPIC], record=False, judge=judge,
                                     lang="en")
            ours = {e.id.split("/")[1]: e.score for e in report.topics[0].exercises}
            quiz = {e.id.split("/")[1]: e.score for e in grade_answers(TOPIC, answers[sid], "en").exercises}
            theirs = {ex.name: gb.find_grade(f"test_{ex.name}", TOPIC, TOPIC, sid).score for ex in topic.exercises}
            theirs_quiz = {q.id: gb.find_grade(f"quiz_{q.id}", TOPIC, TOPIC, sid).score for q in bank.questions}
            total = gb.find_submission_notebook(TOPIC, TOPIC, sid).score
            print(f"{sid} ({kind}): nbgrader {total:g}, torchdojo {report.score:g} + quiz {sum(quiz.values()):g}")
            assert theirs == pytest.approx(ours, abs=1e-4), (sid, theirs, ours)
            assert theirs_quiz == pytest.approx(quiz, abs=1e-4), (sid, theirs_quiz, quiz)
            assert total == pytest.approx(report.score + sum(quiz.values()), abs=1e-3)
            if kind == "correct":
                assert total == pytest.approx(topic_points(topic) + bank.max_score)
            else:
                assert 0 < total < topic_points(topic) + bank.max_score


def topic_points(topic) -> float:
    return sum(e.points for e in topic.exercises)


def test_export_writes_valid_nbgrader_metadata(tmp_path):
    import nbformat
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3  # the real validator

    result = write_source(tmp_path, None)
    notebooks = [p for p in result.written if p.suffix == ".ipynb"]
    assert {p.parent.name for p in notebooks} >= {"why_ml", "paradigms", TOPIC}
    validator = MetadataValidatorV3()
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        validator.validate_nb(nb)
        grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
        assert len(grade_ids) == len(set(grade_ids))
    config = (tmp_path / "nbgrader_config.py").read_text(encoding="utf-8")
    assert 'raise NotImplementedError("TODO")' in config
    # Deterministic: exporting twice gives the same bytes.
    again = write_source(tmp_path / "again", None)
    for a, b in zip(result.written, again.written):
        if a.suffix == ".ipynb":
            assert a.read_bytes() == b.read_bytes()


def test_points_match_the_manifest(tmp_path):
    write_source(tmp_path, [TOPIC])
    nb = json.loads((tmp_path / "source" / TOPIC / f"{TOPIC}.ipynb").read_text(encoding="utf-8"))
    points = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
              for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    topic = course().topic(TOPIC)
    for ex in topic.exercises:
        assert points.pop(f"test_{ex.name}") == ex.points
    assert sum(points.values()) == load_bank(TOPIC).max_score
    assert QUIZ_VARIABLE in json.dumps(nb)


def test_source_notebook_is_an_ordinary_full_marks_submission(tmp_path, judge):
    """The instructor's notebook (solutions and hidden tests in it) passes `torchdojo check`:
    the hidden test cells do nothing outside a kernel."""
    write_source(tmp_path, [TOPIC])
    folder = tmp_path / "source" / TOPIC
    report = check_workspace(folder, [TOPIC], record=False, judge=judge, lang="en")
    topic = report.topics[0]
    assert topic.score == topic.max_score and topic.notes == []


def test_cli_source(tmp_path, capsys):
    from torchdojo.cli.main import main

    assert main(["nbgrader", "source", str(tmp_path / "c"), "--topic", "tensors", "--lang", "en"]) == 0
    assert (tmp_path / "c" / "source" / "tensors" / "tensors.ipynb").is_file()
    captured = capsys.readouterr()
    assert "nbgrader generate_assignment" in captured.out and captured.err == ""
    assert main(["nbgrader", "source", str(tmp_path / "d"), "--topic", "nope", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown topic 'nope'" in err


def test_the_old_export_verb_says_it_was_renamed_and_still_works(tmp_path, capsys):
    from torchdojo.cli.main import main

    assert main(["nbgrader", "export", str(tmp_path / "c"), "--topic", "tensors", "--lang", "en"]) == 0
    assert (tmp_path / "c" / "source" / "tensors" / "tensors.ipynb").is_file()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'nbgrader export' is now 'nbgrader source'" in err


@pytest.mark.slow
def test_generate_assignment_for_every_topic_gives_the_stubs(tmp_path):
    """nbgrader's own release of every topic: stub cells equal exercises/<topic>.py's, nothing hidden left."""
    from torchdojo.editions.notebooks.build import solution_topics

    root = tmp_path / "course"
    result = write_source(root, None, assignment="all")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH", "")) if p))
    _run(["generate_assignment", "all", "--force"], root, env)
    released = sorted((root / "release" / "all").glob("*.ipynb"))
    assert [p.name for p in released] == sorted(p.name for p in result.written if p.suffix == ".ipynb")
    for topic in solution_topics():
        nb = json.loads((root / "release" / "all" / f"{topic.module_name}.ipynb").read_text(encoding="utf-8"))
        cells = {c["id"]: nbjson.cell_source(c) for c in nb["cells"]}
        for piece in split_topic(topic).pieces:
            assert cells[f"{piece.exercise.name}_code"] == piece.stub, piece.exercise.id
    for path in released:
        text = path.read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        sources = "\n".join(nbjson.cell_source(c) for c in json.loads(text)["cells"])
        for q in load_bank(path.stem).questions:
            assert answer_line(q, answer_value(q)) not in sources, (path.stem, q.id)
            assert f'quiz_answers["{q.id}"] = ...' in sources  # the template line students keep
