"""Copy detection: how alike the submissions of a topic are, to each other and to the reference.

Each submission is first *normalised* so that cosmetic changes do not hide a
copy: it is parsed, docstrings and comments are dropped, top-level imports and
definitions are put in a fixed order, the first parameter of every method is
called ``self``, and the code is printed back in one canonical format
(``ast.unparse``). The library `copydetect <https://pypi.org/project/copydetect/>`_
then tokenises it (every variable, attribute and function name becomes one
placeholder) and compares k-gram fingerprints (Stanford MOSS's winnowing, here
with every k-gram kept so that results do not depend on Python's hash seed).
The stub's own text is boilerplate: code every student received never counts
as shared.

A pair's similarity is the larger of the two shares of each file's tokens
that the other file also has; pairs at or over the threshold (default
:data:`DEFAULT_THRESHOLD`) are reported, with the shared passages. The
reference solution takes part as one more submission.

``copydetect`` is optional (``pip install 'torchdojo[copies]'``); without it
the report says copy detection was skipped, and grading is unchanged.
"""

from __future__ import annotations

import ast
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo import paths
from torchdojo.manifest import Course

if TYPE_CHECKING:
    from torchdojo.classroom.layout import StudentFiles

#: Pairs at or over this similarity are reported (an instructor can change it).
DEFAULT_THRESHOLD = 0.75
#: copydetect's noise threshold: shared runs shorter than this many tokens never count.
K = 25
#: A submission with less code than this beyond the stub is not compared (it would match anything).
MIN_TOKENS = 40
#: Files larger than this are not compared.
MAX_SOURCE_BYTES = 1 << 20
#: Shared code shown per file of a pair, in characters.
MAX_SHOWN = 6000
REFERENCE = "(reference)"


@dataclass
class Segment:
    """A run of normalised code, shared with the other file of the pair or not."""

    text: str
    shared: bool


@dataclass
class Pair:
    """Two submissions of one topic at or over the threshold."""

    topic: str
    a: str
    b: str
    similarity: float  # max(similarity_a, similarity_b)
    similarity_a: float  # share of a's tokens found in b
    similarity_b: float
    code_a: list[Segment] = field(default_factory=list)
    code_b: list[Segment] = field(default_factory=list)

    def passages(self, which: str, limit: int = 5, chars: int = 300) -> list[str]:
        """The first shared passages of ``a`` or ``b``, each cut to ``chars``."""
        code = self.code_a if which == "a" else self.code_b
        return [s.text[:chars] for s in code if s.shared][:limit]


@dataclass
class TopicSimilarity:
    """One topic: each student's similarity to the reference, the flagged pairs, who was not compared."""

    topic: str
    to_reference: dict[str, float] = field(default_factory=dict)
    #: Each student's most similar classmate, among pairs over half the threshold.
    nearest: dict[str, tuple[str, float]] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass
class ClassSimilarity:
    """Copy detection over a class (``available`` is False when copydetect is missing)."""

    available: bool
    threshold: float
    topics: list[TopicSimilarity] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "method": f"copydetect k={K}, normalised Python, stub as boilerplate",
            "threshold": self.threshold,
            "note": self.note,
            "topics": [{
                "topic": t.topic,
                "to_reference": t.to_reference,
                "nearest": {s: {"student": other, "similarity": v} for s, (other, v) in t.nearest.items()},
                "skipped": t.skipped,
                "pairs": [{"a": p.a, "b": p.b, "similarity": p.similarity, "similarity_a": p.similarity_a,
                           "similarity_b": p.similarity_b, "passages_a": p.passages("a"),
                           "passages_b": p.passages("b")} for p in t.pairs],
            } for t in self.topics],
        }


class _Normaliser(ast.NodeTransformer):
    """Drop docstrings; call every method's first parameter ``self``."""

    def _strip(self, node: Any) -> Any:
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        return node

    def visit_Module(self, node: ast.Module) -> Any:
        self.generic_visit(node)
        return self._strip(node)

    def visit_FunctionDef(self, node: Any) -> Any:
        self.generic_visit(node)
        return self._strip(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        for method in node.body:
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and method.args.args:
                old = method.args.args[0].arg
                method.args.args[0].arg = "self"
                for sub in ast.walk(method):
                    if isinstance(sub, ast.Name) and sub.id == old:
                        sub.id = "self"
        self.generic_visit(node)
        return self._strip(node)


def normalise(source: str) -> str:
    """Canonical Python: no comments or docstrings, one format, imports and definitions in a fixed order.

    Code that does not parse is returned as it is (the tokenizer still removes
    comments and names).
    """
    try:
        tree = _Normaliser().visit(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError):
        return source
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    rest = [n for n in tree.body if n not in imports and n not in defs]
    try:
        tree.body = (sorted(imports, key=ast.unparse) + rest + sorted(defs, key=lambda n: n.name))
        return ast.unparse(tree)
    except (ValueError, RecursionError):
        return source


def read_code(path: Path) -> str:
    """The Python source of a ``.py`` (any PEP 263 encoding) or of a notebook's code cells.

    Raises ``ValueError`` with a one-line reason for a file that is not code.
    """
    data = path.read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_SOURCE_BYTES >> 10} KiB")
    if b"\x00" in data:
        raise ValueError(f"{path.name} is a binary file")
    from torchdojo.student.loader import LoadError, decode_source, notebook_cells

    try:
        if path.suffix == ".ipynb":
            return "\n\n".join(normalise(cell.source) for cell in notebook_cells(data, path.name))
        return normalise(decode_source(data, path.name))
    except LoadError as exc:
        raise ValueError(exc.en) from None


def _segments(code: str, slices: Any) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    if len(slices) == 2 and len(slices[0]):
        for start, end in sorted(zip((int(x) for x in slices[0]), (int(x) for x in slices[1]))):
            start, end = max(start, pos), min(end, len(code))
            if start >= end:
                continue
            if start > pos:
                out.append(Segment(code[pos:start], False))
            out.append(Segment(code[start:end], True))
            pos = end
    if pos < len(code):
        out.append(Segment(code[pos:], False))
    shown, left = [], MAX_SHOWN
    for seg in out:
        if left <= 0:
            shown.append(Segment("…", False))
            break
        shown.append(Segment(seg.text[:left], seg.shared))
        left -= len(seg.text)
    return shown


def compare_topic(topic: str, codes: dict[str, str], reference: str, stub: str,
                  threshold: float = DEFAULT_THRESHOLD) -> TopicSimilarity:
    """Compare every submission of one topic (``{student: normalised code}``) with each other and the reference."""
    import numpy as np
    from copydetect import CodeFingerprint, compare_files

    def fingerprint(code: str, boilerplate: Any) -> Any:
        return CodeFingerprint(f"{topic}.py", K, 1, boilerplate=boilerplate, fp=io.StringIO(code),
                               language="python")

    stub_hashes = np.array(sorted(fingerprint(normalise(stub), None).hashes), dtype=np.int64)
    out = TopicSimilarity(topic)
    prints: dict[str, Any] = {}
    for name, code in [(REFERENCE, reference), *sorted(codes.items())]:
        try:
            fp = fingerprint(code, stub_hashes)
        except Exception as exc:  # one odd file must not stop the comparison of the others
            out.skipped[name] = f"could not be tokenised: {type(exc).__name__}"
            continue
        if fp.token_coverage < MIN_TOKENS and name != REFERENCE:
            out.skipped[name] = "too little code beyond the stub to compare"
            continue
        prints[name] = fp
    best: dict[str, tuple[str, float]] = {}
    for a, b in itertools.combinations(prints, 2):
        fa, fb = prints[a], prints[b]
        # Cheap bound first: without enough shared fingerprints the pair cannot reach the threshold.
        shared = len(fa.hashes & fb.hashes)
        small = min(len(fa.hashes), len(fb.hashes)) or 1
        if shared / small < threshold / 2 and a != REFERENCE:
            continue
        _, (sa, sb), (slices_a, slices_b) = compare_files(fa, fb)
        sa, sb = round(float(sa), 3), round(float(sb), 3)
        sim = max(sa, sb)
        if a == REFERENCE:
            out.to_reference[b] = sim
        else:
            for x, y in ((a, b), (b, a)):
                if sim > best.get(x, ("", -1.0))[1]:
                    best[x] = (y, sim)
        if sim >= threshold:
            out.pairs.append(Pair(topic, a, b, sim, sa, sb, _segments(fa.raw_code, slices_a),
                                  _segments(fb.raw_code, slices_b)))
    for name in prints:
        if name != REFERENCE:
            out.to_reference.setdefault(name, 0.0)
    out.to_reference = dict(sorted(out.to_reference.items()))
    out.nearest = dict(sorted(best.items()))
    out.pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    return out


def copydetect_available() -> bool:
    try:
        import copydetect  # noqa: F401
    except ImportError:
        return False
    return True


def class_similarity(students: list[StudentFiles], keys: list[str], course: Course,
                     threshold: float | None = None) -> ClassSimilarity:
    """Copy detection for every exercise topic in ``keys``; a student whose file cannot be read is skipped."""
    from torchdojo.stubs import strip_markers

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not copydetect_available():
        return ClassSimilarity(False, threshold, note="copydetect is not installed: pip install 'torchdojo[copies]'")
    result = ClassSimilarity(True, threshold)
    for key in keys:
        if key.startswith("quiz:"):
            continue
        topic = course.topic(key)
        reference = normalise(strip_markers((paths.solutions_dir() / topic.module).read_text(encoding="utf-8")))
        stub = (paths.exercises_dir() / topic.module).read_text(encoding="utf-8")
        codes: dict[str, str] = {}
        skipped: dict[str, str] = {}
        for s in students:
            path = s.modules.get(key)
            if path is None or s.error:
                continue
            try:
                codes[s.student] = read_code(path)
            except (OSError, ValueError, RecursionError) as exc:
                skipped[s.student] = str(exc)[:200]
        ts = compare_topic(key, codes, reference, stub, threshold)
        ts.skipped = dict(sorted({**ts.skipped, **skipped}.items()))
        result.topics.append(ts)
    return result

