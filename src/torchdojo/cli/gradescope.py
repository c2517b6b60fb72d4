"""``torchdojo gradescope build TOPIC... -o autograder.zip``: an autograder for Gradescope."""

from __future__ import annotations

import argparse

from torchdojo.text.i18n import LANGS, tr


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("gradescope", help=tr(lang, "Gradescope autograder"),
                       description=tr(lang, "Tools for grading on Gradescope (see docs/gradescope.md)."))
    verbs = p.add_subparsers(dest="gradescope_command", metavar="VERB", required=True,
                             parser_class=type(p))
    b = verbs.add_parser("build", help=tr(lang, "write the autograder zip"),
                         description=tr(lang, "Write an autograder zip (setup.sh, run_autograder, torchdojo and "
                                              "the graders) that grades the given topics; upload it as a "
                                              "Gradescope programming assignment's autograder."))
    b.add_argument("topics", nargs="+", metavar="TOPIC", help=tr(lang, "topics to grade (e.g. tensors)"))
    b.add_argument("-o", "--output", default="autograder.zip",
                   help=tr(lang, "the zip to write (default: autograder.zip)"))
    # cli.py adds --lang to top-level verbs only; a nested verb declares it itself.
    b.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS,
                   help=tr(lang, "language of the results students see (es, en)"))
    b.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from torchdojo.course import edition
    from torchdojo.editions.gradescope.bundle import build_bundle

    edition.require_full("torchdojo gradescope build")
    path = build_bundle(args.topics, args.output, lang=args.lang)
    print(tr(args.lang, "Gradescope autograder written to {path} ({topics})", path=path,
             topics=", ".join(args.topics)))
    return 0
