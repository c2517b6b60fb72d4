"""``torchdojo start``: a workspace with the exercise stubs."""

from __future__ import annotations

import argparse

from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("start", help=tr(lang, "create a workspace with the exercises"),
                       description=tr(lang, "Copy the exercise stubs into DIR and mark it as a workspace "
                                            "(.torchdojo/workspace.json); files already there are never "
                                            "overwritten."))
    p.add_argument("dir", nargs="?", default="torchdojo-workspace",
                   help=tr(lang, "the folder (default: torchdojo-workspace)"))
    p.add_argument("--format", choices=("py", "ipynb"), default="py", dest="fmt",
                   help=tr(lang, "py: a .py module per topic (default); ipynb: the same exercises as notebooks"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.text.console import make_console
    from torchdojo.learner.workspace import start_workspace

    result = start_workspace(args.dir, fmt=args.fmt)
    console = make_console()
    lang = args.lang
    for name in result.created:
        console.print(f"[green]{tr(lang, 'created')}[/green] {result.workspace / name}")
    for name in result.kept:
        console.print(f"[yellow]{tr(lang, 'kept')}[/yellow] {result.workspace / name} "
                      + tr(lang, "(already there: not overwritten)"))
    console.print("\n" + tr(lang, "Next: edit the files and run {command}",
                            command=f"[bold]torchdojo check -w {result.workspace}[/bold]"))
    return 0
