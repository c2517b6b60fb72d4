"""The ``torchdojo`` command: a thin layer over the Python API.

Each verb lives in ``torchdojo/commands/<verb>.py`` with ``register(subparsers)``
that declares its options (help text beside each one) and sets ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from torchdojo import __version__
from torchdojo.errors import UserError
from torchdojo.i18n import LANGS, default_lang
from torchdojo.manifest import ManifestError

# Order is the order in ``torchdojo --help``.
COMMAND_MODULES = (
    "list_cmd",
    "learn",
    "start",
    "check",
    "hint",
    "solution",
    "progress_cmd",
    "quiz",
    "grade",
    "gradescope_cmd",
    "nbgrader_cmd",
    "release",
    "watch",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        self.exit(2, f"torchdojo: {message} (see 'torchdojo --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="torchdojo", description="An autograded PyTorch course / Un curso autocorregido de PyTorch.")
    parser.add_argument("--version", action="version", version=f"torchdojo {__version__}")
    parser.add_argument("--lang", choices=LANGS, default=None,
                        help="course language (default: from TORCHDOJO_LANG or the locale; Spanish otherwise)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"torchdojo.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"torchdojo.commands.{name}":
                continue  # a verb that is not built yet
            raise
        module.register(sub)
    # --lang is global, and also accepted after the verb (``torchdojo check --lang en``).
    for verb in sub.choices.values():
        verb.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help="course language (es, en)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lang is None:
        args.lang = default_lang()
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UserError, ManifestError) as exc:
        print(f"torchdojo: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("torchdojo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
