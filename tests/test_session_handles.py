"""Handles of the judge's student session: one per student object, released once the grader holds none."""

from __future__ import annotations

import gc
from pathlib import Path

from torchdojo.judge.session import StudentSession


def _session() -> StudentSession:
    # No process is started: only the bookkeeping of handles is exercised.
    return StudentSession(job=None, zygote=None, tmp_root=Path("."), devices=["cpu"])  # type: ignore[arg-type]


def test_the_same_id_gives_the_same_handle():
    s = _session()
    a = s._make_handle(3, "Net", "module")
    b = s._make_handle(3, "Net", "module")  # what model.to(device) answers: the model itself
    assert a is b
    del b
    gc.collect()
    assert s._release == []  # the grader still holds it
    del a
    gc.collect()
    assert s._release == [3]


def test_every_release_reaches_the_next_request():
    s = _session()
    first, second = s._make_handle(1, "A", "object"), s._make_handle(2, "B", "object")
    del first
    gc.collect()
    sent, s._release = s._release, []  # what op() does when it sends a request
    assert sent == [1]
    del second
    gc.collect()
    assert s._release == [2]


def test_an_id_released_here_but_answered_again_stays_alive():
    s = _session()
    h = s._make_handle(5, "A", "object")
    del h
    gc.collect()
    assert s._release == [5]
    again = s._make_handle(5, "A", "object")
    assert s._release == [] and again is not None


def test_handles_of_an_earlier_process_are_not_reused():
    s = _session()
    old = s._make_handle(4, "A", "object")
    s.generation += 1  # what start() does
    new = s._make_handle(4, "A", "object")
    assert new is not old and new._generation == s.generation
    del old
    gc.collect()
    assert s._release == []  # an id of the earlier process is never sent to this one
