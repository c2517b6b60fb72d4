"""One reader for the terminal and the answer file: the same text, the same answer, the same grade.

The breadth is checked on the shared reader itself (``read_answer``) over the
shipped banks; then the same strings go through an answer file (YAML, read
with the untrusted-file parser) and through the terminal quiz (scripted
replies), and must get the same grade. ``tests/test_quiz_cli.py`` and the
last test here drive the real CLI.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from torchdojo.course.quiz import grade_answers, load_all_banks, load_answer_file, present, run_interactive
from torchdojo.course.quiz.model import Matching, MultipleSelect, Numeric, SingleChoice, TrueFalse
from torchdojo.course.quiz.reading import Unreadable, read_answer

BANKS = load_all_banks()
LANGS = ("es", "en")
ROOT = Path(__file__).resolve().parents[1]


def question(topic: str, qid: str) -> Any:
    return BANKS[topic].question(qid)


def first(kind: type) -> tuple[str, Any]:
    return next((t, q) for t, b in BANKS.items() for q in b.questions if isinstance(q, kind))


# --- the shared reader, in breadth -------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["b", "B", " b ", "\tB\n"])
def test_a_letter_in_either_case(text, lang):
    q = question("tensors", "default_float_dtype")  # options a-d
    assert read_answer(q, text, lang) == "b"
    assert read_answer(q, text, lang, letters={"a": "c", "b": "d", "c": "a", "d": "b"}) == "d"  # as shown


@pytest.mark.parametrize("lang", LANGS)
def test_an_option_by_its_shown_text(lang):
    q = question("tensors", "default_float_dtype")
    assert read_answer(q, "torch.float64", lang) == "b" and read_answer(q, "TORCH.FLOAT64", lang) == "b"
    matching = question("tensors", "rank_matching")  # shown as rank_2) 2 in the template
    left = matching.left[0].id
    for text in ("2", "rank_2", "RANK_2", "c", "C"):  # text, id, and the letter of its place
        assert read_answer(matching, {left: text}, lang) == {left: "rank_2"}, text
    assert read_answer(matching, {left.upper(): "2"}, lang) == {left: "rank_2"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text,value", [
    ("v", True), ("V", True), ("verdadero", True), ("Verdadero", True), ("t", True), ("T", True),
    ("true", True), ("TRUE", True), ("sí", True), ("si", True), ("yes", True),
    ("f", False), ("F", False), ("falso", False), ("FALSO", False), ("false", False), ("no", False),
])
def test_true_and_false_in_both_languages(text, value, lang):
    _, q = first(TrueFalse)
    assert read_answer(q, text, lang) is value


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["a, c, d", "a c d", "a,c,d", "a ,c  d", "A, C, D", "[a, c, d]", "d a c",
                                  "a; c; d", "a, c, d, a"])
def test_lists_with_commas_spaces_or_both(text, lang):
    q = question("why_ml", "reasons_for_ml")
    assert sorted(read_answer(q, text, lang)) == ["a", "c", "d"]
    assert sorted(read_answer(q, text.split(","), lang)) == ["a", "c", "d"]  # as a YAML list


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_are_read_by_the_stated_rule(lang):
    q = question("fc_nets", "relu_sum")
    assert read_answer(q, " 3,5 ", lang) == "3,5"
    with pytest.raises(Unreadable) as info:
        read_answer(q, "3.500", lang)
    assert "3500" in info.value.text(lang)


@pytest.mark.parametrize("topic,qid,text", [
    ("tensors", "default_float_dtype", "e"), ("tensors", "default_float_dtype", "a b"),
    ("why_ml", "reasons_for_ml", "a z"), ("why_ml", "reasons_for_ml", "a, 7"),
    ("tensors", "rank_matching", "9"),
])
def test_what_names_nothing_is_refused_in_both_languages(topic, qid, text):
    q = question(topic, qid)
    given = {q.left[0].id: text} if isinstance(q, Matching) else text
    for lang in LANGS:
        with pytest.raises(Unreadable) as info:
            read_answer(q, given, lang)
        assert info.value.es != info.value.en and info.value.text(lang)


def test_a_wrong_true_false_word_is_refused():
    _, q = first(TrueFalse)
    for word in ("maybe", "quizás", "1"):
        with pytest.raises(Unreadable):
            read_answer(q, word, "es")


def test_answer_file_form_is_read_unchanged():
    for bank in BANKS.values():
        for q in bank.questions:
            for lang in LANGS:
                got = read_answer(q, q.expected(), lang)
                assert (sorted(got) if isinstance(q, MultipleSelect) else got) == q.expected(), q.id


# --- the same strings through an answer file and through the terminal ---------

def strings_for(q: Any) -> list[Any]:
    """Answers as a learner types them: each a string, or per left item a string (matching)."""
    if isinstance(q, SingleChoice):
        return [q.answer, q.answer.upper(), q.options[-1].id.upper(), q.options[0].text.es, "zz"]
    if isinstance(q, MultipleSelect):
        right, ids = sorted(q.answer), [o.id for o in q.options]
        return [", ".join(right), " ".join(r.upper() for r in right), ",".join(ids), right[0], "a, zz"]
    if isinstance(q, TrueFalse):
        return ["v", "F", "verdadero", "false", "t", "quizás"]
    if isinstance(q, Matching):
        key = q.expected()
        return [dict(key), {k: v.upper() for k, v in key.items()}, {k: q.right[0].id for k in key},
                {k: q.right[-1].text.es for k in key}]
    assert isinstance(q, Numeric)
    return [str(q.answer).replace(".", ","), str(q.answer), "3.500", "nada"]


class Learner:
    """Types ``picks`` at the terminal quiz, in file order, and skips a question whose reply is asked again.

    It knows the question from the quiz's own header and a refusal from the
    prompt coming back unchanged: nothing here uses the reader under test.
    """

    def __init__(self, topic: str, picks: dict[str, Any], out: io.StringIO):
        self.order = present(BANKS[topic], None)
        self.picks, self.out = picks, out
        self.last: tuple[int, str] | None = None

    def __call__(self, prompt: str) -> str:
        n = len(re.findall(r"^(?:Pregunta|Question) \d+/", self.out.getvalue(), re.M))
        shown = self.order[n - 1]
        given = self.picks.get(shown.question.id)
        if given is None or self.last == (n, prompt):  # no answer, or the reply was refused
            self.last = None
            return "-"
        self.last = (n, prompt)
        if isinstance(given, dict):  # prompts "1 → letter", "2 → letter", ...
            return given[shown.left[int(prompt.split(" ")[0]) - 1].id]
        return given


def terminal_statuses(topic: str, lang: str, picks: dict[str, Any]) -> dict[str, tuple[str, float]]:
    """Take the quiz in file order, typing ``picks[qid]``; a refused reply is asked again, then skipped."""
    out = io.StringIO()
    result = run_interactive(BANKS[topic], lang, None, input_fn=Learner(topic, picks, out),
                             console=Console(file=out, width=200))
    return {i.id.split("/")[1]: (i.status, i.score) for i in result.exercises}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", sorted(BANKS))
def test_the_same_strings_grade_the_same_in_a_file_and_at_the_terminal(tmp_path, topic, lang):
    rounds = max(len(strings_for(q)) for q in BANKS[topic].questions)
    compared = 0
    for r in range(rounds):
        picks = {q.id: strings_for(q)[r] for q in BANKS[topic].questions if r < len(strings_for(q))}
        # the answer file, written as a learner writes it (YAML, unquoted where YAML allows)
        path = tmp_path / f"{topic}-{lang}-{r}.yaml"
        lines = ["answers:"]
        for qid, given in picks.items():
            if isinstance(given, dict):
                lines += [f"  {qid}:"] + [f"    {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in given.items()]
            else:
                lines.append(f"  {qid}: {json.dumps(given, ensure_ascii=False)}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        filed = {i.id.split("/")[1]: (i.status, i.score)
                 for i in grade_answers(BANKS[topic], load_answer_file(path)["answers"], lang).exercises}
        typed = terminal_statuses(topic, lang, picks)
        for qid in picks:
            f_status, f_score = filed[qid]
            t_status, t_score = typed[qid]
            # refused: asked again at the terminal (then skipped), an error in the file
            expected = ("error", 0.0) if t_status == "not_attempted" else (t_status, t_score)
            assert (f_status, f_score) == expected, (topic, qid, lang, picks[qid])
            compared += 1
    assert compared >= len(BANKS[topic].questions) * 3


# --- the real CLI ------------------------------------------------------------

@pytest.mark.process
def test_the_cli_grades_the_strings_of_the_issue(tmp_path):
    """``B``, ``v``, ``a, b, c`` and ``2`` (for ``rank_2) 2``) in an answer file, through the real CLI."""
    tensors = BANKS["tensors"]
    single = next(q for q in tensors.questions if isinstance(q, SingleChoice))
    tf = next(q for q in tensors.questions if isinstance(q, TrueFalse))
    multi = next(q for q in tensors.questions if isinstance(q, MultipleSelect))
    rank = tensors.question("rank_matching")
    shown_text = {o.id: o.text.es for o in rank.right}
    lines = ["answers:", f"  {single.id}: {single.answer.upper()}",
             f"  {tf.id}: {'v' if tf.answer else 'f'}",
             f"  {multi.id}: {', '.join(sorted(multi.answer))}",
             f"  {rank.id}:"] + [f"    {k}: {json.dumps(shown_text[v])}" for k, v in rank.answer.items()]
    path = tmp_path / "answers.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    env.pop("TORCHDOJO_CONTENT", None)
    for lang in LANGS:
        proc = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", lang, "quiz", "tensors",
                               "--answers", str(path), "--json", "--workspace", str(tmp_path)],
                              env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 0, proc.stderr
        items = {i["id"].split("/")[1]: i for i in json.loads(proc.stdout)["topics"][0]["exercises"]}
        for q in (single, tf, multi, rank):
            assert (items[q.id]["status"], items[q.id]["score"]) == ("passed", q.points), (lang, items[q.id])


# Every prompt of the Spanish terminal quiz.
PROMPT_ES = "(" + "|".join([
    r"Respuesta \(a-[a-z]\)> ",
    r"Letras, separadas por espacios o comas \(a-[a-z]\)> ",
    r"¿Verdadero o falso\? \(v/f\)> ",
    r"\d+ → letra \(a-[a-z]\)> ",
    r"Número> ",
]) + ")"


def typed_es(q: Any) -> list[str]:
    """The key of ``q`` as a Spanish learner types it: capitals, v/f, "a, c", an option's text, a comma."""
    if isinstance(q, SingleChoice):
        return [q.answer.upper()]
    if isinstance(q, MultipleSelect):
        return [", ".join(sorted(q.answer))]
    if isinstance(q, TrueFalse):
        return ["v" if q.answer else "f"]
    if isinstance(q, Matching):
        text = {o.id: o.text.es for o in q.right}
        return [text[q.answer[o.id]] if q.id == "rank_matching" else q.answer[o.id].upper() for o in q.left]
    return [f"{q.answer:g}".replace(".", ",")]


@pytest.mark.process
def test_the_terminal_and_the_answer_file_agree_through_the_real_cli(tmp_path):
    """The same strings typed in a pseudo-terminal and written in a file: the same full score."""
    pexpect = pytest.importorskip("pexpect", reason="pexpect comes with the test extra: pip install -e .[test]")
    bank = BANKS["tensors"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1",
           "LC_ALL": "C.UTF-8", "TERM": "dumb", "COLUMNS": "200"}
    env.pop("TORCHDOJO_CONTENT", None)
    child = pexpect.spawn(sys.executable, ["-m", "torchdojo", "--lang", "es", "quiz", "tensors",
                                           "--workspace", str(tmp_path)],
                          env=env, encoding="utf-8", timeout=30, dimensions=(50, 200), cwd=str(tmp_path))
    lines = ["answers:"]
    try:
        for shown in present(bank, None):
            q = shown.question
            replies = typed_es(q)
            if isinstance(q, Matching):
                lines += [f"  {q.id}:"] + [f"    {o.id}: {json.dumps(r, ensure_ascii=False)}"
                                           for o, r in zip(q.left, replies)]
            else:
                lines.append(f"  {q.id}: {replies[0]}")
            if q.id == "float32_megabytes":  # 4.000: 4 in Mexico, 4000 in Spain: refused, asked again
                child.expect("Un solo punto o coma seguido de tres cifras")  # the rule, above the prompt
                child.expect(PROMPT_ES)
                child.sendline("4.000")
                child.expect(r"escribe 4 si es un decimal, o 4000 \(sin separador de miles\)")
            for reply in replies:
                child.expect(PROMPT_ES)
                child.sendline(reply)
            child.expect(r"✓ Correcto\.")
        child.expect(r"Puntuación: ([\d.]+) / ([\d.]+)")
        typed_score = float(child.match.group(1))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert typed_score == bank.max_score
    path = tmp_path / "answers.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "es", "quiz", "tensors",
                           "--answers", str(path), "--json", "--workspace", str(tmp_path)],
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    topic = json.loads(proc.stdout)["topics"][0]
    assert topic["score"] == typed_score, [e for e in topic["exercises"] if e["status"] != "passed"]
