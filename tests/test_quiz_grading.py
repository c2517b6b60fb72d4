"""Scoring rules, answer files, templates, shuffling, and the interactive quiz
agreeing with answer-file grading."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from torchdojo.text.errors import UserError
from torchdojo.course.quiz import (
    answer_template, grade, grade_answers, load_all_banks, load_answer_file, load_bank, parse_bank,
    present, run_interactive, score_answer, seed_for,
)
from torchdojo.course.quiz.grading import MISSING
from torchdojo.course.quiz.model import Bank, Matching, MultipleSelect, Numeric, Question, SingleChoice, TrueFalse
from torchdojo.course.quiz.shuffle import Shown
from torchdojo.wire.report import Report

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = Path(__file__).resolve().parents[1] / "src"

DEMO = """\
format_version: 1
topic: demo
questions:
- id: one
  kind: single
  difficulty: 1
  tags: [demo]
  text: {es: ¿Cuál?, en: Which one?}
  options:
  - {id: a, es: Uno, en: One}
  - id: b
    es: Dos
    en: Two
    why: {es: El dos engaña, en: Two is a trap}
  - {id: c, es: Tres, en: Three}
  answer: a
  explanation: {es: Explicación uno, en: Explanation one}
- id: many
  kind: multiple
  difficulty: 1
  tags: [demo]
  text: {es: ¿Cuáles?, en: Which ones?}
  options:
  - {id: a, es: A, en: A}
  - {id: b, es: B, en: B, why: {es: B no, en: Not B}}
  - {id: c, es: C, en: C}
  - {id: d, es: D, en: D}
  answer: [a, c]
  explanation: {es: Explicación varias, en: Explanation many}
- id: three_right
  kind: multiple
  difficulty: 2
  points: 3
  tags: [demo]
  text: {es: ¿Cuáles tres?, en: Which three?}
  options:
  - {id: a, es: A, en: A}
  - {id: b, es: B, en: B}
  - {id: c, es: C, en: C}
  - {id: d, es: D, en: D}
  - {id: e, es: E, en: E}
  answer: [a, b, c]
  explanation: {es: Tres correctas, en: Three right}
- id: statement
  kind: true_false
  difficulty: 1
  tags: [demo]
  text: {es: Es cierto, en: It is true}
  answer: true
  explanation: {es: Lo es, en: It is}
- id: pairs
  kind: matching
  difficulty: 2
  tags: [demo]
  text: {es: Relaciona, en: Match}
  left:
  - {id: l1, es: I1, en: L1}
  - {id: l2, es: I2, en: L2}
  - {id: l3, es: I3, en: L3}
  - {id: l4, es: I4, en: L4}
  - {id: l5, es: I5, en: L5}
  right:
  - {id: x, es: X, en: X}
  - {id: y, es: Y, en: Y}
  - {id: z, es: Z, en: Z}
  answer: {l1: x, l2: y, l3: x, l4: z, l5: y}
  explanation: {es: Parejas, en: Pairs}
- id: rel
  kind: numeric
  difficulty: 1
  tags: [demo]
  text: {es: Relativo, en: Relative}
  answer: 4
  tolerance: {rel: 0.05}
  explanation: {es: Cuatro, en: Four}
- id: absolute
  kind: numeric
  difficulty: 1
  tags: [demo]
  text: {es: Absoluto, en: Absolute}
  answer: 10
  tolerance: {abs: 0.5}
  explanation: {es: Diez, en: Ten}
- id: both
  kind: numeric
  difficulty: 1
  tags: [demo]
  text: {es: Ambos, en: Both}
  answer: 100
  tolerance: {abs: 1, rel: 0.1}
  explanation: {es: Cien, en: A hundred}
- id: exact
  kind: numeric
  difficulty: 1
  tags: [demo]
  text: {es: Exacto, en: Exact}
  answer: 12
  explanation: {es: Doce, en: Twelve}
"""


@pytest.fixture(scope="module")
def demo() -> Bank:
    return parse_bank(DEMO, Path("demo.yaml"))


def frac(bank: Bank, qid: str, given: Any) -> float:
    return score_answer(bank.question(qid), given).fraction


def status(bank: Bank, qid: str, given: Any) -> str:
    return score_answer(bank.question(qid), given).status


# --- scoring rules ---------------------------------------------------------

def test_single_choice(demo):
    assert (frac(demo, "one", "a"), status(demo, "one", "a")) == (1.0, "passed")
    assert (frac(demo, "one", "b"), status(demo, "one", "b")) == (0.0, "failed")


@pytest.mark.parametrize("picks,expected", [
    (["a", "c"], 1.0),
    (["c", "a"], 1.0),
    (["a", "c", "a"], 1.0),  # a repeated pick counts once
    # 2 right of 4: one box alone decides 3 of 4 right, so anything short of the key is guessing
    (["a"], 0.0),
    (["a", "b"], 0.0),
    (["a", "b", "c"], 0.0),
    (["a", "b", "c", "d"], 0.0),
    (["b", "d"], 0.0),  # floored at 0, not -1
    (["b"], 0.0),
])
def test_multiple_select_partial_credit(demo, picks, expected):
    assert frac(demo, "many", picks) == expected


def test_multiple_select_rounding_and_points(demo):
    q = demo.question("three_right")
    # 3 right, 2 wrong: every box (or one right box) decides 3 of 5 right; only decisions beyond 3 count.
    assert frac(demo, "three_right", ["a", "b"]) == 0.5
    assert frac(demo, "three_right", ["a", "b", "c", "d"]) == 0.5
    assert frac(demo, "three_right", ["a", "b", "c", "d", "e"]) == 0.0
    assert frac(demo, "three_right", ["a"]) == 0.0
    result = grade(demo, {"three_right": ["a", "b"]}).result
    item = next(i for i in result.exercises if i.id == "demo/three_right")
    assert (item.score, item.max_score) == (1.5, 3.0)
    assert q.points == 3.0


@pytest.mark.parametrize("given,expected", [
    ({"l1": "x", "l2": "y", "l3": "x", "l4": "z", "l5": "y"}, 1.0),
    # x and y each pair 2 of the 5 left items: a constant answer gets 2 right, so pairs beyond 2 count
    ({"l1": "x", "l2": "y", "l3": "x", "l4": "z", "l5": "x"}, 0.6667),
    ({"l1": "x", "l2": "y", "l3": "x", "l4": "y", "l5": "x"}, 0.3333),
    ({"l1": "x", "l2": "y", "l3": "x"}, 0.3333),  # a partial mapping scores the pairs it has
    ({"l1": "x", "l2": None}, 0.0),
    ({"l1": "x", "l2": "x", "l3": "x", "l4": "x", "l5": "x"}, 0.0),  # constant: 2 right, nothing earned
    ({"l1": "y", "l2": "y", "l3": "y", "l4": "y", "l5": "y"}, 0.0),
    ({"l1": "z", "l2": "z", "l3": "z", "l4": "z", "l5": "z"}, 0.0),
    ({"l1": "z", "l2": "z", "l3": "z", "l4": "y", "l5": "z"}, 0.0),
])
def test_matching_pairs_beyond_a_constant_answer(demo, given, expected):
    assert frac(demo, "pairs", given) == expected


@pytest.mark.parametrize("qid,given,ok", [
    ("rel", 4, True), ("rel", 3.8, True), ("rel", 4.2, True), ("rel", 3.79, False), ("rel", 4.21, False),
    ("absolute", 10.5, True), ("absolute", 9.5, True), ("absolute", 10.51, False),
    ("both", 109.9, True), ("both", 90.0, True), ("both", 110.2, False),  # the wider (10 %) counts
    ("exact", 12, True), ("exact", 12.0, True), ("exact", 12.0001, False), ("exact", 11, False),
])
def test_numeric_tolerance(demo, qid, given, ok):
    assert frac(demo, qid, given) == (1.0 if ok else 0.0)


def test_true_false(demo):
    assert frac(demo, "statement", True) == 1.0
    assert frac(demo, "statement", False) == 0.0
    assert frac(demo, "statement", "true") == 1.0
    assert frac(demo, "statement", "Verdadero") == 1.0
    assert frac(demo, "statement", "falso") == 0.0


@pytest.mark.parametrize("qid,given", [
    ("one", MISSING), ("one", None), ("one", ""), ("many", []), ("pairs", {}),
    ("pairs", {"l1": None, "l2": None}), ("exact", None), ("statement", None),
])
def test_blank_answers_are_not_attempted(demo, qid, given):
    s = score_answer(demo.question(qid), given)
    assert (s.fraction, s.status) == (0.0, "not_attempted")


@pytest.mark.parametrize("qid,given,says", [
    ("one", "z", "'z' is not an option of this question (options: a, b, c)"),
    ("one", ["a"], "Expected one option id"),
    ("one", 1, "Expected one option id"),
    ("many", {"a": True}, "Expected a list of option ids"),
    ("many", "a q", "Not options of this question: q"),  # one line, read as the terminal reads it
    ("many", ["a", "q"], "Not options of this question: q"),
    ("many", [1, 2], "Expected a list of option ids"),
    ("statement", "maybe", "Cannot read 'maybe': type t (true) or f (false)"),
    ("statement", 1, "Expected true or false"),
    ("exact", "doce", "'doce' is not a number"),
    ("exact", "2.560", "is a decimal in some countries and 2560 in others"),  # English quiz: refused, not guessed
    ("exact", [12], "Expected a number"),
    ("exact", True, "Expected a number"),
    ("exact", float("nan"), "Expected a number"),
    ("pairs", ["x"], "Expected a mapping"),
    ("pairs", {"l1": "w"}, "unknown values 'w'"),
    ("pairs", {"l9": "x"}, "unknown keys l9"),
])
def test_bad_answers_are_errors_that_say_which(demo, qid, given, says):
    s = score_answer(demo.question(qid), given, "en")
    assert (s.fraction, s.status) == (0.0, "error")
    assert says in s.feedback


def test_feedback_holds_explanation_expected_given_and_why(demo):
    en = score_answer(demo.question("one"), "b", "en").feedback
    assert "Expected: a) One" in en and "Your answer: b) Two" in en
    assert "Why not b): Two is a trap" in en
    assert "Explanation one" in en
    es = score_answer(demo.question("one"), "b", "es").feedback
    assert "Se esperaba: a) Uno" in es and "Tu respuesta: b) Dos" in es and "Explicación uno" in es
    many = score_answer(demo.question("many"), ["a", "b"], "en").feedback
    assert "Why not b): Not B" in many
    assert "You decided 2 of 4 options right" in many and "decides up to 3 right" in many
    assert "Answer: 12" in score_answer(demo.question("exact"), 11, "en").feedback
    assert "Your answer: 11" in score_answer(demo.question("exact"), 11, "en").feedback
    assert "(tolerance ±5%)" in score_answer(demo.question("rel"), 1, "en").feedback
    assert "(tolerancia ±5 %)" in score_answer(demo.question("rel"), 1, "es").feedback
    pairs = score_answer(demo.question("pairs"), {"l1": "y"}, "en").feedback
    assert "- l1) L1 → right: x) X; you said: y) Y" in pairs
    assert "(no answer)" in pairs


def test_feedback_can_use_displayed_letters(demo):
    fb = score_answer(demo.question("one"), "b", "en", labels={"a": "c", "b": "a", "c": "b"}).feedback
    assert "Expected: c) One" in fb and "Your answer: a) Two" in fb


# --- grading a whole topic -------------------------------------------------

def test_grade_report_shape(demo):
    graded = grade(demo, {"one": "a", "three_right": ["a", "b"], "exact": "x"}, "en", source="answers.json")
    r = graded.result
    assert r.kind == "quiz" and r.topic == "demo" and r.source == "answers.json"
    assert [i.id for i in r.exercises] == [f"demo/{qid}" for qid in demo.ids]
    by_id = {i.id: i for i in r.exercises}
    assert (by_id["demo/one"].status, by_id["demo/three_right"].status, by_id["demo/exact"].status) == \
        ("passed", "failed", "error")
    assert by_id["demo/pairs"].status == "not_attempted"
    assert r.score == 2.5 and r.max_score == demo.max_score == 11.0
    assert graded.warnings == []
    # The report serialises and reads back with the report schema's keys.
    d = Report(topics=[r], lang="en").to_dict()
    assert set(d["topics"][0]) >= {"topic", "score", "max_score", "exercises"}
    assert set(d["topics"][0]["exercises"][0]) >= {"id", "score", "max_score", "status", "feedback"}
    assert Report.from_dict(json.loads(json.dumps(d))).score == 2.5


def test_unknown_question_ids_are_warnings_not_items(demo):
    graded = grade(demo, {"one": "a", "onee": "b", "bogus": 1}, "en")
    assert len(graded.result.exercises) == len(demo.questions)
    assert len(graded.warnings) == 1
    assert "onee" in graded.warnings[0] and "bogus" in graded.warnings[0]


def test_a_typo_id_is_pointed_out_on_the_question(demo):
    graded = grade(demo, {"statment": True}, "en")
    item = next(i for i in graded.result.exercises if i.id == "demo/statement")
    assert item.status == "not_attempted"
    assert "'statment'" in item.feedback


def test_grade_answers_by_topic_id():
    bank = load_bank("why_ml")
    result = grade_answers("why_ml", {bank.ids[0]: "zz"}, "es")
    assert result.topic == "why_ml" and result.exercises[0].status == "error"
    assert result.max_score == len(bank.questions)


def _right(q: Question) -> Any:
    if isinstance(q, MultipleSelect):
        return sorted(q.answer)
    if isinstance(q, Matching):
        return dict(q.answer)
    return q.answer


def test_every_bank_full_marks_for_right_answers_zero_for_none():
    for topic, bank in load_all_banks().items():
        full = grade_answers(bank, {q.id: _right(q) for q in bank.questions}, "en")
        assert full.score == full.max_score == len(bank.questions), topic
        assert all(i.status == "passed" for i in full.exercises)
        empty = grade_answers(bank, {}, "es")
        assert empty.score == 0 and all(i.status == "not_attempted" for i in empty.exercises)


# --- answer files and templates --------------------------------------------

def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_answer_file_json_and_yaml(tmp_path):
    j = _write(tmp_path, "a.json", json.dumps({"schema": "torchdojo.answers/1", "topic": "why_ml",
                                               "answers": {"q": "b", "m": ["a", "c"]}}))
    assert load_answer_file(j) == {"schema": "torchdojo.answers/1", "topic": "why_ml", "student": None,
                                   "answers": {"q": "b", "m": ["a", "c"]}}
    y = _write(tmp_path, "a.yaml", "student: ana\nanswers:\n  q: b\n  t: true\n  n: 7\n  p: {l1: x}\n")
    doc = load_answer_file(y)
    assert doc["topic"] is None and doc["student"] == "ana"
    # Numbers keep their spelling: the numeric question reads it in the quiz's language.
    assert doc["answers"] == {"q": "b", "t": True, "n": "7", "p": {"l1": "x"}}


@pytest.mark.parametrize("name,text,fragment", [
    ("bad.json", '{"answers": {"q": "b",}}', "bad.json:1: invalid JSON"),
    ("bad.yaml", "answers:\n  q: [a, b\n", "invalid YAML"),
    ("list.json", '["a", "b"]', "must be a mapping with an 'answers' key, got list"),
    ("scalar.yaml", "just text\n", "got str"),
    ("empty.yaml", "", "got NoneType"),
    ("noanswers.json", '{"topic": "why_ml"}', "missing the 'answers' mapping"),
    ("answerslist.json", '{"answers": ["a"]}', "'answers' must be a mapping"),
    ("extra.json", '{"answers": {}, "anwsers": {}}', "unknown top-level key(s) anwsers"),
    ("schema.json", '{"schema": "other/2", "answers": {}}', "schema must be 'torchdojo.answers/1'"),
    ("topic.json", '{"topic": 3, "answers": {}}', "'topic' must be a topic id"),
])
def test_malformed_answer_files_are_one_line_user_errors(tmp_path, name, text, fragment):
    path = _write(tmp_path, name, text)
    with pytest.raises(UserError) as info:
        load_answer_file(path)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


def test_missing_answer_file(tmp_path):
    with pytest.raises(UserError, match="no such answer file"):
        load_answer_file(tmp_path / "nope.json")
    with pytest.raises(UserError, match="is a directory"):
        load_answer_file(tmp_path)


@pytest.mark.parametrize("fmt,lang", [("yaml", "es"), ("yaml", "en"), ("json", "en")])
def test_template_round_trips(tmp_path, fmt, lang):
    for topic in ("why_ml", "tensors"):
        bank = load_bank(topic)
        path = _write(tmp_path, f"t.{fmt}", answer_template(bank, lang, fmt))
        doc = load_answer_file(path)
        assert doc["topic"] == topic
        assert list(doc["answers"]) == list(bank.ids)
        result = grade_answers(bank, doc["answers"], lang)
        assert all(i.status == "not_attempted" for i in result.exercises)


def test_filled_template_gets_full_marks(tmp_path):
    import yaml

    bank = load_bank("paradigms")
    text = answer_template(bank, "es")
    doc = yaml.safe_load(text)
    doc["answers"] = {q.id: _right(q) for q in bank.questions}
    path = _write(tmp_path, "filled.yaml", yaml.safe_dump(doc, allow_unicode=True))
    result = grade_answers("paradigms", load_answer_file(path)["answers"])
    assert result.score == result.max_score


def test_yaml_template_shows_questions_as_comments():
    bank = load_bank("why_ml")
    text = answer_template(bank, "en")
    q = bank.questions[0]
    assert "# 1. [single choice]" in text
    assert f"  {q.id}: null" in text
    assert "a) " in text


# --- shuffling -------------------------------------------------------------

def test_seed_for():
    assert seed_for() is None
    assert seed_for(seed=3) == 3
    assert seed_for(student="ana") == seed_for(student=" ana ")
    assert seed_for(student="ana") != seed_for(student="bea")
    with pytest.raises(ValueError):
        seed_for(seed=1, student="ana")


def _fingerprint(shown: list[Shown]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(s.question.id, tuple(o.id for o in s.options), tuple(o.id for o in s.left)) for s in shown]


def test_shuffle_is_deterministic_and_a_permutation():
    bank = load_bank("paradigms")
    assert _fingerprint(present(bank, 3)) == _fingerprint(present(bank, 3))
    assert _fingerprint(present(bank, 3)) != _fingerprint(present(bank, 4))
    plain = present(bank, None)
    assert [s.question.id for s in plain] == list(bank.ids)
    for s in present(bank, 11):
        q = s.question
        if isinstance(q, (SingleChoice, MultipleSelect)):
            assert sorted(o.id for o in s.options) == sorted(o.id for o in q.options)
        if isinstance(q, Matching):
            assert sorted(o.id for o in s.options) == sorted(o.id for o in q.right)
            assert sorted(o.id for o in s.left) == sorted(o.id for o in q.left)
    assert sorted(s.question.id for s in present(bank, 11)) == sorted(bank.ids)


def test_shuffle_does_not_depend_on_the_process_hash_seed():
    code = ("from torchdojo.course.quiz import load_bank, present, seed_for;"
            "b = load_bank('cnns');"
            "print([(s.question.id, [o.id for o in s.options]) for s in present(b, seed_for(student='ana'))])")
    outs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONHASHSEED": hash_seed}
        outs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True, timeout=120).stdout)
    assert len(outs) == 1


# --- the interactive quiz agrees with answer-file grading --------------------

def reply_for(shown: Shown, answer: Any) -> list[str]:
    """The lines a learner types to give ``answer`` (stable ids) for a shown question."""
    letter = {oid: letter for letter, oid in shown.letters.items()}
    q = shown.question
    if isinstance(q, SingleChoice):
        return [letter[answer]]
    if isinstance(q, MultipleSelect):
        return [" ".join(letter[a] for a in answer)]
    if isinstance(q, TrueFalse):
        return ["t" if answer else "f"]
    if isinstance(q, Matching):
        return [letter[answer[o.id]] for o in shown.left]
    assert isinstance(q, Numeric)
    return [str(answer)]


def some_answer(q: Question, rng: random.Random) -> Any:
    """A right, partly right or wrong answer, by chance."""
    if isinstance(q, SingleChoice):
        return rng.choice(q.options).id
    if isinstance(q, MultipleSelect):
        return rng.sample([o.id for o in q.options], rng.randint(1, len(q.options)))
    if isinstance(q, TrueFalse):
        return rng.random() < 0.5
    if isinstance(q, Matching):
        return {o.id: rng.choice(q.right).id for o in q.left}
    assert isinstance(q, Numeric)
    return q.answer if rng.random() < 0.5 else q.answer + 1


class Script:
    """Feeds typed lines to ``run_interactive``; EOF when they run out."""

    def __init__(self, lines: list[str]):
        self.lines = list(lines)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def quiet() -> Console:
    return Console(file=io.StringIO(), width=100)


@pytest.mark.parametrize("seed", [None, 1, 7, seed_for(student="ana")])
def test_interactive_equals_answer_file_grading(seed):
    rng = random.Random(seed or 0)
    for topic, bank in load_all_banks().items():
        answers: dict[str, Any] = {}
        lines: list[str] = []
        for shown in present(bank, seed):
            if rng.random() < 0.1:
                lines.append("-")  # skipped: not attempted in both modes
                continue
            answers[shown.question.id] = some_answer(shown.question, rng)
            lines += reply_for(shown, answers[shown.question.id])
        interactive = run_interactive(bank, "en", seed, input_fn=Script(lines), console=quiet())
        from_file = grade_answers(bank, answers, "en")
        assert interactive.score == from_file.score, topic
        assert [(i.id, i.score, i.status) for i in interactive.exercises] == \
            [(i.id, i.score, i.status) for i in from_file.exercises]


def test_grading_is_order_independent():
    bank = load_bank("tensors")
    answers = {q.id: _right(q) for q in bank.questions[::2]}
    reordered = dict(reversed(list(answers.items())))
    a = grade_answers(bank, answers)
    b = grade_answers(bank, reordered)
    assert a == b
    # And the same stable answers typed under two different shuffles score the same.
    results = []
    for seed in (2, 5):
        lines = []
        for shown in present(bank, seed):
            qid = shown.question.id
            lines += reply_for(shown, answers[qid]) if qid in answers else ["-"]
        results.append(run_interactive(bank, "es", seed, input_fn=Script(lines), console=quiet()))
    assert results[0] == results[1] == a


def test_interactive_eof_stops_cleanly():
    bank = load_bank("why_ml")
    shown = present(bank, 3)
    lines = reply_for(shown[0], _right(shown[0].question)) + reply_for(shown[1], _right(shown[1].question))
    out = quiet()
    result = run_interactive(bank, "en", 3, input_fn=Script(lines), console=out)
    statuses = {i.id: i.status for i in result.exercises}
    answered = {f"why_ml/{s.question.id}" for s in shown[:2]}
    assert all(statuses[i] == "passed" for i in answered)
    assert all(s == "not_attempted" for i, s in statuses.items() if i not in answered)
    text = out.file.getvalue()
    n = len(bank.questions)
    assert "Quiz stopped" in text and f"Score: 2 / {n} (2 of {n} answered)" in text


def test_interactive_reasks_after_an_unreadable_reply():
    bank = load_bank("tensors")
    shown = present(bank, None)
    first = shown[0]  # the bank's first question: single choice with 4 options
    script = Script(["zz", "", "a b"] + reply_for(first, _right(first.question)))
    out = quiet()
    result = run_interactive(bank, "es", None, input_fn=script, console=out)
    assert result.exercises[0].status == "passed"
    assert "No entiendo «zz». Escribe una letra (a-d)." in out.file.getvalue()
    assert "No entiendo «a b»" in out.file.getvalue()
    assert script.prompts[0] == "Respuesta (a-d)> "


def test_interactive_numeric_accepts_a_decimal_comma():
    bank = load_bank("fc_nets")
    order = present(bank, None)
    idx = next(i for i, s in enumerate(order) if s.question.id == "relu_sum")
    lines = ["-"] * idx + ["3,5"]
    result = run_interactive(bank, "es", None, input_fn=Script(lines), console=quiet())
    assert next(i for i in result.exercises if i.id == "fc_nets/relu_sum").status == "passed"
