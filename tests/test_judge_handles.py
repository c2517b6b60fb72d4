"""Handles in the judge: one per student object, released once, never under a live one."""

from __future__ import annotations

import gc

import pytest

from torchdojo.judge.client import make_job
from torchdojo.judge.remote import Lab
from torchdojo.judge.session import StudentSession
from torchdojo.judge.student_zygote import StudentZygote
from torchdojo.course.manifest import course

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

LAYERS = [("linear", 3, 4), ("relu",), ("linear", 4, 2)]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sub")
    (folder / "fc_nets.py").write_text("X = 1\n", encoding="utf-8")
    topic = course().topic("fc_nets")
    job = make_job(topic, list(topic.exercises), folder / "fc_nets.py", device="cpu", lang="en", threads=1)
    zygote = StudentZygote()
    zygote.spawn()
    zygote.wait_ready()
    s = StudentSession(job, zygote.slot(0), tmp_path_factory.mktemp("tmp"), ["cpu"])
    try:
        yield s
    finally:
        s.close()
        zygote.close()


def test_an_answer_naming_a_known_object_gives_its_handle(session):
    model = Lab(session).build("sequential", layers=LAYERS, seed=1)
    assert model.to("cpu") is model  # Module.to returns the module itself
    assert model.method("train", keep=True) is model


def test_a_dropped_second_handle_does_not_release_the_object(session):
    model = Lab(session).build("sequential", layers=LAYERS, seed=2)
    model.to("cpu")  # the answer is dropped at once
    gc.collect()
    for _ in range(2):  # the next requests carry any release; the model must outlive them
        assert sorted(model.state_dict()) == ["0.bias", "0.weight", "2.bias", "2.weight"]


def test_a_dropped_handle_is_released_at_the_next_request(session):
    lab = Lab(session)
    model = lab.build("sequential", layers=LAYERS, seed=3)
    other = lab.build("sequential", layers=LAYERS, seed=4)
    ident = model._id
    del other
    gc.collect()
    lab.run("draw_global", n=1)  # sends the release of `other` while `model` lives
    del model
    gc.collect()
    assert ident in session._release  # to be sent with the next request, whenever the handle was born
    lab.run("draw_global", n=1)
    assert ident not in session._release
    again = lab.build("sequential", layers=LAYERS, seed=5)
    assert again._id != ident and sorted(again.state_dict())
