"""The pytest plugin that turns a hidden grader into per-exercise results.

Registered as an object (``pytest.main(..., plugins=[GradingPlugin(...)])``) in
the grading child. It

* registers the markers ``exercise``, ``weight``, ``hidden`` and ``hint``;
* offers the fixtures ``student`` (the submission's module) and, through
  parametrisation, ``device``;
* keeps only the tests of the exercises asked for, in course order;
* classifies each test: passed, failed (a wrong value), not_attempted (the stub's
  ``NotImplementedError``), error (the student's code raised);
* reports each test to the zygote as soon as it ends, so a later hang or crash
  cannot lose it;
* checks after every test that nothing grading relies on was replaced.
"""

from __future__ import annotations

import time
import types
from pathlib import Path
from typing import Any, Callable

import pytest

from torchdojo.grading.feedback import NOT_ATTEMPTED_TEXT, Feedback, short
from torchdojo.grading.integrity import Snapshot

_perf = time.perf_counter


class MissingName(AttributeError):
    """The student module lacks a name the grader needs."""

    def __init__(self, module: str, name: str):
        super().__init__(name)
        self.module = module
        self.name = name


class StudentAbort(Exception):
    """Student code raised SystemExit or KeyboardInterrupt during a test."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class StudentModule:
    """Attribute access to the student's module; missing names raise :class:`MissingName`."""

    def __init__(self, module: types.ModuleType, filename: str):
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_filename", filename)

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._module, name)
        except AttributeError:
            raise MissingName(self._filename, name) from None

    @property
    def module(self) -> types.ModuleType:
        return self._module


def _marker_value(item: pytest.Item, name: str, default: Any = None) -> Any:
    marker = item.get_closest_marker(name)
    if marker is None:
        return default
    return marker.args[0] if marker.args else marker.kwargs or True


def _student_frame(excinfo: pytest.ExceptionInfo, filename: str) -> int | None:
    lineno = None
    tb = excinfo.tb
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).name.split("[")[0] == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


class GradingPlugin:
    """Collects the grader's verdicts for one student module (see module docstring)."""

    def __init__(
        self,
        *,
        student: types.ModuleType,
        filename: str,
        exercises: list[dict[str, Any]],
        devices: list[str],
        emit: Callable[..., None],
        snapshot: Snapshot | None = None,
        skip: set[str] | None = None,
    ):
        self._proxy = StudentModule(student, filename)
        self.filename = filename
        self.order = [e["name"] for e in exercises]
        self.device_exercises = {e["name"] for e in exercises if e.get("device")}
        self.devices = devices
        self.emit = emit
        self.snapshot = snapshot
        self.skip = skip or set()
        self.current: str | None = None
        self.tampered = False
        self.unmarked: list[str] = []

    # -- configuration -------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "exercise(name): the exercise a test counts for")
        config.addinivalue_line("markers", "weight(w): the test's share of its exercise's points")
        config.addinivalue_line("markers", "hidden: a hidden test (details withheld in batch feedback)")
        config.addinivalue_line("markers", "hint(es, en): a hint shown when the test fails")

    @pytest.fixture
    def student(self) -> StudentModule:
        """The student's module; a missing name fails the test as 'not defined'."""
        return self._proxy

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "device" not in metafunc.fixturenames:
            return
        marker = metafunc.definition.get_closest_marker("exercise")
        name = marker.args[0] if marker and marker.args else None
        devices = self.devices if name in self.device_exercises else ["cpu"]
        import torch  # already imported by the zygote

        metafunc.parametrize("device", [torch.device(d) for d in devices], ids=devices)

    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list) -> None:
        rank = {name: i for i, name in enumerate(self.order)}
        kept = []
        for item in items:
            name = _marker_value(item, "exercise")
            if name is None:
                self.unmarked.append(item.nodeid)
                continue
            if name in rank and name not in self.skip:
                kept.append(item)
        kept.sort(key=lambda it: rank[_marker_value(it, "exercise")])  # stable: file order within
        items[:] = kept
        collected: dict[str, list[str]] = {}
        for item in kept:
            collected.setdefault(_marker_value(item, "exercise"), []).append(item.name)
        self.emit("collected", tests=collected)

    # -- running -------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        name = _marker_value(item, "exercise")
        if name != self.current:
            self.current = name
            self.emit("ex_start", ex=name)
        item.stash[_START] = _perf()

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Any:
        try:
            return (yield)
        except SystemExit:
            raise StudentAbort("SystemExit") from None
        except KeyboardInterrupt:
            raise StudentAbort("KeyboardInterrupt") from None
        except GeneratorExit:
            raise StudentAbort("GeneratorExit") from None
        except (pytest.skip.Exception, pytest.exit.Exception, pytest.xfail.Exception) as exc:
            # Only student code can raise these during a test: graders skip by marker.
            raise StudentAbort(f"pytest.{type(exc).__name__}") from None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        report = yield
        if call.when == "setup" and report.passed:
            return report
        if call.when == "teardown" and report.passed:
            return report
        if call.when == "setup" and report.skipped:
            self._send(item, "skipped", ("", ""))
            return report
        if call.when == "teardown":
            return report  # teardown errors are ours, not the student's
        status, fb = self._classify(call)
        if self.snapshot is not None and not self.tampered:
            changed = self.snapshot.changed()
            if changed:
                self.tampered = True
                self.emit("tamper", what=changed[:10])
        if self.tampered:
            status = "error"
            fb = ("la entrega modificó funciones que usa la corrección; no se puede calificar",
                  "the submission replaced functions that grading relies on; it cannot be graded")
        self._send(item, status, fb)
        return report

    def _send(self, item: pytest.Item, status: str, fb: tuple[str, str]) -> None:
        weight = _marker_value(item, "weight", 1)
        hint = item.get_closest_marker("hint")
        hint_es = hint.kwargs.get("es", "") if hint else ""
        hint_en = hint.kwargs.get("en", "") if hint else ""
        self.emit(
            "test",
            ex=_marker_value(item, "exercise"),
            name=item.name,
            status=status,
            weight=float(weight) if isinstance(weight, (int, float)) else 1.0,
            hidden=item.get_closest_marker("hidden") is not None,
            es=fb[0][:2000],
            en=fb[1][:2000],
            hint_es=hint_es if status != "passed" else "",
            hint_en=hint_en if status != "passed" else "",
            dur=round(_perf() - item.stash.get(_START, _perf()), 4),
        )

    def _classify(self, call: pytest.CallInfo) -> tuple[str, tuple[str, str]]:
        if call.excinfo is None:
            return "passed", ("", "")
        exc = call.excinfo.value
        if isinstance(exc, NotImplementedError):
            return "not_attempted", NOT_ATTEMPTED_TEXT
        if isinstance(exc, Feedback):
            return "failed", (exc.es, exc.en)
        if isinstance(exc, MissingName):
            return "error", (f"{exc.module} no define `{exc.name}`", f"{exc.module} does not define `{exc.name}`")
        if isinstance(exc, StudentAbort):
            return "error", (f"tu código lanzó {exc.kind}; no termines ni saltes la prueba",
                             f"your code raised {exc.kind}; do not end the process or skip the test")
        if isinstance(exc, AssertionError):
            msg = short(str(exc), 600) if str(exc) else "AssertionError"
            return "failed", (msg, msg)
        lineno = _student_frame(call.excinfo, self.filename)
        try:
            text = short(f"{type(exc).__name__}: {exc}", 600)
        except Exception:  # a student exception whose __str__ raises
            text = type(exc).__name__
        if lineno is None:
            # Raised in grader code, typically on a value of the wrong kind.
            return "error", (f"la comprobación no pudo usar lo que devolvió tu código: {text}",
                             f"checking what your code returned failed: {text}")
        return "error", (f"tu código lanzó {text} en la línea {lineno} de {self.filename}",
                         f"your code raised {text} at line {lineno} of {self.filename}")


_START = pytest.StashKey[float]()
