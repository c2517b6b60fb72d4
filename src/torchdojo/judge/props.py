"""Hypothesis settings for graders: deterministic, fast, quiet.

``derandomize`` makes grading the same code twice give the same verdict;
no example database (nothing written next to the grader); no shrinking, since
feedback comes from the first failing example and a stub or a broken solution
fails at once (shrinking would only spend the student's time limit).

Examples depend on the grader and its seed only: newer Hypothesis mixes in
constants it reads from every "local" module loaded (in an editable install
that is torchdojo's own source, in a wheel nothing), so the same grader drew
other examples from the same code depending on how torchdojo was installed,
and each judge child spent a tenth of a second scanning ``sys.modules`` for
them. :func:`examples_from_the_grader_alone` empties that pool.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings


def examples_from_the_grader_alone() -> None:
    """Draw no constants from loaded modules (a recent Hypothesis feature; older versions have nothing to turn off)."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return
    if callable(getattr(providers, "_get_local_constants", None)) and hasattr(providers, "Constants"):
        empty = providers.Constants()
        providers._get_local_constants = lambda: empty


examples_from_the_grader_alone()


def grading_settings(max_examples: int = 15) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
