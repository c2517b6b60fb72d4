"""``torchdojo hint``: progressive hints for one exercise."""

from __future__ import annotations

import argparse

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("hint", help=tr(lang, "show a hint"),
                       description=tr(lang, "Show the hints of TOPIC/EXERCISE up to --level (1 = gentlest)."))
    p.add_argument("exercise", metavar="TOPIC/EXERCISE")
    p.add_argument("--level", type=int, default=1, help=tr(lang, "hint level, 1 first (default: 1)"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.cli.common import exercise_arg
    from torchdojo.text.console import make_console

    ex = exercise_arg(args.exercise)
    n = len(ex.hints)
    if not 1 <= args.level <= n:
        raise UserError("{exercise} has hint levels 1 to {n}, not {level}", exercise=ex.id, n=n, level=args.level)
    console = make_console()
    for level in range(1, args.level + 1):
        console.print("[bold]" + tr(args.lang, "Hint {level}/{n}", level=level, n=n) + f"[/bold] ({ex.id})")
        console.print(ex.hints[level - 1].get(args.lang), markup=False)
    if args.level < n:
        console.print("[dim]" + tr(args.lang, "More help: {command}",
                                   command=f"torchdojo hint {ex.id} --level {args.level + 1}") + "[/dim]")
    return 0
