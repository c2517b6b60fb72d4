"""What an instructor needs to trust a class's grades: one class of 30 mixed submissions, graded once.

The class cycles through every kind of submission of ``classbuilder.kinds()``
(correct ``.py`` and notebook, two mistakes, an untouched stub, a syntax
error, a binary file), plus two disguised copies of one distinctive solution
(``tests/copy_styles/tensors/loops.py``; the reference's tensors code is forced,
so copies of it cannot be told from honest work), a notebook
whose one broken cell stops a definition, and quiz answers in which the
strongest students miss ``game_agent`` and the weakest get it (a badly made
question, as item analysis should tell).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from classbuilder import REFERENCE, disguise, kinds, notebook, write_submission
from conftest import headless_dom
from torchdojo.classroom.batch import grade_class

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

STRONG = ("correct", "notebook")
WEAK = ("stub", "syntax", "binary")
BROKEN_CELL = notebook(REFERENCE.replace("def summarize(", "def summarize(:"))


def answers(kind: str) -> dict:
    strong = kind in STRONG
    return {"answers": {"game_agent": "a" if strong else "c",  # the strongest miss it
                        "customer_segments": "a" if strong else "b",
                        "house_prices": "d"}}


def build_class(root: Path, n: int = 30) -> dict[str, str]:
    names = list(kinds())
    who = {}
    for i in range(n - 3):
        kind = names[i % len(names)]
        student = f"s{i:02d}_{kind}"
        write_submission(root / student, kind)
        (root / student / "quiz_paradigms.json").write_text(json.dumps(answers(kind)), encoding="utf-8")
        who[student] = kind
    original = Path(__file__).resolve().parent / "copy_styles" / "tensors" / "loops.py"
    for salt, student in ((1, "x_copy_one"), (2, "x_copy_two")):
        (root / student).mkdir()
        (root / student / "tensors.py").write_text(disguise(original.read_text(encoding="utf-8"), salt),
                                                    encoding="utf-8")
        who[student] = "copy"
    (root / "z_broken_cell").mkdir()
    (root / "z_broken_cell" / "tensors.ipynb").write_text(BROKEN_CELL, encoding="utf-8")
    who["z_broken_cell"] = "broken_cell"
    return who


@pytest.fixture(scope="module")
def graded(class_executor, tmp_path_factory):
    root = tmp_path_factory.mktemp("class30")
    who = build_class(root)
    out = tmp_path_factory.mktemp("out30")
    result = grade_class(root, out=out, executor=class_executor, topics=["tensors", "quiz:paradigms"], lang="en")
    doc = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    return root, out, result, doc, who


def test_thirty_students_graded_and_copies_pass_like_their_original(graded):
    _, _, result, doc, who = graded
    assert len(result.students) == 30
    by = {s["student"]: s for s in doc["students"]}
    assert by["x_copy_one"]["score"] == by["x_copy_two"]["score"] == 11 == by["s00_correct"]["topics"][1]["score"]


def test_copies_are_in_grades_json_with_shared_passages(graded):
    _, _, _, doc, who = graded
    sim = doc["similarity"]
    assert sim["available"] and sim["threshold"] == 0.75
    (tensors,) = sim["topics"]
    pairs = {frozenset({p["a"], p["b"]}) for p in tensors["pairs"]}
    assert pairs == {frozenset({"x_copy_one", "x_copy_two"})}, pairs
    assert all(p["passages_a"] and p["passages_b"] for p in tensors["pairs"])
    # Every correct .py here is the reference itself, whose tensors code independent work writes too.
    forced = {e["exercise"] for e in tensors["exercises"] if e["forced"]}
    assert "tensors/add_batch_dim" in forced and "tensors/tensor_info" in forced
    assert "s04_stub" in tensors["skipped"] and "s06_binary" in tensors["skipped"]


def test_item_analysis_flags_the_question_the_strongest_miss(graded):
    _, _, _, doc, _ = graded
    items = {i["item"]: i for i in doc["item_analysis"]}
    assert {f"tensors/{e}" for e in ("seeded_rand", "add_batch_dim", "move_to")} <= set(items)
    bad, good = items["paradigms/game_agent"], items["paradigms/customer_segments"]
    assert bad["flagged"] and bad["discrimination"] < 0 and bad["upper"] < bad["lower"]
    assert not good["flagged"] and good["discrimination"] > 0
    assert items["tensors/add_batch_dim"]["failures"][0]["count"] >= 1
    assert 0 < items["tensors/add_batch_dim"]["passed"] < 1
    assert not any(i["flagged"] for k, i in items.items() if k.startswith("tensors/"))


def test_device_exercises_say_they_were_not_checked_on_a_gpu(graded):
    _, out, _, doc, _ = graded
    student = next(s for s in doc["students"] if s["student"] == "s00_correct")
    exercises = {e["id"]: e for t in student["topics"] for e in t["exercises"]}
    assert exercises["tensors/move_to"]["devices"] == ["cpu"]
    assert exercises["tensors/move_to"]["device_note"] == "graded on cpu; not checked on a GPU"
    assert "device_note" not in exercises["tensors/tensor_info"]  # not a device exercise
    assert "graded on cpu; not checked on a GPU" in (out / "feedback" / "s00_correct.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="devices"' in page and "tensors/move_to" in page


def test_full_marks_have_their_own_bin(graded):
    _, out, _, doc, _ = graded
    full = sum(1 for s in doc["students"] if s["percent"] == 100.0)
    page = (out / "report.html").read_text(encoding="utf-8")
    bins = dict(re.findall(r'data-bin="(\d+)" data-count="(\d+)"', page))
    assert len(bins) == 11 and int(bins["100"]) == full
    assert sum(map(int, bins.values())) == 30


def test_the_error_table_shows_the_cause_before_the_symptom(graded):
    _, out, _, _, _ = graded
    page = (out / "report.html").read_text(encoding="utf-8")
    errors = page[page.index('id="errors"'):]
    row = next(r for r in re.findall(r"<tr><td>z_broken_cell</td>.*?</tr>", errors))
    assert "syntax error" in row and row.index("syntax error") < row.index("does not define")


def test_report_in_a_real_browser_shows_item_analysis_and_copies(graded, tmp_path):
    _, out, _, _, _ = graded
    html, log = headless_dom(out / "report.html", tmp_path / "profile")
    assert 'id="n-students">30<' in html
    table = html[html.index('<table id="items"'):]
    table = table[: table.index("</table>")]
    assert table.count("<tr") >= 14 and "paradigms/game_agent" in table and 'class="flagged"' in table
    assert '<svg id="discrimination"' in html
    pairs = html[html.index('<table id="pairs"'):]
    assert "x_copy_one" in pairs[: pairs.index("</table>")]
    assert html.count('class="copy-pair"') == 1 and "<mark>" in html and 'class="note forced"' in html
    assert "CONSOLE" not in log, [line for line in log.splitlines() if "CONSOLE" in line]


def test_a_bug_only_a_gpu_shows_passes_on_the_cpu_and_the_note_says_so(class_executor, tmp_path):
    bug = REFERENCE.replace("    return t.to(device)", "    t.to(device)  # result thrown away\n    return t")
    assert bug != REFERENCE
    (tmp_path / "class" / "ana").mkdir(parents=True)
    (tmp_path / "class" / "ana" / "tensors.py").write_text(bug, encoding="utf-8")
    result = grade_class(tmp_path / "class", out=tmp_path / "out", executor=class_executor, topics=["tensors"],
                         lang="es")
    item = next(i for i in result.results["ana"]["tensors"].exercises if i.id == "tensors/move_to")
    assert item.status == "passed"  # CPU grading cannot see it...
    doc = json.loads((tmp_path / "out" / "grades.json").read_text(encoding="utf-8"))
    entry = next(e for e in doc["students"][0]["topics"][0]["exercises"] if e["id"] == "tensors/move_to")
    assert entry["device_note"] == "calificado en cpu; no se comprobó en una GPU"  # ...and says so
