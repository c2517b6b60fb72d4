"""Which devices an exercise was really graded on, and saying so when no GPU was.

Exercises marked ``device = true`` in ``course.toml`` run their device tests
once per grading device; pytest names each run after its device
(``test_move_to[cpu-str-dtype0]``). When every such run was on the CPU, the
exercise was *not* checked on a GPU, and a bug that only a GPU shows (for
example ``t.to(device)`` whose result is thrown away in ``move_to``: on the
CPU the tensor is already where it should be) cannot have been seen. The
feedback, the report and ``grades.json`` say so.
"""

from __future__ import annotations

import re

from torchdojo.text.i18n import N_, tr
from torchdojo.course.manifest import Course
from torchdojo.wire.report import ItemResult

_DEVICE = re.compile(r"^(cpu|cuda(:\d+)?|mps(:\d+)?)$")
CPU_ONLY = N_("graded on cpu; not checked on a GPU")


def devices_of(item: ItemResult) -> list[str]:
    """The devices the item's tests ran on, from their pytest ids (sorted; empty if none says)."""
    found = set()
    for test in item.tests:
        if "[" not in test.name or test.status == "skipped":
            continue
        first = test.name.split("[", 1)[1].rstrip("]").split("-", 1)[0]
        if _DEVICE.match(first):
            found.add(first)
    return sorted(found)


def is_device_exercise(course: Course, item_id: str) -> bool:
    try:
        return course.exercise(item_id).device
    except KeyError:
        return False  # a quiz question


def cpu_only(course: Course, item: ItemResult) -> bool:
    """A device exercise whose device tests all ran on the CPU."""
    if not is_device_exercise(course, item.id):
        return False
    used = devices_of(item)
    return bool(used) and all(d == "cpu" for d in used)


def device_note(course: Course, item: ItemResult, lang: str) -> str:
    """``"graded on cpu; not checked on a GPU"`` (in ``lang``) for such an exercise, else ``""``."""
    return tr(lang, CPU_ONLY) if cpu_only(course, item) else ""
