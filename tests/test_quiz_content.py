"""The quiz banks as a teacher reads them: every question names the section of the
notes it checks, every section is asked about, questions go from easy to hard, and
no answer can be guessed from the look of the options."""

from __future__ import annotations

import sys

import pytest

from torchdojo import paths
from torchdojo.quiz import grade_answers, load_all_banks
from torchdojo.quiz.model import MultipleSelect, Numeric, SingleChoice, TrueFalse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@pytest.fixture(scope="module")
def banks():
    return load_all_banks()


@pytest.fixture(scope="module")
def questions(banks):
    return [(topic, q) for topic, bank in banks.items() for q in bank.questions]


def _sections() -> list[dict]:
    """The notes' sections (lessons/sections.toml), in the notes' order."""
    with (paths.content_root() / "lessons" / "sections.toml").open("rb") as f:
        return tomllib.load(f)["sections"]


def test_every_question_names_a_section_of_its_topic(questions):
    topics_of = {s["id"]: set(s["topics"]) for s in _sections()}
    for topic, q in questions:
        assert q.section, f"{topic}/{q.id} (line {q.line}): no section"
        assert topic in topics_of[q.section], \
            f"{topic}/{q.id} (line {q.line}): section '{q.section}' belongs to {sorted(topics_of[q.section])}"


def test_every_section_of_the_notes_has_three_questions_or_more(questions):
    # Questions tagged going_further check what the exercises need beyond the notes;
    # they do not count towards a section's own questions.
    counts = {s["id"]: 0 for s in _sections()}
    further = dict(counts)
    for _, q in questions:
        if "going_further" in q.tags:
            further[q.section] += 1
        else:
            counts[q.section] += 1
    print("\nquestions per section of the notes:", counts, "\ngoing further:", further)
    assert all(n >= 3 for n in counts.values()), counts


def _texts(q) -> str:
    parts = [q.text.es, q.text.en, q.explanation.es, q.explanation.en]
    for group in ("options", "left", "right"):
        parts += [o.text.es + " " + o.text.en for o in getattr(q, group, ())]
    return " ".join(parts)


def test_the_ideas_the_issue_names_are_asked_about(questions):
    by_section: dict[str, list] = {}
    for _, q in questions:
        by_section.setdefault(q.section, []).append(q)
    assert len(by_section["why_pytorch"]) >= 3
    assert len(by_section["dl_uses"]) >= 3
    # "Any problem that can be turned into numbers can have an ML solution."
    assert sum("numerical_encoding" in q.tags for q in by_section["why_ml"]) >= 2
    # The algorithms list of deep learning, RNNs and transformers included.
    assert sum("algorithms" in q.tags and "RNN" in _texts(q) and "ransformer" in _texts(q)
               for q in by_section["ml_vs_dl"]) >= 2


def test_questions_go_from_easy_to_hard(banks):
    for topic, bank in banks.items():
        levels = [q.difficulty for q in bank.questions]
        assert levels == sorted(levels), f"{topic}: difficulties in file order {levels}"
        assert levels[0] == 1 and 3 in levels, topic
    for topic in ("why_ml", "tensors"):
        assert sum(q.difficulty == 3 for q in banks[topic].questions) >= 2, topic


def test_cnns_is_not_mostly_output_size_arithmetic(banks):
    qs = banks["cnns"].questions
    arithmetic = [q.id for q in qs if "output_size" in q.tags]
    assert len(arithmetic) * 3 <= len(qs), arithmetic


def test_new_numeric_keys_are_right(banks):
    assert banks["why_ml"].question("errors_at_scale").answer == round(2_000_000 * (1 - 0.999))
    assert banks["tensors"].question("pairwise_numel").answer == 100 * 100 * 2


# --- answer cues: nothing to gain from the look of the options ---------------

def test_multiple_select_has_as_many_wrong_options_as_right_ones(questions):
    for topic, q in questions:
        if isinstance(q, MultipleSelect):
            wrong = len(q.options) - len(q.answer)
            assert wrong >= len(q.answer), f"{topic}/{q.id}: {len(q.answer)} right, {wrong} wrong"


def test_ticking_every_box_scores_zero(banks):
    for topic, bank in banks.items():
        every = {q.id: [o.id for o in q.options] for q in bank.questions if isinstance(q, MultipleSelect)}
        result = grade_answers(bank, every, "es")
        scored = {i.id: i.score for i in result.exercises if i.id.split("/")[1] in every}
        assert scored and all(s == 0 for s in scored.values()), scored


def _length_rank_of_the_key(q: SingleChoice, lang: str) -> str:
    lengths = [len(o.text.get(lang)) for o in q.options]
    key = len(q.option(q.answer).text.get(lang))
    if key == max(lengths) and lengths.count(key) == 1:
        return "longest"
    if key == min(lengths) and lengths.count(key) == 1:
        return "shortest"
    return "other"


def test_answer_cues_are_balanced(questions):
    single = [q for _, q in questions if isinstance(q, SingleChoice)]
    keys = [q.answer for _, q in questions if isinstance(q, TrueFalse)]
    true_share = sum(keys) / len(keys)
    print(f"\ntrue/false keys: {sum(keys)} true of {len(keys)} ({true_share:.0%})")
    assert 0.4 <= true_share <= 0.6
    for lang in ("es", "en"):
        ranks = [_length_rank_of_the_key(q, lang) for q in single]
        longest, shortest = ranks.count("longest") / len(single), ranks.count("shortest") / len(single)
        print(f"single choice ({lang}): the key is the longest option in {ranks.count('longest')} of "
              f"{len(single)} ({longest:.0%}), the shortest in {ranks.count('shortest')} ({shortest:.0%})")
        # Not the longest too often, and not never either: a key that is never the
        # longest is a cue of its own.
        assert 1 / 8 <= longest <= 1 / 3, lang
        assert shortest <= 1 / 3, lang


def test_numeric_answers_are_whole_where_they_count(questions):
    # Counts (parameters, sizes, elements) are integers; a float key would hint at
    # a formula mistake in the bank.
    for topic, q in questions:
        if isinstance(q, Numeric) and {"parameters", "output_size", "rank_shape"} & set(q.tags):
            assert q.answer == int(q.answer), f"{topic}/{q.id}"
