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
    es_where, en_where = where or (filename, filename)
    if isinstance(exc, SyntaxError):
        line_es = f", línea {exc.lineno}" if exc.lineno else ""
        line_en = f", line {exc.lineno}" if exc.lineno else ""
        return (f"error de sintaxis en {es_where}{line_es}: {exc.msg}",
                f"syntax error in {en_where}{line_en}: {exc.msg}")
    if isinstance(exc, SystemExit):
        return (f"{es_where} llamó a sys.exit() al importarse", f"{en_where} called sys.exit() while being imported")
    if isinstance(exc, KeyboardInterrupt):
        return (f"{es_where} lanzó KeyboardInterrupt al importarse",
                f"{en_where} raised KeyboardInterrupt while being imported")
    lineno = _student_line(exc, filename)
    try:
        msg = f"{type(exc).__name__}: {exc}"[:500]
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        msg = type(exc).__name__
    line_es = f" (línea {lineno})" if lineno else ""
    line_en = f" (line {lineno})" if lineno else ""
    return (f"error al importar {es_where}{line_es}: {msg}", f"error importing {en_where}{line_en}: {msg}")


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
        raise LoadError(f"no se puede leer {filename}: {exc.strerror}", f"cannot read {filename}: {exc.strerror}") from None
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
        raise LoadError(f"{filename} está vacío", f"{filename} is empty")
    if b"\x00" in data:
        raise LoadError(f"{filename} es un archivo binario, no código Python legible",
                        f"{filename} is a binary file, not readable Python source")
    text = decode_source(data, filename)
    try:
        code = compile(text, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        if isinstance(exc, SyntaxError):
            raise LoadError(*describe(exc, filename)) from None
        raise LoadError(f"{filename} no es código Python legible ({exc})",
                        f"{filename} is not readable Python source ({exc})") from None
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # noqa: BLE001
        raise LoadError(*describe(exc, filename)) from None
    return loaded
