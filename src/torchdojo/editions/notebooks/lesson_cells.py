"""A lesson as notebook cells, placed before the exercises they prepare.

Each part becomes two Markdown cells, ``lesson-<part>-es`` and ``lesson-<part>-en``
(Spanish first). A part goes right before the first exercise it prepares, in the
notebook's exercise order; a part that prepares none follows the part before it
(or opens the notebook, when it is the first). Parts that land in the same place
keep the lesson's order. Examples stay Markdown: a notebook hand-in is graded from
its code cells, and lesson code there would run inside the grader.
"""

from __future__ import annotations

from torchdojo.course.lessons.model import Lesson
from torchdojo.course.lessons.render import inline_link, part_markdown
from torchdojo.text import nbjson

#: Where the parts that come before every exercise go.
TOP = ""


def place_parts(lesson: Lesson, exercise_order: list[str]) -> dict[str, list[str]]:
    """Part ids by the exercise they go before (``TOP``: before the first exercise)."""
    rank = {name: i for i, name in enumerate(exercise_order)}
    slots: dict[str, list[str]] = {TOP: [], **{name: [] for name in exercise_order}}
    previous = TOP
    for part in lesson.parts:
        prepared = [n for n in part.prepares if n in rank]
        slot = min(prepared, key=rank.__getitem__) if prepared else previous
        slots[slot].append(part.id)
        previous = slot
    return slots


def lesson_cells(lesson: Lesson, exercise_order: list[str]) -> dict[str, list[nbjson.Cell]]:
    """The lesson's Markdown cells by the exercise they go before (``TOP`` for the start)."""
    slots = place_parts(lesson, exercise_order)
    out: dict[str, list[nbjson.Cell]] = {}
    for slot, ids in slots.items():
        out[slot] = [nbjson.markdown(f"lesson-{pid}-{lang}", part_markdown(lesson.part(pid), lang, inline_link))
                     for pid in ids for lang in ("es", "en")]
    return out
