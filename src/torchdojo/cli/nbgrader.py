"""``torchdojo nbgrader source COURSE_DIR``: the course as an nbgrader course folder.

The verb was ``export`` until nbgrader users confused it with nbgrader's own
``nbgrader export`` (which writes grades). ``torchdojo nbgrader export`` still
works, says it was renamed, and does the same.
"""

from __future__ import annotations

import argparse
import sys

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import LANGS, tr


def _source_options(e: argparse.ArgumentParser, lang: str) -> None:
    e.add_argument("course_dir", metavar="COURSE_DIR",
                   help=tr(lang, "the nbgrader course folder (created if missing)"))
    e.add_argument("--topic", action="append", metavar="T", dest="topics",
                   help=tr(lang, "write this topic (repeatable; default: every topic)"))
    e.add_argument("--assignment", metavar="NAME",
                   help=tr(lang, "put every topic in this one assignment (default: one assignment per topic)"))
    e.add_argument("--timeout", type=int, default=600, metavar="S",
                   help=tr(lang, "nbgrader's per-cell time limit written to nbgrader_config.py (default: 600)"))
    # The CLI adds --lang to each verb, not to nested actions such as this one.
    e.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=tr(lang, "language: es or en"))


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("nbgrader", help=tr(lang, "the course as an nbgrader course"),
                       description=tr(lang, "nbgrader integration (docs/nbgrader.md)."))
    verbs = p.add_subparsers(dest="nbgrader_command", metavar="ACTION")
    e = verbs.add_parser("source", help=tr(lang, "write nbgrader_config.py and source/<assignment>/<topic>.ipynb"),
                         description=tr(lang, "Write an nbgrader course folder: nbgrader_config.py and one source "
                                              "notebook per topic, ready for 'nbgrader generate_assignment'. "
                                              "(Grades for nbgrader users: 'torchdojo grade' writes "
                                              "grades_long.csv.)"))
    _source_options(e, lang)
    e.set_defaults(func=run_source)
    old = verbs.add_parser("export", help=tr(lang, "renamed to 'nbgrader source'"),
                           description=tr(lang, "Renamed to 'torchdojo nbgrader source' (nbgrader's own 'export' "
                                                "writes grades; this writes source notebooks). Same options."))
    _source_options(old, lang)
    old.set_defaults(func=run_renamed)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def run_renamed(args: argparse.Namespace) -> int:
    print("torchdojo: " + tr(args.lang, "'nbgrader export' is now 'nbgrader source' (nbgrader's own 'export' "
                                        "writes grades; this writes source notebooks)"), file=sys.stderr)
    return run_source(args)


def run_source(args: argparse.Namespace) -> int:
    from torchdojo.course import edition
    from torchdojo.course.manifest import course
    from torchdojo.editions.notebooks.nbgrader_source import write_source

    edition.require_full("torchdojo nbgrader source")
    the_course = course()
    for t in args.topics or []:
        try:
            the_course.topic(t)
        except KeyError:
            raise UserError("unknown topic '{topic}' (topics: {known})",
                            topic=t, known=", ".join(x.id for x in the_course.topics)) from None
    result = write_source(args.course_dir, args.topics, assignment=args.assignment, timeout_s=args.timeout,
                          the_course=the_course)
    for path in result.written:
        print(tr(args.lang, "wrote {path}", path=path))
    print(tr(args.lang, "Next: {command}", command=f"cd {args.course_dir} && nbgrader generate_assignment ASSIGNMENT"))
    return 0
