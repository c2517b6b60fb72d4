"""Source text as Python reads it, on both sides of the wire: PEP 263 decoding and notebook cells.

The student process imports a submission from it (:mod:`torchdojo.student.loader`);
the caller reads the same text for copy detection. One rule for source text,
everywhere (``check``, ``grade``, notebooks, Gradescope): Python's own. A ``.py``
file is UTF-8 unless a PEP 263 coding line says otherwise (a UTF-8 BOM is fine,
any line endings are fine); a file that is not valid in its declared encoding is
refused with a message that says how to fix it, as ``python file.py`` would.

A notebook's code cells keep IPython's meaning (see :func:`python_source`):
nbgrader's test cells are skipped, indented first lines dedented, Python cell
magics keep their body, other magics and shell lines become ``pass``. Cells are
named as Jupyter shows them (``In [7]``, else ``code cell 4``).
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass

from torchdojo.text.i18n import N_, tr_pair


# Why a submission cannot be read: English catalog messages. Both languages are rendered where the error
# is raised (it crosses the wire as an es/en pair; the student process has the catalog preloaded by its
# zygote), and the English text read back where a report shows it (:data:`NOTES`).
N_NOT_JSON = N_("{file} is not a valid notebook (unreadable JSON: {detail})")
N_NO_CELLS = N_("{file} is not a notebook: no 'cells' list")
N_NOT_UTF8 = N_("{file} is not UTF-8 and declares no other encoding: save it as UTF-8 "
                "(or add `# -*- coding: latin-1 -*-` on its first line, as Python requires)")
N_BAD_CODING = N_("{file}: invalid encoding declaration ({detail})")
N_BAD_ENCODING = N_("{file} is not valid in the encoding it declares ({encoding})")
N_CODE_CELL = N_("code cell {n}{where}")
NOTES = (N_NOT_JSON, N_NO_CELLS, N_NOT_UTF8, N_BAD_CODING, N_BAD_ENCODING)


class LoadError(Exception):
    """The submission could not be read or imported."""

    def __init__(self, es: str, en: str, status: str = "error"):
        super().__init__(en)
        self.es = es
        self.en = en
        self.status = status

    @classmethod
    def said(cls, msgid: str, /, status: str = "error", **params: object) -> LoadError:
        """The error of a catalog message, in both languages."""
        return cls(*tr_pair(msgid, **params), status)


@dataclass(frozen=True)
class Cell:
    """A notebook code cell turned into Python source."""

    source: str
    #: (es, en) names of the cell as a learner finds it in Jupyter.
    label: tuple[str, str]


#: Cell magics whose body is ordinary Python that Jupyter runs.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "memit"})


#: Line magics followed by a Python statement that Jupyter runs.
PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun"})


_LINE_MAGIC = re.compile(r"^(\s*)(%{1,2}|!)(\w*)\s*(.*)$")


_ASSIGNED_MAGIC = re.compile(r"^(\s*)[\w.,\s\[\]]+=\s*[%!]")


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 40 else line[:37] + "..."
    return ""


def _label(code_index: int, execution_count: object, source: str) -> tuple[str, str]:
    if isinstance(execution_count, int) and not isinstance(execution_count, bool) and execution_count > 0:
        return f"In [{execution_count}]", f"In [{execution_count}]"
    first = _first_line(source)
    where = f" (`{first}`)" if first else ""
    return tr_pair(N_CODE_CELL, n=code_index, where=where)


def python_source(source: str) -> str | None:
    """The Python a Jupyter cell runs, magics handled (see the module docstring); ``None`` to skip it."""
    lines = source.splitlines(keepends=True)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first][:1] in (" ", "\t"):
        # IPython removes the first line's indentation from every line that has it.
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        lines = [ln[len(indent):] if ln.startswith(indent) else ln for ln in lines]
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(None, 1)[0] if lines[first].strip() != "%%" else ""
        if name not in PYTHON_CELL_MAGICS:
            return None
        lines = lines[first + 1:]
    out = []
    for line in lines:
        stripped = line.lstrip()
        if _ASSIGNED_MAGIC.match(line):
            out.append(_pass_like(line))
            continue
        if not stripped.startswith(("%", "!")):
            out.append(line)
            continue
        m = _LINE_MAGIC.match(line.rstrip("\r\n"))
        if m and m.group(2) == "%" and m.group(3) in PYTHON_LINE_MAGICS and m.group(4).strip():
            out.append(f"{m.group(1)}{m.group(4)}\n")
        else:
            out.append(_pass_like(line))
    return "".join(out)


def _pass_like(line: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass\n"


def _is_test_cell(cell: dict, source: str) -> bool:
    """An nbgrader autograder test cell: the instructor's grading code, not the student's."""
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    if isinstance(nbgrader, dict) and nbgrader.get("grade") is True and not nbgrader.get("solution"):
        return True
    return "### BEGIN HIDDEN TESTS" in source


def notebook_cells(data: bytes, filename: str) -> list[Cell]:
    """The code cells of a notebook as Python source, with the label a learner can find."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LoadError.said(N_NOT_JSON, file=filename, detail=str(exc)[:200]) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise LoadError.said(N_NO_CELLS, file=filename)
    out = []
    code_index = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        code_index += 1
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str) or _is_test_cell(cell, source):
            continue
        python = python_source(source)
        if python is None:
            continue
        out.append(Cell(python, _label(code_index, cell.get("execution_count"), source)))
    return out


def decode_source(data: bytes, filename: str) -> str:
    """Source bytes as text, by Python's rule (PEP 263 coding line, else UTF-8; a BOM is fine)."""
    not_utf8 = LoadError.said(N_NOT_UTF8, file=filename)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "encoding declaration" in str(exc) and b"coding" not in data[:400]:
            raise not_utf8 from None  # the first lines are not UTF-8 and nothing says what they are
        raise LoadError.said(N_BAD_CODING, file=filename, detail=str(exc)) from None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        if encoding in ("utf-8", "utf-8-sig"):
            raise not_utf8 from None
        raise LoadError.said(N_BAD_ENCODING, file=filename, encoding=encoding) from None
