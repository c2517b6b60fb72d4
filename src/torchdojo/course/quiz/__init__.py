"""Quizzes: question banks in YAML, grading with partial credit, a terminal quiz.

The bank format and the answer-file format are documented in
``docs/quiz-format.md``. Public API::

    load_bank(topic) -> Bank                 # validated quizzes/<topic>.yaml
    load_all_banks() -> dict[str, Bank]
    load_answer_file(path) -> dict           # {"topic", "student", "answers", ...}
    grade_answers(topic, answers, lang) -> TopicResult   # kind="quiz"
    grade(bank, answers, lang) -> QuizGrade  # the result plus warnings
    run_interactive(topic, lang, seed) -> TopicResult
    answer_template(bank, lang, fmt) -> str
    seed_for(seed=None, student=None) -> int | None
    read_number(text, lang) -> float         # how a typed or written number is read
    read_answer(question, text, lang)        # how any typed or written answer is read (terminal and files)
    KINDS                                    # kind name -> its class (torchdojo.course.quiz.kinds)

Each question kind is one class in :mod:`torchdojo.course.quiz.kinds`; answer files
are parsed with limits by :mod:`torchdojo.course.quiz.untrusted`.
"""

from torchdojo.course.quiz.answers import SCHEMA as ANSWERS_SCHEMA
from torchdojo.course.quiz.answers import answer_template, load_answer_file
from torchdojo.course.quiz.bank import BankError, load_all_banks, load_bank, load_bank_file, parse_bank, quiz_topics
from torchdojo.course.quiz.grading import QuizGrade, grade, grade_answers, score_answer
from torchdojo.course.quiz.interactive import run_interactive
from torchdojo.course.quiz.kinds import KINDS
from torchdojo.course.quiz.model import Bank, Question
from torchdojo.course.quiz.reading import Unreadable, read_answer
from torchdojo.course.quiz.shuffle import present, seed_for
from torchdojo.course.quiz.spelling import NumberError, read_number

__all__ = [
    "ANSWERS_SCHEMA", "Bank", "BankError", "KINDS", "NumberError", "Question", "QuizGrade", "Unreadable",
    "answer_template", "grade", "grade_answers", "load_all_banks", "load_answer_file", "load_bank", "load_bank_file",
    "parse_bank", "present", "quiz_topics", "read_answer", "read_number", "run_interactive", "score_answer",
    "seed_for",
]
