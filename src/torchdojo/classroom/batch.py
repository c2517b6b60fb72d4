"""``grade_class``: grade every submission of a class, resumably.

>>> result = grade_class("submissions/", out="grades/", jobs=2, lang="en")   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from torchdojo import __version__, paths
from torchdojo.check import missing_module
from torchdojo.classroom.gradebook import Gradebook
from torchdojo.classroom.layout import ClassLayout, StudentFiles
from torchdojo.errors import UserError
from torchdojo.judge.aggregate import INFRA_NOTE
from torchdojo.i18n import pick
from torchdojo.manifest import Course, Topic, course as load_course
from torchdojo.report import ERROR, ItemResult, TopicResult
from torchdojo.check import sibling_modules

GRADEBOOK = "gradebook.sqlite"
RETRY = "retry:"


@dataclass(frozen=True)
class Task:
    """One file to grade: a student's module for a topic."""

    student: str
    topic: str
    path: Path
    content_hash: str


@dataclass
class ClassResult:
    """What a run graded and where the outputs are."""

    students: list[str]
    topics: list[str]
    results: dict[str, dict[str, TopicResult]]
    graded: int = 0
    skipped: int = 0
    seconds: float = 0.0
    out: Path | None = None
    outputs: list[Path] = field(default_factory=list)


def quiz_key(topic: str) -> str:
    return f"quiz:{topic}"


def course_fingerprint(course: Course) -> str:
    """Changes whenever graders, quiz banks, the manifest or torchdojo change."""
    h = hashlib.sha256(__version__.encode())
    for folder in (paths.graders_dir(), paths.quizzes_dir()):
        for path in sorted(folder.glob("*")):
            if path.is_file():
                h.update(path.name.encode())
                h.update(path.read_bytes())
    h.update(paths.manifest_path().read_bytes())
    return h.hexdigest()


def content_hash(path: Path, fingerprint: str, *, siblings: bool = True) -> str:
    """The submission file, the sibling modules it may import, and the graders."""
    h = hashlib.sha256(fingerprint.encode())
    h.update(path.name.encode())
    h.update(path.read_bytes())
    for sibling in sibling_modules(path) if siblings else []:
        h.update(sibling.name.encode())
        h.update(sibling.read_bytes())
    return h.hexdigest()


def select_keys(course: Course, requested: Iterable[str] | None, students: list[StudentFiles]) -> list[str]:
    """Gradebook keys to grade, in course order: ``<topic>`` for exercises, ``quiz:<topic>`` for quizzes.

    A quiz counts only when it was asked for as a quiz-only topic or somebody
    handed in answers for it; exercises when asked for or handed in.
    """
    known = {t.id for t in course.topics}
    wanted = list(dict.fromkeys(requested or []))
    for t in wanted:
        if t not in known:
            raise UserError("unknown topic '{topic}' (topics: {known})", topic=t, known=", ".join(sorted(known)))
    with_module = {t for s in students for t in s.modules}
    with_quiz = {t for s in students for t in s.quizzes}
    keys = []
    for topic in course.topics:
        asked = topic.id in wanted
        if wanted and not asked:
            continue
        if topic.module and (asked or topic.id in with_module):
            keys.append(topic.id)
        if topic.quiz and (topic.id in with_quiz or (asked and not topic.module)):
            keys.append(quiz_key(topic.id))
    return keys


def _quiz_result(topic: Topic, path: Path | None, lang: str) -> TopicResult:
    from torchdojo import quiz

    if path is None:
        result = quiz.grade_answers(topic.id, {}, lang)
        result.notes.append(pick(lang, "no entregó respuestas del cuestionario", "no quiz answer file handed in"))
        return result
    try:
        data = quiz.load_answer_file(path)
    except UserError as exc:
        bank = quiz.load_bank(topic.id)
        items = [ItemResult(f"{topic.id}/{q.id}", 0.0, float(q.points), ERROR, str(exc)) for q in bank.questions]
        return TopicResult.from_items(topic.id, items, kind="quiz", source=path.name)
    result = quiz.grade_answers(topic.id, data.get("answers", {}), lang)
    result.source = path.name
    return result


def grade_class(
    submissions: str | Path,
    *,
    out: str | Path = "grades",
    topics: Iterable[str] | None = None,
    jobs: int | None = None,
    lang: str = "es",
    device: str = "cpu",
    executor: Any = None,
    on_result: Callable[[str, str, TopicResult, int, int], None] | None = None,
    write_outputs: bool = True,
    course: Course | None = None,
    **job_options: Any,
) -> ClassResult:
    """Grade every student of ``submissions`` into ``out``.

    Results go to ``out/gradebook.sqlite`` as they come; files already graded
    with the same content are not graded again. ``on_result(student, topic,
    result, done, total)`` is called after each graded file.
    """
    course = course or load_course()
    start = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError("'{path}' exists and is not a folder", path=str(out))
    fingerprint = course_fingerprint(course)
    with ClassLayout(submissions, course) as layout:
        students = layout.students()
        if not students:
            raise UserError("no student folders in '{path}'", path=str(submissions))
        keys = select_keys(course, topics, students)
        book = Gradebook(out / GRADEBOOK)
        try:
            tasks: list[Task] = []
            instant: list[tuple[str, str, str, Callable[[], TopicResult]]] = []
            skipped = 0
            missing = f"missing:{fingerprint}"
            for s in students:
                for key in keys:
                    tid = key.split(":", 1)[-1]
                    topic = course.topic(tid)
                    if key.startswith("quiz:"):
                        qpath = s.quizzes.get(tid)
                        h = content_hash(qpath, fingerprint, siblings=False) if qpath else missing
                        make: Callable[[], TopicResult] = lambda t=topic, p=qpath: _quiz_result(t, p, lang)
                    else:
                        path = s.modules.get(tid)
                        h = content_hash(path, fingerprint) if path else missing
                        make = lambda t=topic, who=s.student: missing_module(t, list(t.exercises), Path(who), lang)
                    if book.hash_of(s.student, key) == h:
                        skipped += 1
                    elif key.startswith("quiz:") or path is None:
                        instant.append((s.student, key, h, make))
                    else:
                        tasks.append(Task(s.student, tid, path, h))
            total = len(tasks) + len(instant)
            done = 0
            for student, key, h, make in instant:
                result = make()
                book.put(student, key, h, result)
                done += 1
                if on_result:
                    on_result(student, key, result, done, total)

            if tasks:
                from torchdojo.classroom.executor import LocalExecutor
                from torchdojo.classroom.gradebook import topic_from_dict
                from torchdojo.classroom.request import GradeRequest, grade_request

                # A generator: each file is read when it is sent, not the whole class up front.
                requests = (GradeRequest.from_file(t.student, t.topic, t.path, t.content_hash, lang=lang,
                                                   device=device, job_options=dict(job_options)) for t in tasks)
                runner = executor or LocalExecutor(jobs or max(1, (os.cpu_count() or 1)),
                                                   topics=sorted({t.topic for t in tasks}))
                with runner:
                    for req, outcome in runner.run(grade_request, requests):
                        content = req.content_hash
                        if isinstance(outcome, BaseException):
                            if isinstance(outcome, (KeyboardInterrupt, UserError)):
                                raise outcome
                            topic = course.topic(req.topic)
                            result = TopicResult.from_items(req.topic, [
                                ItemResult(e.id, 0.0, e.points, ERROR,
                                           pick(lang, f"no se pudo calificar: {outcome}", f"could not be graded: {outcome}"))
                                for e in topic.exercises])
                            content = RETRY + content
                        else:
                            result = topic_from_dict(outcome)
                            if any(n.startswith(INFRA_NOTE) for n in result.notes):
                                content = RETRY + content
                        # A failure of ours (a worker or zygote lost), not of the
                        # submission, is recorded under a hash that never matches,
                        # so the next run grades the file again.
                        book.put(req.student, req.topic, content, result)
                        done += 1
                        if on_result:
                            on_result(req.student, req.topic, result, done, total)
            stored = book.results()
        finally:
            book.close()
    names = [s.student for s in students]
    results = {n: {k: stored[n][k] for k in keys if k in stored.get(n, {})} for n in names}
    cr = ClassResult(students=names, topics=keys, results=results, graded=total, skipped=skipped,
                     seconds=round(time.perf_counter() - start, 3), out=out)
    if write_outputs:
        from torchdojo.classroom.exports import write_all

        cr.outputs = write_all(cr, course, lang)
    return cr
