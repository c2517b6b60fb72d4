"""The typed messages of the wire (torchdojo.wire.result, .ops, .hello, .request): round-trips and validation.

Fast: no process is started.
"""

from __future__ import annotations

import copy
import json

import pytest

from torchdojo.wire.hello import JudgeHello, ZygoteHello
from torchdojo.wire.ops import STUDENT_OPS, ZYGOTE_OPS, StudentOp, ZygoteOp
from torchdojo.wire.result import FORMAT, INFRA_LIMIT, JobResult, TestVerdict, Verdict


def full_result() -> JobResult:
    return JobResult(
        devices=["cpu"],
        tests={"add": [TestVerdict("add", "test_add[cpu]", "passed", 2.0, dur=0.01),
                       TestVerdict("add", "test_add_hidden", "failed", hidden=True, es="mal", en="wrong",
                                   hint_es="pista", hint_en="hint")],
               "mul": []},
        overrides={"mul": Verdict("timeout", "tardó", "took too long")},
        internal=["pytest exited with 3"],
        import_error=None,
        cell_errors=[("celda 2 falló", "cell 2 failed")],
        protections=["bounded output"],
        processes=2,
        output="hello\n",
    )


def test_a_job_result_round_trips_through_json_unchanged():
    result = full_result()
    text = result.to_json()
    assert json.loads(text)["format"] == FORMAT
    back = JobResult.from_json(text)
    assert back == result
    assert isinstance(back.tests["add"][0], TestVerdict) and isinstance(back.overrides["mul"], Verdict)
    assert back.cell_errors == [("celda 2 falló", "cell 2 failed")]
    # And once more, from the bytes a pipe delivers.
    assert JobResult.from_json(text.encode()) == result


def test_an_import_error_round_trips():
    result = JobResult(devices=["cpu"], import_error=Verdict("crashed", "murió", "died"))
    assert JobResult.from_json(result.to_json()).import_error == Verdict("crashed", "murió", "died")


def test_an_infrastructure_failure_is_one_field_and_bounded():
    result = JobResult.infrastructure("x" * (INFRA_LIMIT * 3))
    assert len(result.infra_error) == INFRA_LIMIT and not result.tests and not result.devices
    assert JobResult.from_json(result.to_json()).infra_error == result.infra_error
    assert JobResult.infrastructure("").infra_error  # never an empty (false) failure
    assert not full_result().infra_error
    # Whether the zygote was lost (a retry in a fresh one) travels with it; a judge child's own failure is not that.
    lost = JobResult.infrastructure("student zygote lost: EOF", zygote_lost=True)
    assert JobResult.from_json(lost.to_json()).zygote_lost
    assert not JobResult.from_json(result.to_json()).zygote_lost


@pytest.mark.parametrize("doc", [
    None, [], "text", {}, {"format": "torchdojo.job/1"},
    {"format": FORMAT, "tests": []},
    {"format": FORMAT, "tests": {"add": [{"ex": "add", "name": "t", "status": "passed", "bogus": 1}]}},
    {"format": FORMAT, "tests": {"add": [{"ex": "add", "name": "t", "status": "glorious"}]}},
    {"format": FORMAT, "overrides": {"add": {"status": "passed", "es": "a"}}},
    {"format": FORMAT, "import_error": {"status": "skipped", "es": "", "en": ""}},
    {"format": FORMAT, "devices": "cpu"},
    {"format": FORMAT, "processes": "many"},
    {"format": FORMAT, "cell_errors": [["only one"]]},
])
def test_malformed_job_results_are_refused(doc):
    with pytest.raises(ValueError):
        JobResult.from_dict(copy.deepcopy(doc))


def test_verdict_statuses_are_the_report_statuses():
    with pytest.raises(ValueError):
        Verdict("fine", "", "")
    with pytest.raises(ValueError):
        TestVerdict("ex", "t", "fine")
    assert TestVerdict("ex", "t", "skipped").status == "skipped"  # a test may be skipped, an exercise not


def test_hellos_round_trip_and_anything_else_is_not_a_hello():
    z = ZygoteHello(pid=41, caps={"sandbox": True, "share": {"kind": "cgroup1"}}, subreaper=True)
    assert ZygoteHello.from_json(z.to_json()) == z
    assert ZygoteHello.from_json(z.to_json().encode()) == z
    j = JudgeHello(pid=7, caps={"namespaces": False})
    assert JudgeHello.from_json(j.to_json()) == j
    for line in (b"", b"\n", b"garbled{", b"[]", b'{"ready": false, "pid": 3}', b'{"pid": 3}',
                 b'{"ready": true}', b'{"ready": true, "pid": true}', b'{"ready": "yes", "pid": 3}',
                 b'{"ready": true, "pid": 3, "caps": []}'):
        with pytest.raises(ValueError):
            ZygoteHello.from_json(line)
        with pytest.raises(ValueError):
            JudgeHello.from_json(line)


def test_operations_are_closed_sets():
    assert StudentOp("call") is StudentOp.CALL and ZygoteOp("spawn") is ZygoteOp.SPAWN
    with pytest.raises(ValueError):
        StudentOp("__init__")
    with pytest.raises(ValueError):
        ZygoteOp("shell")
    assert STUDENT_OPS == {op.value for op in StudentOp} and ZYGOTE_OPS == {op.value for op in ZygoteOp}
    # The JSON and wire forms are the plain names.
    assert json.dumps({"op": ZygoteOp.KILL}) == '{"op": "kill"}'


def test_the_student_server_handles_exactly_the_closed_set():
    from torchdojo.student import server

    assert set(server._HANDLERS) == STUDENT_OPS
    assert all(callable(h) for h in server._HANDLERS.values())


# -- decisions made once, carried forward -------------------------------------------------------------------------

def test_an_infrastructure_failure_has_one_status_and_sets_infra_error():
    from torchdojo.course.manifest import course
    from torchdojo.judge.aggregate import INFRA_STATUS, infrastructure_failure, topic_result

    topic = course().topic("tensors")
    exercises = list(topic.exercises)
    via_judge = topic_result(topic, exercises, JobResult.infrastructure("zygote\nlost"), lang="en")
    direct = infrastructure_failure(topic, exercises, "zygote lost", lang="en")
    for result in (via_judge, direct):
        assert result.infra_error == "zygote lost" and result.score == 0
        assert {i.status for i in result.exercises} == {INFRA_STATUS} == {"error"}
        assert all("could not be graded: zygote lost" in i.feedback for i in result.exercises)
    # A result of the student's own doing never says it is ours.
    ok = topic_result(topic, exercises, JobResult(devices=["cpu"], import_error=Verdict("crashed", "m", "d")),
                      lang="en")
    assert not ok.infra_error and {i.status for i in ok.exercises} == {"crashed"}


def test_a_topic_result_round_trips_through_json_unchanged():
    from torchdojo.wire.report import ItemResult, TestOutcome, TopicResult

    topic = TopicResult.from_items("t", [ItemResult("t/a", 1.0, 2.0, "failed", "half", [TestOutcome("x", "passed")])],
                                   notes=["n"], infra_error="")
    assert TopicResult.from_json(topic.to_json()) == topic
    with pytest.raises(ValueError):
        TopicResult.from_dict({"topic": "t", "exercises": [{"id": "t/a"}]})
    with pytest.raises(ValueError):
        TopicResult.from_dict({"topic": "t", "exercises": [{"id": "t/a", "score": 0, "max_score": 1,
                                                            "status": "glorious"}]})


def test_every_output_reads_one_total_per_student():
    from torchdojo.classroom.result import ClassResult, Total
    from torchdojo.wire.report import ItemResult, TopicResult

    a = TopicResult.from_items("a", [ItemResult("a/x", 0.1, 1.0, "failed"), ItemResult("a/y", 0.2, 1.0, "failed")])
    b = TopicResult.from_items("b", [ItemResult("b/x", 3.0, 3.0, "passed")])
    result = ClassResult(students=["ana", "bo"], topics=["a", "b"], results={"ana": {"a": a, "b": b}})
    assert result.total("ana") == Total(3.3, 5.0) == Total.of([a, b])
    assert result.total("ana").percent == pytest.approx(66.0)
    assert result.total("bo") == Total(0.0, 0.0) and result.total("bo").percent == 0.0


def test_item_analysis_is_computed_once_and_kept():
    from torchdojo.classroom.analysis import item_analysis
    from torchdojo.classroom.result import ClassResult
    from torchdojo.wire.report import ItemResult, TopicResult

    results = {s: {"quiz:t": TopicResult.from_items("t", [ItemResult("t/q", float(ok), 1.0,
                                                                     "passed" if ok else "failed")], kind="quiz")}
               for s, ok in (("ana", True), ("bo", False))}
    result = ClassResult(students=list(results), topics=["quiz:t"], results=results)
    first = item_analysis(result)
    assert [s.item for s in first] == ["t/q"] and result.analysis is first and item_analysis(result) is first


@pytest.mark.parametrize("name, goes", [("helpers.py", True), ("conftest.py", False), ("sitecustomize.py", False),
                                        (".hidden.py", False), ("notes.txt", False), ("pytest.ini", False)])
def test_one_filter_decides_which_files_go_with_a_submission(name, goes):
    from torchdojo.wire.job import is_sibling_module

    assert is_sibling_module(name) is goes


def test_device_choices_are_one_list_for_every_verb():
    import argparse

    from torchdojo.cli import check, grade, watch
    from torchdojo.wire.job import DEVICE_CHOICES

    for module in (check, grade, watch):
        parser = argparse.ArgumentParser()
        module.register(parser.add_subparsers(), "en")
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        (verb,) = sub.choices.values()
        (device,) = [a for a in verb._actions if "--device" in a.option_strings]
        assert tuple(device.choices) == DEVICE_CHOICES
