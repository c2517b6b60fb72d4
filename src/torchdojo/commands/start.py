"""``torchdojo start``: a workspace with the exercise stubs."""

from __future__ import annotations

import argparse

from torchdojo.console import make_console
from torchdojo.i18n import pick
from torchdojo.workspace import start_workspace


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("start", help="create a workspace with the exercises / crea un espacio de trabajo",
                       description="Copy the exercise stubs into DIR; files already there are never overwritten.")
    p.add_argument("dir", nargs="?", default="torchdojo-workspace", help="the folder (default: torchdojo-workspace)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = start_workspace(args.dir)
    console = make_console()
    lang = args.lang
    for name in result.created:
        console.print(pick(lang, f"[green]creado[/green] {result.workspace / name}",
                           f"[green]created[/green] {result.workspace / name}"))
    for name in result.kept:
        console.print(pick(lang, f"[yellow]conservado[/yellow] {result.workspace / name} (ya existía: no se sobrescribe)",
                           f"[yellow]kept[/yellow] {result.workspace / name} (already there: not overwritten)"))
    console.print(pick(lang,
                       f"\nSiguiente paso: edita los archivos y ejecuta [bold]torchdojo check -w {result.workspace}[/bold]",
                       f"\nNext: edit the files and run [bold]torchdojo check -w {result.workspace}[/bold]"))
    return 0
