"""``torchdojo grade``: grade a whole class."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from torchdojo.text.i18n import ntr, tr
from torchdojo.wire.job import DEVICE_CHOICES

if TYPE_CHECKING:
    from torchdojo.wire.report import TopicResult


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("grade", help=tr(lang, "grade a whole class"),
                       description=tr(lang, "Grade every student of SUBMISSIONS (a folder or .zip; one folder per "
                                            "student, or nbgrader's submitted/<student>/<assignment>/)."))
    p.add_argument("submissions", help=tr(lang, "the class folder or .zip"))
    p.add_argument("--topic", action="append", dest="topics", metavar="T",
                   help=tr(lang, "grade this topic, or quiz:T for its quiz only (repeatable; default: every topic "
                                 "with exercises). Every student is graded on the same topics: a missing hand-in "
                                 "is 0 points"))
    p.add_argument("--quiz", action="store_true",
                   help=tr(lang, "also grade the quizzes of the graded topics (quizzes are graded only when asked "
                                 "for)"))
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help=tr(lang, "parallel workers (default: number of CPUs)"))
    p.add_argument("--out", default="grades", help=tr(lang, "output folder (default: grades)"))
    p.add_argument("--json", action="store_true", help=tr(lang, "print grades.json to stdout at the end"))
    p.add_argument("--quiet", "-q", action="store_true", help=tr(lang, "print nothing but errors"))
    p.add_argument("--device", default="cpu", choices=DEVICE_CHOICES,
                   help=tr(lang, "grading device for device exercises (default: cpu)"))
    p.add_argument("--secret", metavar="TEXT", default=None,
                   help=tr(lang, "the instructor's grading secret: changes the hidden inputs of randomised tests "
                                 "(visible in the process list; prefer --secret-file or TORCHDOJO_GRADING_SECRET)"))
    p.add_argument("--secret-file", metavar="PATH", default=None,
                   help=tr(lang, "read the grading secret from the first line of PATH (keep it out of version "
                                 "control)"))
    p.add_argument("--copy-threshold", type=_threshold(lang), default=None, metavar="X",
                   help=tr(lang, "report pairs of submissions at least this similar, 0 to 1 (default: 0.75)"))
    p.add_argument("--templates", metavar="DIR", default=None,
                   help=tr(lang, "a folder of templates (report.html.j2, feedback.md.j2, feedback.html.j2) that "
                                 "replace the packaged ones of the same name"))
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help=tr(lang, "where to grade: warm workers on this machine (local, default) or a Dask "
                                 "cluster (dask)"))
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help=tr(lang, "the Dask scheduler, e.g. tcp://host:8786 (with --executor dask; see "
                                 "docs/dask.md)"))
    p.set_defaults(func=run)


def _threshold(lang: str):
    """The parser of --copy-threshold; argparse frames its message ("argument --copy-threshold: ...")."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(tr(lang, "not a number: {value}", value=repr(text))) from None
        if not 0.0 < value <= 1.0:
            raise argparse.ArgumentTypeError(tr(lang, "must be between 0 and 1, got {value}", value=text))
        return value

    return parse


def _executor(args: argparse.Namespace) -> object | None:
    """``None`` for local grading (grade_class builds it from -j), else a DaskExecutor."""
    from torchdojo.text.errors import UserError

    if args.executor == "local":
        if args.scheduler:
            raise UserError("--scheduler only applies with --executor dask")
        return None
    if not args.scheduler:
        raise UserError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    try:
        from torchdojo.classroom.dask_executor import DaskExecutor
    except ImportError:
        raise UserError("Dask is not installed: pip install 'torchdojo[dask]'") from None
    return DaskExecutor(args.scheduler)


class _Progress:
    """A rich progress bar on a terminal, plain lines otherwise, nothing when quiet."""

    def __init__(self, quiet: bool, lang: str):
        from torchdojo.text.console import make_console

        self.quiet = quiet
        self.lang = lang
        self.console = make_console(stderr=True)
        self.bar = None
        self.task = None

    def __call__(self, student: str, topic: str, result: TopicResult, done: int, total: int) -> None:
        from rich.markup import escape

        from torchdojo.text.console import printable

        if self.quiet:
            return
        if self.console.is_terminal:
            if self.bar is None:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeRemainingColumn(), console=self.console, transient=False)
                self.bar.start()
                self.task = self.bar.add_task(tr(self.lang, "grading"), total=total)
            # A student's name is theirs to choose: no control characters, no rich markup.
            self.bar.update(self.task, completed=done, description=escape(printable(f"{student} {topic}")))
        else:
            print(printable(f"[{done}/{total}] {student} {topic}: {result.score:g}/{result.max_score:g}"),
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _warn_missing_protections(lang: str) -> None:
    """Say, before grading starts, which sandbox protections this machine cannot give."""
    from torchdojo.text.console import make_console
    from torchdojo.shared.confine import capabilities, missing_protections

    console = make_console(stderr=True)
    for what in missing_protections(capabilities()):
        console.print("[yellow]" + tr(lang, "Warning: {what}.", what=tr(lang, what)) + "[/yellow]")


def run(args: argparse.Namespace) -> int:
    from torchdojo.course import edition
    from torchdojo.classroom.batch import grade_class
    from torchdojo.classroom.exports.tables import grades_document
    from torchdojo.classroom.secret import resolve_secret
    from torchdojo.text.console import make_console
    from torchdojo.course.manifest import course

    edition.require_full("torchdojo grade")
    the_course = course()
    secret = resolve_secret(the_course, secret=args.secret, secret_file=args.secret_file)
    if not args.quiet and args.executor == "local":
        _warn_missing_protections(args.lang)
    executor = _executor(args)
    progress = _Progress(args.quiet, args.lang)
    try:
        result = grade_class(args.submissions, out=args.out, topics=args.topics, quizzes=args.quiz, jobs=args.jobs,
                             lang=args.lang, device=args.device, secret=secret, executor=executor,
                             on_result=progress, course=the_course, copy_threshold=args.copy_threshold,
                             templates=args.templates)
    finally:
        progress.close()
    if args.json:
        import json

        print(json.dumps(grades_document(result, the_course, args.lang), indent=2, ensure_ascii=False))
    elif not args.quiet:
        console = make_console(stderr=True)
        if not args.topics:
            console.print(tr(args.lang, "No --topic: every topic of the course was graded ({topics}); a missing "
                                        "hand-in scores 0.", topics=", ".join(result.topics)))
        lang, n = args.lang, len(result.students)
        # Each count gets its own plural form ("1 estudiante", "1 archivo calificado"); the frame orders them.
        console.print(tr(lang, "{students}; {graded}, {skipped}; {seconds} s. Outputs in {out}/",
                         students=ntr(lang, "{n} student", "{n} students", n, n=n),
                         graded=ntr(lang, "{n} file graded", "{n} files graded", result.graded, n=result.graded),
                         skipped=ntr(lang, "{n} unchanged", "{n} unchanged", result.skipped, n=result.skipped),
                         seconds=f"{result.seconds:.1f}", out=result.out))
    return 0
