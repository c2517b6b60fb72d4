"""nbformat-v4 JSON with the standard library, written deterministically.

No timestamps, no execution counts, cell ids given by the caller: generating the
same notebook twice gives the same bytes, so ``sync_content.py --check`` can
compare files.
"""

from __future__ import annotations

import json
import re
from typing import Any

NBFORMAT = 4
#: Cell ids (nbformat 4.5) are ``[a-zA-Z0-9-_]{1,64}``.
NBFORMAT_MINOR = 5
_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

Cell = dict[str, Any]


def _lines(text: str) -> list[str]:
    # nbformat stores source as a list of lines, each but the last with its "\n".
    return text.strip("\n").splitlines(keepends=True)


def _check_id(cell_id: str) -> str:
    if not _ID.match(cell_id):
        raise ValueError(f"invalid notebook cell id {cell_id!r}")
    return cell_id


def markdown(cell_id: str, text: str, nbgrader: dict[str, Any] | None = None) -> Cell:
    """A Markdown cell."""
    meta: dict[str, Any] = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "markdown", "id": _check_id(cell_id), "metadata": meta, "source": _lines(text)}


def code(cell_id: str, text: str, nbgrader: dict[str, Any] | None = None) -> Cell:
    """A code cell, never executed (no outputs, no execution count)."""
    meta: dict[str, Any] = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": "code", "execution_count": None, "id": _check_id(cell_id), "metadata": meta,
            "outputs": [], "source": _lines(text)}


def notebook(cells: list[Cell], **metadata: Any) -> dict[str, Any]:
    """A Python 3 notebook holding ``cells``."""
    ids = [c["id"] for c in cells]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate notebook cell ids")
    meta = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        **metadata,
    }
    return {"cells": cells, "metadata": meta, "nbformat": NBFORMAT, "nbformat_minor": NBFORMAT_MINOR}


def dumps(nb: dict[str, Any]) -> str:
    """The notebook as text, formatted as Jupyter itself writes it."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def cell_source(cell: Cell) -> str:
    """A cell's source as one string (``source`` may be a string or a list)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)
