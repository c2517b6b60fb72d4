"""Broken and misbehaving submissions (docs/sandbox.md, ../shared/SANDBOX.md).

Each case is the reference tensors solution with one part replaced, graded
through the real judge and student processes. The assertions say which
exercises lose points and that the others are still graded. Deliberate attacks
on the grade are in ``test_attacks.py``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from conftest import by_name, leftover_students, reference_source, statuses
from torchdojo.course.manifest import course

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

REFERENCE = reference_source("tensors")
ALL = [e.name for e in course().topic("tensors").exercises]


def with_override(code: str, prelude: str = "") -> str:
    """The reference module with ``code`` appended (a redefinition wins)."""
    return prelude + REFERENCE + "\n\n" + code.strip() + "\n"


def fast_course(seconds: float = 2.0):
    """The packaged course with short time limits, so timeouts are quick to test."""
    c = course()
    topics = tuple(
        dataclasses.replace(t, exercises=tuple(dataclasses.replace(e, timeout_s=seconds) for e in t.exercises))
        for t in c.topics)
    return dataclasses.replace(c, topics=topics)


def only_failing(result, *names):
    got = statuses(result)
    for name in ALL:
        if name in names:
            assert got[name] != "passed", (name, got)
            assert by_name(result, name).score == 0 or got[name] == "failed"
        else:
            assert got[name] == "passed", (name, got[name], by_name(result, name).feedback)


def test_reference_passes(grade):
    result = grade(REFERENCE)
    assert result.score == result.max_score == 11
    assert "RSS watchdog" in " ".join(result.protections)


# -- unreadable submissions ------------------------------------------------

@pytest.mark.parametrize("source,needle", [
    ("def tensor_info(t):\n    return {\n", "syntax error"),
    (b"", "empty"),
    (b"\x00\x01\x02\xff\xfe binary", "not readable"),
    ("x = 'ñandú'\n".encode("latin-1"), "not utf-8"),  # latin-1 bytes without a coding line
    ("# ñandú\nx = 1\n".encode("latin-1"), "not utf-8"),  # only in a comment: Python refuses it too
])
def test_unreadable_module_is_an_error_for_every_exercise(grade, source, needle):
    result = grade(source)
    assert result.score == 0
    for item in result.exercises:
        assert item.status == "error"
        assert needle in item.feedback.lower(), item.feedback


def test_missing_function_costs_only_that_exercise(grade):
    source = REFERENCE.replace("def summarize(", "def summarise(")
    result = grade(source)
    only_failing(result, "summarize")
    item = by_name(result, "summarize")
    assert item.status == "error" and "does not define `summarize`" in item.feedback


def test_exception_in_student_code_names_the_line(grade):
    result = grade(with_override("def add_batch_dim(x):\n    return x.unsqueeze(0) + undefined_name\n"))
    only_failing(result, "add_batch_dim")
    item = by_name(result, "add_batch_dim")
    assert item.status == "error"
    assert "NameError" in item.feedback and "line" in item.feedback


# -- time ----------------------------------------------------------------

def test_import_time_infinite_loop_ignoring_signals(grade):
    prelude = ("import signal\n"
               "for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):\n"
               "    signal.signal(s, signal.SIG_IGN)\n"
               "signal.alarm(0)\n"
               "while True:\n    pass\n")
    start = time.monotonic()
    result = grade(prelude + REFERENCE, import_timeout_s=2.0)
    assert time.monotonic() - start < 20
    assert {e.status for e in result.exercises} == {"timeout"}
    assert "infinite loop" in result.exercises[0].feedback


def test_function_that_loops_forever_costs_only_its_exercise(grade):
    code = ("def summarize(t):\n"
            "    import signal\n"
            "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "    while True:\n        pass\n")
    start = time.monotonic()
    result = grade(with_override(code), course=fast_course(2.0))
    assert time.monotonic() - start < 30
    only_failing(result, "summarize")
    assert by_name(result, "summarize").status == "timeout"
    assert "time limit" in by_name(result, "summarize").feedback


# -- memory ----------------------------------------------------------------

def test_memory_bomb_at_once(grade):
    result = grade(with_override("import torch\ndef add_batch_dim(x):\n"
                                 "    big = torch.empty(2**38)\n    return x[None]\n"))
    only_failing(result, "add_batch_dim")
    assert by_name(result, "add_batch_dim").status in ("error", "crashed")


def test_memory_bomb_little_by_little(grade):
    code = ("import torch\n_hoard = []\n"
            "def to_channels_last(x):\n"
            "    while True:\n"
            "        _hoard.append(torch.ones(5_000_000))\n")
    result = grade(with_override(code), course=fast_course(20.0))
    only_failing(result, "to_channels_last")
    assert by_name(result, "to_channels_last").status in ("error", "crashed")


# -- dying -------------------------------------------------------------------

@pytest.mark.parametrize("body,status", [
    ("import sys\n    sys.exit(0)", "error"),
    ("raise KeyboardInterrupt", "error"),
    ("import os\n    os._exit(0)", "crashed"),
    ("import ctypes\n    ctypes.string_at(0)", "crashed"),  # a segfault
    ("import pytest\n    pytest.skip('no')", "error"),
    ("import pytest\n    pytest.exit('bye')", "error"),
])
def test_a_function_that_ends_the_process(grade, body, status):
    result = grade(with_override(f"def flatten_images(x):\n    {body}\n"))
    only_failing(result, "flatten_images")
    assert by_name(result, "flatten_images").status == status


def test_os_exit_at_import(grade):
    result = grade("import os\nos._exit(3)\n" + REFERENCE)
    assert {e.status for e in result.exercises} == {"crashed"}
    assert "importing" in result.exercises[0].feedback


def test_sys_exit_at_import(grade):
    result = grade("import sys\nsys.exit(0)\n" + REFERENCE)
    assert {e.status for e in result.exercises} == {"error"}
    assert "sys.exit" in result.exercises[0].feedback


# -- leftovers ---------------------------------------------------------------

def test_background_processes_are_killed(uncached_judge, tmp_path):
    code = (
        "import os, subprocess\n"
        "def move_to(t, device):\n"
        "    subprocess.Popen(['sleep', '300'])\n"
        "    if os.fork() == 0:\n"  # a daemon: double fork and a new session
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            import time\n"
        "            while True: time.sleep(1)\n"
        "        os._exit(0)\n"
        "    import time; time.sleep(0.3)\n"
        "    return t.to(device)\n"
    )
    from torchdojo.learner.check import check_workspace

    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "tensors.py").write_text(with_override(code), encoding="utf-8")
    result = check_workspace(folder, ["tensors/move_to"], device="cpu", lang="en", record=False,
                             judge=uncached_judge)
    assert result.topics[0].exercises[0].status == "passed"
    time.sleep(0.2)
    # Once the job is over, nothing a student process started is left.
    assert leftover_students() == []


def test_output_flood_is_bounded_and_forged_reports_are_ignored(grade):
    code = (
        "import sys, json\n"
        "def summarize(t):\n"
        "    fake = json.dumps({'schema': 'torchdojo.report/1', 'topics': [], 'score': 999})\n"
        "    for _ in range(100):\n"
        "        sys.stdout.write(fake + '\\n' + 'x' * 1_000_000 + '\\n')\n"
        "        sys.stderr.write('e' * 1_000_000)\n"
        "    print('100 passed, 0 failed')\n"
        "    return None\n"
    )
    result = grade(with_override(code))
    only_failing(result, "summarize")
    assert by_name(result, "summarize").status == "failed"


def test_private_temp_folder_is_removed(uncached_judge, tmp_path):
    marker = tmp_path / "cwd.txt"
    from torchdojo.learner.check import check_workspace

    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "tensors.py").write_text(with_override(
        "import os, tempfile\n"
        "def add_batch_dim(x):\n"
        f"    open({str(marker)!r}, 'w').write(os.getcwd() + '\\n' + tempfile.gettempdir())\n"
        "    open('junk.bin', 'wb').write(b'0' * 1000)\n"
        "    os.chmod('.', 0o500)\n"
        "    return x[None]\n"), encoding="utf-8")
    check_workspace(folder, ["tensors/add_batch_dim"], device="cpu", record=False, judge=uncached_judge,
                    writable=[str(tmp_path)])  # the test reads what the submission saw
    cwd, tmp = marker.read_text().splitlines()
    # The temp folder is the private /dev/shm where namespaces allow it, else inside the job's folder.
    assert tmp == "/dev/shm" or cwd.startswith(tmp) or tmp.startswith(str(Path(cwd).parent))
    assert not Path(cwd).exists()


# -- forging a better score (more in test_attacks.py) ---------------------------

WRONG = "\n".join(f"def {name}(*args, **kwargs):\n    return None\n" for name in ALL)


def test_conftest_in_the_submission_is_ignored(grade):
    conftest = (
        "import pytest\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    rep = outcome.get_result()\n"
        "    rep.outcome = 'passed'\n"
    )
    result = grade(WRONG, extra={"conftest.py": conftest, "sitecustomize.py": "raise SystemExit(1)\n"})
    assert result.score == 0


def test_one_bad_submission_does_not_touch_the_next(grade):
    bad = grade("import os\nos._exit(1)\n")
    good = grade(REFERENCE)
    assert bad.score == 0
    assert good.score == good.max_score


def test_grading_is_deterministic(grade):
    source = REFERENCE.replace("return x.unsqueeze(0)", "return x.unsqueeze(-1)")
    first = grade(source, cached=False)
    second = grade(source, cached=False)
    assert [(e.id, e.score, e.status, e.feedback) for e in first.exercises] == \
        [(e.id, e.score, e.status, e.feedback) for e in second.exercises]


# -- the OS protections (Linux: Landlock, network namespace) ------------------

def test_writes_outside_the_private_folder_are_blocked(uncached_judge, tmp_path):
    outside = tmp_path / "outside.txt"
    from torchdojo.learner.check import check_workspace

    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "tensors.py").write_text(with_override(
        "import os\n"
        "def add_batch_dim(x):\n"
        "    try:\n"
        f"        open({str(outside)!r}, 'w').write('pwned')\n"
        "    except OSError:\n"
        "        pass\n"
        "    open('inside.txt', 'w').write('fine')\n"
        "    return x[None]\n"), encoding="utf-8")
    report = check_workspace(folder, ["tensors/add_batch_dim"], device="cpu", record=False, judge=uncached_judge)
    topic = report.topics[0]
    if not any(p.startswith("Landlock") for p in topic.protections):
        pytest.skip("Landlock is not available on this kernel")
    assert topic.exercises[0].status == "passed"  # writing inside still works
    assert not outside.exists()


def test_no_network_from_student_code(uncached_judge, tmp_path):
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted = []
    finished = threading.Event()

    def serve():
        while not finished.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                pass

    thread = threading.Thread(target=serve)
    thread.start()
    from torchdojo.learner.check import check_workspace

    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "tensors.py").write_text(with_override(
        "import os, socket\n"
        "def add_batch_dim(x):\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
        "    except OSError:\n"
        "        pass\n"
        "    return x[None]\n"), encoding="utf-8")
    report = check_workspace(folder, ["tensors/add_batch_dim"], device="cpu", record=False, judge=uncached_judge)
    finished.set()
    thread.join()
    server.close()
    topic = report.topics[0]
    if "network namespace (no network)" not in topic.protections:
        pytest.skip("network namespaces are not available here")
    assert topic.exercises[0].status == "passed"
    assert accepted == []


def test_a_workspace_module_named_like_the_standard_library_runs_only_in_the_student_process(tmp_path,
                                                                                              monkeypatch):
    # ``check`` run from inside the workspace: the judge must not find the learner's json.py on its path
    # (with ``python -m`` a process's working folder comes first there), only the student process may.
    from torchdojo.course import paths
    from torchdojo.learner.check import check_workspace

    marker = tmp_path / "imported-by"
    work = tmp_path / "work"
    work.mkdir()
    (work / "tensors.py").write_bytes((paths.solutions_dir() / "tensors.py").read_bytes())
    (work / "json.py").write_text(
        "import os\n"
        "try:\n"
        f"    open({str(marker)!r}, 'a').write(str(os.getpid()) + '\\n')\n"
        "except OSError:\n"
        "    pass\n", encoding="utf-8")
    monkeypatch.chdir(work)
    report = check_workspace(work, ["tensors"], device="cpu", record=False)
    assert report.topics[0].score == report.topics[0].max_score
    assert not marker.exists(), "a module of the workspace ran outside the student process"


def test_python_m_torchdojo_in_a_workspace_does_not_import_its_modules(tmp_path):
    # The command line itself (no sandbox) run as ``python -m torchdojo`` from inside a workspace.
    import subprocess
    import sys

    from torchdojo.course import paths

    marker = tmp_path / "imported-by"
    work = tmp_path / "work"
    work.mkdir()
    (work / "tensors.py").write_bytes((paths.solutions_dir() / "tensors.py").read_bytes())
    for name in ("json", "argparse", "pathlib"):
        (work / f"{name}.py").write_text(
            "import os\n"
            "try:\n"
            f"    open({str(marker)!r}, 'a').write({name!r} + '\\n')\n"
            "except OSError:\n"
            "    pass\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "check", "tensors", "-w", ".", "--device", "cpu"],
                          cwd=work, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not marker.exists(), marker.read_text()
