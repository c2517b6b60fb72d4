"""Options and lookups shared by several verbs (import-light: no grading engine here)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from torchdojo.text.i18n import tr

#: Ctrl-C, for verbs that end on it themselves (as ``torchdojo.cli.main.EXIT_INTERRUPTED``).
EXIT_INTERRUPTED = 130

if TYPE_CHECKING:
    from torchdojo.course.manifest import Course, Exercise


def add_workspace(parser: argparse.ArgumentParser, lang: str) -> None:
    """``-w/--workspace DIR``; resolved by :func:`torchdojo.learner.workspace.find_workspace` when the verb runs."""
    parser.add_argument("--workspace", "-w", default=None, metavar="DIR",
                        help=tr(lang, "the workspace folder (default: TORCHDOJO_WORKSPACE, else the nearest "
                                      "folder at or above the current one made by 'torchdojo start')"))


def check_hint(workspace_arg: str | None, target: str) -> str:
    """The ``torchdojo check`` command line to suggest, naming the workspace if it was named."""
    return f"torchdojo check -w {workspace_arg} {target}" if workspace_arg else f"torchdojo check {target}"


def exercise_arg(value: str, the_course: Course | None = None) -> Exercise:
    """``tensors/seeded_rand`` -> the exercise, or a one-line error (see :mod:`torchdojo.course.targets`)."""
    from torchdojo.course import targets
    from torchdojo.course.manifest import course

    return targets.exercise(value, the_course or course())
