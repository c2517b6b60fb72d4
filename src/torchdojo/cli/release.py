"""``torchdojo release OUTDIR``: what students get (the student wheel, stubs and/or notebooks, quizzes, README)."""

from __future__ import annotations

import argparse

from torchdojo.text.i18n import ntr, tr

FORMATS = ("py", "ipynb", "both")  # as torchdojo.editions.release.FORMATS (a test keeps them equal)


def register(sub: argparse._SubParsersAction, lang: str) -> None:
    p = sub.add_parser("release", help=tr(lang, "write the student release"),
                       description=tr(lang, "Write what students get: the student-edition wheel to install, "
                                            "exercises (stubs and/or notebooks), public tests that check names "
                                            "only, quizzes without answers, a README. Never solutions, hidden "
                                            "graders or answer keys."))
    p.add_argument("outdir", metavar="OUTDIR", help=tr(lang, "an empty (or new) folder"))
    p.add_argument("--format", choices=FORMATS, default="both",
                   help=tr(lang, "py: stubs; ipynb: notebooks; both: py/ and notebooks/ (default: both)"))
    p.add_argument("--force", action="store_true", help=tr(lang, "write into OUTDIR even if it is not empty"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from torchdojo.editions.release import write_release

    result = write_release(args.outdir, args.format, force=args.force)
    print(ntr(args.lang, "{n} file written to {path}", "{n} files written to {path}", len(result.written),
              n=len(result.written), path=result.outdir))
    return 0
