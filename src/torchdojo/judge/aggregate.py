"""Turn what a grading job reported into per-exercise results.

An exercise's points are shared by its tests in proportion to their weights.
It is *passed* when every test passed, *not_attempted* when every test reached
the stub's ``NotImplementedError``, *timeout* or *crashed* when the sandbox
stopped it, *error* when the student's code raised (and nothing was merely
wrong), and *failed* otherwise.
"""

from __future__ import annotations

from torchdojo.text.i18n import N_, ntr, pick, tr
from torchdojo.course.manifest import Exercise, Topic
from torchdojo.wire.report import (ERROR, FAILED, NOT_ATTEMPTED, PASSED, ItemResult, TestOutcome,
                              TopicResult)
from torchdojo.wire.result import JobResult, TestVerdict

#: Note shown on a result the grading infrastructure failed to produce (``TopicResult.infra_error`` says so).
INFRA_NOTE = "internal: grading process failed"
#: The status of every exercise our infrastructure failed to grade (decided here only): it could not be graded,
#: which is not the student's crash (``crashed`` is for a student process the sandbox saw die).
INFRA_STATUS = ERROR
_HIDDEN = N_("(details withheld: a hidden test)")


def _exercise_result(ex: Exercise, tests: list[TestVerdict], lang: str, reveal_hidden: bool) -> ItemResult:
    outcomes = [
        TestOutcome(name=t.name, status=t.status, weight=float(t.weight), feedback=pick(lang, t.es, t.en),
                    hidden=t.hidden, duration_s=float(t.dur))
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
        raw = next(t for t in tests if t.name == first.name)
        text = first.feedback
        if first.hidden and not reveal_hidden:
            text = tr(lang, _HIDDEN)
        hint = pick(lang, raw.hint_es, raw.hint_en)
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
    job_result: JobResult,
    *,
    lang: str,
    source: str = "",
    reveal_hidden: bool = True,
) -> TopicResult:
    """The :class:`TopicResult` of one job (``exercises``: those that were graded)."""
    items: list[ItemResult] = []
    notes: list[str] = []
    if job_result.infra_error:
        return infrastructure_failure(topic, exercises, job_result.infra_error, lang=lang, source=source)
    imp = job_result.import_error
    for es, en in job_result.cell_errors:
        notes.append(pick(lang, es, en))
    for msg in job_result.internal:
        notes.append(f"internal: {msg}")
    for ex in exercises:
        if imp:
            items.append(ItemResult(ex.id, 0.0, ex.points, imp.status, pick(lang, imp.es, imp.en)))
            continue
        override = job_result.overrides.get(ex.name)
        tests = job_result.tests.get(ex.name, [])
        if override:
            outcomes = [TestOutcome(name=t.name, status=t.status, weight=float(t.weight)) for t in tests]
            items.append(ItemResult(ex.id, 0.0, ex.points, override.status,
                                    pick(lang, override.es, override.en), outcomes))
            continue
        items.append(_exercise_result(ex, tests, lang, reveal_hidden))
    return TopicResult.from_items(
        topic.id, items, source=source, protections=list(job_result.protections), notes=notes)


def infrastructure_failure(topic: Topic, exercises: list[Exercise], why: str, *, lang: str,
                           source: str = "") -> TopicResult:
    """The result of a job our grading infrastructure failed to produce (a judge, worker or zygote lost).

    Every exercise is :data:`INFRA_STATUS` with no points, and
    :attr:`~torchdojo.wire.report.TopicResult.infra_error` is set: the one
    field that says "ours, grade it again" to whoever stores the result.
    """
    why = " ".join(str(why).split()) or "unknown failure"
    text = tr(lang, "could not be graded: {why}", why=why)[:1000]
    items = [ItemResult(ex.id, 0.0, ex.points, INFRA_STATUS, text) for ex in exercises]
    return TopicResult.from_items(topic.id, items, source=source, notes=[f"{INFRA_NOTE}: {why}"[:500]],
                                  infra_error=why[:500])
