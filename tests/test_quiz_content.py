"""The quiz banks as a teacher reads them: every question names the section of the
notes it checks, every section is asked about, questions go from easy to hard, and
no answer can be guessed from the look of the options."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pytest

from torchdojo.course import paths
from torchdojo.course.quiz import grade_answers, load_all_banks
from torchdojo.course.quiz.model import Matching, MultipleSelect, Numeric, SingleChoice, TrueFalse

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
    for bank in banks.values():
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


# --- absolute words: no cue to the false statements and the wrong options -----

ABSOLUTE = re.compile(r"\b(siempre|solo|sólo|nunca|jamás|garantiz\w*|always|only|never|guarantee\w*)\b", re.I)


def _absolute(text) -> bool:
    return bool(ABSOLUTE.search(text.es + " " + text.en))


def test_absolute_words_do_not_mark_the_false_statements(questions):
    tf = [q for _, q in questions if isinstance(q, TrueFalse)]
    cued = {key: [q.id for q in tf if q.answer is key and _absolute(q.text)] for key in (True, False)}
    total = {key: sum(q.answer is key for q in tf) for key in (True, False)}
    print(f"\nabsolute words: {len(cued[False])} of {total[False]} false statements, "
          f"{len(cued[True])} of {total[True]} true ones")
    # A student who marks every "always/only/never" statement false must not gain by it.
    assert len(cued[False]) <= len(cued[True]) + 1, cued


def test_absolute_words_do_not_mark_the_wrong_options(questions):
    counts = {"key": [0, 0], "wrong": [0, 0]}
    for _, q in questions:
        if isinstance(q, (SingleChoice, MultipleSelect)):
            keys = {q.answer} if isinstance(q, SingleChoice) else set(q.answer)
            for o in q.options:
                side = counts["key" if o.id in keys else "wrong"]
                side[0] += _absolute(o.text)
                side[1] += 1
    share = {k: n / total for k, (n, total) in counts.items()}
    print(f"\nabsolute words: {counts['wrong'][0]} of {counts['wrong'][1]} wrong options ({share['wrong']:.1%}), "
          f"{counts['key'][0]} of {counts['key'][1]} keys ({share['key']:.1%})")
    assert share["wrong"] <= share["key"] + 0.03, counts
    assert share["wrong"] <= 0.08, counts


# --- keys and explanations agree: one category per example, bank-wide ---------
#
# A table of the categories the notes sort things into (data kinds, model
# families, uses of deep learning, paradigms) and, for each, how the bank names it
# and which terms are examples of it. A matching question must key an example to
# its category, and no explanation may offer an example of one category as an
# example of another (what dl_use_match and seq2seq_meaning once disagreed on).

CATEGORIES: dict[str, dict[str, tuple[str, str]]] = {
    "data": {
        "structured": (r"(?<!no )\bestructurad|(?<!un)structured",
                       r"\bSQL\b|hoja de cálculo|spreadsheet|base de datos relacional|relational database"),
        "unstructured": (r"no estructurad|unstructured", r"radiograf|X-ray|reseña|review|grabaci|recording"),
    },
    "algorithms": {
        "shallow": (r"shallow|clásic|classic",
                    r"random forest|gradient boost|naive bayes|nearest neighbo|vecino más cercano|\bSVM\b"
                    r"|support vector|máquina de vectores"),
        "deep": (r"deep learning|red(es)? (neuronal(es)? )?profunda|deep (neural )?network",
                 r"\bCNN|\bRNN|transformer|totalmente conectad|fully connected"),
    },
    "dl_uses": {
        "speech": (r"reconocimiento de voz|speech recognition",
                   r"audio a texto|voz (en|a) texto|audio to text|speech (in)?to text|subt[ií]tul"),
        "seq2seq": (r"seq2seq|secuencia a secuencia|sequence[- ]to[- ]sequence", r"traduc|translat"),
        "recommendation": (r"recomendaci|recommend", r"también compraron|also bought"),
        "vision": (r"visión computacional|computer vision", r"grietas|cracks"),
    },
    "paradigms": {
        "supervised": (r"(?<!no )(?<![-\w])supervisad|(?<![-\w])supervised", r"$^"),
        "unsupervised": (r"no supervisad|unsupervised|autosupervisad|self-supervised", r"agrupa|cluster"),
        "reinforcement": (r"refuerzo|reinforcement", r"recompensa|reward|castig|punish"),
        "transfer": (r"transfer learning|transferencia", r"preentrenad|pretrained"),
    },
}
_RX = {family: {cat: (re.compile(name, re.I), re.compile(term, re.I)) for cat, (name, term) in cats.items()}
       for family, cats in CATEGORIES.items()}
# A sentence that denies or supposes ("no es", "sería") says nothing about a category.
_NEGATED = re.compile(r"\b(no|not|ni|nor|never|nunca|sería|would|sin|without)\b", re.I)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+|\n", text) if s.strip() and not _NEGATED.search(s)]


def _explanations(q):
    yield "explanation", q.explanation.es
    yield "explanation", q.explanation.en
    for o in getattr(q, "options", ()):
        if o.why:
            yield f"option {o.id}'s why", o.why.es
            yield f"option {o.id}'s why", o.why.en


def _category_clashes(banks) -> tuple[list[str], int]:
    problems, checked = [], 0
    for topic, bank in banks.items():
        for q in bank.questions:
            for where, text in _explanations(q):
                plain = _sentences(text)
                for cats in _RX.values():
                    named = {cat for cat, (name, _) in cats.items() if any(name.search(s) for s in plain)}
                    if len(named) != 1:
                        continue  # none named, or several side by side: nothing is filed under one
                    (only,) = named
                    for cat, (_, term) in cats.items():
                        for s in plain:
                            if (m := term.search(s)):
                                checked += 1
                                if cat != only:
                                    problems.append(f"{topic}/{q.id} {where}: offers '{m.group(0)}' ({cat}) "
                                                    f"as an example of {only}")
    return problems, checked


def test_explanations_file_each_example_under_its_own_category(banks):
    problems, checked = _category_clashes(banks)
    assert checked >= 15, checked
    assert not problems, "\n".join(problems)


def test_the_category_check_finds_an_example_filed_under_another_category(banks):
    # The explanation that once called speech-to-text seq2seq (issue 19).
    bad = SimpleNamespace(id="seq2seq_meaning", options=(), explanation=SimpleNamespace(
        es="Verdadero. Seq2seq es un uso del deep learning. La traducción es el ejemplo clásico, "
           "y también lo es convertir voz en texto.", en="True."))
    problems, _ = _category_clashes({"why_ml": SimpleNamespace(questions=[bad])})
    assert problems == ["why_ml/seq2seq_meaning explanation: offers 'voz en texto' (speech) as an example of seq2seq"]


def test_matching_keys_agree_with_the_category_table(questions):
    checked = 0
    for topic, q in questions:
        if not isinstance(q, Matching):
            continue
        right = {o.id for o in q.right}
        family = next((f for f, cats in _RX.items() if right <= set(cats)), None)
        if family is None:
            continue
        for item in q.left:
            text = item.text.es + " " + item.text.en
            cats = {cat for cat, (_, term) in _RX[family].items() if term.search(text)}
            if len(cats) == 1:
                checked += 1
                assert q.answer[item.id] in cats, \
                    f"{topic}/{q.id}: '{item.id}' is keyed {q.answer[item.id]}, the table says {cats.pop()}"
    assert checked >= 12, checked


# --- nothing quizzed before it is taught --------------------------------------
#
# Technical terms a question may lean on, each with the words that name it in
# either language. Every term a quiz uses must appear in the lesson of that topic
# or of an earlier one (course order), so that the quiz never asks about what the
# student has not read yet.

TAUGHT_TERMS = {
    "overfitting": r"sobreajust|overfit",
    "hyperparameter": r"hiperpar[aá]metro|hyperparameter",
    "held-out data": r"datos apartados|datos aparte|held-out|held out|conjunto de prueba|test set",
    "validation": r"validaci[oó]n|validation",
    "tanh": r"\btanh\b",
    "sigmoid": r"\bsigmoid",
    "ReLU": r"\bReLU\b",
    "softmax": r"softmax",
    "logits": r"\blogits?\b",
    "embedding": r"embedding",
    "loss": r"\bpérdida|\bloss\b",
    "MSE": r"\bMSE\b",
    "cross-entropy": r"entropía cruzada|cross[- ]entropy",
    "learning rate": r"tasa de aprendizaje|learning rate",
    "gradient": r"gradiente|gradient",
    "optimiser": r"optimizador|optimi[sz]er",
    "Adam": r"\bAdam\b",
    "epoch": r"época|epoch",
    "batch": r"\blote\b|\bbatch\b",
    "accuracy": r"exactitud|accuracy",
    "weights": r"\bpesos?\b|\bweights?\b",
    "bias": r"\bsesgo|\bbias",
    "label": r"etiqueta|label",
    "feature": r"característica|feature",
    "regression": r"regresi[oó]n|regression",
    "self-supervised": r"autosupervis|self-supervis",
    "fine-tuning": r"ajuste fino|fine-tun",
    "backbone": r"backbone",
    "BatchNorm": r"batchnorm|batch norm",
    "requires_grad": r"requires_grad",
    "kernel": r"\bkernel",
    "stride": r"\bstride",
    "padding": r"\bpadding|relleno",
    "pooling": r"pooling|maxpool",
    "broadcasting": r"broadcast",
    "dtype": r"\bdtype",
    "GPU": r"\bGPU\b",
    "CNN": r"\bCNN",
    "RNN": r"\bRNN",
    "transformer": r"transformer",
    "seq2seq": r"seq2seq",
}


def _question_text(q) -> str:
    parts = [q.text.es, q.text.en, q.explanation.es, q.explanation.en]
    for group in ("options", "left", "right"):
        for o in getattr(q, group, ()):
            parts += [o.text.es, o.text.en]
            if getattr(o, "why", None):
                parts += [o.why.es, o.why.en]
    return " ".join(parts)


def _first_taught(lessons, order, pattern) -> int | None:
    for i, topic in enumerate(order):
        if topic in lessons and any(pattern.search(p.text.es) and pattern.search(p.text.en)
                                    for p in lessons[topic].parts):
            return i
    return None


def test_every_quizzed_term_is_taught_in_the_same_or_an_earlier_topic(banks):
    from torchdojo.course.lessons import load_all_lessons
    from torchdojo.course.manifest import course

    order = [t.id for t in course().topics]
    lessons = load_all_lessons()
    problems, used = [], 0
    for term, rx in TAUGHT_TERMS.items():
        pattern = re.compile(rx, re.IGNORECASE)
        first = _first_taught(lessons, order, pattern)
        for topic, bank in banks.items():
            for q in bank.questions:
                if pattern.search(_question_text(q)):
                    used += 1
                    if first is None or first > order.index(topic):
                        where = "no lesson" if first is None else f"the {order[first]} lesson"
                        problems.append(f"{topic}/{q.id} (line {q.line}) uses '{term}', first taught in {where}")
    assert used >= 100, used
    assert not problems, "\n".join(problems)


def test_the_terms_the_review_found_untaught_are_taught_where_first_quizzed():
    from torchdojo.course.lessons import load_all_lessons

    lessons = load_all_lessons()
    text = {t: " ".join(p.text.es + " " + p.text.en for p in lesson.parts) for t, lesson in lessons.items()}
    for term in ("sobreajuste", "overfitting", "hiperparámetros", "hyperparameters", "test set", "held-out"):
        assert term in text["why_ml"], term
    for term in ("tanh", "sigmoid", "ReLU"):
        assert term in text["fc_nets"], term
