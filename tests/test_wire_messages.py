"""The typed messages of the wire (torchdojo.wire.result, torchdojo.wire.ops): round-trips and validation.

Fast: no process is started.
"""

from __future__ import annotations

import copy
import json

import pytest

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
