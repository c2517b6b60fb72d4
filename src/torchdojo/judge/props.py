"""Hypothesis settings for graders: deterministic, fast, quiet.

``derandomize`` makes grading the same code twice give the same verdict;
no example database (nothing written next to the grader); no shrinking, since
feedback comes from the first failing example and a stub or a broken solution
fails at once (shrinking would only spend the student's time limit).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings


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
