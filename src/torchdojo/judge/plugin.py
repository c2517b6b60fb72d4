"""The pytest plugin that turns a hidden grader into per-exercise verdicts, in the judge.

Registered as an object (``pytest.main(..., plugins=[GradingPlugin(...)])``) in
the judge process, which never runs student code. It

* registers the markers ``exercise``, ``weight``, ``hidden`` and ``hint``;
* offers the fixtures ``student`` (the submission's module, in its own
  process: :class:`~torchdojo.judge.remote.StudentModule`), ``lab`` (trusted
  recipes run there: :class:`~torchdojo.judge.remote.Lab`) and, through
  parametrisation, ``device``;
* keeps only the tests of the exercises asked for, in course order, and starts
  each exercise's clock;
* classifies each test: passed, failed (a wrong value), not_attempted (the stub's
  ``NotImplementedError``), error (student code raised, or sent something
  unusable), timeout or crashed (the exercise stopped; its other tests are not
  run);
* keeps every verdict in this process: nothing the student process sends is a
  verdict.
"""

from __future__ import annotations

import time
from typing import Any

import hypothesis
import pytest

from torchdojo.judge import seeding
from torchdojo.judge.feedback import NOT_ATTEMPTED_TEXT, Feedback, short
from torchdojo.judge.remote import Lab, MissingName, StudentModule, StudentRaised, TwinMismatch
from torchdojo.judge.session import ImportFailed, ProtocolViolation, Stopped, StudentSession
from torchdojo.text.i18n import Rendered, tr_pair
from torchdojo.wire.job import JobSpec
from torchdojo.wire.result import TestVerdict, Verdict

_perf = time.perf_counter
try:
    _ExceptionGroup = BaseExceptionGroup
except NameError:  # Python 3.10: hypothesis raises the backport's
    from exceptiongroup import BaseExceptionGroup as _ExceptionGroup
_START = pytest.StashKey[float]()


def _marker_value(item: pytest.Item, name: str, default: Any = None) -> Any:
    marker = item.get_closest_marker(name)
    if marker is None:
        return default
    return marker.args[0] if marker.args else marker.kwargs or True


class GradingPlugin:
    """Grades one submission with one hidden grader (see the module docstring)."""

    def __init__(self, *, session: StudentSession, job: JobSpec, devices: list[str]):
        self.session = session
        self.job = job
        self.order = [e.name for e in job.exercises]
        self.timeouts = {e.name: e.timeout_s for e in job.exercises}
        self.device_exercises = {e.name for e in job.exercises if e.device}
        self.devices = devices
        self._student = StudentModule(session, job.submission_name)
        self._lab = Lab(session)
        self.current: str | None = None
        self.tests: dict[str, list[TestVerdict]] = {name: [] for name in self.order}
        #: exercise -> {"status": "timeout"|"crashed", "es": ..., "en": ...}
        self.overrides: dict[str, Verdict] = {}
        self.unmarked: list[str] = []

    # -- configuration -------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "exercise(name): the exercise a test counts for")
        config.addinivalue_line("markers", "weight(w): the test's share of its exercise's points")
        config.addinivalue_line("markers", "hidden: a hidden test (details withheld in batch feedback)")
        config.addinivalue_line("markers", "hint(es, en): a hint shown when the test fails")

    @pytest.fixture
    def student(self) -> StudentModule:
        """The submission's module; a missing name fails the test as 'not defined'."""
        return self._student

    @pytest.fixture
    def lab(self) -> Lab:
        """Trusted recipes and probes that run in the student process."""
        return self._lab

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "device" not in metafunc.fixturenames:
            return
        marker = metafunc.definition.get_closest_marker("exercise")
        name = marker.args[0] if marker and marker.args else None
        devices = self.devices if name in self.device_exercises else ["cpu"]
        import torch

        metafunc.parametrize("device", [torch.device(d) for d in devices], ids=devices)

    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list) -> None:
        rank = {name: i for i, name in enumerate(self.order)}
        kept = []
        for item in items:
            name = _marker_value(item, "exercise")
            if name is None:
                self.unmarked.append(item.nodeid)
                continue
            if name in rank:
                kept.append(item)
        kept.sort(key=lambda it: rank[_marker_value(it, "exercise")])  # stable: file order within
        items[:] = kept
        if seeding.secret_in_use():
            for item in kept:
                fn = getattr(item, "obj", None)
                if getattr(fn, "is_hypothesis_test", False):
                    hypothesis.seed(seeding.mix(0, salt=item.nodeid))(fn)

    # -- running -------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        name = _marker_value(item, "exercise")
        if name != self.current:
            self._end_exercise()
            self.current = name
            self.session.set_budget(self.timeouts[name])
        item.stash[_START] = _perf()
        self.session.notes = []
        if name in self.overrides:
            pytest.skip("the exercise was stopped")

    def _end_exercise(self) -> None:
        self.session.set_budget(None)
        # A process that got the judge's helpers, or whose exercise was stopped, does not grade another.
        if self.session.alive and (self.session.tainted or self.current in self.overrides):
            self.session.stop()

    def finish(self) -> None:
        self._end_exercise()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
        """Record the verdict of a test's call, and make pytest's report without a traceback.

        Setup and teardown get pytest's own report (``None`` here). For the call,
        pytest would render the grader's source around every failure: the whole
        cost of grading a broken submission. Nobody reads that report: the verdict
        is what :meth:`_record` keeps.
        """
        if call.when != "call":
            return None
        status, fb = self._classify(call)
        if status not in ("passed", "not_attempted") and self.session.notes:
            fb = _with_subclass_notes(fb, self.session.notes)
        self._record(item, status, fb)
        return pytest.TestReport(
            item.nodeid, item.location, dict.fromkeys(item.keywords, 1),
            "passed" if call.excinfo is None else "failed",
            None if call.excinfo is None else f"{status}: {fb[1][:200]}",
            "call", [], call.duration, call.start, call.stop, [])

    def _record(self, item: pytest.Item, status: str, fb: tuple[str, str]) -> None:
        weight = _marker_value(item, "weight", 1)
        hint = item.get_closest_marker("hint")
        ex = _marker_value(item, "exercise")
        self.tests.setdefault(ex, []).append(TestVerdict(
            ex=ex,
            name=item.name,
            status=status,
            weight=float(weight) if isinstance(weight, (int, float)) else 1.0,
            hidden=item.get_closest_marker("hidden") is not None,
            es=fb[0][:2000],
            en=fb[1][:2000],
            hint_es=hint.kwargs.get("es", "") if hint and status != "passed" else "",
            hint_en=hint.kwargs.get("en", "") if hint and status != "passed" else "",
            dur=round(_perf() - item.stash.get(_START, _perf()), 4),
        ))

    def _classify(self, call: pytest.CallInfo) -> tuple[str, tuple[str, str]]:
        if call.excinfo is None:
            return "passed", ("", "")
        exc = call.excinfo.value
        # Hypothesis reports a test that failed once and then passed as a group: the first failure is the news.
        while isinstance(exc, _ExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        if isinstance(exc, Stopped):
            self.overrides[self.current or ""] = Verdict(exc.status, exc.es, exc.en)
            return exc.status, (exc.es, exc.en)
        if isinstance(exc, StudentRaised):
            return _raised(exc)
        if isinstance(exc, Feedback):
            return "failed", (exc.es, exc.en)
        if isinstance(exc, MissingName):
            return "error", tr_pair("{module} does not define `{name}`", module=exc.module, name=exc.name)
        if isinstance(exc, ImportFailed):
            # A new student process did not import the submission this time: the exercise ends here.
            self.overrides[self.current or ""] = Verdict(exc.status, exc.es, exc.en)
            return exc.status, (exc.es, exc.en)
        if isinstance(exc, ProtocolViolation):
            return "error", tr_pair("the student process answered something that is not a reply ({detail})",
                                    detail=short(str(exc), 200))
        if isinstance(exc, TwinMismatch):
            return "error", tr_pair("an object the grader built in your process differs from the reference one "
                                    "(does your code change torch when imported?): {detail}",
                                    detail=short(str(exc), 200))
        if isinstance(exc, AssertionError):
            msg = one_line(str(exc)) or "AssertionError"
            return "failed", (msg, msg)
        text = one_line(f"{type(exc).__name__}: {exc}")
        # Raised in grader code, typically on a value of the wrong kind.
        return "error", tr_pair("checking what your code returned failed: {detail}", detail=text)

    def internal(self) -> list[str]:
        """Remarks of ours about the grader (for :attr:`torchdojo.wire.result.JobResult.internal`)."""
        if self.unmarked:
            return [f"grader tests without an exercise marker: {self.unmarked[:5]}"]
        return []


def _with_subclass_notes(fb: tuple[str, str], notes: list[str]) -> tuple[str, str]:
    """Say which returned values were subclasses read as their base type (wire notes ``Name < base``)."""
    pairs = [n.split(" < ", 1) for n in dict.fromkeys(notes) if " < " in n][:3]
    if not pairs:
        return fb
    each = [tr_pair("{name}, a subclass of {base}", name=name, base=base) for name, base in pairs]
    what = Rendered("; ".join(e.es for e in each), "; ".join(e.en for e in each))
    return tr_pair("{feedback} (note: your code returned {what}; it was read as its base type)",
                   feedback=Rendered(*fb), what=what)


def _raised(exc: StudentRaised) -> tuple[str, tuple[str, str]]:
    if exc.not_implemented:
        return "not_attempted", NOT_ATTEMPTED_TEXT
    # {where} is empty or " at line 3 of tensors.py"; {said} is empty or ": " and the exception's message.
    where = exc.where()
    where = Rendered(*(f" {w}" if w else "" for w in where))
    if exc.is_a(SystemExit) or exc.is_a(KeyboardInterrupt) or exc.is_a(GeneratorExit):
        return "error", tr_pair("your code raised {type}{where}; do not end the process or interrupt the test",
                                type=exc.type_name, where=where)
    if exc.is_a(MemoryError):  # its message is usually empty: say what happened in words
        return "error", tr_pair("your code ran out of memory{where} (MemoryError): it asked for more than grading "
                                "allows; is a tensor or a list far too large?", where=where)
    said = one_line(exc.message)
    return "error", tr_pair("your code raised {type}{where}{said}", type=exc.type_name, where=where,
                            said=f": {said}" if said else "")


def one_line(message: str, limit: int = 600) -> str:
    """The student's exception message as text on one line (never its repr: no quotes, no literal ``\\n``)."""
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
