"""``torchdojo course validate``: the maintainer's one command after editing a course (docs/authoring.md)."""

from __future__ import annotations

import argparse
import os
import sys

from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("course", help=tr(lang, "maintainer tools for a course"),
                       description=tr(lang, "Maintainer tools for a course (see docs/authoring.md)."))
    verbs = p.add_subparsers(dest="course_command", metavar="ACTION", parser_class=type(p),
                             title=tr(lang, "actions"))
    v = verbs.add_parser("validate", help=tr(lang, "check that a course is complete and its solutions pass"),
                         description=tr(lang, "Check that every exercise has a grader test, three levels of hints "
                                              "and a lesson part that prepares it, that the generated files are in "
                                              "sync, and that the reference solution and every correct variant get "
                                              "full marks. One line per problem; exit 1 if there is any."))
    v.add_argument("content", nargs="?", metavar="DIR",
                   help=tr(lang, "the course folder, holding course.toml (default: this course)"))
    v.add_argument("--topic", action="append", metavar="TOPIC", help=tr(lang, "only this topic (repeatable)"))
    v.add_argument("--no-grading", action="store_true",
                   help=tr(lang, "only check the files (no judge, no torch)"))
    v.add_argument("--no-variants", action="store_true",
                   help=tr(lang, "grade the reference solutions and stubs, not the correct variants"))
    v.set_defaults(func=run_validate)
    p.set_defaults(func=lambda args: _no_action(p))


def _no_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_validate(args: argparse.Namespace) -> int:
    from torchdojo.course import edition

    edition.require_full("torchdojo course validate")
    if args.content is not None:
        root = os.path.abspath(args.content)
        if not os.path.isfile(os.path.join(root, "course.toml")):
            raise UserError("'{path}' holds no course.toml", path=args.content)
        # The environment, not an argument: the judge and student processes read the same content.
        os.environ["TORCHDOJO_CONTENT"] = root
    from torchdojo.course import paths
    from torchdojo.course.manifest import load_course

    paths.content_root.cache_clear()
    from torchdojo.editions.validate import validate_course

    course = load_course()
    known = [t.id for t in course.exercise_topics]
    for topic in args.topic or ():
        if topic not in known:
            raise UserError("unknown topic '{topic}' (topics: {known})", topic=topic, known=", ".join(known))
    problems = validate_course(course, topics=args.topic, grade=not args.no_grading,
                               variants=not args.no_variants)
    for problem in problems:
        print(problem)
    if problems:
        print(tr(args.lang, "problems in the course: {n}", n=len(problems)),
              file=sys.stderr)
        return 1
    print(tr(args.lang, "the course is valid: {path}", path=str(paths.content_root())))
    return 0
