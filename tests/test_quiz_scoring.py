"""Scoring that cannot be gamed or misread, checked on every question of the shipped banks.

- Multiple select: ticking every box, every wrong box or a single box scores 0.
- Numeric: every answer of the bank, spelled as a Spanish or an English learner
  writes it, is read right in the terminal, in YAML and in JSON answer files;
  spelled the other language's way it is read right or refused, never misread.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from torchdojo.course.quiz import (
    grade_answers,
    load_all_banks,
    load_answer_file,
    present,
    run_interactive,
    score_answer,
)
from torchdojo.course.quiz.model import MultipleSelect, Numeric
from torchdojo.course.quiz.spelling import NumberError, read_number

BANKS = load_all_banks()
MULTIPLE = [(t, q) for t, b in BANKS.items() for q in b.questions if isinstance(q, MultipleSelect)]
NUMERIC = [(t, q) for t, b in BANKS.items() for q in b.questions if isinstance(q, Numeric)]
LANGS = ("es", "en")


# --- multiple select -------------------------------------------------------

def test_the_banks_have_what_these_tests_need():
    assert len(MULTIPLE) >= 10 and len(NUMERIC) >= 20
    assert sum(q.answer >= 1000 for _, q in NUMERIC) >= 5  # the thousands-separator cases


@pytest.mark.parametrize("topic,q", MULTIPLE, ids=[f"{t}/{q.id}" for t, q in MULTIPLE])
def test_ticking_every_box_scores_zero(topic, q):
    every = [o.id for o in q.options]
    for lang in LANGS:
        item = grade_answers(BANKS[topic], {q.id: every}, lang).exercises
        scored = next(i for i in item if i.id == f"{topic}/{q.id}")
        assert (scored.score, scored.status) == (0.0, "failed"), (topic, q.id, lang)


@pytest.mark.parametrize("topic,q", MULTIPLE, ids=[f"{t}/{q.id}" for t, q in MULTIPLE])
def test_every_subset_scores_the_decisions_beyond_guessing(topic, q):
    right = sorted(q.answer)
    wrong = sorted(o.id for o in q.options if o.id not in q.answer)
    n_options = len(right) + len(wrong)
    # every box ticked decides the right ones right; one right box alone, the wrong ones and itself
    baseline = max(len(right), len(wrong) + 1)
    assert score_answer(q, right).fraction == 1.0
    partial = 0
    for n in range(1, len(q.options) + 1):
        for picked in itertools.combinations([o.id for o in q.options], n):
            hits = len(set(picked) & q.answer)
            decided = hits + len(wrong) - (n - hits)
            expected = round(max(0.0, (decided - baseline) / (n_options - baseline)), 4)
            assert score_answer(q, list(picked)).fraction == expected, picked
            if set(wrong) <= set(picked) or n == 1:  # every wrong box ticked, or one box: nothing earned
                assert expected == 0.0
            partial += 0 < expected < 1
    # partial credit exists, except with two right options: then B = wrong + 1 = every option but one
    assert partial or (len(right) == 2 and baseline == n_options - 1)


# --- how numbers are spelled -------------------------------------------------

@pytest.mark.parametrize("text,es,en", [
    ("2560", 2560, 2560),
    ("2 560", 2560, 2560),
    ("2\u00a0560", 2560, 2560),
    ("2\u202f560", 2560, 2560),
    ("2_560", 2560, 2560),
    ("2.560", None, None),          # 2560 in Spain, 2.56 in Mexico (and in English): refused
    ("2,560", None, 2560),          # English thousands; in Spanish 2.56 in Spain, 2560 in Mexico: refused
    ("3.500", None, None),          # relu_sum: 3.5 in Mexico, 3500 in Spain
    ("4.000", None, None),          # float32_megabytes
    ("109,386", None, 109386),
    ("109.386", None, None),
    ("3.5", 3.5, 3.5),              # Mexico and Central America write a decimal point
    ("3,5", 3.5, 3.5),              # Spain and Argentina a decimal comma
    ("150.528.000", 150528000, 150528000),  # only grouping repeats
    ("150,528,000", 150528000, 150528000),
    ("2.560,5", 2560.5, 2560.5),    # both marks: the last one is the decimal mark
    ("2,560.5", 2560.5, 2560.5),
    ("2,5", 2.5, 2.5),              # cannot be grouping (groups have three digits)
    ("2.5", 2.5, 2.5),
    ("0,560", 0.56, 0.56),          # a group never starts with 0
    ("1.50528e8", 150528000, 150528000),  # before an exponent a mark is decimal
    ("1,50528e8", 150528000, 150528000),
    ("2.560e3", 2560, 2560),
    ("-3,5", -3.5, -3.5),
    ("\u22123,5", -3.5, -3.5),      # a typographic minus
    ("1 000,5", 1000.5, 1000.5),
    ("12.345.67", None, None),      # broken groups
    ("1.234 567", None, None),      # two ways of grouping
    ("2 5", None, None),
    ("1,2,3.4", None, None),
    ("0x10", None, None),
    ("nan", None, None),
    ("inf", None, None),
    ("1e999", None, None),
    ("", None, None),
    ("9" * 41, None, None),
])
def test_read_number(text, es, en):
    for lang, expected in (("es", es), ("en", en)):
        if expected is None:
            with pytest.raises(NumberError) as info:
                read_number(text, lang)
            assert info.value.es and info.value.en
        else:
            assert read_number(text, lang) == expected, (text, lang)


def test_an_ambiguous_entry_says_both_readings_and_how_to_write_each():
    with pytest.raises(NumberError) as info:
        read_number("3.500", "es")
    assert info.value.es == ("«3.500» es un decimal en unos países y 3500 en otros: escribe 3.5 (o 3,5) "
                             "si es un decimal, o 3500 (sin separador de miles) si son miles.")
    with pytest.raises(NumberError) as info:
        read_number("2.560", "en")
    assert info.value.en == ("'2.560' is a decimal in some countries and 2560 in others: type 2.56 "
                             "for a decimal, or 2560 (no thousands separator) for thousands.")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["3.500", "4.000", "109,386", "109.386", "2,560", "2.560", "1,000", "999.999",
                                  "-7.010", "12,300"])
def test_the_hint_for_an_ambiguous_entry_is_itself_unambiguous(text, lang):
    """Each spelling the refusal suggests is read, in the same quiz, as the reading it stands for."""
    try:
        read_number(text, lang)
    except NumberError as exc:
        hint = exc.text(lang)
    else:
        assert lang == "en" and "," in text  # English thousands: not ambiguous
        return
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-").replace(".", "").replace(",", "")
    thousands, decimal = sign * int(digits), sign * int(digits) / 1000
    suggested = re.findall(r"(?:escribe|type|\(o) (-?[0-9][0-9.,]*[0-9]|-?[0-9])", hint)
    suggested += re.findall(r"o (-?[0-9]+) \(sin|or (-?[0-9]+) \(no", hint)[0]
    readings = {read_number(x, lang) for x in suggested if x}  # none of them is refused
    assert readings == {thousands, decimal}, (hint, suggested)
    assert text not in suggested


def _groups(digits: str) -> list[str]:
    head = len(digits) % 3 or 3
    return [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]


def spellings(value: float, lang: str) -> tuple[list[str], list[str]]:
    """How a learner of ``lang`` writes ``value`` (must be read right), and how one
    of the other language writes it (read right or refused, never misread)."""
    # Spanish: a decimal comma (Spain) or point (Mexico); thousands only grouped by spaces.
    decimals = [",", "."] if lang == "es" else ["."]
    own: list[str] = []
    other: list[str] = []
    if value.is_integer():
        digits = str(int(value))
        own += [digits, f"{value:.6e}"]
        own += [f"{digits}{dec}0" for dec in decimals] + [f"{value:.6e}".replace(".", dec) for dec in decimals]
        if len(digits) > 3:
            groups = _groups(digits)
            own += [" ".join(groups), "\u00a0".join(groups)]
            if lang == "en":
                own.append(",".join(groups))
            other += [mark.join(groups) for mark in (".,") if not (lang == "en" and mark == ",")]
    else:
        own += [repr(value).replace(".", dec) for dec in decimals]
        if lang == "en":
            other.append(repr(value).replace(".", ","))
    return own, other


def _status(result: Any, qid: str) -> tuple[str, str]:
    item = next(i for i in result.exercises if i.id.endswith("/" + qid))
    return item.status, item.feedback


def _file_channels(tmp_path: Path, topic: str, answers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The same spellings written into answer files four ways, read back."""
    unquoted = "answers:\n" + "".join(f"  {k}: {v}\n" for k, v in answers.items())
    quoted = "answers:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in answers.items())
    json_numbers = {k: v for k, v in answers.items()
                    if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?", v)}
    files = {
        "yaml": unquoted, "yaml-quoted": quoted,
        "json-string": json.dumps({"topic": topic, "answers": answers}),
        "json-number": '{"answers": {' + ", ".join(f'"{k}": {v}' for k, v in json_numbers.items()) + "}}",
    }
    out = {}
    for name, text in files.items():
        path = tmp_path / f"{name}.{'json' if name.startswith('json') else 'yaml'}"
        path.write_text(text, encoding="utf-8")
        out[name] = load_answer_file(path)["answers"]
    return out


class Script:
    def __init__(self, lines: list[str]):
        self.lines = list(lines)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        return self.lines.pop(0)


def _terminal(topic: str, lang: str, typed: dict[str, list[str]]) -> tuple[Any, str]:
    """Take the quiz, typing ``typed[qid]`` (in turn) on numeric questions and skipping the rest."""
    lines: list[str] = []
    for shown in present(BANKS[topic], None):
        lines += typed.get(shown.question.id, ["-"])
    out = Console(file=io.StringIO(), width=200)
    result = run_interactive(BANKS[topic], lang, None, input_fn=Script(lines), console=out)
    return result, out.file.getvalue()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", sorted({t for t, _ in NUMERIC}))
def test_no_numeric_answer_of_the_bank_is_misread(tmp_path, topic, lang):
    questions = [q for t, q in NUMERIC if t == topic]
    own = {q.id: spellings(q.answer, lang)[0] for q in questions}
    other = {q.id: spellings(q.answer, lang)[1] for q in questions}
    rounds = max(len(v) for v in own.values())
    checked = 0
    for r in range(rounds):
        answers = {qid: v[r] for qid, v in own.items() if r < len(v)}
        result, _ = _terminal(topic, lang, {qid: [v] for qid, v in answers.items()})
        for qid, spelled in answers.items():
            assert _status(result, qid)[0] == "passed", ("terminal", qid, spelled)
        for channel, read in _file_channels(tmp_path, topic, answers).items():
            graded = grade_answers(BANKS[topic], read, lang)
            for qid in read:
                assert _status(graded, qid)[0] == "passed", (channel, qid, answers[qid])
                checked += 1
    for qid, spellings_ in other.items():
        for spelled in spellings_:
            for channel, read in _file_channels(tmp_path, topic, {qid: spelled}).items():
                if qid not in read:  # not a JSON number: that channel does not apply
                    continue
                status, feedback = _status(grade_answers(BANKS[topic], read, lang), qid)
                assert status in ("passed", "error"), (channel, qid, spelled, feedback)
                if status == "error":
                    assert ("es un decimal en unos países" if lang == "es" else "is a decimal in some") in feedback
    assert checked > 0


def test_the_terminal_asks_again_after_an_ambiguous_number():
    result, printed = _terminal("cnns", "es", {"tinyvgg_flatten": ["2,560", "2.560", "2 560"]})
    assert _status(result, "tinyvgg_flatten")[0] == "passed"
    assert "«2,560» es un decimal en unos países y 2560 en otros" in printed
    assert "«2.560» es un decimal en unos países y 2560 en otros" in printed
    result, printed = _terminal("fc_nets", "es", {"relu_sum": ["3.500", "3.5"]})
    assert _status(result, "relu_sum")[0] == "passed"
    assert "escribe 3.5 (o 3,5) si es un decimal, o 3500 (sin separador de miles) si son miles" in printed
    result, printed = _terminal("cnns", "en", {"tinyvgg_flatten": ["2.560", "2,560"]})
    assert _status(result, "tinyvgg_flatten")[0] == "passed"
    assert "'2.560' is a decimal in some countries and 2560 in others" in printed


def test_an_unquoted_3_500_in_a_spanish_answer_file_is_refused_not_misread(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  relu_sum: 3.500\n  fcnet_params_mnist: 109,386\n", encoding="utf-8")
    answers = load_answer_file(path)["answers"]
    assert answers == {"relu_sum": "3.500", "fcnet_params_mnist": "109,386"}  # the spelling, not the float 3.5
    graded = grade_answers("fc_nets", answers, "es")
    status, feedback = _status(graded, "relu_sum")
    assert status == "error" and "escribe 3.5 (o 3,5) si es un decimal, o 3500" in feedback
    status, feedback = _status(graded, "fcnet_params_mnist")
    assert status == "error" and "escribe 109.3860 (o 109,3860) si es un decimal, o 109386" in feedback
    graded = grade_answers("fc_nets", answers, "en")
    assert _status(graded, "fcnet_params_mnist")[0] == "passed"  # English thousands
    status, feedback = _status(graded, "relu_sum")
    assert status == "error" and "type 3.5 for a decimal, or 3500" in feedback
    path.write_text("answers:\n  relu_sum: 3.5\n  fcnet_params_mnist: 109386\n", encoding="utf-8")
    for lang in LANGS:
        graded = grade_answers("fc_nets", load_answer_file(path)["answers"], lang)
        assert {i.status for i in graded.exercises if i.status != "not_attempted"} == {"passed"}


@pytest.mark.parametrize("lang", LANGS)
def test_terminal_and_answer_file_accept_the_same_spellings(tmp_path, lang):
    """Whatever is typed at the terminal is read the same way from a file, and the other way round."""
    typed = ["150528000", "1.50528e8", "1,50528e8", "150 528 000", "150.528.000", "150,528,000",
             "1,50528E+8", "150528000,0", "150528000.0", "1.5e8", "150.528", "150,528", "ciento"]
    path = tmp_path / "a.yaml"
    seen = set()
    for spelled in typed:
        result, _ = _terminal("cnns", lang, {"fc_weights_image": [spelled, "-"]})
        term_status = _status(result, "fc_weights_image")[0]
        path.write_text(f"answers:\n  fc_weights_image: {spelled}\n", encoding="utf-8")
        file_status = _status(grade_answers("cnns", load_answer_file(path)["answers"], lang), "fc_weights_image")[0]
        # At the terminal an unreadable entry is asked again (here: then skipped); in a file it is an error.
        expected_file = {"passed": "passed", "failed": "failed", "not_attempted": "error"}[term_status]
        assert file_status == expected_file, (spelled, term_status, file_status)
        seen.add(term_status)
    assert seen == {"passed", "failed", "not_attempted"}  # right, wrong and refused spellings all checked
