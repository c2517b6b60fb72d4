"""Item analysis on a hand-built class: the point-biserial, the groups, the flag, the failure messages."""

from __future__ import annotations

import pytest

from torchdojo.classroom.analysis import analyse, blank_name, failure_message, point_biserial
from torchdojo.classroom.result import ClassResult
from torchdojo.wire.report import ItemResult, TopicResult


def klass(rows: dict[str, dict[str, bool]]) -> ClassResult:
    """``{student: {item: got it}}`` -> a ClassResult with one quiz topic of 1-point items."""
    results = {}
    for student, items in rows.items():
        graded = [ItemResult(f"t/{i}", 1.0 if ok else 0.0, 1.0, "passed" if ok else "failed",
                             "" if ok else f"wrong in {student} (1 of 3 checks passed)") for i, ok in items.items()]
        results[student] = {"quiz:t": TopicResult.from_items("t", graded, kind="quiz")}
    return ClassResult(students=list(rows), topics=["quiz:t"], results=results)


def test_point_biserial_is_pearson_on_a_binary_variable():
    assert point_biserial([True, False, True, False], [90, 10, 80, 20]) == pytest.approx(0.9899, abs=1e-4)
    assert point_biserial([True, True, True], [1, 2, 3]) is None  # no variance: undefined
    assert point_biserial([True], [1]) is None


def test_the_item_the_strongest_miss_is_flagged():
    # s0..s5 from strongest to weakest on the good items; "odd" is got only by the weakest.
    rows = {}
    for k in range(6):
        rows[f"s{k}"] = {"a": k < 4, "b": k < 3, "c": k < 5, "odd": k >= 4}
    items = {s.item: s for s in analyse(klass(rows))}
    assert items["t/odd"].flagged and items["t/odd"].discrimination < 0
    assert items["t/odd"].upper == 0 and items["t/odd"].lower == 1
    for name in ("t/a", "t/b", "t/c"):
        assert not items[name].flagged and items[name].discrimination > 0, name
    assert items["t/a"].passed == round(4 / 6, 4)
    # per-student text and check counts are gone: one message for the whole class
    assert items["t/b"].failures == [("wrong in <student>", 3)]
    assert items["t/odd"].kind == "quiz" and items["t/odd"].key == "quiz:t"


def test_too_few_students_are_never_flagged():
    rows = {"s0": {"odd": False, "a": True}, "s1": {"odd": True, "a": False}}
    assert not any(s.flagged for s in analyse(klass(rows)))


def test_failure_messages_are_one_line_and_cut():
    assert failure_message("a\nb  (2 de 5 comprobaciones correctas)") == "a b"
    assert len(failure_message("x" * 1000)) == 160


def test_an_exercise_and_a_quiz_question_with_the_same_id_are_two_items():
    # tensors/add_batch_dim is an exercise and a quiz question: 3 of 5 pass the exercise, 1 of 5 the question.
    results = {}
    for k in range(5):
        s = f"s{k}"
        ex = ItemResult("tensors/add_batch_dim", 1.0 if k < 3 else 0.0, 1.0, "passed" if k < 3 else "failed",
                        "" if k < 3 else "la forma es (3, 1), se esperaba (1, 3)")
        q = ItemResult("tensors/add_batch_dim", 1.0 if k == 0 else 0.0, 1.0, "passed" if k == 0 else "failed",
                       "" if k == 0 else "sin responder")
        results[s] = {"tensors": TopicResult.from_items("tensors", [ex]),
                      "quiz:tensors": TopicResult.from_items("tensors", [q], kind="quiz")}
    result = ClassResult(students=list(results), topics=["tensors", "quiz:tensors"], results=results)
    items = analyse(result)
    assert [(i.kind, i.item) for i in items] == [("exercise", "tensors/add_batch_dim"),
                                                ("quiz", "tensors/add_batch_dim")]
    exercise, question = items
    assert exercise.students == question.students == 5  # never more than the class
    assert exercise.passed == 0.6 and question.passed == 0.2
    assert exercise.failures == [("la forma es (3, 1), se esperaba (1, 3)", 2)]
    assert question.failures == [("sin responder", 4)]
    assert (exercise.qualified, question.qualified) == ("tensors/add_batch_dim", "quiz:tensors/add_batch_dim")
    from torchdojo.classroom.exports.tables import grades_document

    doc = grades_document(result)
    ids = [i["id"] for i in doc["item_analysis"]]
    assert ids == ["tensors/add_batch_dim", "quiz:tensors/add_batch_dim"]
    assert all(i["students"] <= len(result.students) for i in doc["item_analysis"])


@pytest.mark.parametrize("text, name, expected", [
    ("falta tensors.py en la carpeta de eva", "eva", "falta tensors.py en la carpeta de <student>"),
    ("una versión nueva de la función", "eva", "una versión nueva de la función"),
    ("los canales van primero", "ana", "los canales van primero"),
    ("Ána y Mariana entregaron", "ana", "<student> y Mariana entregaron"),
    ("ANA: la forma no coincide", "ana", "<student>: la forma no coincide"),
    ("ana-maría no es ana", "ana", "ana-maría no es <student>"),
    ("el archivo ana.py no es un módulo", "ana", "el archivo ana.py no es un módulo"),
    ("José entregó", "jose", "<student> entregó"),
    ("la clave 'max' es incorrecta", "max", "la clave 'max' es incorrecta"),
    ("ana's folder has no tensors.py", "ana", "<student>'s folder has no tensors.py"),
    ("a de ana", "a", "a de ana"),  # a one-letter name is a letter, not a name
])
def test_names_are_blanked_as_whole_words_only(text, name, expected):
    assert blank_name(text, name) == expected


def test_a_word_of_the_course_is_not_blanked_for_a_student_who_bears_it():
    # Sol and Luz are names; "sol" and "luz" are also Spanish words that every classmate's message holds.
    rows = {"sol": False, "luz": False, "bea": False, "eva": False}
    results = {}
    for s in rows:
        msg = f"la imagen del sol pierde luz en {s}/tensors.py"
        results[s] = {"tensors": TopicResult.from_items("tensors", [ItemResult("tensors/x", 0.0, 1.0, "failed", msg)])}
    (item,) = analyse(ClassResult(students=list(results), topics=["tensors"], results=results))
    assert item.failures == [("la imagen del sol pierde luz en <student>/tensors.py", 4)]


def test_a_name_a_classmate_writes_only_as_quoted_code_is_still_blanked():
    # Max's message names him; Bob's holds `max` only as code: not the course's word in his
    # place, so Max's own name is blanked and the analysis goes on (it once stopped here).
    results = {
        "max": {"tensors": TopicResult.from_items("tensors", [ItemResult("tensors/x", 0.0, 1.0, "failed",
                                                                         "max is wrong")])},
        "bob": {"tensors": TopicResult.from_items("tensors", [ItemResult("tensors/x", 0.0, 1.0, "failed",
                                                                         "`max` is wrong")])},
    }
    (item,) = analyse(ClassResult(students=list(results), topics=["tensors"], results=results))
    assert ("<student> is wrong", 1) in item.failures
