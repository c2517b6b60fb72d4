"""The terminal: colour and layout through rich, plain text when not a TTY."""

from __future__ import annotations

import sys

from rich.console import Console


def make_console(stderr: bool = False) -> Console:
    # highlight=False: rich's automatic number colouring fights our own styles.
    return Console(stderr=stderr, highlight=False, soft_wrap=True,
                   file=sys.stderr if stderr else sys.stdout)
