"""``torchdojo quiz``: take a topic's quiz, grade an answer file, print a template.

::

    torchdojo quiz                         # list topics with their question counts
    torchdojo quiz why_ml                  # in the terminal, one question at a time
    torchdojo quiz why_ml --student ana    # the same, in Ana's own order
    torchdojo quiz why_ml --template > answers.yaml
    torchdojo quiz why_ml --answers answers.yaml [--json]

Results are recorded in the workspace (found as every verb finds it); listing
and templates need none.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from torchdojo.cli.common import add_workspace
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr

if TYPE_CHECKING:
    from rich.console import Console

    from torchdojo.wire.report import TopicResult


def register(subparsers: argparse._SubParsersAction, lang: str) -> None:
    p = subparsers.add_parser(
        "quiz", help=tr(lang, "take or grade a topic's quiz"),
        description=tr(lang, "Take a topic's quiz in the terminal, or grade an answer file "
                             "(format: docs/quiz-format.md). Without a topic: list the quizzes."))
    p.add_argument("topic", nargs="?", metavar="TOPIC", help=tr(lang, "topic id, e.g. why_ml"))
    p.add_argument("--list", action="store_true", help=tr(lang, "list the quiz topics with their question counts"))
    p.add_argument("--answers", metavar="FILE",
                   help=tr(lang, "grade this answer file (JSON or YAML) instead of asking in the terminal"))
    p.add_argument("--json", action="store_true",
                   help=tr(lang, "print the result as a torchdojo.report/2 JSON document (with --answers; "
                                 "with --template or --list, JSON too)"))
    p.add_argument("--template", action="store_true",
                   help=tr(lang, "print an answer-file skeleton for TOPIC (question ids, no answers)"))
    order = p.add_mutually_exclusive_group()
    order.add_argument("--seed", type=int, metavar="N",
                       help=tr(lang, "shuffle questions and options with this seed (same seed, same order)"))
    order.add_argument("--student", metavar="ID",
                       help=tr(lang, "shuffle questions and options in an order fixed by this student id"))
    add_workspace(p, lang)  # where results are recorded
    p.set_defaults(func=run)


def _list(lang: str, as_json: bool) -> int:
    from rich.text import Text as RichText

    from torchdojo.text.console import make_console
    from torchdojo.course.quiz.bank import quiz_topics
    from torchdojo.editions.student_content import question_count

    from torchdojo.course.manifest import course

    rows = []
    for topic in quiz_topics():
        rows.append((topic, question_count(topic), course().topic(topic).title.get(lang)))
    if as_json:
        print(json.dumps([{"topic": t, "questions": n, "title": title} for t, n, title in rows],
                         indent=2, ensure_ascii=False))
        return 0
    console = make_console()
    console.print(RichText(tr(lang, "Quizzes:"), style="bold"))
    width = max(len(t) for t, _, _ in rows)
    for topic, n, title in rows:
        console.print(RichText(f"  {topic:<{width}}  {n:>3} {tr(lang, 'questions')}  {title}"))
    console.print(RichText(tr(lang, "Start with: torchdojo quiz TOPIC"), style="dim"))
    return 0


def _print_result(result: TopicResult, lang: str, console: Console) -> None:
    from rich.text import Text as RichText

    from torchdojo.wire.report import PASSED

    for item in result.exercises:
        mark = {"passed": "✓", "failed": "✗", "not_attempted": "·", "error": "!"}.get(item.status, "?")
        style = {"passed": "green", "failed": "red", "error": "magenta"}.get(item.status, "dim")
        console.print(RichText(f"{mark} {item.id}  {item.score:g}/{item.max_score:g}", style=style))
        if item.status != PASSED:
            for line in item.feedback.splitlines():
                console.print(RichText(f"    {line}"))
    console.print(RichText(tr(lang, "Score: {score} / {max_score}", score=f"{result.score:g}",
                              max_score=f"{result.max_score:g}"), style="bold"))


def _grade_file(args: argparse.Namespace) -> int:
    from torchdojo.learner import progress
    from torchdojo.text.console import make_console
    from torchdojo.course.quiz.answers import load_answer_file
    from torchdojo.course.quiz.bank import load_bank
    from torchdojo.course.quiz.grading import grade
    from torchdojo.wire.report import Report
    from torchdojo.learner.workspace import find_workspace

    doc = load_answer_file(args.answers)
    topic = args.topic or doc["topic"]
    if topic is None:
        raise UserError("{path}: no topic: name it on the command line or as 'topic:' in the file", path=args.answers)
    if args.topic and doc["topic"] and doc["topic"] != args.topic:
        raise UserError("{path}: the file answers '{theirs}', not '{ours}'",
                        path=args.answers, theirs=doc["topic"], ours=args.topic)
    bank = load_bank(topic)
    folder = find_workspace(args.workspace)  # before grading: nothing is recorded outside a workspace
    graded = grade(bank, doc["answers"], args.lang, source=str(args.answers))
    for warning in graded.warnings:
        print("torchdojo: " + tr(args.lang, "warning: {detail}", detail=warning), file=sys.stderr)
    progress.record_topic(folder, graded.result)
    if args.json:
        print(Report(topics=[graded.result], lang=args.lang).to_json())
    else:
        _print_result(graded.result, args.lang, make_console())
    return 0


def run(args: argparse.Namespace) -> int:
    from torchdojo.course import edition

    if args.list or (args.topic is None and not args.answers):
        if args.template:
            raise UserError("--template needs a TOPIC")
        return _list(args.lang, args.json)
    if args.template:
        from torchdojo.editions.student_content import quiz_template

        sys.stdout.write(quiz_template(args.topic, args.lang, "json" if args.json else "yaml"))
        return 0
    if edition.is_student():
        raise UserError("the student edition has no quiz answer keys: write the answer file with "
                        "'torchdojo quiz {topic} --template', fill it in and hand it to your instructor",
                        topic=args.topic or "TOPIC")
    if args.answers:
        return _grade_file(args)
    if args.json:
        raise UserError("--json needs --answers FILE (the terminal quiz prints as it goes)")
    from torchdojo.learner import progress
    from torchdojo.course.quiz.bank import load_bank
    from torchdojo.course.quiz.interactive import QuizInterrupted, run_interactive
    from torchdojo.course.quiz.shuffle import seed_for
    from torchdojo.learner.workspace import find_workspace

    bank = load_bank(args.topic)
    folder = find_workspace(args.workspace)  # before the first question, not after the last
    try:
        result = run_interactive(bank, args.lang, seed_for(args.seed, args.student))
    except QuizInterrupted as stopped:  # Ctrl-C: keep what was answered, then exit 130 as every verb
        if any(item.status != "not_attempted" for item in stopped.result.exercises):
            progress.record_topic(folder, stopped.result)
        raise
    if any(item.status != "not_attempted" for item in result.exercises):
        progress.record_topic(folder, result)
    return 0
