"""``torchdojo list``: topics and exercises, with your status."""

from __future__ import annotations

import argparse

from torchdojo import progress
from torchdojo.commands._common import add_workspace
from torchdojo.console import make_console
from torchdojo.i18n import pick
from torchdojo.manifest import course
from torchdojo.render.terminal import LABEL, STYLE


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list topics and exercises / lista temas y ejercicios")
    add_workspace(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    items = progress.load(args.workspace)["items"]
    console = make_console()
    lang = args.lang
    for topic in course().topics:
        kind = pick(lang, "solo quiz", "quiz only") if not topic.exercises else topic.module
        console.print(f"[bold]{topic.id}[/bold]  {topic.title.get(lang)}  [dim]({kind})[/dim]")
        for ex in topic.exercises:
            status = items.get(ex.id, {}).get("status", "not_attempted")
            mark, colour = STYLE[status]
            device = "  [cyan](device)[/cyan]" if ex.device else ""
            console.print(f"  [{colour}]{mark}[/{colour}] {ex.id:<36} {ex.points:g} pt  "
                          f"[{colour}]{pick(lang, *LABEL[status])}[/{colour}]{device}")
    return 0
