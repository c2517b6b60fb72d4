"""One suite for judging a grader from outside with a corpus of submissions.

A topic's test module subclasses :class:`VariantSuite` and fills in ``TOPIC``
and ``SPANISH``; its mistakes are described once, in ``tests/variants/<topic>/mistakes.py``
(each entry: ``what``, ``replace``, ``extra``, the ``exercise`` it must lose, the ``words``
its English feedback contains, ``gpu_only``, and ``follows`` for the few that may also fail
the accuracy test of an exercise that runs their helper, named in ``OWN_HELPER_TESTS``). The topic's **corpus** is

* the reference solution and every ``tests/variants/<topic>/correct_*`` (a
  ``.py`` file copied byte for byte, or a folder holding the module or notebook
  and its sibling modules): each gets full marks;
* the stub: every exercise *not attempted*;
* each mistake of ``tests/variants/<topic>/mistakes.py`` (the reference with
  ONE realistic mistake: a function or class replaced): it loses points on
  exactly its exercise, with feedback naming the problem in English (and, for
  ``SPANISH``, in Spanish); mistakes only an accelerator can reveal get full
  marks on a CPU.

The corpus is graded through the real judge and student processes, all of it
at once on the session's warm judges, once per grading secret: the fairness
checks run under two instructor secrets, and :meth:`test_two_secrets_give_the_same_verdicts`
asserts that every verdict agrees. One grading serves both languages (a result
carries the feedback in both).
"""

from __future__ import annotations

import ast
import importlib.util
import tempfile
from functools import lru_cache
from pathlib import Path

import torch

from torchdojo.course.targets import topics as resolve_targets
from torchdojo.judge.client import find_submission, make_job
from torchdojo.judge.aggregate import topic_result
from torchdojo.course.manifest import course
from torchdojo.wire.report import NOT_ATTEMPTED, PASSED
from torchdojo.wire.result import JobResult
from torchdojo.course.stubs import strip_markers

ROOT = Path(__file__).resolve().parents[1]
ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()
#: What a mistake entry may say (``extra`` and ``follows`` are optional).
MISTAKE_KEYS = {"what", "replace", "extra", "exercise", "words", "gpu_only", "follows"}
#: The two instructor secrets the fairness corpus is graded with.
SECRETS = ("fairness-secret-one", "fairness-secret-two")


@lru_cache(maxsize=None)
def load_mistakes(topic: str) -> dict[str, dict]:
    """The mistake table ``tests/variants/<topic>/mistakes.py``."""
    path = ROOT / "tests" / "variants" / topic / "mistakes.py"
    spec = importlib.util.spec_from_file_location(f"mistakes_{topic}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES


def build_mistake(topic: str, name: str) -> str:
    """The reference solution with mistake ``name``: its definitions replaced, its extra lines added."""
    entry = load_mistakes(topic)[name]
    source = strip_markers((ROOT / "solutions" / f"{topic}.py").read_text(encoding="utf-8"))
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in entry["replace"]:
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            spans.append((start, node.end_lineno, entry["replace"][node.name]))
    assert len(spans) == len(entry["replace"]), f"{name}: a replaced name is not in the reference"
    for start, end, code in sorted(spans, reverse=True):
        lines[start:end] = [code]
    if entry.get("extra"):
        first = tree.body[1].lineno - 1 if ast.get_docstring(tree) is not None else 0
        lines[first:first] = [entry["extra"]]
    return f"# MISTAKE: {entry['what']}\n" + "".join(lines)


def corpus(topic: str) -> dict[str, dict[str, bytes]]:
    """Every submission of a topic's corpus: name -> {file name: bytes}."""
    module = course().topic(topic).module_name
    out = {"reference": {f"{module}.py": (ROOT / "solutions" / f"{topic}.py").read_bytes()},
           "stub": {f"{module}.py": (ROOT / "exercises" / f"{topic}.py").read_bytes()}}
    for path in sorted((ROOT / "tests" / "variants" / topic).glob("correct_*")):
        if path.is_dir():
            out[path.name] = {f.name: f.read_bytes() for f in sorted(path.iterdir()) if f.is_file()}
        else:
            out[path.name] = {f"{module}.py": path.read_bytes()}  # bytes: encodings are part of the test
    for name in sorted(load_mistakes(topic)):
        out[name] = {f"{module}.py": build_mistake(topic, name).encode("utf-8")}
    return out


class Graded:
    """One submission's results in both languages: ``graded.en[exercise_id]`` is an ItemResult."""

    def __init__(self, topic: str, raw: JobResult):
        t = course().topic(topic)
        self.raw = raw
        english = topic_result(t, list(t.exercises), raw, lang="en")
        self.en = {i.id: i for i in english.exercises}
        self.es = {i.id: i for i in topic_result(t, list(t.exercises), raw, lang="es").exercises}
        self.notes = english.notes

    def verdicts(self) -> dict[str, tuple[str, float]]:
        return {i: (r.status, r.score) for i, r in self.en.items()}


def grade_corpus(judge, topic: str, secret: str) -> dict[str, Graded]:
    """The whole corpus of ``topic`` graded at once (on every judge of the pool) with ``secret``."""
    [(top, exercises)] = resolve_targets(course(), [topic])
    items = corpus(topic)
    with tempfile.TemporaryDirectory(prefix=f"corpus-{topic}-") as tmp:
        jobs = []
        for i, (name, files) in enumerate(items.items()):
            folder = Path(tmp) / f"{i:03d}"
            folder.mkdir()
            for fname, data in files.items():
                (folder / fname).write_bytes(data)
            submission = find_submission(folder, top)
            assert submission is not None, name
            # "auto": on a machine with an accelerator, device exercises are graded there too.
            jobs.append(make_job(top, exercises, submission, device="auto", secret=secret))
        raws = judge.run_many(jobs)
    return {name: Graded(topic, raw) for name, raw in zip(items, raws)}


_GRADED: dict[tuple[str, str], dict[str, Graded]] = {}


def graded_corpus(judge, topic: str, secret: str) -> dict[str, Graded]:
    """:func:`grade_corpus`, once per session for a topic and secret."""
    key = (topic, secret)
    if key not in _GRADED:
        _GRADED[key] = grade_corpus(judge, topic, secret)
    return _GRADED[key]


def full_marks(item) -> bool:
    return item.status == PASSED and item.score == item.max_score


class _TopicMistakes:
    """``Suite.MISTAKES`` (on the class or an instance): mistake file -> (exercise that loses points,
    words the English feedback contains, accelerator only), read from the topic's one table
    ``tests/variants/<topic>/mistakes.py``."""

    def __get__(self, obj, cls) -> dict[str, tuple[str, list[str], bool]]:
        return {name: (m["exercise"], list(m["words"]), bool(m["gpu_only"]))
                for name, m in load_mistakes(cls.TOPIC).items()}


class _TopicFollows:
    """``Suite.FOLLOWS``: mistake file -> the exercise whose own-helper tests (only those) it may also fail,
    from the entries of ``tests/variants/<topic>/mistakes.py`` that say ``follows``."""

    def __get__(self, obj, cls) -> dict[str, str]:
        return {name: m["follows"] for name, m in load_mistakes(cls.TOPIC).items() if m.get("follows")}


class VariantSuite:
    #: the topic id
    TOPIC: str = ""
    MISTAKES = _TopicMistakes()
    #: (mistake file, exercise, words its Spanish feedback contains), one or several
    SPANISH: tuple | list = ("", "", [])
    #: the status a mistake's exercise must have (``None``: failed or error)
    MISTAKE_STATUS: str | None = None
    #: exercise -> the tests of it that run the student's own helpers (another exercise's functions): the
    #: contract lets only these follow a helper's bug (``fit`` reaching its accuracy bar)
    OWN_HELPER_TESTS: dict[str, tuple[str, ...]] = {}
    #: mistake file -> the exercise whose own-helper tests (only those) it may also fail
    FOLLOWS = _TopicFollows()

    @property
    def variants(self) -> Path:
        return ROOT / "tests" / "variants" / self.TOPIC

    @property
    def exercise_ids(self) -> list[str]:
        return [e.id for e in course().topic(self.TOPIC).exercises]

    def pytest_generate_tests(self, metafunc):
        if "correct" in metafunc.fixturenames:
            names = ["reference"] + sorted(p.name for p in self.variants.glob("correct_*"))
            metafunc.parametrize("correct", names)
        if "mistake" in metafunc.fixturenames:
            metafunc.parametrize("mistake", sorted(self.MISTAKES))
        if "secret" in metafunc.fixturenames:
            metafunc.parametrize("secret", SECRETS, ids=["secret1", "secret2"])

    def graded(self, judge, secret: str = SECRETS[0]) -> dict[str, Graded]:
        return graded_corpus(judge, self.TOPIC, secret)

    def assert_full_marks(self, results: dict) -> None:
        assert sorted(results) == sorted(self.exercise_ids)
        wrong = {i: (r.status, r.feedback) for i, r in results.items() if not full_marks(r)}
        assert not wrong, wrong

    def follows_helper(self, result, follower: str | None) -> bool:
        """Whether ``result`` (of exercise ``follower``) lost points only in tests that run the student's helpers."""
        own = self.OWN_HELPER_TESTS.get(follower or "", ())
        failed = [t.name.split("[")[0].rsplit("::", 1)[-1] for t in result.tests if t.status != PASSED]
        return bool(own) and bool(failed) and all(name in own for name in failed)

    def assert_loses_exactly(self, results: dict, exercise: str, words: list[str], follower: str | None = None) -> None:
        target = f"{self.TOPIC}/{exercise}"
        follower_id = f"{self.TOPIC}/{follower}" if follower else None
        losing = sorted(i for i, r in results.items() if r.score < r.max_score
                        and not (i == follower_id and self.follows_helper(r, follower)))
        assert losing == [target], {i: (r.status, r.feedback) for i, r in results.items() if i in losing}
        item = results[target]
        if self.MISTAKE_STATUS:
            assert item.status == self.MISTAKE_STATUS, (item.status, item.feedback)
        else:
            assert item.status in ("failed", "error"), item
        missing = [w for w in words if w.lower() not in item.feedback.lower()]
        assert not missing, f"feedback lacks {missing}: {item.feedback}"
        for other, result in results.items():
            if other != target and not (other == follower_id and self.follows_helper(result, follower)):
                assert full_marks(result), (other, result)

    # -- the checks ----------------------------------------------------------
    def test_variant_files_and_table_agree(self):
        assert len(list(self.variants.glob("correct_*"))) >= 4
        table = load_mistakes(self.TOPIC)
        assert all(set(m) <= MISTAKE_KEYS for m in table.values()), table
        assert all(m["what"] and m["replace"] and m["exercise"] and m["words"] and isinstance(m["gpu_only"], bool)
                   for m in table.values())
        names = {e.name for e in course().topic(self.TOPIC).exercises}
        assert {ex for ex, _, _ in self.MISTAKES.values()} == names  # every exercise has a mistake it catches

    def test_correct_solution_gets_full_marks(self, judge, correct, secret):
        graded = self.graded(judge, secret)[correct]
        assert graded.notes == []  # no notebook cell failed, no internal error
        self.assert_full_marks(graded.en)

    def test_reference_gets_full_marks_in_spanish_too(self, judge):
        self.assert_full_marks(self.graded(judge)["reference"].es)

    def test_stub_is_not_attempted(self, judge, secret):
        results = self.graded(judge, secret)["stub"].en
        assert {i: r.status for i, r in results.items()} == {i: NOT_ATTEMPTED for i in self.exercise_ids}

    def test_mistake_loses_points_on_its_exercise_only(self, judge, mistake, secret):
        exercise, words, accelerator_only = self.MISTAKES[mistake]
        results = self.graded(judge, secret)[mistake].en
        if accelerator_only and not ACCELERATOR:
            self.assert_full_marks(results)  # a CPU cannot tell where a tensor would have been
            return
        self.assert_loses_exactly(results, exercise, words, self.FOLLOWS.get(mistake))

    def test_follows_name_known_mistakes_and_tests(self):
        assert set(self.FOLLOWS) <= set(self.MISTAKES)
        assert set(self.FOLLOWS.values()) <= set(self.OWN_HELPER_TESTS)

    def test_feedback_speaks_spanish(self, judge):
        for name, exercise, words in self._spanish():
            results = self.graded(judge)[name].es
            self.assert_loses_exactly(results, exercise, [], self.FOLLOWS.get(name))
            feedback = results[f"{self.TOPIC}/{exercise}"].feedback
            assert all(w in feedback for w in words), feedback

    def _spanish(self) -> list[tuple]:
        return [self.SPANISH] if isinstance(self.SPANISH, tuple) else list(self.SPANISH)

    def test_two_secrets_give_the_same_verdicts(self, judge):
        one, two = (self.graded(judge, s) for s in SECRETS)
        differ = {}
        for name in one:
            a = {i: r.status for i, r in one[name].en.items()}
            b = {i: r.status for i, r in two[name].en.items()}
            if a != b:
                differ[name] = {i: (a[i], b[i]) for i in a if a[i] != b[i]}
        assert not differ, differ
