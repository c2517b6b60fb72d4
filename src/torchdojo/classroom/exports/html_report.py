"""``report.html``: the class at a glance, self-contained and offline.

Rendered from the template ``report.html.j2`` (an instructor can override it,
see :mod:`templating`). Charts are inline SVG; the only script is a few lines
inline that sort a table when its header is clicked (the page reads the same
without it). Nothing is loaded from the network. Sections: the grade
distribution, the pass rate per exercise and per quiz question, the item
analysis (with flagged items), possible copies with their shared code side by
side, device exercises not checked on a GPU, the slowest submissions, the
submissions with errors (cause first) and the grades.
"""

from __future__ import annotations

import html
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from torchdojo.text import atomic
from torchdojo.classroom.analysis import item_analysis
from torchdojo.classroom.exports.summary import BINS, device_notes, failing_rows, histogram
from torchdojo.classroom.exports.templating import environment, render as render_template
from torchdojo.course.manifest import Course
from torchdojo.shared.confine import describe_protection

if TYPE_CHECKING:
    from torchdojo.classroom.result import ClassResult

#: At most this many rows in the error table, and pairs in the copy section.
MAX_ROWS = 200
MAX_PAIRS = 50


def histogram_bars(percents: list[float], width: int = 560, height: int = 220, pad: int = 30) -> list[dict[str, Any]]:
    """The histogram's bars with their SVG geometry (bins of :data:`BINS`, 100 % on its own)."""
    counts = histogram(percents)
    top = max(counts) or 1
    bar = (width - 2 * pad) / len(counts)
    out = []
    for i, count in enumerate(counts):
        h = (height - 2 * pad) * count / top
        out.append({"label": BINS[i], "count": count, "x": pad + i * bar, "w": bar, "y": height - pad - h, "h": h,
                    "range": "100%" if BINS[i] == "100" else f"{BINS[i]}-{int(BINS[i]) + 9}%"})
    return out


def _rates(result: ClassResult, quiz: bool) -> list[tuple[str, float]]:
    seen: dict[str, list[bool]] = {}
    for s in result.students:
        for key, topic in result.results.get(s, {}).items():
            if key.startswith("quiz:") == quiz:
                for item in topic.exercises:
                    seen.setdefault(item.id, []).append(item.status == "passed")
    return sorted(((k, sum(v) / len(v)) for k, v in seen.items()), key=lambda kv: (kv[1], kv[0]))


def protections(result: ClassResult, lang: str = "en") -> tuple[list[str], list[str]]:
    """Sandbox protections active for every graded submission, and those active for only some, in ``lang``."""
    seen = [topic.protections for s in result.students for key, topic in result.results.get(s, {}).items()
            if not key.startswith("quiz:") and topic.protections]
    if not seen:
        return [], []
    everywhere = [p for p in seen[0] if all(p in other for other in seen)]
    somewhere = sorted({p for other in seen for p in other} - set(everywhere))
    return [describe_protection(lang, p) for p in everywhere], [describe_protection(lang, p) for p in somewhere]


def context(result: ClassResult, course: Course, lang: str) -> dict[str, Any]:
    """What ``report.html.j2`` sees."""
    totals = {s: result.total(s) for s in result.students}
    percents = [t.percent for t in totals.values()]
    slow = sorted(((topic.duration_s, s, key) for s in result.students
                   for key, topic in result.results.get(s, {}).items() if not key.startswith("quiz:")),
                  reverse=True)[:10]
    failing = failing_rows(result)
    sim = result.similarity
    pairs = [p for t in (sim.topics if sim else []) for p in t.pairs]
    return {
        "lang": lang,
        "students": len(result.students),
        "mean": statistics.mean(percents) if percents else 0.0,
        "median": statistics.median(percents) if percents else 0.0,
        "passing": sum(1 for p in percents if p >= 50.0),
        "bars": histogram_bars(percents),
        "exercise_rates": _rates(result, quiz=False),
        "quiz_rates": _rates(result, quiz=True),
        "items": item_analysis(result),
        "step_notes": list(result.notes),
        "similarity": sim,
        "pairs": pairs[:MAX_PAIRS],
        "more_pairs": max(0, len(pairs) - MAX_PAIRS),
        "device_notes": device_notes(result, course, lang),
        "protections": protections(result, lang),
        "slow": slow,
        "failing": failing[:MAX_ROWS],
        "more_failing": max(0, len(failing) - MAX_ROWS),
        "errors": result.errors,
        "totals": totals,
        # Entries of the class folder that are not students, with why (never skipped silently).
        "skipped": [{"entry": e, "reason": r} for e, r in getattr(result, "skipped_entries", [])],
    }


def render(result: ClassResult, course: Course, lang: str, env: jinja2.Environment | None = None) -> str:
    return render_template(env or environment(), "report.html.j2", **context(result, course, lang))


def write_report(result: ClassResult, course: Course, lang: str, path: Path,
                 env: jinja2.Environment | None = None) -> Path:
    try:
        page = render(result, course, lang, env)
    except Exception as exc:  # a template that fails at run time must not lose the other outputs
        why = html.escape(f"{type(exc).__name__}: {exc}"[:300])
        page = f"<!doctype html><html lang='{lang}'><meta charset='utf-8'><h1>report.html</h1><p>{why}</p></html>"
    atomic.write_text(path, page)
    return path


def write_fallback(path: Path, lang: str, notes: list[str]) -> Path:
    """A minimal ``report.html`` that says why the full one could not be written."""
    items = "".join(f"<li>{html.escape(n[:300])}</li>" for n in notes)
    atomic.write_text(path, f"<!doctype html><html lang='{html.escape(lang)}'><meta charset='utf-8'>"
                            f"<h1>report.html</h1><ul>{items}</ul></html>")
    return path
