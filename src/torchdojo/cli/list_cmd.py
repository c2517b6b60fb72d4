"""``torchdojo list``: topics and exercises, with your status."""

from __future__ import annotations

import argparse
import sys

from torchdojo.cli.common import add_workspace
from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("list", help=tr(lang, "list topics and exercises"),
                       description=tr(lang, "List the topics and exercises, with your status when run in a "
                                            "workspace (or with -w DIR)."))
    add_workspace(p, lang)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.learner import progress
    from torchdojo.text.console import make_console
    from torchdojo.text.errors import UserError
    from torchdojo.course.manifest import course
    from torchdojo.text.terminal import STYLE, status_label
    from torchdojo.learner.workspace import find_workspace

    topics = course().topics  # a broken course is told before anything else
    # The catalogue is worth showing outside a workspace too (right after
    # installing); statuses need one. A -w that names no folder is still an error.
    try:
        items = progress.load(find_workspace(args.workspace))["items"]
    except UserError:
        if args.workspace:
            raise
        items = None
        print("torchdojo: " + tr(args.lang, "no workspace here, so no statuses: create one with "
                                            "'torchdojo start DIR'"), file=sys.stderr)
    console = make_console()
    lang = args.lang
    # The id column is as wide as the longest id, so no name pushes its row out of line.
    width = max((len(ex.id) for topic in topics for ex in topic.exercises), default=36)
    label_width = max(len(status_label(s, lang)) for s in STYLE)
    for topic in topics:
        kind = tr(lang, "quiz only") if not topic.exercises else topic.module
        console.print(f"[bold]{topic.id}[/bold]  {topic.title.get(lang)}  [dim]({kind})[/dim]")
        for ex in topic.exercises:
            device = "  [cyan](" + tr(lang, "device") + ")[/cyan]" if ex.device else ""
            if items is None:
                console.print(f"    {ex.id:<{width}} {ex.points:g} pt{device}")
                continue
            status = items.get(ex.id, {}).get("status", "not_attempted")
            mark, colour = STYLE[status]
            console.print(f"  [{colour}]{mark}[/{colour}] {ex.id:<{width}} {ex.points:g} pt  "
                          f"[{colour}]{status_label(status, lang).ljust(label_width if device else 0)}"
                          f"[/{colour}]{device}")
    return 0
