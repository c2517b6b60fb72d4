"""An attack on what is lent to a submission while an exercise that calls others' functions is graded.

The submission's helpers (``train_epoch``, ``freeze``...) are empty stubs. It
captures every source text that shows up in its process (``compile``, audit
events, what stands in for its helpers, functions the garbage collector knows
that were not read from a file), keeps it in ``/dev/shm`` and beside itself, and
on its next import re-uses any helper of the same name it finds there. The
exercise under attack then raises with how much it captured and which of the
fingerprints it was given (lines of the solution's helpers) it saw, so the
verdict's feedback carries the answer back. It relies on no internal name of
torchdojo.
"""

from __future__ import annotations

import ast
import hashlib
import re
import uuid
from pathlib import Path

from conftest import by_name, reference_source

#: Appended to the submission; @HELPERS@, @STORE@ and @FINGERPRINTS@ are filled in.
CAPTURE = r'''
import builtins, gc, hashlib, inspect, os, sys, types
_HELPERS = @HELPERS@
_CAPTURED = []
_real_compile = builtins.compile
def _text(source):
    if isinstance(source, bytes):
        return source.decode("utf-8", "replace")
    return source if isinstance(source, str) else ""
def _compile(source, *args, **kwargs):
    _CAPTURED.append(_text(source))
    return _real_compile(source, *args, **kwargs)
builtins.compile = _compile
def _audit(event, args):
    if event in ("compile", "exec") and args:
        _CAPTURED.append(_text(args[0]))
sys.addaudithook(_audit)
_STORES = ["/dev/shm/@STORE@", os.path.join(os.path.dirname(os.path.abspath(__file__)), "@STORE@"),
           os.path.join(os.getcwd(), "@STORE@")]
_FINGERPRINTS = @FINGERPRINTS@
_reused = {}
for _store in _STORES:
    try:
        with open(_store, encoding="utf-8") as _f:
            _ns = {"torch": __import__("torch"), "nn": __import__("torch").nn}
            for _piece in _f.read().split("\n#---\n"):
                try:
                    exec(_real_compile(_piece, "<captured>", "exec"), _ns)
                except BaseException:
                    pass
            for _name in _HELPERS:
                if isinstance(_ns.get(_name), types.FunctionType):
                    _reused[_name] = _ns[_name]
    except OSError:
        pass
_STUBS = {name: globals()[name] for name in _HELPERS}

def _source_of(obj):
    for candidate in (obj, type(obj)):
        try:
            return inspect.getsource(candidate)
        except (OSError, TypeError):
            pass
    return ""

def _report_capture():
    g = globals()
    for name in _HELPERS:
        if g.get(name) is not _STUBS.get(name):
            _CAPTURED.append(_source_of(g.get(name)))
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.startswith("<"):
            _CAPTURED.append(_source_of(obj) + "\n" + " ".join(map(str, obj.__code__.co_consts)))
    text = "\n#---\n".join(t for t in _CAPTURED if t)
    for store in _STORES:
        try:
            with open(store, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            pass
    flat = {hashlib.sha1("".join(line.split()).encode()).hexdigest()[:12] for line in text.splitlines()}
    raise RuntimeError(f"captured={len(text)} hits={sorted(flat & set(_FINGERPRINTS))}")
'''

STUB = '''
def {name}(*args, **kwargs):
    if "{name}" in _reused:
        return _reused["{name}"](*args, **kwargs)
    raise NotImplementedError
'''


def solution_fingerprints(source: str, names: tuple[str, ...]) -> set[str]:
    """Fingerprints of the body lines of ``names`` in ``source`` (whitespace dropped), 20 characters or more.

    A shorter line is one call (``optimizer.step()``, ``model.eval()``) that any
    code of the topic has, a spy's included.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    out = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            first = node.body[1] if ast.get_docstring(node) is not None else node.body[0]
            for line in lines[first.lineno - 1:node.end_lineno]:
                flat = "".join(line.split())
                if len(flat) >= 20 and not flat.startswith("#"):
                    out.add(hashlib.sha1(flat.encode()).hexdigest()[:12])
    return out


def replace_functions(source: str, replacements: dict[str, str]) -> str:
    """``source`` with the top-level functions named in ``replacements`` replaced by their code."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in sorted((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in replacements),
                       key=lambda n: n.lineno, reverse=True):
        lines[node.lineno - 1:node.end_lineno] = [replacements[node.name]]
    return "".join(lines)


def run_capture_attack(grade, topic: str, helpers: tuple[str, ...], callers: dict[str, str], reporter: str) -> None:
    """Grade the attack twice (the second run finds what the first kept): the helpers get 0 points, and the
    exercise ``reporter`` (whose code calls ``_report_capture()``) says it captured something and no
    line of the solution's helpers."""
    reference = reference_source(topic)
    prints = solution_fingerprints(reference, helpers)
    assert len(prints) >= len(helpers)
    store = f"capture-{uuid.uuid4().hex[:8]}.txt"
    attack = CAPTURE.replace("@HELPERS@", repr(list(helpers))).replace("@STORE@", store)
    attack = attack.replace("@FINGERPRINTS@", repr(sorted(prints)))
    replacements = {name: STUB.format(name=name) for name in helpers} | callers
    source = replace_functions(reference, replacements) + attack
    try:
        for run in range(2):
            topic_result = grade(source, topic, cached=False)
            for name in (*helpers, reporter):
                result = by_name(topic_result, name)
                assert result.score == 0, (run, name, result.feedback)
            feedback = by_name(topic_result, reporter).feedback
            found = re.search(r"captured=(\d+) hits=\[(.*?)\]", feedback)
            assert found, feedback
            assert int(found.group(1)) > 0, feedback  # the capture worked: it saw what stood in for the helpers
            assert found.group(2) == "", feedback  # and none of it was a line of the solution
    finally:
        Path("/dev/shm", store).unlink(missing_ok=True)
