"""``torchdojo release OUTDIR``: what students get (stubs and/or notebooks, quizzes, README)."""

from __future__ import annotations

import argparse

from torchdojo.i18n import pick
from torchdojo.release import FORMATS, write_release


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="write the student release / escribe el material para estudiantes",
                       description="Write what students get: exercises (stubs and/or notebooks), public tests "
                                   "that check names only, quizzes without answers, a README. Never solutions, "
                                   "hidden graders or answer keys.")
    p.add_argument("outdir", metavar="OUTDIR", help="an empty (or new) folder")
    p.add_argument("--format", choices=FORMATS, default="both",
                   help="py: stubs; ipynb: notebooks; both: py/ and notebooks/ (default: both)")
    p.add_argument("--force", action="store_true", help="write into OUTDIR even if it is not empty")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = write_release(args.outdir, args.format, force=args.force)
    print(pick(args.lang, f"{len(result.written)} archivos escritos en {result.outdir}",
               f"{len(result.written)} files written to {result.outdir}"))
    return 0
