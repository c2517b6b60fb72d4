"""Public tests: what students may see and run, and the student edition's ``check``.

A topic's public test (``test_<topic>_public.py``, generated from its solution)
checks only that the names and signatures the graders call exist; the grade
comes from the hidden graders. The release ships them in ``public_tests/`` and
the student edition in its content folder, where ``torchdojo check`` runs them
(:func:`run_public_check`) since it has no hidden graders.

A public test finds the learner's module in ``TORCHDOJO_WORKSPACE`` when set
(as the CLI does), else beside the release's ``public_tests/`` folder. Its
messages are ``es / en`` pairs, like all feedback.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torchdojo.course import paths
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import pick, tr, tr_pair
from torchdojo.learner.public_test_file import PUBLIC_TEST
from torchdojo.course.manifest import Topic
from torchdojo.course.targets import topics

DIR = "public_tests"
TIMEOUT_S = 300



def signatures(solution_text: str, names: set[str]) -> dict[str, list[str]]:
    """Parameter names of the top-level functions and classes (``__init__`` without ``self``) in ``names``."""
    out: dict[str, list[str]] = {}
    for node in ast.parse(solution_text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            fn, skip = node, 0
        elif isinstance(node, ast.ClassDef) and node.name in names:
            init = [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
            if not init:
                continue
            fn, skip = init[0], 1
        else:
            continue
        a = fn.args
        params = [p.arg for p in a.posonlyargs + a.args][skip:]
        params += [a.vararg.arg] if a.vararg else []
        params += [p.arg for p in a.kwonlyargs] + ([a.kwarg.arg] if a.kwarg else [])
        out[node.name] = params
    return out


def public_test(topic: Topic) -> str:
    """The public test file of ``topic``, from its reference solution (full edition only)."""
    text = (paths.solutions_dir() / topic.module).read_text(encoding="utf-8")
    names = {f for ex in topic.exercises for f in ex.functions}
    return PUBLIC_TEST.format(topic=topic.id, module=topic.module_name, expected=signatures(text, names))


def test_file_name(topic: Topic) -> str:
    return f"test_{topic.id}_public.py"


# -- the student edition's check ---------------------------------------------------

@dataclass
class PublicResult:
    """One exercise after the public tests: ``passed``, ``failed`` or ``not_attempted`` (no module)."""

    id: str
    status: str
    detail: tuple[str, str] | None = None  # (es, en)


@dataclass
class PublicTopic:
    topic: str
    source: str | None
    exercises: list[PublicResult] = field(default_factory=list)


def _pair(message: str) -> tuple[str, str]:
    """``'AssertionError: falta x / x is missing\\nassert ...'`` -> ``("falta x", "x is missing")``."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    first = re.sub(r'^failed on setup with "(.*)"$', r"\1", first)
    first = re.sub(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception)|Failed|Skipped): ", "", first)
    es, sep, en = first.partition(" / ")
    return (es, en) if sep else (first, first)


def _run_pytest(folder: Path, files: list[Path]) -> dict[str, tuple[str, str]]:
    """``{function name: (outcome, message)}`` from one pytest run over ``files``."""
    with tempfile.TemporaryDirectory(prefix="torchdojo-public-") as tmp:
        report = Path(tmp) / "report.xml"
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        env = {**os.environ, "TORCHDOJO_WORKSPACE": str(folder.resolve()), "PYTHONDONTWRITEBYTECODE": "1"}
        # Our own empty ini and no conftest: nothing around the files or the workspace changes the run.
        cmd = [sys.executable, "-m", "pytest", "-q", "-c", str(ini), "--rootdir", str(files[0].parent), "--noconftest",
               "-p", "no:cacheprovider", f"--junitxml={report}", *map(str, files)]
        try:
            subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise UserError("the public tests did not finish in {seconds} s: does your module loop when imported?",
                            seconds=TIMEOUT_S) from None
        if not report.is_file():
            raise UserError("the public tests could not run (is pytest installed?)")
        out: dict[str, tuple[str, str]] = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            m = re.search(r"\[(\w+)\]$", case.get("name", ""))
            if not m:
                continue
            outcome, message = "passed", ""
            for kind in ("failure", "error", "skipped"):
                el = case.find(kind)
                if el is not None:
                    outcome, message = kind, el.get("message", "") or (el.text or "")
                    break
            out[f"{case.get('classname', '').rsplit('.', 1)[-1]}::{m.group(1)}"] = (outcome, message)
        return out


def _is_stub_body(body: list[ast.stmt]) -> bool:
    """A body that is still the stub's: an optional docstring (and ``super().__init__()``), then
    ``raise NotImplementedError(...)``."""
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]
    if len(body) == 2 and ast.unparse(body[0]).startswith("super().__init__("):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def untouched(path: Path) -> set[str]:
    """Top-level functions and classes in the learner's ``.py``/``.ipynb`` whose code is still the stub.

    Read with :mod:`ast`, never run. A class counts when every method it defines
    is still a stub. A module or cell that does not parse contributes nothing
    (the public tests report it).
    """
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    sources = [data.decode("utf-8", "replace")]
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(sources[0]).get("cells", [])
            sources = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                       for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
        except (ValueError, AttributeError, KeyError, TypeError):
            return set()
    stubs: dict[str, bool] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stubs[node.name] = _is_stub_body(node.body)
            elif isinstance(node, ast.ClassDef):
                methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                stubs[node.name] = bool(methods) and all(_is_stub_body(m.body) for m in methods)
    return {name for name, stub in stubs.items() if stub}


def public_check(folder: Path, targets: list[str] | None) -> list[PublicTopic]:
    """Run the public tests of the topics asked for against the learner's modules in ``folder``."""
    from torchdojo.course.manifest import course

    plan = topics(course(), targets)
    public_dir = paths.content_root() / DIR
    results: list[PublicTopic] = []
    to_run: list[Path] = []
    for topic, _ in plan:
        source = next((f"{topic.module_name}{s}" for s in (".py", ".ipynb")
                       if (folder / f"{topic.module_name}{s}").is_file()), None)
        results.append(PublicTopic(topic.id, source))
        if source:
            to_run.append(public_dir / test_file_name(topic))
    outcomes = _run_pytest(folder, to_run) if to_run else {}
    stubs = {r.topic: untouched(folder / r.source) if r.source else set() for r in results}
    for (topic, exercises), result in zip(plan, results):
        classname = f"test_{topic.id}_public"
        for ex in exercises:
            if result.source is None:
                result.exercises.append(PublicResult(ex.id, "not_attempted", tr_pair(
                    "no {module}.py or {module}.ipynb", module=topic.module_name)))
                continue
            failed = [(o, m) for f in ex.functions for o, m in [outcomes.get(f"{classname}::{f}", ("error", None))]
                      if o != "passed"]
            if failed:
                said = failed[0][1]
                result.exercises.append(PublicResult(ex.id, "failed",
                                                     tr_pair("no result") if said is None else _pair(said)))
            elif set(ex.functions) <= stubs[topic.id]:
                # The stub has the right names and signatures too: that is work still to do, not a pass.
                result.exercises.append(PublicResult(ex.id, "not_attempted"))
            else:
                result.exercises.append(PublicResult(ex.id, "passed"))
    return results


def run_public_check(folder: Path, targets: list[str] | None, lang: str, *, as_json: bool = False) -> int:
    """The student edition's ``torchdojo check``: print the public tests' outcome; exit 0 unless one failed."""
    results = public_check(folder, targets)
    if as_json:
        doc: dict[str, Any] = {
            "schema": "torchdojo.public-check/1", "edition": "student", "lang": lang,
            "topics": [{"topic": t.topic, "source": t.source,
                        "exercises": [{"id": e.id, "status": e.status,
                                       "detail": pick(lang, *e.detail) if e.detail else ""}
                                      for e in t.exercises]} for t in results]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        from rich.markup import escape

        from torchdojo.text.console import make_console
        from torchdojo.course.manifest import course
        from torchdojo.text.terminal import STYLE

        console = make_console()
        for t in results:
            title = course().topic(t.topic).title.get(lang)
            console.print(f"[bold]{escape(title)}[/bold]" + (f"  [dim]({escape(t.source)})[/dim]" if t.source else ""))
            width = max((len(e.id) for e in t.exercises), default=10)
            for e in t.exercises:
                mark, colour = STYLE[e.status]
                label = {"passed": tr(lang, "names and signatures as expected"),
                         "failed": tr(lang, "names or signatures differ"),
                         "not_attempted": tr(lang, "not attempted")}[e.status]
                console.print(f"  [{colour}]{mark} {escape(e.id.ljust(width))}[/{colour}]"
                              f"  [{colour}]{label}[/{colour}]")
                if e.detail and e.status != "passed":
                    console.print(f"      [dim]{escape(pick(lang, *e.detail))}[/dim]")
            console.print()
        console.print("[yellow]" + tr(lang, "Student edition: these public tests check names and signatures "
                                            "only; your grade comes from your instructor's hidden graders.")
                      + "[/yellow]")
    failed = any(e.status == "failed" for t in results for e in t.exercises)
    return 1 if failed else 0


def _still_a_stub(obj: Any) -> bool:
    """Whether a notebook's function or class still has the stub's body (its source read with ast, never run)."""
    import inspect
    import textwrap

    if not callable(obj):
        return False
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return False  # no source to read (defined in an exec'd string): judge by the names only
    node = tree.body[0] if tree.body else None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _is_stub_body(node.body)
    if isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return bool(methods) and all(_is_stub_body(m.body) for m in methods)
    return False


def check_namespace(target: str, namespace: dict[str, Any], lang: str) -> str:
    """The student edition's notebook check: the names and signatures of ``target`` in ``namespace``."""
    import inspect

    from torchdojo.course.manifest import course

    plan = topics(course(), [target])
    topic, exercises = plan[0]
    expected: dict[str, list[str]] = {}
    test = paths.content_root() / DIR / test_file_name(topic)
    for node in ast.parse(test.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXPECTED" for t in node.targets):
            expected = ast.literal_eval(node.value)
    lines = []
    for ex in exercises:
        if all(_still_a_stub(namespace.get(f)) for f in ex.functions):
            # Right names and signatures, but the stub's body: work to do, as in 'torchdojo check'.
            lines.append(f"· {ex.id}: " + tr(lang, "not attempted yet (still the stub)"))
            continue
        problems = []
        for f in ex.functions:
            obj = namespace.get(f)
            if not callable(obj):
                problems.append(tr(lang, "{name} is not defined yet", name=f))
                continue
            params = list(inspect.signature(obj).parameters)
            if f in expected and params != expected[f]:
                problems.append(tr(lang, "{name}: expected the parameters {expected}", name=f, expected=expected[f]))
        lines.append(f"{'✘' if problems else '✔'} {ex.id}: "
                     + ("; ".join(problems) if problems else tr(lang, "names and signatures as expected")))
    lines.append(tr(lang, "Student edition: these public tests check names and signatures "
                          "only; your grade comes from your instructor's hidden graders."))
    return "\n".join(lines)
