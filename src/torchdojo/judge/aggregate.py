"""Turn what a grading job reported into per-exercise results.

An exercise's points are shared by its tests in proportion to their weights.
It is *passed* when every test passed, *not_attempted* when every test reached
the stub's ``NotImplementedError``, *timeout* or *crashed* when the sandbox
stopped it, *error* when the student's code raised (and nothing was merely
wrong), and *failed* otherwise.
"""

from __future__ import annotations

from typing import Any

from torchdojo.text.i18n import N_, ntr, pick, tr
from torchdojo.course.manifest import Exercise, Topic
from torchdojo.wire.report import (CRASHED, ERROR, FAILED, NOT_ATTEMPTED, PASSED, ItemResult, TestOutcome,
                              TopicResult)

#: Note shown on a result the grading infrastructure failed to produce (``TopicResult.infra_error`` says so).
INFRA_NOTE = "internal: grading process failed"
_HIDDEN = N_("(details withheld: a hidden test)")


def _exercise_result(ex: Exercise, tests: list[dict[str, Any]], lang: str, reveal_hidden: bool) -> ItemResult:
    outcomes = [
        TestOutcome(
            name=str(t.get("name", "")),
            status=str(t.get("status", ERROR)),
            weight=float(t.get("weight", 1.0)),
            feedback=pick(lang, str(t.get("es", "")), str(t.get("en", ""))),
            hidden=bool(t.get("hidden", False)),
            duration_s=float(t.get("dur", 0.0)),
        )
        for t in tests
    ]
    counted = [o for o in outcomes if o.status != "skipped"]
    if not counted:
        return ItemResult(ex.id, 0.0, ex.points, ERROR,
                          tr(lang, "no test of this exercise ran"), outcomes)
    total = sum(o.weight for o in counted) or 1.0
    won = sum(o.weight for o in counted if o.status == PASSED)
    statuses = {o.status for o in counted}
    if statuses == {PASSED}:
        status = PASSED
    elif statuses == {NOT_ATTEMPTED}:
        status = NOT_ATTEMPTED
    elif FAILED in statuses or NOT_ATTEMPTED in statuses:
        status = FAILED
    else:
        status = ERROR
    score = round(ex.points * won / total, 4)
    feedback = ""
    if status != PASSED:
        first = next(o for o in counted if o.status != PASSED)
        raw = next(t for t in tests if t.get("name") == first.name)
        text = first.feedback
        if first.hidden and not reveal_hidden:
            text = tr(lang, _HIDDEN)
        hint = pick(lang, str(raw.get("hint_es", "")), str(raw.get("hint_en", "")))
        if hint and status != NOT_ATTEMPTED:
            text += " " + tr(lang, "Hint: {hint}", hint=hint)
        if status != NOT_ATTEMPTED and len(counted) > 1:
            n_ok = sum(1 for o in counted if o.status == PASSED)
            text += " " + ntr(lang, "({n} of {total} check passed)", "({n} of {total} checks passed)", len(counted),
                              n=n_ok, total=len(counted))
        feedback = text
    if not reveal_hidden:
        for o in outcomes:
            if o.hidden and o.status != PASSED:
                o.feedback = tr(lang, _HIDDEN)
    return ItemResult(ex.id, score, ex.points, status, feedback, outcomes,
                      duration_s=round(sum(o.duration_s for o in outcomes), 4))


def topic_result(
    topic: Topic,
    exercises: list[Exercise],
    job_result: dict[str, Any],
    *,
    lang: str,
    source: str = "",
    reveal_hidden: bool = True,
) -> TopicResult:
    """The :class:`TopicResult` of one job (``exercises``: those that were graded)."""
    items: list[ItemResult] = []
    notes: list[str] = []
    zerr = job_result.get("zygote_error")
    imp = job_result.get("import_error")
    for es, en in job_result.get("cell_errors") or []:
        notes.append(pick(lang, es, en))
    for msg in job_result.get("internal") or []:
        notes.append(f"internal: {msg}")
    if zerr:
        notes.append(f"{INFRA_NOTE}: {zerr}"[:500])
    for ex in exercises:
        if zerr:
            items.append(ItemResult(ex.id, 0.0, ex.points, CRASHED,
                                    tr(lang, "could not be graded: {why}", why=zerr)))
            continue
        if imp:
            status = imp.get("status", ERROR)
            items.append(ItemResult(ex.id, 0.0, ex.points, status, pick(lang, imp["es"], imp["en"])))
            continue
        override = (job_result.get("overrides") or {}).get(ex.name)
        tests = (job_result.get("tests") or {}).get(ex.name, [])
        if override:
            outcomes = [TestOutcome(name=str(t.get("name")), status=str(t.get("status")),
                                    weight=float(t.get("weight", 1.0))) for t in tests]
            items.append(ItemResult(ex.id, 0.0, ex.points, override["status"],
                                    pick(lang, override["es"], override["en"]), outcomes))
            continue
        items.append(_exercise_result(ex, tests, lang, reveal_hidden))
    return TopicResult.from_items(
        topic.id, items, source=source, protections=list(job_result.get("protections") or []),
        notes=notes, infra_error=str(zerr)[:500] if zerr else "")
