"""``torchdojo progress``: what is done, per topic."""

from __future__ import annotations

import argparse

from torchdojo.cli.common import add_workspace
from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("progress", help=tr(lang, "show your progress"),
                       description=tr(lang, "Show what is done in the workspace, per topic."))
    add_workspace(p, lang)
    p.add_argument("--json", action="store_true", help=tr(lang, "print the stored progress as JSON"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.learner import progress
    from torchdojo.learner.workspace import find_workspace

    data = progress.load(find_workspace(args.workspace))
    if args.json:
        import json

        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    from rich.table import Table

    from torchdojo.text.console import make_console
    from torchdojo.course.manifest import course

    items = data["items"]
    lang = args.lang
    table = Table(title=tr(lang, "Progress"))
    table.add_column(tr(lang, "Topic"))
    table.add_column(tr(lang, "Exercises passed"), justify="right")
    table.add_column(tr(lang, "Points"), justify="right")
    table.add_column(tr(lang, "Quiz"), justify="right")
    for topic in course().topics:
        if topic.exercises:
            passed = sum(1 for e in topic.exercises if items.get(e.id, {}).get("status") == "passed")
            points = sum(items.get(e.id, {}).get("score", 0.0) for e in topic.exercises)
            total = sum(e.points for e in topic.exercises)
            ex_cell, pts_cell = f"{passed}/{len(topic.exercises)}", f"{points:g}/{total:g}"
        else:
            ex_cell = pts_cell = "-"
        quiz = items.get(f"quiz:{topic.id}")
        quiz_cell = f"{quiz['best_score']:g}/{quiz['max_score']:g}" if quiz else "-"
        table.add_row(topic.title.get(lang), ex_cell, pts_cell, quiz_cell)
    make_console().print(table)
    return 0
