"""A student process holds no privilege and leaves nothing behind, whoever runs the tool (docs/sandbox.md).

A probe submission (the reference tensors module, whose ``add_batch_dim`` also
tries privileged operations, writes to ``/dev/shm`` and makes a SysV shared
memory segment) is graded through the real judge, as the caller of this test
(root here) and, in a subprocess, as an unprivileged uid. It reports what it
saw to a folder the test lets it write. Nothing here uses torchdojo's internal
names on the student side: it is what any student could try.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

from conftest import reference_source

pytestmark = pytest.mark.process

PROBE = r'''
import ctypes, json, os, stat, tempfile, time

_probed = []


def add_batch_dim(x):
    if _probed:  # the grader calls it many times: probe once per process
        return x[None]
    _probed.append(True)
    facts = {"start": time.time()}
    with open("/proc/self/status") as f:
        status = dict(line.split(":", 1) for line in f if ":" in line)
    for key in ("CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs"):
        facts[key] = status.get(key, "").strip()
    facts["uid"] = os.getuid()

    def attempt(name, fn):
        try:
            fn()
            facts[name] = "allowed"
        except Exception as exc:
            facts[name] = type(exc).__name__

    attempt("shadow", lambda: open("/etc/shadow").read())
    attempt("kmsg", lambda: open("/dev/kmsg", "rb").close())
    attempt("mknod_shm", lambda: os.mknod("/dev/shm/disk", stat.S_IFBLK | 0o600, os.makedev(8, 0)))
    attempt("mknod_here", lambda: os.mknod("disk", stat.S_IFBLK | 0o600, os.makedev(8, 0)))
    attempt("fifo", lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1)))
    attempt("nice", lambda: os.nice(-5))
    attempt("setpriority", lambda: os.setpriority(os.PRIO_PROCESS, 0, -5))
    facts["tmp"] = tempfile.gettempdir()
    facts["shm_before"] = sorted(os.listdir("/dev/shm"))
    # Scratch space: a note for classmates, a temp file, then more than the cap allows.
    with open(f"/dev/shm/note-{TAG}", "w") as f:
        f.write("hello")
    fd, _ = tempfile.mkstemp(prefix=f"tmp-{TAG}-")
    os.close(fd)
    written = 0
    try:
        with open(f"/dev/shm/big-{TAG}", "wb") as f:
            block = b"x" * (1 << 20)
            for _ in range(CAP_MB + 16):
                f.write(block)
                f.flush()
                written += 1
        facts["past_cap"] = "allowed"
    except OSError as exc:
        facts["past_cap"] = type(exc).__name__
    facts["written_mb"] = written
    os.unlink(f"/dev/shm/big-{TAG}")
    libc = ctypes.CDLL(None, use_errno=True)
    facts["shmget_own"] = libc.shmget(KEY, 1 << 20, 0o1000 | 0o600)  # IPC_CREAT
    seen_files, seen_segments = set(), set()
    deadline = time.time() + WAIT_S
    while True:
        for other_tag, other_key in OTHERS:
            if os.path.exists(f"/dev/shm/note-{other_tag}"):
                seen_files.add(other_tag)
            if libc.shmget(other_key, 0, 0) >= 0:
                seen_segments.add(other_tag)
        if time.time() >= deadline:
            break
        time.sleep(0.1)
    facts["seen_files"] = sorted(seen_files)
    facts["seen_segments"] = sorted(seen_segments)
    facts["end"] = time.time()
    with open(os.path.join(OUT, f"{TAG}.json"), "w") as f:
        json.dump(facts, f)
    return x[None]
'''

CAP_MB = 48


def probe_source(tag: str, key: int, out: Path, others=(), wait_s: float = 0.0) -> str:
    head = (f"TAG = {tag!r}\nKEY = {key}\nOUT = {str(out)!r}\nCAP_MB = {CAP_MB}\n"
            f"WAIT_S = {wait_s}\nOTHERS = {list(others)!r}\n")
    return reference_source("tensors") + "\n\n" + head + PROBE


def host_shm_keys() -> set[int]:
    with open("/proc/sysvipc/shm") as f:
        return {int(line.split()[0]) for line in f.readlines()[1:] if line.split()}


def host_leftovers(tag: str) -> list[str]:
    found = []
    for folder in ("/dev/shm", tempfile.gettempdir(), "/tmp"):
        try:
            found += [os.path.join(folder, n) for n in os.listdir(folder) if tag in n]
        except OSError:
            pass
    return found


def assert_unprivileged(facts: dict) -> None:
    assert int(facts["CapEff"], 16) == 0, facts
    assert int(facts["CapPrm"], 16) == 0, facts
    assert int(facts["CapBnd"], 16) == 0, facts
    assert facts["NoNewPrivs"] == "1"
    assert facts["uid"] != 0
    for name in ("shadow", "kmsg", "mknod_shm", "mknod_here", "fifo", "nice", "setpriority"):
        assert facts[name] != "allowed", (name, facts)
    assert facts["tmp"] == "/dev/shm"
    assert facts["past_cap"] == "OSError" and facts["written_mb"] <= CAP_MB, facts
    assert facts["shmget_own"] >= 0  # its own IPC namespace works


def grade_probe(judge, folder: Path, source: str, out: Path) -> str:
    from torchdojo.learner.check import check_workspace

    folder.mkdir()
    (folder / "tensors.py").write_text(source, encoding="utf-8")
    report = check_workspace(folder, ["tensors/add_batch_dim"], device="cpu", lang="en", record=False,
                             judge=judge, writable=[str(out)], memory_mb=CAP_MB)
    topic = report.topics[0]
    return topic.exercises[0].status, topic.protections


def test_no_privilege_private_scratch_and_ipc_as_the_caller(uncached_judge, tmp_path):
    """One job alone, then two classmates at once: no privilege, nothing shared, nothing left."""
    tag = uuid.uuid4().hex[:10]
    out = tmp_path / "out"
    out.mkdir()
    tags = [f"{tag}a", f"{tag}b", f"{tag}c"]
    keys = [0x5D000000 + int(t[-6:-1], 16) * 4 + i for i, t in enumerate(tags)]

    status, protections = grade_probe(uncached_judge, tmp_path / "a", probe_source(tags[0], keys[0], out), out)
    if not any(p.startswith("user namespace") for p in protections):
        pytest.skip("user and mount namespaces are not available here: " + "; ".join(protections))
    assert status == "passed"
    first = json.loads((out / f"{tags[0]}.json").read_text())
    assert_unprivileged(first)
    assert any("private /dev/shm" in p for p in protections)
    assert any("no capabilities" in p for p in protections)
    assert keys[0] not in host_shm_keys()  # its segment went with it
    assert host_leftovers(tag) == []

    # Two classmates graded at the same time, each waiting for a sign of the other.
    results = {}

    def run(i: int, other: int):
        src = probe_source(tags[i], keys[i], out, others=[(tags[0], keys[0]), (tags[other], keys[other])],
                           wait_s=1.2)
        results[i] = grade_probe(uncached_judge, tmp_path / tags[i], src, out)

    threads = [threading.Thread(target=run, args=(1, 2)), threading.Thread(target=run, args=(2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[1][0] == results[2][0] == "passed"
    b, c = (json.loads((out / f"{tags[i]}.json").read_text()) for i in (1, 2))
    assert b["start"] < c["end"] and c["start"] < b["end"], "the two jobs did not overlap"
    for facts in (b, c):
        assert_unprivileged(facts)
        assert facts["shm_before"] == []  # nothing of the earlier job (or anyone) in its /dev/shm
        assert facts["seen_files"] == [] and facts["seen_segments"] == []
    assert host_shm_keys() & set(keys) == set()
    assert host_leftovers(tag) == []


UNPRIVILEGED_RUN = r'''
import json, sys
from torchdojo.learner.check import check_workspace
from torchdojo.judge.service import Judge
folder, out, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Judge() as judge:
    report = check_workspace(folder, ["tensors/add_batch_dim"], device="cpu", lang="en", record=False,
                             judge=judge, writable=[out], memory_mb=cap)
t = report.topics[0]
print(json.dumps({"status": t.exercises[0].status, "protections": t.protections}))
'''


def unprivileged_command(how: str) -> tuple[list[str], int]:
    """A command prefix that runs as a non-root caller, and the uid the student process should have."""
    if os.geteuid() != 0:
        pytest.skip("needs root to start the judge as another, unprivileged user")
    if how == "setpriv":
        tool = shutil.which("setpriv")
        cmd, uid = [tool, "--reuid", "65534", "--regid", "65534", "--clear-groups", "--"], 65534
    else:
        # A non-root uid without capabilities inside a user namespace: the code path of any normal user.
        tool = shutil.which("unshare")
        cmd, uid = [tool, "--user", "--map-user=1000", "--map-group=1000", "--"], 1000
    if not tool:
        pytest.skip(f"{how} is not installed")
    starts = "import subprocess, sys, torch, torchdojo; subprocess.run([sys.executable, '-c', 'pass'], check=True)"
    if subprocess.run(cmd + [sys.executable, "-c", starts], capture_output=True).returncode:
        pytest.skip(f"this Python installation cannot be run through {how} (a folder on its way is private)")
    return cmd, uid


@pytest.mark.parametrize("how", ["setpriv", "userns"])
def test_no_privilege_as_an_unprivileged_caller(how):
    """The same probe graded by a whole judge started by a non-root caller."""
    cmd, uid = unprivileged_command(how)
    work = Path(tempfile.mkdtemp(prefix="torchdojo-unpriv-"))
    try:
        os.chmod(work, 0o755)
        out = work / "out"
        out.mkdir(mode=0o777)
        os.chmod(out, 0o777)
        folder = work / "w"
        folder.mkdir(mode=0o755)
        tag = uuid.uuid4().hex[:10]
        key = 0x5E000000 + int(tag[:5], 16)
        (folder / "tensors.py").write_text(probe_source(tag, key, out), encoding="utf-8")
        env = {**os.environ, "HOME": str(work), "TMPDIR": "/tmp"}
        proc = subprocess.run(cmd + [sys.executable, "-c", UNPRIVILEGED_RUN, str(folder), str(out), str(CAP_MB)],
                              capture_output=True, text=True, timeout=240, cwd=work, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if not any(p.startswith("user namespace") for p in result["protections"]):
            pytest.skip("user namespaces are not available to unprivileged users here")
        assert result["status"] == "passed", result
        facts = json.loads((out / f"{tag}.json").read_text())
        assert_unprivileged(facts)
        assert facts["uid"] == uid
        assert key not in host_shm_keys()
        assert host_leftovers(tag) == []
    finally:
        shutil.rmtree(work, ignore_errors=True)
