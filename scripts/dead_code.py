"""The dead-code check of .ci/run: vulture over the engine, the graders and the scripts.

Uses count from everywhere (the tests call part of the maintainer API), but only
the engine, the graders and the scripts are reported: pytest's fixtures and
markers would be noise. Names only a framework or the wire uses are listed, with
why, in ``vulture_allow.py``. Exit status 1 when anything is reported.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vulture import Vulture

ROOT = Path(__file__).resolve().parents[1]
REPORTED = ("src", "graders", "scripts")


def main() -> int:
    v = Vulture(ignore_names=["op_*", "test_*"], ignore_decorators=["@recipe"])
    v.scavenge([str(ROOT / d) for d in (*REPORTED, "tests")] + [str(ROOT / "vulture_allow.py")],
               exclude=["*/tests/variants/*", "*/tests/copy_styles/*"])
    found = [item for item in v.get_unused_code(min_confidence=60)
             if Path(item.filename).resolve().relative_to(ROOT).parts[0] in REPORTED]
    for item in found:
        print(item.get_report(add_size=False))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
