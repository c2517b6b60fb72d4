"""Which file of a hand-in is graded: ``<module>.py`` or ``<module>.ipynb``, and why.

With both, the one the learner changed from what ``start`` or the release gave
(:func:`is_changed`); the reason is said to the learner or the instructor.
"""

from __future__ import annotations

from pathlib import Path

from torchdojo.course.manifest import Topic
from torchdojo.course.stubs import stub_path
from torchdojo.text.i18n import N_


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())


def _code_cells(data: bytes) -> list[str] | None:
    """The normalised sources of a notebook's code cells; ``None`` when it is not a readable notebook."""
    import json

    try:
        cells = json.loads(data.decode("utf-8")).get("cells", [])
        return [_lines(c["source"] if isinstance(c["source"], str) else "".join(c["source"]))
                for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    except (ValueError, UnicodeDecodeError, AttributeError, KeyError, TypeError):
        return None


def is_changed(path: Path, topic: Topic) -> bool:
    """Whether the learner changed ``<module>.py`` or ``<module>.ipynb`` from what ``start``/``release`` gave.

    A module differs from its stub; a notebook has a code cell that is in none of
    the course's generated notebook (install cells and blank cells aside), so
    re-saving a notebook in Jupyter (outputs, metadata) does not count.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if path.suffix == ".py":
        stub = stub_path(topic, "py")
        try:
            return _lines(data.decode("utf-8", "replace")) != _lines(stub.read_text(encoding="utf-8"))
        except OSError:
            return True
    cells = _code_cells(data)
    if cells is None:
        return True  # not the generated notebook, whatever it is: grading says what is wrong with it
    generated = stub_path(topic, "ipynb")
    try:
        known = set(_code_cells(generated.read_bytes()) or [])
    except OSError:
        known = set()
    return any(c and c not in known and "pip install" not in c for c in cells)


def choose_submission(folder: Path, topic: Topic) -> tuple[Path | None, tuple[str, dict[str, str]] | None]:
    """The file to grade for ``topic`` in ``folder``, and, when there were two, why this one.

    The reason is a catalog msgid with its fields (``tr(lang, msgid, **fields)``).

    ``<module>.py`` or ``<module>.ipynb``; with both, the one the learner changed
    (see :func:`is_changed`); both changed: the one saved last (the ``.py`` when the
    notebook is not valid JSON); neither: the ``.py``.
    """
    py, nb = (folder / f"{topic.module_name}{suffix}" for suffix in (".py", ".ipynb"))
    if not (py.is_file() and nb.is_file()):
        return (py if py.is_file() else nb if nb.is_file() else None), None
    return choose_between(py, nb, topic)


def choose_between(py: Path, nb: Path, topic) -> tuple[Path, tuple[str, dict[str, str]] | None]:
    """Of a module and a notebook for the same topic, the one to grade, and why (see :func:`choose_submission`)."""
    py_changed, nb_changed = is_changed(py, topic), is_changed(nb, topic)
    if py_changed != nb_changed:
        chosen, other = (py, nb) if py_changed else (nb, py)
        return chosen, (N_("both {py} and {nb} are here: graded {chosen}, the one you changed ({other} is as "
                           "it was given)"), dict(py=py.name, nb=nb.name, chosen=chosen.name, other=other.name))
    if not py_changed:
        return py, None  # both untouched: nothing to choose between
    try:
        readable = _code_cells(nb.read_bytes()) is not None
    except OSError:
        readable = False
    # A notebook that is not one (broken JSON) never takes the place of a module that was written.
    chosen = max((py, nb), key=lambda p: p.stat().st_mtime_ns) if readable else py
    other = nb if chosen == py else py
    return chosen, (N_("you changed both {py} and {nb}: graded {chosen}, saved last; delete or rename {other} "
                       "if it is not your work"), dict(py=py.name, nb=nb.name, chosen=chosen.name, other=other.name))
