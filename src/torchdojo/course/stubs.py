"""Stubs are generated from reference solutions, never written by hand.

A solution marks each answer with a region::

    def double(x):
        \"\"\"...\"\"\"
        ### BEGIN SOLUTION
        return 2 * x
        ### END SOLUTION

and the stub replaces the region with ``raise NotImplementedError(...)`` at the
region's indentation (nbgrader's convention, which Kaggle learntools reads as
"not attempted").

A stub carries no maintainer note: it is the learner's file to edit. The note
that ``exercises/`` is generated lives in ``exercises/README.md``, and
``python scripts/sync_content.py --check`` (run by the self-check) catches a
stub edited by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

from torchdojo.course import paths

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB_BODY = 'raise NotImplementedError("TODO")'
_MARK = re.compile(r"^(?P<indent>[ \t]*)### (?P<kind>BEGIN|END) SOLUTION[ \t]*$")


class StubError(ValueError):
    """Unbalanced or misplaced solution markers."""


def solution_regions(text: str) -> list[tuple[int, int, str]]:
    """``(begin_line, end_line, indent)`` of each region, lines 0-based."""
    regions = []
    begin: tuple[int, str] | None = None
    for i, line in enumerate(text.splitlines()):
        m = _MARK.match(line)
        if not m:
            if BEGIN in line or END in line:
                raise StubError(f"line {i + 1}: a solution marker must stand alone on its line")
            continue
        if m["kind"] == "BEGIN":
            if begin is not None:
                raise StubError(f"line {i + 1}: nested {BEGIN}")
            begin = (i, m["indent"])
        else:
            if begin is None:
                raise StubError(f"line {i + 1}: {END} without {BEGIN}")
            if m["indent"] != begin[1]:
                raise StubError(f"line {i + 1}: {END} indented differently from its {BEGIN}")
            regions.append((begin[0], i, begin[1]))
            begin = None
    if begin is not None:
        raise StubError(f"line {begin[0] + 1}: {BEGIN} without {END}")
    return regions


def make_stub(solution_text: str) -> str:
    """The stub for a solution module: every solution region becomes a ``raise``."""
    lines = solution_text.splitlines(keepends=True)
    regions = solution_regions(solution_text)
    if not regions:
        raise StubError("no solution regions")
    out: list[str] = []
    pos = 0
    for begin, end, indent in regions:
        out.extend(lines[pos:begin])
        out.append(f"{indent}{STUB_BODY}\n")
        pos = end + 1
    out.extend(lines[pos:])
    return "".join(out)


def strip_markers(solution_text: str) -> str:
    """The solution as a learner should read it: markers removed, code kept."""
    return "".join(line for line in solution_text.splitlines(keepends=True) if not _MARK.match(line.rstrip("\n")))


def expected_stubs() -> dict[Path, str]:
    """Every stub the course should have, by path, generated from ``solutions/``."""
    out = {}
    for solution in sorted(paths.solutions_dir().glob("*.py")):
        out[paths.exercises_dir() / solution.name] = make_stub(solution.read_text(encoding="utf-8"))
    return out


def stale_files(expected: dict[Path, str]) -> list[Path]:
    """Generated files whose content differs from ``expected`` (or that are missing)."""
    stale = []
    for path, text in expected.items():
        try:
            if path.read_text(encoding="utf-8") != text:
                stale.append(path)
        except FileNotFoundError:
            stale.append(path)
    return stale


def out_of_sync() -> list[Path]:
    """Stubs that differ from what their solutions generate (or are missing)."""
    return stale_files(expected_stubs())


def stub_path(topic, fmt: str = "py") -> Path:
    """The course's stub of ``topic``: ``exercises/<module>.py``, or its notebook
    ``exercises/notebooks/<module>.ipynb``."""
    if fmt == "ipynb":
        return paths.exercises_dir() / "notebooks" / f"{topic.module_name}.ipynb"
    return paths.exercises_dir() / topic.module
