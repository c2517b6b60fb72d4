"""The question banks: the shipped content is complete and sound, and broken
banks fail with file:line and the question id."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.course.manifest import course
from torchdojo.course.quiz import BankError, load_all_banks, load_bank, load_bank_file, parse_bank
from torchdojo.course.quiz.model import Matching, MultipleSelect, Numeric, SingleChoice, TrueFalse

TOPICS = ["why_ml", "paradigms", "tensors", "fc_nets", "cnns", "transfer_learning"]


@pytest.fixture(scope="module")
def banks():
    return load_all_banks()


def test_every_quiz_topic_has_a_valid_bank(banks):
    assert list(banks) == TOPICS
    assert [t.id for t in course().topics if t.quiz] == TOPICS
    for topic, bank in banks.items():
        assert bank.topic == topic
        assert bank.format_version == 1


def test_no_stray_bank_files():
    on_disk = sorted(p.stem for p in paths.quizzes_dir().glob("*.yaml"))
    assert on_disk == sorted(TOPICS)


def test_question_counts(banks):
    for topic, bank in banks.items():
        assert len(bank.questions) >= 15, topic
    assert sum(len(b.questions) for b in banks.values()) >= 90


def test_ids_unique(banks):
    for bank in banks.values():
        assert len(set(bank.ids)) == len(bank.ids)
        for q in bank.questions:
            for group in ("options", "left", "right"):
                ids = [o.id for o in getattr(q, group, ())]
                assert len(set(ids)) == len(ids), (bank.topic, q.id, group)


def test_every_answer_is_one_of_its_own_options(banks):
    for bank in banks.values():
        for q in bank.questions:
            where = f"{bank.topic}/{q.id}"
            if isinstance(q, SingleChoice):
                assert q.answer in {o.id for o in q.options}, where
            elif isinstance(q, MultipleSelect):
                assert q.answer and q.answer <= {o.id for o in q.options}, where
                # Partial credit only makes sense with wrong options to avoid.
                assert len(q.options) > len(q.answer), where
            elif isinstance(q, Matching):
                assert set(q.answer) == {o.id for o in q.left}, where
                assert set(q.answer.values()) <= {o.id for o in q.right}, where
            elif isinstance(q, TrueFalse):
                assert isinstance(q.answer, bool), where
            else:
                assert isinstance(q, Numeric) and math.isfinite(q.answer), where


def test_both_languages_present_and_different(banks):
    for bank in banks.values():
        for q in bank.questions:
            where = f"{bank.topic}/{q.id}"
            for text in (q.text, q.explanation):
                assert text.es.strip() and text.en.strip(), where
                assert text.es != text.en, where
            for group in ("options", "left", "right"):
                for o in getattr(q, group, ()):
                    assert o.text.es.strip() and o.text.en.strip(), where
                    if o.why:
                        assert o.why.es != o.why.en, where


def test_explanations_teach(banks):
    for bank in banks.values():
        for q in bank.questions:
            # A sentence or more, not just "b is right".
            assert len(q.explanation.es) >= 60 and len(q.explanation.en) >= 60, f"{bank.topic}/{q.id}"


def test_wrong_choices_name_their_misconception(banks):
    for bank in banks.values():
        for q in bank.questions:
            if isinstance(q, SingleChoice):
                wrong = [o for o in q.options if o.id != q.answer]
            elif isinstance(q, MultipleSelect):
                wrong = [o for o in q.options if o.id not in q.answer]
            else:
                continue
            assert all(o.why for o in wrong), f"{bank.topic}/{q.id}"


def test_metadata(banks):
    for bank in banks.values():
        for q in bank.questions:
            assert q.difficulty in (1, 2, 3)
            assert q.tags and all(re.match(r"^[a-z][a-z0-9_-]*$", t) for t in q.tags)
            assert q.points > 0
            assert q.line > 0


def test_every_kind_is_used(banks):
    kinds = {q.kind for b in banks.values() for q in b.questions}
    assert kinds == {"single", "multiple", "true_false", "matching", "numeric"}


def test_scenario_topics_are_mostly_scenarios(banks):
    # why_ml and paradigms are about deciding in a situation: mostly longer texts.
    for topic in ("why_ml", "paradigms"):
        qs = banks[topic].questions
        long = [q for q in qs if len(q.text.en) >= 120]
        assert len(long) * 2 > len(qs), topic


def _conv(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def test_cnn_arithmetic_is_right(banks):
    bank = banks["cnns"]
    expected = {
        "conv_out_valid": _conv(32, 3),
        "conv_out_same": _conv(32, 3, p=1),
        "conv_out_stride": _conv(28, 5, s=2),
        "maxpool_odd": _conv(15, 2, s=2),
        "tinyvgg_flatten": 10 * (64 // 4) ** 2,
        "conv_params": 16 * 3 * 3 * 3 + 16,
        "fc_weights_image": 224 * 224 * 3 * 1000,
    }
    for qid, value in expected.items():
        assert bank.question(qid).answer == value, qid


def test_parameter_counts_are_right(banks):
    def linear(i: int, o: int) -> int:
        return i * o + o

    assert banks["fc_nets"].question("linear_params").answer == linear(10, 5)
    assert banks["fc_nets"].question("fcnet_params_small").answer == linear(4, 8) + linear(8, 3)
    assert banks["fc_nets"].question("fcnet_params_mnist").answer == linear(784, 128) + linear(128, 64) + linear(64, 10)
    assert banks["transfer_learning"].question("new_head_params").answer == linear(512, 5)
    assert banks["transfer_learning"].question("trainable_count").answer == linear(256, 10)
    assert banks["tensors"].question("numel_234").answer == 2 * 3 * 4


def test_unknown_topic_is_a_user_error():
    with pytest.raises(UserError, match="unknown quiz topic 'nope'"):
        load_bank("nope")


def test_docs_examples_are_valid_banks():
    doc = Path(__file__).resolve().parents[1] / "docs" / "quiz-format.md"
    blocks = re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert blocks
    for block in blocks:
        if not block.startswith("format_version"):
            block = "format_version: 1\ntopic: why_ml\nquestions:\n" + block
        parse_bank(block, Path("docs/quiz-format.md"))


# --- malformed banks -------------------------------------------------------

HEADER = "format_version: 1\ntopic: demo\nquestions:\n"
GOOD = """\
- id: first
  kind: single
  difficulty: 1
  tags: [demo]
  text: {es: Pregunta uno, en: Question one}
  options:
  - {id: a, es: Uno, en: One}
  - {id: b, es: Nada, en: Nothing}
  answer: a
  explanation: {es: Porque sí, en: Because so}
"""


def _bad(body: str) -> str:
    """A bank whose first question (lines 4-13) is valid and whose second starts on line 14."""
    return HEADER + GOOD + body


BROKEN = [
    # (bank text, line, question id or None, message fragment)
    (_bad("""\
- id: second
  kind: single
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  options:
  - {id: a, es: A, en: A}
  - {id: b, es: B, en: B}
  answer: e
  explanation: {es: E, en: E}
"""), 22, "second", "'e' is not one of the options (a, b)"),
    (_bad(GOOD), 14, "first", "duplicate question id (first used on line 4)"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: true
"""), 14, "second", "missing field 'explanation'"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 1
  tags: [demo]
  text: {es: Dos}
  answer: true
  explanation: {es: E, en: E}
"""), 18, "second", "text: missing field 'en'"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: true
  explantion: {es: E, en: E}
"""), 20, "second", "unknown field 'explantion'"),
    (_bad("""\
- id: second
  kind: essay
"""), 15, "second", "unknown kind 'essay'"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 5
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: true
  explanation: {es: E, en: E}
"""), 16, "second", "difficulty: must be 1, 2 or 3"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: maybe
  explanation: {es: E, en: E}
"""), 19, "second", "answer: must be true or false"),
    (_bad("""\
- id: second
  kind: numeric
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: seven
  explanation: {es: E, en: E}
"""), 19, "second", "answer: must be a number"),
    (_bad("""\
- id: second
  kind: numeric
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: 7
  tolerance: {abs: -1}
  explanation: {es: E, en: E}
"""), 20, "second", "must not be negative"),
    (_bad("""\
- id: second
  kind: matching
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  left:
  - {id: l1, es: L1, en: L1}
  - {id: l2, es: L2, en: L2}
  right:
  - {id: r1, es: R1, en: R1}
  - {id: r2, es: R2, en: R2}
  answer: {l1: r1}
  explanation: {es: E, en: E}
"""), 25, "second", "no match given for left item(s) l2"),
    (_bad("""\
- id: second
  kind: multiple
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  options:
  - {id: a, es: A, en: A}
  - {id: b, es: B, en: B}
  - {id: c, es: C, en: C}
  answer: [a, a]
  explanation: {es: E, en: E}
"""), 23, "second", "an option is listed twice"),
    (_bad("""\
- id: second
  kind: single
  difficulty: 1
  tags: [demo]
  text: {es: Dos, en: Two}
  options:
  - {id: "no", es: A, en: A}
  - {id: b, es: B, en: B}
  answer: b
  explanation: {es: E, en: E}
"""), 20, "second", "reads as a boolean or null"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 1
  difficulty: 2
  tags: [demo]
  text: {es: Dos, en: Two}
  answer: true
  explanation: {es: E, en: E}
"""), 17, None, "duplicate key 'difficulty'"),
    (_bad("""\
- id: Second Question
  kind: true_false
"""), 14, None, "is not an id"),
    (_bad("""\
- id: second
  kind: true_false
  difficulty: 1
  tags: [demo]
  text: {es: Sí, en: Yes}
  answer: true
  explanation: {es: E, en: E}
"""), 18, "second", "text.en: YAML reads 'Yes' as a boolean, not text; put it in quotes"),
    (HEADER + GOOD + "- id: second\n  text: {es: [unclosed\n", 16, None, "invalid YAML"),
    (HEADER.replace("format_version: 1", "format_version: 2") + GOOD, 1, None, "format_version: must be 1"),
    ("format_version: 1\ntopic: demo\n", 1, None, "missing field 'questions'"),
]


@pytest.mark.parametrize("text,line,qid,fragment", BROKEN, ids=[b[3][:40] for b in BROKEN])
def test_broken_bank_names_file_line_and_question(tmp_path, text, line, qid, fragment):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank_file(path, "demo")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    if qid:
        assert f"question '{qid}'" in message
    assert fragment in message


def test_topic_must_match_the_file(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    with pytest.raises(BankError, match=rf"{re.escape(str(path))}:2: topic: the file says 'demo'"):
        load_bank_file(path, "other")


def test_missing_and_empty_bank_files(tmp_path):
    with pytest.raises(BankError, match="no such question bank"):
        load_bank_file(tmp_path / "nope.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(BankError, match="empty file"):
        load_bank_file(tmp_path / "empty.yaml")


def test_a_bank_error_is_a_user_error():
    assert issubclass(BankError, UserError)
