"""The ``torchdojo`` command: a thin layer over the Python API.

Each verb lives in ``torchdojo/cli/<verb>.py`` with ``register(subparsers,
lang)`` that declares its options (help text beside each one) and sets
``func``. Building the parser imports no verb's dependencies: each verb imports
what it needs when it runs, so that ``list``, ``hint``, ``quiz``, ``start``,
``progress`` and ``solution`` never load the grading sandbox (which needs the
POSIX ``resource`` module).

Exit status (the same for every verb; also in ``--help`` and the README):

* 0: the command did what it was asked. For ``check``: every exercise you
  attempted passed (not attempted ones are work still to do, not failures).
  A quiz is scored, not passed or failed: ``quiz`` exits 0 once it has graded.
* 1: ``check`` graded your work and an exercise you attempted did not pass
  (failed, error, timeout, crashed).
* 2: bad input (unknown topic, no workspace, a wrong flag, an unreadable
  file): one line on stderr, nothing done.
* 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from torchdojo import __version__
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import LANGS, N_, catalog, resolve_lang, tr

EXIT_OK = 0
EXIT_NOT_PASSED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

# Order is the order in ``torchdojo --help``.
COMMAND_MODULES = (
    "list_cmd",
    "learn",
    "start",
    "check",
    "hint",
    "solution",
    "progress",
    "quiz",
    "grade",
    "gradescope",
    "nbgrader",
    "release",
    "watch",
    "course_cmd",
)

#: argparse's own messages that a learner meets (usage, help headings, errors),
#: listed so that the catalog translates them; argparse looks them up through
#: :func:`_argparse_in`. Python versions that word one differently show it in English.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
)

EPILOG = N_("""\
exit status:
  0    the command did what it was asked; for check: every exercise you
       attempted passed (exercises not attempted yet are not failures)
  1    check graded your work and an exercise you attempted did not pass
  2    bad input (unknown topic, no workspace, a wrong flag): nothing was done
  130  interrupted (Ctrl-C)

The language: --lang, else TORCHDOJO_LANG, else the locale; Spanish otherwise.
The workspace: -w DIR, else TORCHDOJO_WORKSPACE, else the nearest folder at or
above the current one that holds .torchdojo/workspace.json (made by 'start').""")


class _Parser(argparse.ArgumentParser):
    lang = "es"

    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        self.exit(EXIT_BAD_INPUT, "torchdojo: " + tr(self.lang, "{message} (see 'torchdojo --help')",
                                                    message=message) + "\n")


@contextmanager
def _argparse_in(lang: str) -> Iterator[None]:
    """argparse's own messages (usage, errors) through our catalog while it runs.

    argparse looks them up with its module-level ``_`` and ``ngettext``; they
    are swapped for the duration and put back, so other users of argparse in
    the same process are unaffected.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = catalog(lang).gettext  # type: ignore[attr-defined]
    argparse.ngettext = catalog(lang).ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def lang_from_argv(argv: list[str]) -> str:
    """The language the command line asks for (``--lang X`` or ``--lang=X`` anywhere), else the default."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGS:
            return value
    return resolve_lang(None)


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, its help in ``lang``; imports no verb's dependencies."""
    lang = lang or resolve_lang(None)
    parser_class = type("_Parser", (_Parser,), {"lang": lang})
    with _argparse_in(lang):
        parser = parser_class(prog="torchdojo", description=tr(lang, "An autograded PyTorch course."),
                              epilog=tr(lang, EPILOG), formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.add_argument("--version", action="version", version=f"torchdojo {__version__}",
                            help=tr(lang, "show program's version number and exit"))
        parser.add_argument("--lang", choices=LANGS, default=None,
                            help=tr(lang, "language (default: TORCHDOJO_LANG, else the locale; Spanish otherwise)"))
        sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class,
                                    title=tr(lang, "commands"))
        for name in COMMAND_MODULES:
            try:
                module = importlib.import_module(f"torchdojo.cli.{name}")
            except ModuleNotFoundError as exc:
                if exc.name == f"torchdojo.cli.{name}":
                    continue  # a verb that is not built yet
                raise
            module.register(sub, lang)
        # --lang is global, and also accepted after the verb (``torchdojo check --lang en``).
        for verb in sub.choices.values():
            verb.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS,
                              help=tr(lang, "language: es or en"))
    return parser


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = lang_from_argv(argv)
    parser = build_parser(lang)
    with _argparse_in(lang):
        args = parser.parse_args(argv)
    args.lang = args.lang or lang
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    from torchdojo.course.manifest import ManifestError  # here: building the parser stays import-light

    try:
        return int(args.func(args) or EXIT_OK)
    except UserError as exc:
        print(f"torchdojo: {exc.render(args.lang)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ManifestError as exc:
        # The manifest's own message is for course authors (file, line, field).
        print("torchdojo: " + tr(args.lang, "the course manifest is invalid: {detail}", detail=exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        # A terminal echoes ^C without a newline: start a line of our own.
        print(("\n" if _isatty(sys.stderr) else "") + "torchdojo: " + tr(args.lang, "interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_NOT_PASSED
