"""Regenerate every generated file from its source.

Stubs and notebooks come from ``solutions/`` (notebooks also hold the lessons),
and the lessons' figures from ``torchdojo.lessons.figures``.

Run after editing a solution: ``python scripts/sync_content.py``. With
``--check``, change nothing and exit 1 if anything is out of date (CI's check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from torchdojo import atomic, stubs  # noqa: E402
from torchdojo.lessons import figures  # noqa: E402
from torchdojo.notebooks import build as notebooks  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args()
    stale = stubs.out_of_sync() + figures.out_of_sync()
    if args.check:
        stale += notebooks.out_of_sync()
        for path in stale:
            print(f"out of date: {path}")
        return 1 if stale else 0
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
