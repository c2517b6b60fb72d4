"""Regenerate every generated file from its source.

* stubs (``exercises/*.py``) and notebooks (``exercises/notebooks/``, which also hold
  the lessons) from ``solutions/``, and the lessons' figures from ``torchdojo.course.lessons.figures``;
* the gettext catalog of program messages: ``src/torchdojo/text/locale/<lang>/LC_MESSAGES/torchdojo.po``
  gains the messages new in the source (untranslated, to be translated by hand)
  and loses those no longer used; ``torchdojo.mo`` is compiled from it.

Run after editing a solution or a program message: ``python scripts/sync_content.py``.
With ``--check``, change nothing and exit 1 if anything is out of date or a
message lacks its translation (CI's check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from torchdojo.text import atomic, catalogs  # noqa: E402
from torchdojo.course import stubs
from torchdojo.course.lessons import figures  # noqa: E402
from torchdojo.editions.notebooks import build as notebooks  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args()
    stale = stubs.out_of_sync() + figures.out_of_sync()
    if args.check:
        stale += notebooks.out_of_sync()
        for path in stale:
            print(f"out of date: {path}")
        problems = catalogs.problems()
        for problem in problems:
            print(problem)
        return 1 if stale or problems else 0
    for path, text in figures.expected_figures().items():
        if path in stale:
            atomic.write_text(path, text)
            print(f"wrote {path}")
    # Notebooks inline the figures: they are compared after the figures are written.
    stale += notebooks.out_of_sync()
    for path, text in {**stubs.expected_stubs(), **notebooks.expected_notebooks()}.items():
        if path in stale:
            atomic.write_text(path, text)
            print(f"wrote {path}")
    # The .po first, then the .mo compiled from it (expected_files() gives both from the source).
    for path, data in catalogs.expected_files().items():
        if not path.is_file() or path.read_bytes() != data:
            atomic.write_bytes(path, data)
            print(f"wrote {path}")
    untranslated = [p for p in catalogs.problems() if "untranslated" in p or "fields differ" in p]
    for problem in untranslated:
        print(problem)
    return 1 if untranslated else 0


if __name__ == "__main__":
    raise SystemExit(main())
