"""Import a student's module by path: a ``.py`` file or a notebook.

* ``.py``: compiled from bytes, so PEP 263 coding lines, a UTF-8 BOM and any line
  endings work as in Python itself.
* ``.ipynb``: code cells run in order in one module namespace; IPython magics
  (``%time``, ``%%capture``) and shell lines (``!pip install``) are dropped, and a
  cell that raises does not stop the following cells (its error is recorded).

Errors are raised as :class:`LoadError` with a message in both languages.
"""

from __future__ import annotations

import json
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path


class LoadError(Exception):
    """The submission could not be read or imported."""

    def __init__(self, es: str, en: str):
        super().__init__(en)
        self.es = es
        self.en = en


@dataclass
class LoadedModule:
    module: types.ModuleType
    #: Errors of notebook cells that raised, as (es, en) pairs; the module still loaded.
    cell_errors: list[tuple[str, str]] = field(default_factory=list)


_MAGIC = re.compile(r"^\s*(%|!)")


def notebook_cells(data: bytes, filename: str) -> list[str]:
    """The code of a notebook's code cells, magics and shell lines dropped."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LoadError(
            f"{filename} no es un notebook válido (JSON ilegible: {exc})",
            f"{filename} is not a valid notebook (unreadable JSON: {exc})",
        ) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise LoadError(f"{filename} no es un notebook: falta la lista 'cells'",
                        f"{filename} is not a notebook: no 'cells' list")
    out = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        if source.lstrip().startswith("%%"):
            continue  # a cell magic runs the whole cell through IPython
        out.append("".join(line for line in source.splitlines(keepends=True) if not _MAGIC.match(line)))
    return out


def _describe(exc: BaseException, filename: str) -> tuple[str, str]:
    if isinstance(exc, SyntaxError):
        where = f"{filename}, línea {exc.lineno}" if exc.lineno else filename
        where_en = f"{filename}, line {exc.lineno}" if exc.lineno else filename
        return (f"error de sintaxis en {where}: {exc.msg}", f"syntax error in {where_en}: {exc.msg}")
    if isinstance(exc, SystemExit):
        return (f"{filename} llamó a sys.exit() al importarse", f"{filename} called sys.exit() while being imported")
    if isinstance(exc, KeyboardInterrupt):
        return (f"{filename} lanzó KeyboardInterrupt al importarse", f"{filename} raised KeyboardInterrupt while being imported")
    line = _student_line(exc, filename)
    msg = f"{type(exc).__name__}: {exc}"[:500]
    return (f"error al importar {filename}{line[0]}: {msg}", f"error importing {filename}{line[1]}: {msg}")


def _student_line(exc: BaseException, filename: str) -> tuple[str, str]:
    tb = exc.__traceback__
    lineno = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).name == filename:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return (f" (línea {lineno})", f" (line {lineno})") if lineno else ("", "")


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
        for index, source in enumerate(notebook_cells(data, filename), start=1):
            try:
                exec(compile(source, f"{filename}[cell {index}]", "exec"), module.__dict__)
            except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                es, en = _describe(exc, f"{filename}[cell {index}]")
                loaded.cell_errors.append((es, en))
        return loaded
    if not data.strip():
        raise LoadError(f"{filename} está vacío", f"{filename} is empty")
    if b"\x00" in data:
        raise LoadError(f"{filename} es un archivo binario, no código Python legible",
                        f"{filename} is a binary file, not readable Python source")
    try:
        code = compile(data, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        if isinstance(exc, SyntaxError):
            raise LoadError(*_describe(exc, filename)) from None
        raise LoadError(f"{filename} no es código Python legible ({exc})",
                        f"{filename} is not readable Python source ({exc})") from None
    try:
        exec(code, module.__dict__)
    except BaseException as exc:  # noqa: BLE001
        raise LoadError(*_describe(exc, filename)) from None
    return loaded
