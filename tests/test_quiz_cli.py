"""``torchdojo quiz`` through the real CLI: subprocesses and a pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from torchdojo.course.quiz import grade_answers, load_bank, present
from torchdojo.course.quiz.model import Matching, MultipleSelect, Numeric, SingleChoice, TrueFalse
from torchdojo.course.quiz.shuffle import Shown

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"


def env(**extra: str) -> dict[str, str]:
    # English unless a test asks (error fragments below are English; --lang es is tested where named).
    e = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8",
         "NO_COLOR": "1", "COLUMNS": "200", "TORCHDOJO_LANG": "en"}
    e.pop("TORCHDOJO_CONTENT", None)
    e.update(extra)
    return e


def cli(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], input=stdin, env=env(**extra),
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("torchdojo: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def right(q: Any) -> Any:
    if isinstance(q, MultipleSelect):
        return sorted(q.answer)
    if isinstance(q, Matching):
        return dict(q.answer)
    return q.answer


# --- listing, templates, answer files -------------------------------------

def test_list_shows_every_topic_with_counts():
    for args in (["quiz"], ["quiz", "--list"]):
        proc = cli("--lang", "en", *args)
        assert proc.returncode == 0, proc.stderr
        for topic in ("why_ml", "paradigms", "tensors", "fc_nets", "cnns", "transfer_learning"):
            n = len(load_bank(topic).questions)
            assert re.search(rf"{topic}\s+{n} questions", proc.stdout), proc.stdout
    listed = json.loads(cli("quiz", "--list", "--json").stdout)
    assert [row["topic"] for row in listed][:2] == ["why_ml", "paradigms"]


def test_answers_json_report_and_progress(tmp_path):
    bank = load_bank("why_ml")
    answers = {q.id: right(q) for q in bank.questions[:5]}
    answers[bank.ids[5]] = "zz"  # unknown option: error
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"schema": "torchdojo.answers/1", "topic": "why_ml", "answers": answers}),
                    encoding="utf-8")
    proc = cli("--lang", "en", "quiz", "why_ml", "--answers", str(path), "--json", "--workspace", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["schema"] == "torchdojo.report/2" and report["lang"] == "en"
    topic = report["topics"][0]
    expected = grade_answers("why_ml", answers, "en")
    assert topic["topic"] == "why_ml" and topic["kind"] == "quiz"
    assert topic["score"] == expected.score == 5.0 and topic["max_score"] == len(bank.questions)
    statuses = {e["id"]: e["status"] for e in topic["exercises"]}
    assert statuses[f"why_ml/{bank.ids[5]}"] == "error"
    assert statuses[f"why_ml/{bank.ids[6]}"] == "not_attempted"
    progress = json.loads((tmp_path / ".torchdojo" / "progress.json").read_text(encoding="utf-8"))
    assert progress["items"]["quiz:why_ml"]["score"] == 5.0


def test_answers_human_output_and_topic_from_file(tmp_path):
    bank = load_bank("cnns")
    path = tmp_path / "answers.yaml"
    path.write_text("topic: cnns\nanswers:\n  conv_out_stride: 12\n  conv_out_valid: 31\n", encoding="utf-8")
    proc = cli("--lang", "es", "quiz", "--answers", str(path), "--workspace", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "✓ cnns/conv_out_stride  1/1" in proc.stdout
    assert "✗ cnns/conv_out_valid  0/1" in proc.stdout
    assert "Tu respuesta: 31" in proc.stdout
    assert f"Puntuación: 1 / {len(bank.questions)}" in proc.stdout


def test_unknown_question_ids_are_reported_not_scored(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": {"tax_bracket": "d", "made_up": 1}}), encoding="utf-8")
    proc = cli("--lang", "en", "quiz", "why_ml", "--answers", str(path), "--json", "--workspace", str(tmp_path))
    assert proc.returncode == 0
    assert "warning" in proc.stderr and "tax_bracket" in proc.stderr and "made_up" in proc.stderr
    assert "Traceback" not in proc.stderr
    topic = json.loads(proc.stdout)["topics"][0]
    assert len(topic["exercises"]) == len(load_bank("why_ml").questions)
    hinted = next(e for e in topic["exercises"] if e["id"] == "why_ml/tax_brackets")
    assert hinted["status"] == "not_attempted" and "'tax_bracket'" in hinted["feedback"]


@pytest.mark.parametrize("name,text,fragments", [
    ("bad.json", '{"answers": {"q": }', ["bad.json:1: invalid JSON"]),
    ("bad.yaml", "answers: [a, b\n", ["bad.yaml", "invalid YAML"]),
    ("list.json", "[1, 2]", ["must be a mapping with an 'answers' key"]),
    ("noanswers.yaml", "topic: why_ml\n", ["missing the 'answers' mapping"]),
    ("wrongtopic.json", '{"topic": "cnns", "answers": {}}', ["answers 'cnns', not 'why_ml'"]),
    ("schema.json", '{"schema": "x", "answers": {}}', ["schema must be"]),
])
def test_malformed_answer_files_exit_2_with_one_line(tmp_path, name, text, fragments):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proc = cli("quiz", "why_ml", "--answers", str(path), "--workspace", str(tmp_path))
    assert_one_line_error(proc, *fragments)
    assert not (tmp_path / ".torchdojo").exists()


def test_missing_answer_file_and_missing_topic(tmp_path):
    assert_one_line_error(cli("quiz", "why_ml", "--answers", str(tmp_path / "nope.json")), "no such answer file")
    path = tmp_path / "a.json"
    path.write_text('{"answers": {}}', encoding="utf-8")
    assert_one_line_error(cli("quiz", "--answers", str(path)), "no topic")


def test_unknown_topic_and_bad_flags():
    assert_one_line_error(cli("quiz", "nope"), "unknown quiz topic 'nope'")
    assert_one_line_error(cli("quiz", "why_ml", "--json"), "--json needs --answers")
    assert_one_line_error(cli("quiz", "--template"), "--template needs a TOPIC")
    proc = cli("quiz", "why_ml", "--seed", "1", "--student", "ana")
    assert proc.returncode == 2 and "not allowed with" in proc.stderr


def test_template_outputs(tmp_path):
    bank = load_bank("transfer_learning")
    proc = cli("--lang", "en", "quiz", "transfer_learning", "--template")
    assert proc.returncode == 0 and "schema: torchdojo.answers/1" in proc.stdout
    path = tmp_path / "t.yaml"
    path.write_text(proc.stdout, encoding="utf-8")
    graded = cli("quiz", "--answers", str(path), "--json", "--workspace", str(tmp_path))
    topic = json.loads(graded.stdout)["topics"][0]
    assert {e["status"] for e in topic["exercises"]} == {"not_attempted"}
    as_json = json.loads(cli("quiz", "transfer_learning", "--template", "--json").stdout)
    assert list(as_json["answers"]) == list(bank.ids)


def test_a_broken_bank_is_a_one_line_error(tmp_path):
    content = tmp_path / "content"
    (content / "quizzes").mkdir(parents=True)
    shutil.copy(ROOT / "course.toml", content / "course.toml")
    shutil.copytree(ROOT / "lessons", content / "lessons")  # the banks' section: ids are checked against it
    text = (ROOT / "quizzes" / "why_ml.yaml").read_text(encoding="utf-8")
    text = text.replace("  answer: c\n", "  answer: q\n", 1)
    (content / "quizzes" / "why_ml.yaml").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  answer: q") + 1
    proc = cli("quiz", "why_ml", "--template", TORCHDOJO_CONTENT=str(content))
    assert_one_line_error(proc, f"why_ml.yaml:{line}: question '", "'q' is not one of the options")


# --- the interactive quiz in a real pseudo-terminal --------------------------

def typed(shown: Shown, answer: Any) -> list[str]:
    """What a learner types for ``answer`` (stable ids) on a shown question."""
    letter = {oid: ch for ch, oid in shown.letters.items()}
    q = shown.question
    if isinstance(q, SingleChoice):
        return [letter[answer]]
    if isinstance(q, MultipleSelect):
        return [",".join(letter[a] for a in answer)]
    if isinstance(q, TrueFalse):
        return ["t" if answer else "f"]
    if isinstance(q, Matching):
        return [letter[answer[o.id]] for o in shown.left]
    assert isinstance(q, Numeric)
    return [str(answer)]


def answer_for(q: Any, n: int) -> Any:
    """Right on even questions, wrong or partly right on odd ones."""
    if n % 2 == 0:
        return right(q)
    if isinstance(q, SingleChoice):
        return next(o.id for o in q.options if o.id != q.answer)
    if isinstance(q, MultipleSelect):
        return sorted(q.answer)[:1] + [next(o.id for o in q.options if o.id not in q.answer)]
    if isinstance(q, TrueFalse):
        return not q.answer
    if isinstance(q, Matching):
        pairs = dict(q.answer)
        pairs[q.left[0].id] = next(o.id for o in q.right if o.id != q.answer[q.left[0].id])
        return pairs
    return q.answer + 2


# Every prompt of the English terminal quiz.
PROMPT = "(" + "|".join([
    r"Answer \(a-[a-z]\)> ",
    r"Letters, separated by spaces or commas \(a-[a-z]\)> ",
    r"True or false\? \(t/f\)> ",
    r"\d+ → letter \(a-[a-z]\)> ",
    r"Number> ",
]) + ")"


def spawn(tmp_path: Path, *args: str):
    pexpect = pytest.importorskip("pexpect", reason="pexpect comes with the test extra: pip install -e .[test]")
    child = pexpect.spawn(sys.executable, ["-m", "torchdojo", "--lang", "en", "quiz", *args,
                                           "--workspace", str(tmp_path)],
                          env=env(TERM="dumb"), encoding="utf-8", timeout=30, dimensions=(50, 200),
                          cwd=str(tmp_path))
    return pexpect, child


def test_interactive_quiz_in_a_pty_matches_grade_answers(tmp_path):
    pexpect, child = spawn(tmp_path, "why_ml", "--seed", "3")
    bank = load_bank("why_ml")
    order = present(bank, 3)
    answers: dict[str, Any] = {}
    try:
        for n, shown in enumerate(order):
            child.expect(r"Question (\d+)/(\d+)")
            assert (int(child.match.group(1)), int(child.match.group(2))) == (n + 1, len(order))
            answers[shown.question.id] = answer_for(shown.question, n)
            for line in typed(shown, answers[shown.question.id]):
                child.expect(PROMPT)
                child.sendline(line)
            child.expect(r"[✓~✗] (Correct|Partly right|Wrong)\.")
        child.expect(r"Score: ([\d.]+) / ([\d.]+) \((\d+) of (\d+) answered\)")
        score, max_score = float(child.match.group(1)), float(child.match.group(2))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    expected = grade_answers("why_ml", answers, "en")
    assert (score, max_score) == (expected.score, expected.max_score)
    assert 0 < score < max_score
    assert child.exitstatus == 0
    progress = json.loads((tmp_path / ".torchdojo" / "progress.json").read_text(encoding="utf-8"))
    assert progress["items"]["quiz:why_ml"]["score"] == expected.score


def test_interactive_ctrl_c_grades_what_was_answered_and_exits_130(tmp_path):
    pexpect, child = spawn(tmp_path, "paradigms", "--student", "ana")
    bank = load_bank("paradigms")
    from torchdojo.course.quiz import seed_for

    first = present(bank, seed_for(student="ana"))[0]
    try:
        child.expect("Question 1/")
        for line in typed(first, right(first.question)):
            child.expect(PROMPT)
            child.sendline(line)
        child.expect("Question 2/")
        child.expect(PROMPT)
        child.sendintr()
        child.expect("Quiz stopped")
        child.expect(r"Score: 1 / (\d+) \(1 of (\d+) answered\)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130, child.before
    lines = [line.strip() for line in (child.before or "").splitlines()]
    assert "torchdojo: interrupted" in lines and "Traceback" not in (child.before or "")
    progress = json.loads((tmp_path / ".torchdojo" / "progress.json").read_text(encoding="utf-8"))
    assert progress["items"]["quiz:paradigms"]["score"] == 1


def test_interactive_eof_stops_cleanly_in_a_pty(tmp_path):
    pexpect, child = spawn(tmp_path, "paradigms", "--student", "ana")
    bank = load_bank("paradigms")
    from torchdojo.course.quiz import seed_for

    first = present(bank, seed_for(student="ana"))[0]
    try:
        child.expect("Question 1/")
        child.expect(PROMPT)
        child.sendline("zz")  # unreadable: asked again
        child.expect("Cannot read 'zz'")
        for line in typed(first, right(first.question)):
            child.expect(PROMPT)
            child.sendline(line)
        child.expect("Question 2/")
        child.expect(PROMPT)
        child.sendeof()
        child.expect("Quiz stopped")
        child.expect(r"Score: 1 / (\d+) \(1 of (\d+) answered\)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
