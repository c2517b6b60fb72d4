"""Copy detection: which pairs of submissions share more code than honest work on an exercise does.

Each submission is first *normalised* so that cosmetic changes do not hide a
copy: it is parsed, docstrings and comments are dropped, top-level imports and
definitions are put in a fixed order, the first parameter of every method is
called ``self``, and the code is printed back in one canonical format
(``ast.unparse``).

Submissions are compared **per exercise**, not as whole files: an exercise's
code is the definitions of its functions (``course.toml``) and the module's
helpers they use. The library `copydetect <https://pypi.org/project/copydetect/>`_
tokenises it (every variable, attribute and function name becomes one
placeholder) and compares k-gram fingerprints; the stub's own text never counts
as shared. A pair's similarity on an exercise is the larger of the two shares
of each side's tokens that the other side also has.

How alike is too alike depends on the exercise. A one-line tensor call is
what everyone writes; a training loop leaves room for style. So shared code is
*evidence* only where it is beyond what independent correct solutions write:

* fingerprints that the *baseline corpus* holds (independent correct
  solutions shipped with the course in ``solutions/baseline/<topic>/``,
  written without the reference) are no evidence, nor (between two students) the reference's;
* fingerprints many classmates hold (:data:`COMMON_SHARE` of the class, at
  least :data:`COMMON_MIN`) are the class's idiom, no evidence either;
* on each exercise a pair must also be at least as alike as the exercise's
  *cut*: the instructor's threshold (default :data:`DEFAULT_THRESHOLD`), and
  halfway between this class's median pair and identical code (a robust rule:
  a minority of copies does not move a median).

An exercise whose reference is (nearly) all code the corpus also writes, or
whose class median leaves no room, is *forced*: a copy of the reference's code
there cannot be told from honest work, and the report says so. A pair is
reported when, on at least :data:`MIN_EXERCISES` of the exercises where both
wrote code of their own (or the only one) and on :data:`MIN_SHARE` of them, it
shares most of that code (:data:`DISTINCT_SHARE`) and passes the cut, with
:data:`MIN_EVIDENCE` such fingerprints in all; each matched exercise's code is
shown side by side. The reference solution takes part as one more submission.

Every file is bounded before it is fingerprinted (size, line length, amount of
code): a file past a bound, or one that breaks the tokeniser, is that
student's note in ``skipped``; the others are still compared. A topic that
does not finish by the deadline keeps what it compared and says what it did not.

``copydetect`` is optional (``pip install 'torchdojo[copies]'``); without it
the report says copy detection was skipped, and grading is unchanged.
"""

from __future__ import annotations

import ast
import io
import itertools
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torchdojo.course import paths
from torchdojo.course.manifest import Course, Topic
from torchdojo.text.i18n import N_

if TYPE_CHECKING:
    from torchdojo.classroom.layout import StudentFiles

#: The instructor's floor: an exercise's cut is never below this (``--copy-threshold``).
DEFAULT_THRESHOLD = 0.75
#: copydetect's noise threshold for an exercise's code: shared runs shorter than this many tokens never count.
K = 12
#: An exercise whose cut is over this leaves too little room to tell copying from honest work.
FORCED_AT = 0.97
#: An exercise whose reference has fewer fingerprints than this (beyond the stub) is forced.
MIN_EXERCISE_PRINTS = 20
#: A submission with fewer fingerprints than this beyond the stub is not compared (it would match anything).
MIN_PRINTS = 20
#: Shared code counts only with this many fingerprints that independent work does not write ...
MIN_DISTINCT = 10
#: ... and when it is this share of the uncommon code of the side that has less of it.
DISTINCT_SHARE = 0.75
#: A fingerprint held by this many classmates (at least :data:`COMMON_MIN`) is the class's idiom, not evidence.
COMMON_SHARE = 0.25
COMMON_MIN = 5
#: A pair is reported only with this many shared fingerprints, over all its matched exercises, that
#: independent work does not write (one matched error message is not enough) ...
MIN_EVIDENCE = 30
#: ... when over the cut on this many unforced exercises (or all of them, if fewer) ...
MIN_EXERCISES = 2
#: ... and on at least this share of the unforced exercises both handed in.
MIN_SHARE = 2 / 3
#: Below this many students the class's own rule is not applied (the corpus alone sets the baseline).
MIN_CLASS = 5
#: Files larger than this are not compared.
MAX_SOURCE_BYTES = 1 << 20
#: A file with a line longer than this is not compared (nobody writes one; it would exhaust the tokeniser).
MAX_LINE = 4000
#: Normalised code longer than this is not compared.
MAX_CODE_CHARS = 200_000
#: Shared code shown per side of an exercise, in characters.
MAX_SHOWN = 6000
#: Seconds copy detection may take for the whole class before it stops and says what it did not compare.
TIME_LIMIT_S = 300.0
REFERENCE = "(reference)"
#: Where the baseline corpus lies, under the course's solutions (never in the student edition).
BASELINE = "baseline"

# Notes of copy detection: English catalog messages kept as text in grades.json, translated where the
# report shows them (templating's ``said`` filter).
N_OUT_OF_TIME = N_("not compared: copy detection ran out of time")
N_TOPIC_OUT_OF_TIME = N_("copy detection ran out of time: not every submission was compared")
N_NO_PARSE = N_("does not parse as Python: not compared")
N_NO_FINGERPRINT = N_("could not be fingerprinted: {error}")
N_TOO_LITTLE = N_("too little code beyond the stub to compare")
N_SAME_CODE = N_("independent correct solutions write the same code")
N_MEDIAN = N_("this class's median pair reaches {median}")
N_NOT_INSTALLED = N_("copydetect is not installed: pip install 'torchdojo[copies]'")
N_UNREADABLE = N_("{file} could not be read for comparison: {error}")
N_FAILED = N_("copy detection failed: {error}")
N_UNFINISHED = N_("copy detection did not finish within {seconds} s")
N_TOO_LARGE = N_("{file} is larger than {kb} KiB")
N_BINARY = N_("{file} is a binary file")
N_LONG_LINE = N_("{file} has a line of {n} characters (more than {limit})")
N_TOO_MUCH_CODE = N_("{file} has more than {n} characters of code")
N_DROPPED_CELL = N_("compared without {n} cell longer than {limit} characters")
N_DROPPED_CELLS = N_("compared without {n} cells longer than {limit} characters")
N_DROPPED_LINE = N_("compared without {n} line longer than {limit} characters")
N_DROPPED_LINES = N_("compared without {n} lines longer than {limit} characters")
NOTES = (N_TOO_LARGE, N_BINARY, N_LONG_LINE, N_TOO_MUCH_CODE, N_DROPPED_CELL, N_DROPPED_CELLS, N_DROPPED_LINE,
         N_DROPPED_LINES, N_OUT_OF_TIME, N_TOPIC_OUT_OF_TIME, N_NO_PARSE, N_NO_FINGERPRINT, N_TOO_LITTLE,
         N_SAME_CODE, N_MEDIAN, N_NOT_INSTALLED, N_UNREADABLE, N_FAILED, N_UNFINISHED)


@dataclass
class Segment:
    """A run of normalised code, shared with the other side of the pair or not."""

    text: str
    shared: bool


@dataclass
class ExerciseMatch:
    """One exercise on which a pair is over the exercise's cut, with the code of each side."""

    exercise: str
    similarity: float  # max(similarity_a, similarity_b)
    similarity_a: float  # share of a's tokens found in b
    similarity_b: float
    cut: float
    code_a: list[Segment] = field(default_factory=list)
    code_b: list[Segment] = field(default_factory=list)


@dataclass
class Pair:
    """Two submissions of one topic that share more code than honest work does, on enough exercises."""

    topic: str
    a: str
    b: str
    similarity: float  # mean over the matched exercises
    similarity_a: float
    similarity_b: float
    #: The exercises on which both wrote code that independent work does not; the matched ones are in ``exercises``.
    compared: int = 0
    exercises: list[ExerciseMatch] = field(default_factory=list)

    @property
    def code_a(self) -> list[Segment]:
        return [seg for m in self.exercises for seg in m.code_a]

    @property
    def code_b(self) -> list[Segment]:
        return [seg for m in self.exercises for seg in m.code_b]

    def passages(self, which: str, limit: int = 5, chars: int = 300) -> list[str]:
        """The first shared passages of ``a`` or ``b``, each cut to ``chars``."""
        code = self.code_a if which == "a" else self.code_b
        return [s.text[:chars] for s in code if s.shared][:limit]


@dataclass
class ExerciseBaseline:
    """What honest work reaches on one exercise, and the cut a pair must pass there."""

    exercise: str
    #: The highest similarity among the corpus's independent correct solutions (and the reference).
    baseline: float | None
    #: The class's median pair on this exercise (None for a class too small to say).
    class_median: float | None
    cut: float
    #: Too little room to tell copying from honest work: no pair is reported on this exercise.
    forced: bool
    reason: str = ""


@dataclass
class TopicSimilarity:
    """One topic: the per-exercise cuts, each student's similarity to the reference, the reported pairs."""

    topic: str
    #: Each student's mean similarity to the reference over the unforced exercises.
    to_reference: dict[str, float] = field(default_factory=dict)
    #: Each student's most similar classmate (mean over unforced exercises), among pairs over half the threshold.
    nearest: dict[str, tuple[str, float]] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    #: Students compared with part of their file left out (a line or cell past the bounds), and why.
    notes: dict[str, str] = field(default_factory=dict)
    exercises: list[ExerciseBaseline] = field(default_factory=list)
    #: Set when the topic did not finish in time: what was left out.
    note: str = ""

    @property
    def forced(self) -> list[str]:
        return [e.exercise for e in self.exercises if e.forced]


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
            "method": (f"copydetect k={K} per exercise on normalised Python, stub as boilerplate; evidence: "
                       "shared code the baseline corpus and the class's idiom do not hold; cut per exercise: "
                       "max(threshold, halfway from the class's median pair to 1)"),
            "threshold": self.threshold,
            "note": self.note,
            "topics": [{
                "topic": t.topic,
                "note": t.note,
                "exercises": [{"exercise": e.exercise, "baseline": e.baseline, "class_median": e.class_median,
                               "cut": e.cut, "forced": e.forced, "reason": e.reason} for e in t.exercises],
                "to_reference": t.to_reference,
                "nearest": {s: {"student": other, "similarity": v} for s, (other, v) in t.nearest.items()},
                "skipped": t.skipped,
                "notes": t.notes,
                "pairs": [{"a": p.a, "b": p.b, "similarity": p.similarity, "similarity_a": p.similarity_a,
                           "similarity_b": p.similarity_b, "compared": p.compared,
                           "exercises": [{"exercise": m.exercise, "similarity": m.similarity, "cut": m.cut,
                                          "passages_a": [x.text[:300] for x in m.code_a if x.shared][:5],
                                          "passages_b": [x.text[:300] for x in m.code_b if x.shared][:5]}
                                         for m in p.exercises],
                           "passages_a": p.passages("a"), "passages_b": p.passages("b")} for p in t.pairs],
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
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    rest = [n for n in tree.body if n not in imports and n not in defs]
    try:
        tree.body = (sorted(imports, key=ast.unparse) + rest + sorted(defs, key=lambda n: n.name))
        return ast.unparse(tree)
    except (ValueError, RecursionError, MemoryError):
        return source


def read_code(path: Path) -> str:
    """The Python source of a ``.py`` (any PEP 263 encoding) or of a notebook's code cells, normalised.

    Raises ``ValueError`` with a one-line reason for a file that is not code or
    is past a bound: such a file is not compared. See :func:`read_bounded`.
    """
    return read_bounded(path)[0]


def read_bounded(path: Path) -> tuple[str, str]:
    """``(normalised code, note)``: the code of ``path`` within copy detection's bounds.

    A line longer than :data:`MAX_LINE` characters is dropped (a notebook's
    whole cell, a ``.py``'s line) so the rest is still compared, and the note
    says so; a file that does not parse without it, or that is past
    :data:`MAX_SOURCE_BYTES` or :data:`MAX_CODE_CHARS`, raises ``ValueError``.
    """
    data = path.read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(N_TOO_LARGE.format(file=path.name, kb=MAX_SOURCE_BYTES >> 10))
    if b"\x00" in data:
        raise ValueError(N_BINARY.format(file=path.name))
    from torchdojo.shared.source import LoadError, decode_source, notebook_cells

    try:
        if path.suffix == ".ipynb":
            sources = [cell.source for cell in notebook_cells(data, path.name)]
        else:
            sources = [decode_source(data, path.name)]
    except LoadError as exc:
        raise ValueError(exc.en) from None
    dropped, kept = 0, []
    for source in sources:
        lines = source.splitlines()
        longest = max((len(line) for line in lines), default=0)
        if longest <= MAX_LINE:
            kept.append(source)
        elif path.suffix == ".ipynb":
            dropped += 1  # the whole cell: what is left of it would not parse
        else:
            cut = "\n".join("" if len(line) > MAX_LINE else line for line in lines)
            try:
                ast.parse(cut)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                raise ValueError(N_LONG_LINE.format(file=path.name, n=longest, limit=MAX_LINE)) from None
            dropped += sum(1 for line in lines if len(line) > MAX_LINE)
            kept.append(cut)
    code = "\n\n".join(normalise(source) for source in kept)
    if len(code) > MAX_CODE_CHARS:
        raise ValueError(N_TOO_MUCH_CODE.format(file=path.name, n=MAX_CODE_CHARS))
    # English text chosen by count here (translated back by the report, where Spanish has the same rule).
    cells = path.suffix == ".ipynb"
    template = ((N_DROPPED_CELL if cells else N_DROPPED_LINE) if dropped == 1
                else (N_DROPPED_CELLS if cells else N_DROPPED_LINES))
    note = template.format(n=dropped, limit=MAX_LINE) if dropped else ""
    return code, note


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


def exercise_units(code: str, topic: Topic) -> dict[str, str]:
    """``{exercise id: code}``: each exercise's definitions and the module's helpers they use.

    Helpers are the top-level definitions and assignments its functions name,
    transitively, except other exercises' functions. Raises ``SyntaxError`` for
    code that does not parse.
    """
    tree = ast.parse(code)
    binds: dict[str, list[ast.stmt]] = {}
    for node in tree.body:
        names: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        for name in names:
            binds.setdefault(name, []).append(node)
    owned = {f for e in topic.exercises for f in (e.functions or (e.name,))}
    out: dict[str, str] = {}
    for ex in topic.exercises:
        todo, seen, nodes = list(ex.functions or (ex.name,)), set(), []
        while todo:
            name = todo.pop(0)
            if name in seen:
                continue
            seen.add(name)
            for node in binds.get(name, []):
                if any(node is n for n in nodes):
                    continue
                nodes.append(node)
                todo += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in binds
                         and n.id not in owned and n.id not in seen]
        if nodes:
            out[ex.id] = "\n".join(ast.unparse(n) for n in nodes)
    return out


def _fingerprint(code: str, boilerplate: Any) -> Any:
    from copydetect import CodeFingerprint

    return CodeFingerprint("exercise.py", K, 1, boilerplate=boilerplate, fp=io.StringIO(code), language="python")


def _overlap(fa: Any, fb: Any) -> float:
    """The share of the smaller side's fingerprints the other side has: a cheap stand-in for the similarity."""
    small = min(len(fa.hashes), len(fb.hashes))
    return len(fa.hashes & fb.hashes) / small if small else 0.0


def _prints(units: dict[str, str], boilerplate: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for ex, code in units.items():
        fp = _fingerprint(code, boilerplate.get(ex))
        if len(fp.hashes):
            out[ex] = fp
    return out


def corpus(topic: Topic, reference: str) -> dict[str, str]:
    """The baseline corpus of ``topic``: the reference and the packaged independent correct solutions, normalised."""
    out = {REFERENCE: reference}
    folder = paths.solutions_dir() / BASELINE / topic.id
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        try:
            out[path.stem] = read_code(path)
        except (OSError, ValueError):
            continue
    return out


def _baselines(topic: Topic, corpus_prints: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for ex in topic.exercises:
        sims = [_overlap(a[ex.id], b[ex.id]) for a, b in itertools.combinations(corpus_prints.values(), 2)
                if ex.id in a and ex.id in b]
        out[ex.id] = round(max(sims), 3) if sims else None
    return out


def _exact(fa: Any, fb: Any) -> tuple[float, float, Any, Any]:
    from copydetect import compare_files

    _, (sa, sb), (slices_a, slices_b) = compare_files(fa, fb)
    return round(float(sa), 3), round(float(sb), 3), slices_a, slices_b


def compare_topic(topic: str | Topic, codes: dict[str, str], reference: str, stub: str,
                  threshold: float = DEFAULT_THRESHOLD, *, deadline: float | None = None,
                  baseline_codes: dict[str, str] | None = None) -> TopicSimilarity:
    """Compare every submission of one topic (``{student: normalised code}``) with each other and the reference.

    ``topic`` is the course's topic (an id is looked up in the packaged
    course); ``baseline_codes`` the corpus of independent correct solutions
    (by default :func:`corpus`). ``deadline`` (a ``time.monotonic()``
    value) stops the comparison there, with a note of what was left out.
    """
    import numpy as np

    if isinstance(topic, str):
        from torchdojo.course.manifest import course as packaged

        topic = packaged().topic(topic)
    out = TopicSimilarity(topic.id)
    try:
        stub_units = exercise_units(normalise(stub), topic)
    except SyntaxError:
        stub_units = {}
    boilerplate = {ex: np.array(sorted(_fingerprint(code, None).hashes), dtype=np.int64)
                   for ex, code in stub_units.items()}

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    # The corpus: independent correct solutions (the reference among them).
    baseline_codes = corpus(topic, reference) if baseline_codes is None else {REFERENCE: reference, **baseline_codes}
    corpus_prints: dict[str, dict[str, Any]] = {}
    for name, code in baseline_codes.items():
        try:
            corpus_prints[name] = _prints(exercise_units(code, topic), boilerplate)
        except Exception:  # a corpus file is ours; one that does not parse just does not count
            continue
    baselines = _baselines(topic, corpus_prints)

    # Each submission, bounded and fingerprinted on its own: one that breaks is that student's note.
    prints: dict[str, dict[str, Any]] = {REFERENCE: corpus_prints.get(REFERENCE, {})}
    for name, code in sorted(codes.items()):
        if late():
            out.skipped[name] = N_OUT_OF_TIME
            out.note = N_TOPIC_OUT_OF_TIME
            continue
        try:
            if len(code) > MAX_CODE_CHARS or max((len(x) for x in code.splitlines()), default=0) > MAX_LINE:
                raise ValueError("past the size bounds of copy detection")
            units = exercise_units(code, topic)
            fps = _prints(units, boilerplate)
        except SyntaxError:
            out.skipped[name] = N_NO_PARSE
            continue
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # MemoryError, RecursionError, a tokeniser's own error: this file only
            out.skipped[name] = N_NO_FINGERPRINT.format(error=type(exc).__name__)[:200]
            continue
        if sum(len(fp.hashes) for fp in fps.values()) < MIN_PRINTS:
            out.skipped[name] = N_TOO_LITTLE
            continue
        prints[name] = fps

    students = [n for n in prints if n != REFERENCE]
    ref_prints = prints[REFERENCE]
    # Code that independent work also writes is no evidence: the corpus's fingerprints (the
    # reference aside) and those that many of this class hold.
    independent = {ex.id: set().union(*(fps[ex.id].hashes for name, fps in corpus_prints.items()
                                        if name != REFERENCE and ex.id in fps))
                   for ex in topic.exercises}
    held: dict[str, Counter[int]] = {ex.id: Counter() for ex in topic.exercises}
    for name in students:
        for ex, fp in prints[name].items():
            held[ex].update(fp.hashes)
    common_at = max(COMMON_MIN, COMMON_SHARE * len(students))
    # Cheap similarities of every pair on every exercise: the class's distribution and the pairs to look at.
    quick: dict[tuple[str, str], dict[str, float]] = {}
    for a, b in itertools.combinations([REFERENCE, *students], 2):
        pa, pb = prints[a], prints[b]
        quick[(a, b)] = {ex: _overlap(pa[ex], pb[ex]) for ex in pa.keys() & pb.keys()}
    for ex in topic.exercises:
        class_sims = [q[ex.id] for (a, _), q in quick.items() if a != REFERENCE and ex.id in q]
        median = round(statistics.median(class_sims), 3) if len(students) >= MIN_CLASS and class_sims else None
        base = baselines.get(ex.id)
        cut = max(threshold, (median + 1.0) / 2 if median is not None else 0.0)
        ref_fp = ref_prints.get(ex.id)
        own = len(ref_fp.hashes - independent[ex.id]) if ref_fp is not None else 0
        if ref_fp is None or len(ref_fp.hashes) < MIN_EXERCISE_PRINTS or own < MIN_DISTINCT:
            forced, reason = True, N_SAME_CODE
        elif cut > FORCED_AT:
            forced, reason = True, N_MEDIAN.format(median=f"{median:.2f}")
        else:
            forced, reason = False, ""
        out.exercises.append(ExerciseBaseline(ex.id, base, median, round(min(cut, 1.0), 3), forced, reason))
    # An exercise forced by the corpus gives no evidence for copies of the reference's code (independent
    # work writes it), but distinctive code shared there still counts; one forced by this class's own
    # median is left out.
    cuts = {e.exercise: e.cut for e in out.exercises if not (e.forced and e.class_median is not None
                                                                 and e.cut > FORCED_AT)}

    ref_hashes = {ex: fp.hashes for ex, fp in ref_prints.items()}
    own: dict[tuple[str, str, bool], int] = {}

    def own_code(name: str, ex: str, with_reference: bool) -> int:
        """How many of ``name``'s fingerprints on ``ex`` independent work (and the reference) does not hold."""
        key = (name, ex, with_reference)
        if key not in own:
            common = independent[ex] | ref_hashes.get(ex, set()) if with_reference else independent[ex]
            own[key] = sum(1 for h in prints[name][ex].hashes if h not in common)
        return own[key]

    def shared_code(a: str, b: str, ex: str) -> int:
        """Fingerprints a and b share that independent work, the reference (between students) and many
        classmates do not hold."""
        fa, fb = prints[a][ex].hashes, prints[b][ex].hashes
        common = independent[ex] if REFERENCE in (a, b) else independent[ex] | ref_hashes.get(ex, set())
        others = held[ex]  # students holding each fingerprint; the reference is not among them
        return sum(1 for h in fa & fb
                   if h not in common and others[h] - (a != REFERENCE and h in fa) - (h in fb) < common_at)

    best: dict[str, tuple[str, float]] = {}
    for (a, b), q in quick.items():
        if late():
            out.note = "copy detection ran out of time: not every pair was compared"
            break
        common = [ex for ex in cuts if ex in q]
        if not common:
            continue
        mean = round(sum(q[ex] for ex in common) / len(common), 3)
        if a == REFERENCE:
            out.to_reference[b] = mean
        elif mean >= threshold / 2:
            for x, y in ((a, b), (b, a)):
                if mean > best.get(x, ("", -1.0))[1]:
                    best[x] = (y, mean)
        matches, comparable, evidence = [], 0, 0
        with_reference = REFERENCE not in (a, b)
        for ex in common:
            fewer = min(own_code(a, ex, with_reference), own_code(b, ex, with_reference))
            if fewer < MIN_DISTINCT:
                continue  # one side wrote only what independent work writes: nothing to tell here
            comparable += 1
            # The fingerprint overlap bounds the similarity from above closely enough to skip most pairs.
            if q[ex] < cuts[ex] - 0.15:
                continue
            shared = shared_code(a, b, ex)
            if shared < DISTINCT_SHARE * fewer:
                continue  # what they share is what honest work writes too
            fa, fb = prints[a][ex], prints[b][ex]
            try:
                sa, sb, slices_a, slices_b = _exact(fa, fb)
            except Exception:  # noqa: BLE001 - one exercise's comparison must not stop the class
                continue
            if max(sa, sb) >= cuts[ex]:
                evidence += shared
                matches.append(ExerciseMatch(ex, max(sa, sb), sa, sb, cuts[ex], _segments(fa.raw_code, slices_a),
                                             _segments(fb.raw_code, slices_b)))
        enough = len(matches) >= min(MIN_EXERCISES, comparable) and len(matches) >= MIN_SHARE * comparable
        if matches and evidence >= MIN_EVIDENCE and enough:
            n = len(matches)
            out.pairs.append(Pair(topic.id, a, b, round(sum(m.similarity for m in matches) / n, 3),
                                  round(sum(m.similarity_a for m in matches) / n, 3),
                                  round(sum(m.similarity_b for m in matches) / n, 3), comparable, matches))
    for name in students:
        out.to_reference.setdefault(name, 0.0)
    out.to_reference = dict(sorted(out.to_reference.items()))
    out.nearest = dict(sorted(best.items()))
    out.pairs.sort(key=lambda p: (-len(p.exercises), -p.similarity, p.a, p.b))
    return out


def copydetect_available() -> bool:
    try:
        import copydetect  # noqa: F401
    except ImportError:
        return False
    return True


def class_similarity(students: list[StudentFiles], keys: list[str], course: Course,
                     threshold: float | None = None, time_limit_s: float | None = None) -> ClassSimilarity:
    """Copy detection for every exercise topic in ``keys``; a student whose file cannot be read is skipped.

    Stops after ``time_limit_s`` (default :data:`TIME_LIMIT_S`), keeping what it compared.
    """
    from torchdojo.course.stubs import strip_markers

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    deadline = time.monotonic() + (TIME_LIMIT_S if time_limit_s is None else time_limit_s)
    if not copydetect_available():
        return ClassSimilarity(False, threshold, note=N_NOT_INSTALLED)
    result = ClassSimilarity(True, threshold)
    for key in keys:
        if key.startswith("quiz:"):
            continue
        topic = course.topic(key)
        reference = normalise(strip_markers((paths.solutions_dir() / topic.module).read_text(encoding="utf-8")))
        stub = (paths.exercises_dir() / topic.module).read_text(encoding="utf-8")
        codes: dict[str, str] = {}
        skipped: dict[str, str] = {}
        notes: dict[str, str] = {}
        for s in students:
            path = s.modules.get(key)
            if path is None or s.error:
                continue
            try:
                codes[s.student], note = read_bounded(path)
                if note:
                    notes[s.student] = note
            except (KeyboardInterrupt, SystemExit):
                raise
            except (OSError, ValueError) as exc:
                skipped[s.student] = str(exc)[:200]
            except BaseException as exc:  # MemoryError, RecursionError: this student's note, not the class's
                skipped[s.student] = N_UNREADABLE.format(file=path.name, error=type(exc).__name__)
        ts = compare_topic(topic, codes, reference, stub, threshold, deadline=deadline)
        ts.skipped = dict(sorted({**ts.skipped, **skipped}.items()))
        ts.notes = dict(sorted(notes.items()))
        result.topics.append(ts)
    late = [t.topic for t in result.topics if t.note]
    if late:
        result.note = f"copy detection stopped after {TIME_LIMIT_S if time_limit_s is None else time_limit_s:g} s " \
                      f"in {', '.join(late)}: some pairs were not compared"
    return result
