"""``torchdojo gradescope build TOPIC... -o autograder.zip``: an autograder for Gradescope."""

from __future__ import annotations

import argparse

from torchdojo.i18n import pick


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gradescope", help="Gradescope autograder / autocorrector para Gradescope",
                       description="Tools for grading on Gradescope (see docs/gradescope.md).")
    verbs = p.add_subparsers(dest="gradescope_command", metavar="VERB", required=True,
                             parser_class=type(p))
    b = verbs.add_parser("build", help="write the autograder zip / escribe el zip del autocorrector",
                         description="Write an autograder zip (setup.sh, run_autograder, torchdojo and the graders) "
                                     "that grades the given topics; upload it as a Gradescope programming "
                                     "assignment's autograder.")
    b.add_argument("topics", nargs="+", metavar="TOPIC", help="topics to grade (e.g. tensors)")
    b.add_argument("-o", "--output", default="autograder.zip", help="the zip to write (default: autograder.zip)")
    # cli.py adds --lang to top-level verbs only; a nested verb declares it itself.
    b.add_argument("--lang", choices=("es", "en"), default=argparse.SUPPRESS,
                   help="language of the results students see (es, en)")
    b.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from torchdojo.gradescope.bundle import build_bundle

    path = build_bundle(args.topics, args.output, lang=args.lang)
    print(pick(args.lang, f"autocorrector de Gradescope escrito en {path} ({', '.join(args.topics)})",
               f"Gradescope autograder written to {path} ({', '.join(args.topics)})"))
    return 0
