"""Import a student's module by path: a ``.py`` file or a notebook.

One rule for source text, everywhere (``check``, ``grade``, notebooks,
Gradescope): Python's own. A ``.py`` file is UTF-8 unless a PEP 263 coding line
says otherwise (a UTF-8 BOM is fine, any line endings are fine); a file that is
not valid in its declared encoding is refused with a message that says how to
fix it, as ``python file.py`` would refuse it.

A notebook (``.ipynb``, JSON, UTF-8) runs its code cells in order in one module
namespace, and a cell that raises does not stop the following cells (its error
is recorded). IPython syntax is handled as Jupyter runs it:

* nbgrader's autograder test cells (the instructor's grading code) are skipped;
* a cell whose first line is indented loses that indentation on every line
  that has it, as in IPython;
* cell magics whose body is Python (``%%time``, ``%%timeit``, ``%%capture``,
  ``%%prun``) lose their first line and keep their code; other cell magics
  (``%%bash``, ``%%writefile``, ``%%html``, ...) are not Python and are skipped;
* line magics that run a statement (``%time x = f()``) keep the statement;
  other line magics and shell lines (``%matplotlib inline``, ``!pip install``)
  become ``pass``, so that the indentation around them stays valid.

Cells are named as Jupyter shows them: ``In [7]`` when the notebook recorded an
execution count, else ``code cell 4`` (code cells counted from the top) with
the cell's first line, so that a learner can find the cell a message is about.

Errors are :class:`LoadError` with a message in both languages.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.text.i18n import Rendered, tr_pair

from torchdojo.shared.source import (  # noqa: F401  (LoadError and the readers are the loader's API too)
    Cell, LoadError, decode_source, notebook_cells, python_source,
)


@dataclass
class LoadedModule:
    module: types.ModuleType
    #: Errors of notebook cells that raised, as (es, en) pairs; the module still loaded.
    cell_errors: list[tuple[str, str]] = field(default_factory=list)
    #: Compiled file name -> (es, en) label of the cell, for messages about a line.
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)


def describe(exc: BaseException, filename: str, where: tuple[str, str] | None = None) -> tuple[str, str]:
    """An import-time error in both languages."""
    # Catalog messages in both languages (the pair crosses to the judge); ``where`` is a cell's own pair.
    at = Rendered(*(where or (filename, filename)))

    def said(msgid: str, **params: object) -> tuple[str, str]:
        return tr_pair(msgid, where=at, **params)

    if isinstance(exc, SyntaxError):
        if exc.lineno:
            return said("syntax error in {where}, line {line}: {detail}", line=exc.lineno, detail=exc.msg)
        return said("syntax error in {where}: {detail}", detail=exc.msg)
    if isinstance(exc, SystemExit):
        return said("{where} called sys.exit() while being imported")
    if isinstance(exc, KeyboardInterrupt):
        return said("{where} raised KeyboardInterrupt while being imported")
    lineno = _student_line(exc, filename)
    try:
        msg = f"{type(exc).__name__}: {exc}"[:500]
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        msg = type(exc).__name__
    if lineno:
        return said("error importing {where} (line {line}): {detail}", line=lineno, detail=msg)
    return said("error importing {where}: {detail}", detail=msg)


def _student_line(exc: BaseException, filename: str) -> int | None:
    tb = exc.__traceback__
    lineno = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).name.split(" [", 1)[0] == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def load_module(path: Path, module_name: str) -> LoadedModule:
    """Import ``path`` as module ``module_name`` (registered in ``sys.modules``)."""
    filename = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError.said("cannot read {file}: {error}", file=filename, error=exc.strerror) from None
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    sys.modules[module_name] = module
    loaded = LoadedModule(module)
    if path.suffix == ".ipynb":
        for cell in notebook_cells(data, filename):
            code_name = f"{path} [{cell.label[1]}]"
            loaded.labels[code_name] = cell.label
            where = (f"{filename}, {cell.label[0]}", f"{filename}, {cell.label[1]}")
            try:
                exec(compile(cell.source, code_name, "exec", dont_inherit=True), module.__dict__)
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                loaded.cell_errors.append(describe(exc, filename, where))
        return loaded
    if not data.strip():
        raise LoadError.said("{file} is empty", file=filename)
    if b"\x00" in data:
        raise LoadError.said("{file} is a binary file, not readable Python source", file=filename)
    text = decode_source(data, filename)
    try:
        code = compile(text, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        if isinstance(exc, SyntaxError):
            raise LoadError(*describe(exc, filename)) from None
        raise LoadError.said("{file} is not readable Python source ({detail})", file=filename,
                             detail=str(exc)) from None
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # noqa: BLE001
        raise LoadError(*describe(exc, filename)) from None
    return loaded
