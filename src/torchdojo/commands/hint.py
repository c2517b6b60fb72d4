"""``torchdojo hint``: progressive hints for one exercise."""

from __future__ import annotations

import argparse

from torchdojo.commands._common import exercise_arg
from torchdojo.console import make_console
from torchdojo.errors import UserError
from torchdojo.i18n import pick


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hint", help="show a hint / muestra una pista",
                       description="Show the hints of TOPIC/EXERCISE up to --level (1 = gentlest).")
    p.add_argument("exercise", metavar="TOPIC/EXERCISE")
    p.add_argument("--level", type=int, default=1, help="hint level, 1 first (default: 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ex = exercise_arg(args.exercise)
    n = len(ex.hints)
    if not 1 <= args.level <= n:
        raise UserError(f"{ex.id} has hint levels 1 to {n}, not {args.level}")
    console = make_console()
    for level in range(1, args.level + 1):
        console.print(pick(args.lang, f"[bold]Pista {level}/{n}[/bold] ({ex.id})",
                           f"[bold]Hint {level}/{n}[/bold] ({ex.id})"))
        console.print(ex.hints[level - 1].get(args.lang), markup=False)
    if args.level < n:
        console.print(pick(args.lang, f"[dim]Más ayuda: torchdojo hint {ex.id} --level {args.level + 1}[/dim]",
                           f"[dim]More help: torchdojo hint {ex.id} --level {args.level + 1}[/dim]"))
    return 0
