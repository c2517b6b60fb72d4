"""Hypothesis settings of the graders (torchdojo.judge.props): examples come from the grader and its seed only."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from torchdojo.judge.props import grading_settings


def test_examples_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    # Newer Hypothesis draws constants from every "local" module loaded: an
    # editable install of torchdojo would then grade with other examples than a
    # wheel. A module full of in-range constants must change nothing.
    seen: list[int] = []

    @grading_settings(60)
    @given(st.integers(0, 10**6))
    def probe(x):
        seen.append(x)

    probe()
    first = list(seen)
    seen.clear()
    (tmp_path / "lots_of_constants.py").write_text(
        "VALUES = [" + ", ".join(str(777_000 + i) for i in range(300)) + "]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import lots_of_constants  # noqa: F401

    probe()
    assert not [x for x in seen if 777_000 <= x < 777_300]
    assert seen == first
