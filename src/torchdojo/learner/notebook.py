"""Check exercises from inside a running notebook (Jupyter, Colab, nbgrader).

::

    from torchdojo.learner.notebook import check
    check("tensors/seeded_rand", globals())    # or check("tensors", globals())

The learner sees the same result as ``torchdojo check``: the code cells run so
far (IPython's raw input history, read through the namespace that is passed in,
never through the call stack) are written to a temporary ``<module>.ipynb`` and
graded in the real sandbox, with the hidden grader. One warm grading process is
kept per kernel, so only the first check pays for starting it.

Outside IPython (for instance while ``torchdojo check`` runs a notebook's cells
in the sandbox) there is no history: the calls do nothing, so a notebook with
check cells is still an ordinary submission.

``nbgrader_points`` and ``quiz_points`` are what the hidden test cells of an
nbgrader notebook call (see ``docs/nbgrader.md``): they return the points as the
cell's value, which nbgrader reads as (partial) credit.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import hashlib
import io
import re
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from torchdojo.text.i18n import N_, default_lang, tr

#: Calls that grade: cells that make them are left out of the rebuilt module.
RUNTIME_NAMES = frozenset({"check", "nbgrader_points", "quiz_points"})
#: The variable an nbgrader quiz fills in: ``quiz_answers["question_id"] = ...``.
QUIZ_VARIABLE = "quiz_answers"
_MAGIC = re.compile(r"^\s*(%|!)")
_NO_IPYTHON = N_("torchdojo.learner.notebook: no IPython history; outside Jupyter use `torchdojo check`")

_judge: Any = None
_cache: dict[tuple[str, ...], Any] = {}


def _is_runtime_cell(source: str) -> bool:
    """A cell that imports this module, calls it, or is an nbgrader hidden test."""
    if "torchdojo.learner.notebook" in source or "### BEGIN HIDDEN TESTS" in source:
        return True
    code = "".join(ln for ln in source.splitlines(keepends=True) if not _MAGIC.match(ln))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False  # the sandbox reports the syntax error, as for a saved notebook
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id in RUNTIME_NAMES:
                return True
    return False


def source_cells(namespace: Mapping[str, Any]) -> list[str] | None:
    """The code cells run so far in the kernel that owns ``namespace``, grading cells left out.

    ``None`` when ``namespace`` is not an IPython user namespace.
    """
    numbered = numbered_cells(namespace)
    return None if numbered is None else [cell for _, cell in numbered]


def numbered_cells(namespace: Mapping[str, Any]) -> list[tuple[int, str]] | None:
    """Like :func:`source_cells`, each with its execution count (the ``In [n]`` Jupyter shows)."""
    history: list[str] | None = None
    get_ipython = namespace.get("get_ipython")
    shell = get_ipython() if callable(get_ipython) else None
    if shell is not None and getattr(shell, "history_manager", None) is not None:
        history = list(shell.history_manager.input_hist_raw)  # raw: magics still as typed
    elif isinstance(namespace.get("In"), list):
        history = [ln for ln in namespace["In"] if "get_ipython()" not in ln]
    if history is None:
        return None
    # input_hist_raw[n] is what ran as In [n].
    return [(n, cell) for n, cell in enumerate(history) if cell.strip() and not _is_runtime_cell(cell)]


def _get_judge() -> Any:
    global _judge
    if _judge is None:
        from torchdojo.judge.service import Judge

        _judge = Judge()
        _judge.start()
        atexit.register(_close)
    return _judge


def _close() -> None:
    global _judge
    if _judge is not None:
        _judge.close()
        _judge = None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No warnings and no stderr: nbgrader scores a test cell that wrote to stderr as zero."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def _grade_cells(cells: list[tuple[int, str]], target: str, device: str, lang: str) -> Any:
    """Grade ``target`` (a topic or an exercise id) on numbered ``cells``; cached per source."""
    digest = hashlib.sha256("\0".join(f"{n}:{src}" for n, src in cells).encode("utf-8", "surrogatepass")).hexdigest()
    key = (target, digest, device, lang)
    if key in _cache:
        return _cache[key]
    with _quiet(), tempfile.TemporaryDirectory(prefix="torchdojo-nb-") as tmp:
        from torchdojo.course import targets
        from torchdojo.course.manifest import course
        from torchdojo.judge.client import grade_topic
        from torchdojo.text import nbjson

        [(topic, exercises)] = targets.topics(course(), [target])
        # The execution counts go along, so messages name the cells as Jupyter shows them (In [n]).
        nb = nbjson.notebook([{**nbjson.code(f"c{i}", src), "execution_count": n}
                              for i, (n, src) in enumerate(cells, start=1)])
        folder = Path(tmp)
        (folder / f"{topic.module_name}.ipynb").write_text(nbjson.dumps(nb), encoding="utf-8")
        _cache[key] = grade_topic(_get_judge(), topic, exercises, folder, device=device, lang=lang)
    return _cache[key]


def grade(target: str, namespace: Mapping[str, Any], *, device: str = "auto", lang: str | None = None) -> Any:
    """The :class:`torchdojo.wire.report.TopicResult` of ``target`` for the code run so far.

    ``target`` is a topic (``"tensors"``) or an exercise (``"tensors/seeded_rand"``).
    ``None`` outside IPython.
    """
    cells = numbered_cells(namespace)
    if cells is None:
        return None
    return _grade_cells(cells, target, device, lang or default_lang())


def check(target: str, namespace: Mapping[str, Any], *, device: str = "auto", lang: str | None = None) -> None:
    """Grade ``target`` and show the result, as ``torchdojo check`` would."""
    lang = lang or default_lang()
    if source_cells(namespace) is not None:  # in IPython; elsewhere (a confined grading process) import nothing
        from torchdojo.course import edition

        if edition.is_student():  # no hidden graders here: the public checks, on the notebook's own names
            from torchdojo.learner.public_tests import check_namespace

            print(check_namespace(target, namespace, lang))
            return
    result = grade(target, namespace, device=device, lang=lang)
    if result is None:
        print(tr(lang, _NO_IPYTHON))
        return
    _show(result, lang, namespace)


def _show(result: Any, lang: str, namespace: Mapping[str, Any]) -> None:
    """One output for the whole result: HTML with colours in Jupyter, plain text elsewhere."""
    from rich.console import Console

    from torchdojo.course.manifest import course
    from torchdojo.text.terminal import print_topic

    console = Console(file=io.StringIO(), record=True, highlight=False, soft_wrap=True, width=100,
                      force_jupyter=False, force_terminal=False, color_system="standard")
    print_topic(console, result, lang, course().topic(result.topic).title.get(lang))
    text = console.export_text(clear=False)
    try:
        from IPython.display import display
    except ImportError:
        print(text, end="")
        return
    html = console.export_html(inline_styles=True, code_format="<pre style=\"font-family:monospace\">{code}</pre>")
    display({"text/plain": text, "text/html": html}, raw=True)


def nbgrader_points(exercise_id: str, namespace: Mapping[str, Any], *, device: str = "auto",
                    lang: str | None = None) -> float | None:
    """The points of one exercise, graded with the rest of its topic (one sandbox job per notebook).

    Prints the feedback of an exercise that did not pass (stdout, which nbgrader
    shows and does not score). ``None`` outside IPython.
    """
    lang = lang or default_lang()
    topic_id = exercise_id.partition("/")[0]
    result = grade(topic_id, namespace, device=device, lang=lang)
    if result is None:
        return None
    item = next(e for e in result.exercises if e.id == exercise_id)
    if item.status != "passed":
        print(f"{item.id}: {item.status}. {item.feedback}".strip())
        for note in result.notes:  # cells that failed may explain it
            print(note)
    return item.score


def quiz_points(topic: str, question_id: str, namespace: Mapping[str, Any], *, lang: str | None = None) -> float:
    """The points of one quiz question, from ``quiz_answers`` in ``namespace``, as ``torchdojo quiz`` scores it."""
    lang = lang or default_lang()
    answers = namespace.get(QUIZ_VARIABLE)
    if not isinstance(answers, Mapping):
        answers = {}
    with _quiet():
        from torchdojo.course.quiz import grade_answers

        result = grade_answers(topic, {str(k): v for k, v in answers.items()}, lang)
    item = next(e for e in result.exercises if e.id.rpartition("/")[2] == question_id)
    if item.status != "passed":
        print(f"{question_id}: {item.status}. {item.feedback}".strip())
    return item.score
