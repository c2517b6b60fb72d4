"""The terminal: colour and layout through rich, plain text when not a TTY."""

from __future__ import annotations

import sys

from rich.console import Console


def make_console(stderr: bool = False) -> Console:
    # highlight=False: rich's automatic number colouring fights our own styles.
    return Console(stderr=stderr, highlight=False, soft_wrap=True,
                   file=sys.stderr if stderr else sys.stdout)


def printable(text: str) -> str:
    """``text`` safe for a terminal: control and format characters (ANSI escapes, bidi overrides) escaped.

    Student names come from folder and file names that a student chose; they
    must never move the cursor, recolour or hide what the instructor reads.
    """
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
                   if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in str(text))
