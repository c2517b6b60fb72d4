"""``torchdojo quiz``: take a topic's quiz, grade an answer file, print a template.

::

    torchdojo quiz                         # list topics with their question counts
    torchdojo quiz why_ml                  # in the terminal, one question at a time
    torchdojo quiz why_ml --student ana    # the same, in Ana's own order
    torchdojo quiz why_ml --template > answers.yaml
    torchdojo quiz why_ml --answers answers.yaml [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.text import Text as RichText

from torchdojo import progress
from torchdojo.commands._common import add_workspace
from torchdojo.console import make_console
from torchdojo.errors import UserError
from torchdojo.i18n import pick
from torchdojo.manifest import course
from torchdojo.quiz.answers import answer_template, load_answer_file
from torchdojo.quiz.bank import load_bank, quiz_topics
from torchdojo.quiz.grading import grade
from torchdojo.quiz.interactive import run_interactive
from torchdojo.quiz.shuffle import seed_for
from torchdojo.report import PASSED, Report, TopicResult


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "quiz", help="take or grade a topic's quiz / haz o corrige el cuestionario de un tema",
        description="Take a topic's quiz in the terminal, or grade an answer file "
                    "(format: docs/quiz-format.md). Without a topic: list the quizzes.")
    p.add_argument("topic", nargs="?", metavar="TOPIC", help="topic id, e.g. why_ml")
    p.add_argument("--list", action="store_true", help="list the quiz topics with their question counts")
    p.add_argument("--answers", metavar="FILE",
                   help="grade this answer file (JSON or YAML) instead of asking in the terminal")
    p.add_argument("--json", action="store_true",
                   help="print the result as a torchdojo.report/1 JSON document (with --answers; "
                        "with --template or --list, JSON too)")
    p.add_argument("--template", action="store_true",
                   help="print an answer-file skeleton for TOPIC (question ids, no answers)")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--seed", type=int, metavar="N",
                       help="shuffle questions and options with this seed (same seed, same order)")
    order.add_argument("--student", metavar="ID",
                       help="shuffle questions and options in an order fixed by this student id")
    add_workspace(p)  # where progress is recorded
    p.set_defaults(func=run)


def _list(lang: str, as_json: bool) -> int:
    rows = []
    for topic in quiz_topics():
        bank = load_bank(topic)
        rows.append((topic, len(bank.questions), course().topic(topic).title.get(lang)))
    if as_json:
        print(json.dumps([{"topic": t, "questions": n, "title": title} for t, n, title in rows],
                         indent=2, ensure_ascii=False))
        return 0
    console = make_console()
    console.print(RichText(pick(lang, "Cuestionarios:", "Quizzes:"), style="bold"))
    width = max(len(t) for t, _, _ in rows)
    for topic, n, title in rows:
        console.print(RichText(f"  {topic:<{width}}  {n:>3} {pick(lang, 'preguntas', 'questions')}  {title}"))
    console.print(RichText(pick(lang, "Empieza con: torchdojo quiz TEMA", "Start with: torchdojo quiz TOPIC"),
                           style="dim"))
    return 0


def _print_result(result: TopicResult, lang: str, console: Console) -> None:
    for item in result.exercises:
        mark = {"passed": "✓", "failed": "✗", "not_attempted": "·", "error": "!"}.get(item.status, "?")
        style = {"passed": "green", "failed": "red", "error": "magenta"}.get(item.status, "dim")
        console.print(RichText(f"{mark} {item.id}  {item.score:g}/{item.max_score:g}", style=style))
        if item.status != PASSED:
            for line in item.feedback.splitlines():
                console.print(RichText(f"    {line}"))
    console.print(RichText(pick(lang, f"Puntuación: {result.score:g} / {result.max_score:g}",
                                f"Score: {result.score:g} / {result.max_score:g}"), style="bold"))


def _grade_file(args: argparse.Namespace) -> int:
    doc = load_answer_file(args.answers)
    topic = args.topic or doc["topic"]
    if topic is None:
        raise UserError(f"{args.answers}: no topic: name it on the command line or as 'topic:' in the file")
    if args.topic and doc["topic"] and doc["topic"] != args.topic:
        raise UserError(f"{args.answers}: the file answers '{doc['topic']}', not '{args.topic}'")
    graded = grade(load_bank(topic), doc["answers"], args.lang, source=str(args.answers))
    for warning in graded.warnings:
        print(f"torchdojo: {pick(args.lang, 'aviso', 'warning')}: {warning}", file=sys.stderr)
    progress.record_topic(args.workspace, graded.result)
    if args.json:
        print(Report(topics=[graded.result], lang=args.lang).to_json())
    else:
        _print_result(graded.result, args.lang, make_console())
    return 0


def run(args: argparse.Namespace) -> int:
    if args.list or (args.topic is None and not args.answers):
        if args.template:
            raise UserError("--template needs a TOPIC")
        return _list(args.lang, args.json)
    if args.template:
        bank = load_bank(args.topic)
        title = course().topic(args.topic).title.get(args.lang)
        sys.stdout.write(answer_template(bank, args.lang, "json" if args.json else "yaml", title))
        return 0
    if args.answers:
        return _grade_file(args)
    if args.json:
        raise UserError("--json needs --answers FILE (the terminal quiz prints as it goes)")
    bank = load_bank(args.topic)
    result = run_interactive(bank, args.lang, seed_for(args.seed, args.student))
    if any(item.status != "not_attempted" for item in result.exercises):
        progress.record_topic(args.workspace, result)
    return 0
