"""No answer that needs no knowledge earns points, on any question of the shipped banks.

For every matching, multiple-select and numeric question of every bank, in
both languages, the answers a learner could give without reading the question
are graded the way a student's answer file is graded (``grade_answers``) and
must score 0:

- matching: every constant answer (all left items paired with the same right
  item), written as the id, in capitals, and as the right item's own text;
- multiple select: every option ticked, none, and each single option alone,
  as a list and as the one-line string a learner types (``"a, b c"``);
- numeric: the key spelled in a way that two Spanish-speaking countries (or an
  English and a Spanish speaker) read differently, the key times and divided
  by a thousand spelled the same way, and non-numbers.
"""

from __future__ import annotations

import pytest

from torchdojo.course.quiz import grade_answers, load_all_banks
from torchdojo.course.quiz.model import Matching, MultipleSelect, Numeric

BANKS = load_all_banks()
LANGS = ("es", "en")


def _ambiguous_spellings(x: float, lang: str) -> list[str]:
    """``x`` written with one mark before exactly three digits (``3.500``, ``109,386``).

    Both marks in Spanish; in English only the point (``2,560`` is plain English for 2560).
    """
    marks = ".," if lang == "es" else "."
    out = []
    for value in (x, x * 1000, x / 1000):
        if value <= 0:
            continue
        whole, frac = divmod(round(value * 1000), 1000)
        if 1 <= whole <= 999 and frac == round(value * 1000) - whole * 1000:
            for mark in marks:
                out.append(f"{whole}{mark}{frac:03d}")
    return out


def gaming_answers(q, lang: str) -> list:
    """The answers to ``q`` that a learner could give knowing nothing."""
    if isinstance(q, Matching):
        out: list = []
        for r in q.right:
            out.append({o.id: r.id for o in q.left})
            out.append({o.id: r.id.upper() for o in q.left})
            out.append({o.id: r.text.get(lang) for o in q.left})  # the item's text as the quiz shows it
        return out
    if isinstance(q, MultipleSelect):
        ids = [o.id for o in q.options]
        out = [ids, ", ".join(ids), " ".join(i.upper() for i in ids), "[]"]
        for i in ids:
            out += [[i], i, i.upper()]
        return out
    if isinstance(q, Numeric):
        return [*_ambiguous_spellings(q.answer, lang), "nan", "inf", "-inf", "1e400", "0x10", "1..2", "∞"]
    raise AssertionError(q.kind)


PROBED = [(t, q) for t, b in BANKS.items() for q in b.questions
          if isinstance(q, (Matching, MultipleSelect, Numeric))]


def probes():
    """Every (topic, question, language, answer) probe."""
    for topic, q in PROBED:
        for lang in LANGS:
            for given in gaming_answers(q, lang):
                yield topic, q, lang, given


def probe_score(topic, q, lang, given) -> float:
    item = grade_answers(BANKS[topic], {q.id: given}, lang).exercises
    return next(i for i in item if i.id == f"{topic}/{q.id}").score


def test_the_banks_have_what_the_probes_need():
    kinds = {type(q) for _, q in PROBED}
    assert kinds == {Matching, MultipleSelect, Numeric}
    assert sum(isinstance(q, Matching) for _, q in PROBED) >= 10
    # the cases of the issue are probed: 3.500 (relu_sum), 4.000, 109,386
    spelled = {g for t, q in PROBED if isinstance(q, Numeric) for g in gaming_answers(q, "es")}
    assert {"3.500", "4.000", "109,386", "109.386", "2,560"} <= spelled


@pytest.mark.parametrize("topic,q", PROBED, ids=[f"{t}/{q.id}" for t, q in PROBED])
def test_no_gaming_answer_scores(topic, q):
    scored = {(lang, repr(given)): probe_score(topic, q, lang, given)
              for lang in LANGS for given in gaming_answers(q, lang)}
    assert len(scored) >= 2
    assert {k: v for k, v in scored.items() if v > 0} == {}


def test_the_key_still_gets_full_marks_in_both_languages():
    for topic, q in PROBED:
        for lang in LANGS:
            assert probe_score(topic, q, lang, q.expected()) == q.points, (topic, q.id, lang)


if __name__ == "__main__":  # the numbers of the report: how many probes score above 0
    import collections
    above: collections.Counter = collections.Counter()
    total: collections.Counter = collections.Counter()
    for topic, q, lang, given in probes():
        total[q.kind] += 1
        above[q.kind] += probe_score(topic, q, lang, given) > 0
    for kind in total:
        print(f"{kind}: {above[kind]} of {total[kind]} probes score above 0")
    print(f"all: {sum(above.values())} of {sum(total.values())}")


# --- banks where a constant answer would be the key are refused --------------

_HEAD = "format_version: 1\ntopic: demo\nquestions:\n"
_COMMON = "  difficulty: 1\n  tags: [demo]\n  text: {es: P, en: Q}\n  explanation: {es: E, en: E}\n"


@pytest.mark.parametrize("body,says", [
    ("- id: same\n  kind: matching\n" + _COMMON
     + "  left: [{id: l1, es: A, en: A}, {id: l2, es: B, en: B}]\n"
     + "  right: [{id: x, es: X, en: X}, {id: y, es: Y, en: Y}]\n  answer: {l1: x, l2: x}\n",
     "every left item matches the same right item"),
    ("- id: one_right\n  kind: multiple\n" + _COMMON
     + "  options: [{id: a, es: A, en: A}, {id: b, es: B, en: B}, {id: c, es: C, en: C}]\n  answer: [b]\n",
     "only one option is right; use kind: single"),
])
def test_a_bank_whose_key_needs_no_knowledge_is_refused(body, says):
    from pathlib import Path

    from torchdojo.course.quiz import BankError, parse_bank

    with pytest.raises(BankError) as info:
        parse_bank(_HEAD + body, Path("demo.yaml"))
    assert says in str(info.value) and "demo.yaml:" in str(info.value)
