"""``torchdojo solution``: the reference solution, after an attempt."""

from __future__ import annotations

import argparse

from rich.syntax import Syntax

from torchdojo import progress
from torchdojo.commands._common import add_workspace, exercise_arg
from torchdojo.console import make_console
from torchdojo.errors import UserError
from torchdojo.solution_view import solution_source


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("solution", help="show the reference solution / muestra la solución",
                       description="Show the solution of TOPIC/EXERCISE once you have attempted it (or with --force).")
    p.add_argument("exercise", metavar="TOPIC/EXERCISE")
    add_workspace(p)
    p.add_argument("--force", action="store_true", help="show it even before an attempt")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ex = exercise_arg(args.exercise)
    item = progress.load(args.workspace)["items"].get(ex.id, {})
    attempted = item.get("attempts", 0) > 0
    if not attempted and not args.force:
        if args.lang == "en":
            raise UserError(f"attempt {ex.id} first (torchdojo check {ex.id}), or use --force")
        raise UserError(f"intenta {ex.id} primero (torchdojo check {ex.id}), o usa --force")
    make_console().print(Syntax(solution_source(ex), "python", theme="ansi_dark", background_color="default"))
    return 0
