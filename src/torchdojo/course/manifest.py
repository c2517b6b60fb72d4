"""The course manifest (``course.toml``): topics, exercises, points and hints.

The format is documented in ``docs/course-manifest.md``. It is parsed into frozen
dataclasses and validated on load; every error names the file, the field and,
where it can be found, the line.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from torchdojo.course import paths

FORMAT_VERSION = 1
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ManifestError(ValueError):
    """A malformed manifest; the message names file, line and field."""


@dataclass(frozen=True)
class Text:
    """A course text in both languages."""

    es: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.es


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``<topic>/<name>``, graded by the tests marked with its name."""

    topic: str
    name: str
    #: Points for the whole exercise; the tests of the exercise share them by weight.
    points: float
    #: Graded on the CPU and on every accelerator torch sees.
    device: bool = False
    #: Wall-clock limit for all of the exercise's tests, enforced from outside.
    timeout_s: float = 10.0
    #: The names the student module defines for this exercise.
    functions: tuple[str, ...] = ()
    #: Progressive hints, level 1 first.
    hints: tuple[Text, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.topic}/{self.name}"


@dataclass(frozen=True)
class Topic:
    """A topic of the course, in course order."""

    id: str
    title: Text
    #: The module a student hands in (``tensors.py``), or ``""`` for quiz-only topics.
    module: str = ""
    quiz: bool = True
    exercises: tuple[Exercise, ...] = ()

    @property
    def module_name(self) -> str:
        return self.module[:-3] if self.module.endswith(".py") else self.module

    def exercise(self, name: str) -> Exercise:
        for ex in self.exercises:
            if ex.name == name:
                return ex
        raise KeyError(f"{self.id}/{name}")


#: Where the instructor's grading secret is read from when ``[grading] secret_env`` does not say.
DEFAULT_SECRET_ENV = "TORCHDOJO_GRADING_SECRET"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Grading:
    """The optional ``[grading]`` table: settings of class grading (never a secret itself)."""

    #: The environment variable that holds the instructor's grading secret.
    secret_env: str = DEFAULT_SECRET_ENV


@dataclass(frozen=True)
class Course:
    """The whole course, loaded from ``course.toml``."""

    format_version: int
    topics: tuple[Topic, ...]
    source: Path = field(default=Path("course.toml"), compare=False)
    grading: Grading = field(default_factory=Grading)

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)

    def exercise(self, exercise_id: str) -> Exercise:
        topic_id, _, name = exercise_id.partition("/")
        return self.topic(topic_id).exercise(name)

    @property
    def exercise_topics(self) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics if t.module)


class _Loader:
    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, *needles: str) -> int | None:
        """The first line holding the needles in order (a best effort for messages)."""
        start = 0
        found = None
        for needle in needles:
            for i in range(start, len(self.lines)):
                if needle in self.lines[i]:
                    found, start = i + 1, i + 1
                    break
            else:
                return found
        return found

    def fail(self, where: str, message: str, *needles: str) -> ManifestError:
        line = self.line_of(*needles) if needles else None
        key = where.rsplit(".", 1)[-1].split("[")[0] if "." in where else ""
        if line and key:
            # Point at the field's own line when it is inside the located table.
            for i in range(line - 1, len(self.lines)):
                text = self.lines[i].strip()
                if i >= line and text.startswith("["):
                    break
                if re.match(rf"{re.escape(key)}(\.\w+)?\s*=", text):
                    line = i + 1
                    break
        loc = f"{self.path}:{line}" if line else str(self.path)
        return ManifestError(f"{loc}: {where}: {message}")

    def text(self, raw: Any, where: str, *needles: str) -> Text:
        if not isinstance(raw, dict) or set(raw) != {"es", "en"}:
            raise self.fail(where, "must be a table with exactly the keys 'es' and 'en'", *needles)
        for lang in ("es", "en"):
            if not isinstance(raw[lang], str) or not raw[lang].strip():
                raise self.fail(f"{where}.{lang}", "must be a non-empty string", *needles)
        return Text(es=raw["es"], en=raw["en"])

    def hints(self, raw: Any, where: str, *needles: str) -> tuple[Text, ...]:
        if not isinstance(raw, dict) or set(raw) != {"es", "en"}:
            raise self.fail(where, "must have 'es' and 'en' lists of hints", *needles)
        es, en = raw["es"], raw["en"]
        if not (isinstance(es, list) and isinstance(en, list)):
            raise self.fail(where, "'es' and 'en' must be lists of strings", *needles)
        if len(es) != len(en):
            raise self.fail(where, f"{len(es)} Spanish hints but {len(en)} English ones", *needles)
        if len(es) < 2:
            raise self.fail(where, "needs at least two levels of hints", *needles)
        out = []
        for level, (h_es, h_en) in enumerate(zip(es, en), start=1):
            if not (isinstance(h_es, str) and h_es.strip() and isinstance(h_en, str) and h_en.strip()):
                raise self.fail(f"{where}[{level}]", "hints must be non-empty strings", *needles)
            out.append(Text(es=h_es, en=h_en))
        return tuple(out)

    def exercise(self, topic: str, raw: Any, index: int) -> Exercise:
        where = f"topics[{topic}].exercises[{index}]"
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table", f'id = "{topic}"')
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail(f"{where}.name", f"must be a Python identifier, got {name!r}", f'id = "{topic}"')
        where = f"topics[{topic}].exercises[{name}]"
        needles = (f'id = "{topic}"', f'name = "{name}"')
        known = {"name", "points", "device", "timeout_s", "functions", "hints"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(unknown)}", *needles)
        points = raw.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            raise self.fail(f"{where}.points", f"must be a positive number, got {points!r}", *needles)
        device = raw.get("device", False)
        if not isinstance(device, bool):
            raise self.fail(f"{where}.device", "must be true or false", *needles)
        timeout = raw.get("timeout_s", 10.0)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 600:
            raise self.fail(f"{where}.timeout_s", "must be a number of seconds in (0, 600]", *needles)
        functions = raw.get("functions", [name])
        if not isinstance(functions, list) or not all(isinstance(f, str) and _NAME.match(f) for f in functions):
            raise self.fail(f"{where}.functions", "must be a list of Python identifiers", *needles)
        if "hints" not in raw:
            raise self.fail(f"{where}.hints", "missing", *needles)
        hints = self.hints(raw["hints"], f"{where}.hints", *needles)
        return Exercise(
            topic=topic,
            name=name,
            points=float(points),
            device=device,
            timeout_s=float(timeout),
            functions=tuple(functions),
            hints=hints,
        )

    def topic(self, raw: Any, index: int) -> Topic:
        where = f"topics[{index}]"
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table")
        tid = raw.get("id")
        if not isinstance(tid, str) or not _ID.match(tid):
            raise self.fail(f"{where}.id", f"must be a lower-case identifier, got {tid!r}", "[[topics]]")
        where = f"topics[{tid}]"
        needle = f'id = "{tid}"'
        unknown = sorted(set(raw) - {"id", "title", "module", "quiz", "exercises"})
        if unknown:
            raise self.fail(where, f"unknown field(s) {', '.join(unknown)}", needle)
        title = self.text(raw.get("title"), f"{where}.title", needle)
        module = raw.get("module", "")
        if not isinstance(module, str) or (module and not re.match(r"^[a-z_][a-z0-9_]*\.py$", module)):
            raise self.fail(f"{where}.module", f"must be a module file name like 'tensors.py', got {module!r}", needle)
        quiz = raw.get("quiz", True)
        if not isinstance(quiz, bool):
            raise self.fail(f"{where}.quiz", "must be true or false", needle)
        raw_ex = raw.get("exercises", [])
        if not isinstance(raw_ex, list):
            raise self.fail(f"{where}.exercises", "must be an array of tables", needle)
        if module and not raw_ex:
            raise self.fail(f"{where}.exercises", "a topic with a module needs exercises", needle)
        if raw_ex and not module:
            raise self.fail(f"{where}.module", "a topic with exercises needs a module", needle)
        exercises = tuple(self.exercise(tid, e, i) for i, e in enumerate(raw_ex))
        names = [e.name for e in exercises]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise self.fail(f"{where}.exercises", f"duplicate exercise name(s) {', '.join(dupes)}", needle)
        return Topic(id=tid, title=title, module=module, quiz=quiz, exercises=exercises)


def load_course(path: str | Path | None = None) -> Course:
    """Load and validate a course manifest (by default the packaged ``course.toml``)."""
    path = Path(path) if path is not None else paths.manifest_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: invalid TOML: {exc}") from None
    loader = _Loader(path, text)
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise loader.fail("format_version", f"must be {FORMAT_VERSION}, got {version!r}", "format_version")
    unknown = sorted(set(data) - {"format_version", "topics", "grading"})
    if unknown:
        raise loader.fail("(top level)", f"unknown field(s) {', '.join(unknown)}")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise loader.fail("topics", "must be a non-empty array of tables")
    topics = tuple(loader.topic(t, i) for i, t in enumerate(raw_topics))
    ids = [t.id for t in topics]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise loader.fail("topics", f"duplicate topic id(s) {', '.join(dupes)}")
    return Course(format_version=version, topics=topics, source=path, grading=_grading(loader, data.get("grading")))


def _grading(loader: _Loader, raw: Any) -> Grading:
    if raw is None:
        return Grading()
    if not isinstance(raw, dict):
        raise loader.fail("grading", "must be a table", "[grading]")
    unknown = sorted(set(raw) - {"secret_env"})
    if unknown:
        raise loader.fail("grading", f"unknown field(s) {', '.join(unknown)} (a secret never goes in this file)",
                          "[grading]")
    env = raw.get("secret_env", DEFAULT_SECRET_ENV)
    if not isinstance(env, str) or not _ENV_NAME.match(env):
        raise loader.fail("grading.secret_env", f"must be an environment variable name, got {env!r}",
                          "[grading]", "secret_env")
    return Grading(secret_env=env)


@lru_cache(maxsize=1)
def course() -> Course:
    """The packaged course, loaded once per process."""
    return load_course()
