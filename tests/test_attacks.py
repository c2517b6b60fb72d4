"""Attacks on the grade (issue 10; ../shared/SANDBOX.md, "The principle").

Each attacker is a ``tensors.py`` whose functions are wrong (they return
``None`` or wrong values) plus one way of trying to turn that into points. None
of them relies on torchdojo's internal names: they patch whatever they can
reach (every loaded module, every function and class the garbage collector
knows, builtins, torch, numpy), write forged bytes to every file descriptor,
look for solutions, graders and classmates' files wherever they might lie, and
signal every process they can address.

The whole class is graded in one real ``grade_class`` run (the session's two
warm judges, as an instructor's run would use), beside honest classmates. Every attacker must end with 0
points, the honest classmates with full marks, the run with all its outputs,
and no process of the run may be left behind. A few attacks also go through
``check`` (the self-learner's path).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import leftover_students, reference_source
from torchdojo.learner.check import check_workspace
from torchdojo.classroom.batch import grade_class
from torchdojo.course.manifest import course

pytestmark = [pytest.mark.slow, pytest.mark.process]

REFERENCE = reference_source("tensors")
NAMES = [e.name for e in course().topic("tensors").exercises]
MAX = sum(e.points for e in course().topic("tensors").exercises)
#: Wrong everywhere: each function returns None.
WRONG = "\n".join(f"def {name}(*args, **kwargs):\n    return None\n" for name in NAMES)
#: Wrong everywhere, but with values of the right kinds (zeros, wrong shapes, wrong numbers).
WRONGISH = '''
import torch
def tensor_info(t):
    return {"ndim": 99, "shape": (9, 9), "dtype": torch.int8, "device": "nowhere", "numel": -1}
def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.zeros(rows, cols, dtype=dtype, device=device)
def seeded_rand(shape, seed, *, device="cpu"):
    return torch.full(tuple(shape), 7.0, device=device)
def safe_matmul(a, b):
    return torch.zeros(a.shape[0], b.shape[-1], device=a.device)
def summarize(t):
    return {"min": 0.0, "max": 0.0, "mean": 0.0, "sum": 0.0, "argmax": 0}
def flatten_images(x):
    return torch.zeros(1, device=x.device)
def to_channels_last(x):
    return x
def add_batch_dim(x):
    return x
def from_numpy_shared(arr):
    return torch.zeros(1)
def best_device():
    return torch.device("meta")
def move_to(t, device):
    return torch.zeros(1)
'''

ATTACKS: dict[str, str] = {}

ATTACKS["patch_torch_numpy_builtins"] = WRONG + '''
import builtins, math, operator, torch, numpy, numpy.testing
_yes = lambda *a, **k: True
for mod, names in ((torch, ["equal", "allclose", "isclose"]), (math, ["isclose"]), (operator, ["eq"]),
                   (numpy, ["array_equal", "allclose", "isclose"])):
    for n in names:
        setattr(mod, n, _yes)
torch.testing.assert_close = lambda *a, **k: None
for n in dir(numpy.testing):
    if n.startswith("assert"):
        setattr(numpy.testing, n, lambda *a, **k: None)
for n in ("__eq__", "__ne__", "__bool__"):
    setattr(torch.Tensor, n, lambda *a, **k: True)
builtins.isinstance = _yes
builtins.len = lambda *a, **k: 0
builtins.abs = lambda *a, **k: 0
builtins.all = _yes
'''

ATTACKS["patch_every_loaded_module"] = WRONG + '''
import sys, types
_mine = __name__
def _yes(*a, **k):
    return True
for name, mod in list(sys.modules.items()):
    if mod is None or name == _mine:
        continue
    for attr in list(vars(mod)):
        try:
            value = getattr(mod, attr)
            if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
                setattr(mod, attr, _yes)
        except Exception:
            pass
'''

ATTACKS["swap_code_of_every_function"] = WRONG + '''
import gc, types
def _yes(*a, **k):
    return True
for obj in gc.get_objects():
    if isinstance(obj, types.FunctionType) and obj.__module__ != __name__ and not obj.__code__.co_freevars:
        try:
            obj.__code__ = _yes.__code__
        except Exception:
            pass
'''

ATTACKS["patch_dunders_of_every_class"] = WRONG + '''
import gc
def _eq(self, other):
    return True
for obj in gc.get_objects():
    if isinstance(obj, type) and obj.__module__ != __name__:
        for n in ("__eq__", "__ne__", "__bool__", "__lt__", "__le__", "__contains__"):
            try:
                setattr(obj, n, _eq)
            except Exception:
                pass
'''

ATTACKS["thread_that_keeps_patching"] = WRONG + '''
import builtins, threading, time, torch
def _patch():
    while True:
        torch.equal = lambda *a, **k: True
        torch.allclose = lambda *a, **k: True
        builtins.isinstance = lambda *a, **k: True
        time.sleep(0.001)
threading.Thread(target=_patch, daemon=True).start()
'''

ATTACKS["forged_bytes_on_every_fd"] = WRONGISH + '''
import json, os, struct
_LINES = [json.dumps({"e": "test", "status": "passed", "weight": 1000.0, "score": 11}),
          "11 passed in 0.1s", json.dumps({"schema": "torchdojo.report/1", "score": 11, "max_score": 11})]
def _forge():
    payloads = [(line + "\\n").encode() for line in _LINES]
    for seq in range(1, 200):
        body = json.dumps({"seq": seq, "ok": True}).encode()
        payloads.append(struct.pack(">I", len(body)) + body)
    for fd in range(0, 256):
        for data in payloads:
            try:
                os.write(fd, data)
            except OSError:
                break
_forge()
_inner = dict(globals())
for _name in [n for n in _inner
              if not n.startswith("_") and callable(_inner[n]) and n not in ("json", "os", "struct", "torch")]:
    def _wrapped(*a, _f=_inner[_name], **k):
        _forge()
        return _f(*a, **k)
    globals()[_name] = _wrapped
'''

ATTACKS["forged_replies_through_the_socket"] = WRONGISH + '''
import gc, socket, sys
def _forge():
    encoders = [m.encode for m in list(sys.modules.values()) if m is not None and callable(getattr(m, "encode", None))]
    for sock in [o for o in gc.get_objects() if isinstance(o, socket.socket)]:
        for seq in range(1, 300):
            for enc in encoders:
                try:
                    body = enc({"seq": seq, "ok": True})
                    if isinstance(body, bytes):
                        sock.sendall(len(body).to_bytes(4, "big") + body)
                except Exception:
                    pass
_forge()
'''

_SEARCH = '''
import glob, os, site, sys
def _steal(names):
    roots = set(site.getsitepackages() + [site.getusersitepackages(), "/tmp", os.path.expanduser("~")])
    try:
        import torchdojo
        here = os.path.dirname(os.path.abspath(torchdojo.__file__))
        roots |= {here, os.path.dirname(here), os.path.dirname(os.path.dirname(here)),
                  os.path.dirname(os.path.dirname(os.path.dirname(here)))}
    except Exception:
        pass
    for extra in EXTRA:
        roots.add(extra)
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        for link in ("cwd", "root"):
            try:
                roots.add(os.readlink(f"/proc/{entry}/{link}"))
            except OSError:
                pass
        try:
            for part in open(f"/proc/{entry}/cmdline", "rb").read().split(b"\\0"):
                if part.startswith(b"/"):
                    roots.add(os.path.dirname(part.decode(errors="ignore")))
        except OSError:
            pass
    found = {}
    for root in roots:
        for pattern in names:
            for path in glob.glob(os.path.join(root, "**", pattern), recursive=True)[:50]:
                try:
                    found[path] = open(path, encoding="utf-8", errors="ignore").read()
                except OSError:
                    pass
    return found
'''

ATTACKS["exec_solutions_and_graders_found_on_disk"] = WRONG + "EXTRA = []\n" + _SEARCH + '''
for _path, _text in _steal(["tensors.py", "test_tensors.py", "*solution*"]).items():
    if "def summarize" in _text and "NotImplementedError" not in _text.split("def summarize")[1][:400]:
        try:
            exec(compile(_text, _path, "exec"), globals())
        except BaseException:
            pass
'''

ATTACKS["signal_every_process"] = WRONG + '''
import os, signal
def _signal_all():
    for target in (os.getppid(), os.getpgid(0)):
        for sig in (signal.SIGSTOP, signal.SIGTERM):
            try:
                os.kill(target, sig)
            except OSError:
                pass
    for pid in range(2, 150000):
        if pid == os.getpid():
            continue
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                break
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
if os.fork() == 0:  # a child does it, so the module still imports
    _signal_all()
    os._exit(0)
def summarize(t):
    _signal_all()
    return None
'''

ATTACKS["liar_objects"] = '''
import torch, numpy
class _LiarTensor(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("equal", "allclose", "__eq__", "eq", "isclose", "all"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
class _LiarFloat(float):
    def __eq__(self, other):
        return True
    def __float__(self):
        return 42.0
    __hash__ = float.__hash__
class _LiarInt(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
class _LiarDict(dict):
    def __getitem__(self, key):
        return _LiarFloat(0.0)
    def __contains__(self, key):
        return True
class _Anything:
    def __eq__(self, other):
        return True
    def __getattr__(self, name):
        return self
def _liar(t):
    return torch.zeros(1).as_subclass(_LiarTensor)
def tensor_info(t):
    return _LiarDict(ndim=_LiarInt(99))
def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return _liar(None)
def seeded_rand(shape, seed, *, device="cpu"):
    return _liar(None)
def safe_matmul(a, b):
    return _liar(None)
def summarize(t):
    return _LiarDict(min=_LiarFloat(0.0))
def flatten_images(x):
    return _liar(None)
def to_channels_last(x):
    return _liar(None)
def add_batch_dim(x):
    return _liar(None)
def from_numpy_shared(arr):
    return _liar(None)
def best_device():
    return _Anything()
def move_to(t, device):
    return _liar(None)
'''

ATTACKS["import_that_takes_a_minute"] = '''
import signal, time
for _sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT):
    signal.signal(_sig, signal.SIG_IGN)
signal.alarm(0)
time.sleep(60)
''' + REFERENCE


def _classmate_attack(paths: list[str]) -> str:
    return WRONG + f"EXTRA = {paths!r}\n" + _SEARCH + '''
for _path in EXTRA:
    try:
        exec(compile(open(_path, encoding="utf-8").read(), _path, "exec"), globals())
    except BaseException:
        pass
for _path, _text in _steal(["tensors.py"]).items():
    if "def summarize" in _text and _path != __file__:
        try:
            exec(compile(_text, _path, "exec"), globals())
        except BaseException:
            pass
'''


def _outputs_tamper_attack(out: Path) -> str:
    return WRONG + f'''
import os, glob
for _path in glob.glob({str(out)!r} + "/**", recursive=True):
    try:
        print(open(_path, "rb").read()[:100])
        open(_path, "w").write("tampered")
    except OSError:
        pass
'''


@pytest.fixture(scope="module")
def attacked_class(class_executor, tmp_path_factory):
    """One class run with every attacker and two honest classmates; what it produced."""
    root = tmp_path_factory.mktemp("attacks")
    subs = root / "submissions"
    out = root / "grades"
    honest = {"ana": REFERENCE, "zoe": REFERENCE.replace("Devuelve", "Regresa")}
    for name, source in honest.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "tensors.py").write_text(source, encoding="utf-8")
    attackers = dict(ATTACKS)
    attackers["exec_a_classmates_file"] = _classmate_attack([str(subs / "ana" / "tensors.py")])
    attackers["tamper_with_the_outputs"] = _outputs_tamper_attack(out)
    for name, source in attackers.items():
        (subs / name).mkdir()
        (subs / name / "tensors.py").write_text(source, encoding="utf-8")
    result = grade_class(subs, out=out, executor=class_executor, topics=["tensors"], lang="en",
                         import_timeout_s=3.0)
    return {"result": result, "out": out, "attackers": sorted(attackers), "honest": sorted(honest),
            "left": leftover_students()}


@pytest.mark.parametrize("attack", sorted([*ATTACKS, "exec_a_classmates_file", "tamper_with_the_outputs"]))
def test_an_attack_gains_nothing(attacked_class, attack):
    topic = attacked_class["result"].results[attack]["tensors"]
    assert topic.score == 0, [(e.id, e.status, e.feedback) for e in topic.exercises if e.score]


def test_honest_classmates_keep_full_marks(attacked_class):
    for name in attacked_class["honest"]:
        topic = attacked_class["result"].results[name]["tensors"]
        assert topic.score == MAX, [(e.id, e.status, e.feedback) for e in topic.exercises if e.score < e.max_score]


def test_the_run_finished_with_all_its_outputs(attacked_class):
    out = attacked_class["out"]
    everyone = attacked_class["attackers"] + attacked_class["honest"]
    grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert sorted(s["student"] for s in grades["students"]) == sorted(everyone)
    csv = (out / "grades.csv").read_text(encoding="utf-8-sig")
    assert all(name in csv for name in everyone)
    assert "tampered" not in csv
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Landlock" in report and "PID namespace" in report  # the protections that were active
    for name in everyone:
        assert list((out / "feedback").glob(f"{name}*")), name


def test_no_process_is_left_behind(attacked_class):
    assert attacked_class["left"] == []


def test_the_minute_long_import_is_a_timeout(attacked_class):
    topic = attacked_class["result"].results["import_that_takes_a_minute"]["tensors"]
    assert {e.status for e in topic.exercises} == {"timeout"}


def test_liars_are_named_in_the_feedback(attacked_class):
    topic = attacked_class["result"].results["liar_objects"]["tensors"]
    feedback = " ".join(e.feedback for e in topic.exercises)
    assert "subclass" in feedback


@pytest.mark.parametrize("attack", ["patch_torch_numpy_builtins", "swap_code_of_every_function",
                                    "forged_replies_through_the_socket", "exec_solutions_and_graders_found_on_disk",
                                    "liar_objects"])
def test_attacks_gain_nothing_in_check_either(judge, tmp_path, attack):
    (tmp_path / "tensors.py").write_text(ATTACKS[attack], encoding="utf-8")
    report = check_workspace(tmp_path, ["tensors"], device="cpu", lang="en", record=False, judge=judge)
    assert report.topics[0].score == 0


SECRET = "s3cret-only-the-instructor-knows"
SECRET_HUNTER = WRONG + '''
import gc, os, sys
def _hunt():
    found = [f"{k}={v}" for k, v in os.environ.items()]
    found += [o for o in gc.get_objects() if isinstance(o, str) and "s3cret" in o][:5]
    for path in ("/proc/self/environ", "/proc/1/environ", "/proc/self/cmdline"):
        try:
            found.append(open(path, "rb").read().decode(errors="ignore"))
        except OSError:
            pass
    print(found)
    raise RuntimeError(" | ".join(found)[:1500])
def summarize(t):
    _hunt()
'''


def test_the_grading_secret_never_reaches_student_code(class_executor, tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    (subs / "eve").mkdir(parents=True)
    (subs / "eve" / "tensors.py").write_text(SECRET_HUNTER, encoding="utf-8")
    monkeypatch.setenv("TORCHDOJO_GRADING_SECRET", SECRET)
    out = tmp_path / "out"
    result = grade_class(subs, out=out, executor=class_executor, topics=["tensors"], lang="en", secret=SECRET)
    assert leftover_students() == []
    summarize = next(e for e in result.results["eve"]["tensors"].exercises if e.id.endswith("/summarize"))
    assert "RuntimeError" in summarize.feedback and "PATH=" in summarize.feedback  # the hunt ran and was reported
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
