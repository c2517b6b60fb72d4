"""``torchdojo solution``: the reference solution, after an attempt."""

from __future__ import annotations

import argparse

from torchdojo.cli.common import add_workspace
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("solution", help=tr(lang, "show the reference solution"),
                       description=tr(lang, "Show the solution of TOPIC/EXERCISE once you have attempted it "
                                            "(or with --force)."))
    p.add_argument("exercise", metavar="TOPIC/EXERCISE")
    add_workspace(p, lang)
    p.add_argument("--force", action="store_true", help=tr(lang, "show it even before an attempt"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.course import edition
    from torchdojo.cli.common import check_hint, exercise_arg

    ex = exercise_arg(args.exercise)
    edition.require_full("torchdojo solution")
    if not args.force:
        from torchdojo.learner import progress
        from torchdojo.learner.workspace import find_workspace

        item = progress.load(find_workspace(args.workspace))["items"].get(ex.id, {})
        if item.get("attempts", 0) <= 0:
            raise UserError("attempt {exercise} first ({command}), or use --force",
                            exercise=ex.id, command=check_hint(args.workspace, ex.id))
    from rich.syntax import Syntax

    from torchdojo.text.console import make_console
    from torchdojo.course.solution_view import solution_source

    make_console().print(Syntax(solution_source(ex), "python", theme="ansi_dark", background_color="default"))
    return 0
