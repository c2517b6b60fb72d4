"""The folder list tells the architecture: rooms (packages) on floors, no import circle, nothing imported from above.

Every import counts, the ones inside functions and under ``if TYPE_CHECKING:``
too: a circle that only type checkers follow is still a circle a reader has to
untangle. ``docs/architecture.md`` describes the rooms and floors.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "torchdojo"

#: The rooms, lowest floor first; a room may import from its own floor and the floors below.
FLOORS = [
    {"wire"},                             # what crosses a process or the disk: data only
    {"text"},                             # languages, messages, the terminal, files written
    {"course", "datasets", "models"},     # the course as data; what student code imports
    {"shared"},                           # code both sides of the wire run (recipes, OS facts, source)
    {"student", "judge"},                 # the two sides: running student code, deciding grades
    {"learner"},                          # the learner's loop: workspace, progress, check
    {"classroom"},                        # grading a class and its outputs
    {"editions"},                         # what is built from the course: release, notebooks, exports
    {"cli"},                              # the command line, a thin layer over all of it
]
FLOOR = {room: n for n, rooms in enumerate(FLOORS) for room in rooms}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The torchdojo modules that ``name`` imports, anywhere in its source."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("torchdojo")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("torchdojo"):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    out.add(sub if sub in known else target)
    return out - {name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_only_rooms_at_the_top():
    loose = sorted(p.name for p in PACKAGE.iterdir()
                   if p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"modules at the top of src/torchdojo (put each in a room): {loose}"
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert rooms == set(FLOOR), f"rooms without a floor, or floors without a room: {rooms ^ set(FLOOR)}"


def test_nothing_is_imported_from_a_higher_floor(graph):
    upward = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                    if room(a) in FLOOR and room(b) in FLOOR and FLOOR[room(b)] > FLOOR[room(a)])
    assert not upward, "imports from a higher floor:\n" + "\n".join(upward)


def test_the_two_sides_of_the_wire_never_import_each_other(graph):
    crossing = sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                      if {room(a), room(b)} == {"student", "judge"})
    assert not crossing, "\n".join(crossing)


def test_no_import_circle(graph):
    # Tarjan's strongly connected components: any with two modules or more is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not circles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_the_student_process_reads_only_the_shared_and_student_rooms():
    # The allow-list of torchdojo modules the student process may read is written once
    # (shared.confine.STUDENT_MODULES), and names nothing of the judge, the course's
    # content readers, the classroom or the editions.
    from torchdojo.shared.confine import STUDENT_MODULES

    rooms = {room(m) for m in STUDENT_MODULES if "." in m}
    assert rooms <= {"text", "shared", "student", "wire", "datasets", "models", "learner"}, rooms
    assert not [m for m in STUDENT_MODULES if room(m) == "learner" and m not in ("torchdojo.learner",
                                                                                  "torchdojo.learner.notebook")]


def test_a_circle_is_found(tmp_path, monkeypatch):
    # The checks above can fail: a made-up pair of modules that import each other is a circle.
    fake = {"torchdojo.judge.a": {"torchdojo.judge.b"}, "torchdojo.judge.b": {"torchdojo.judge.a"}}
    with pytest.raises(AssertionError, match="import circles"):
        test_no_import_circle(fake)
    with pytest.raises(AssertionError, match="higher floor"):
        test_nothing_is_imported_from_a_higher_floor({"torchdojo.wire.x": {"torchdojo.cli.main"}})
