"""``torchdojo nbgrader source COURSE_DIR``: the course as an nbgrader course folder.

The verb was ``export`` until nbgrader users confused it with nbgrader's own
``nbgrader export`` (which writes grades). ``torchdojo nbgrader export`` still
works, says it was renamed, and does the same.
"""

from __future__ import annotations

import argparse
import sys

from torchdojo.errors import UserError
from torchdojo.i18n import LANGS, pick
from torchdojo.manifest import course


def _source_options(e: argparse.ArgumentParser) -> None:
    e.add_argument("course_dir", metavar="COURSE_DIR", help="the nbgrader course folder (created if missing)")
    e.add_argument("--topic", action="append", metavar="T", dest="topics",
                   help="write this topic (repeatable; default: every topic)")
    e.add_argument("--assignment", metavar="NAME",
                   help="put every topic in this one assignment (default: one assignment per topic)")
    e.add_argument("--timeout", type=int, default=600, metavar="S",
                   help="nbgrader's per-cell time limit written to nbgrader_config.py (default: 600)")
    # The CLI adds --lang to each verb, not to nested actions such as this one.
    e.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help="course language (es, en)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("nbgrader", help="the course as an nbgrader course / el curso como curso de nbgrader",
                       description="nbgrader integration (docs/nbgrader.md).")
    verbs = p.add_subparsers(dest="nbgrader_command", metavar="ACTION")
    e = verbs.add_parser("source", help="write nbgrader_config.py and source/<assignment>/<topic>.ipynb",
                         description="Write an nbgrader course folder: nbgrader_config.py and one source "
                                     "notebook per topic, ready for 'nbgrader generate_assignment'. "
                                     "(Grades for nbgrader users: 'torchdojo grade' writes grades_long.csv.)")
    _source_options(e)
    e.set_defaults(func=run_source)
    old = verbs.add_parser("export", help="renamed to 'nbgrader source'",
                           description="Renamed to 'torchdojo nbgrader source' (nbgrader's own 'export' writes "
                                       "grades; this writes source notebooks). Same options.")
    _source_options(old)
    old.set_defaults(func=run_renamed)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def run_renamed(args: argparse.Namespace) -> int:
    print(pick(args.lang, "torchdojo: 'nbgrader export' ahora se llama 'nbgrader source' (el 'export' de nbgrader "
                          "escribe notas; este escribe notebooks fuente)",
               "torchdojo: 'nbgrader export' is now 'nbgrader source' (nbgrader's own 'export' writes grades; "
               "this writes source notebooks)"), file=sys.stderr)
    return run_source(args)


def run_source(args: argparse.Namespace) -> int:
    from torchdojo.notebooks.nbgrader_source import write_source

    the_course = course()
    for t in args.topics or []:
        try:
            the_course.topic(t)
        except KeyError:
            raise UserError(f"unknown topic '{t}' (topics: {', '.join(x.id for x in the_course.topics)})") from None
    result = write_source(args.course_dir, args.topics, assignment=args.assignment, timeout_s=args.timeout,
                          the_course=the_course)
    for path in result.written:
        print(pick(args.lang, f"escrito {path}", f"wrote {path}"))
    print(pick(args.lang, f"Siguiente paso: cd {args.course_dir} && nbgrader generate_assignment ASSIGNMENT",
               f"Next: cd {args.course_dir} && nbgrader generate_assignment ASSIGNMENT"))
    return 0
