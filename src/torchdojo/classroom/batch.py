"""``grade_class``: grade every submission of a class, resumably.

>>> result = grade_class("submissions/", out="grades/", jobs=2, lang="en")   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from torchdojo import __version__
from torchdojo.course import paths
from torchdojo.judge.client import missing_module
from torchdojo.judge import intake
from torchdojo.classroom.gradebook import Gradebook
from torchdojo.classroom.result import ClassResult
from torchdojo.classroom.layout import ClassLayout, StudentFiles
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import tr
from torchdojo.course.manifest import Course, Topic, course as load_course
from torchdojo.wire.report import ERROR, ItemResult, TopicResult
from torchdojo.judge.client import sibling_modules
from torchdojo.wire.job import ACCELERATORS
from torchdojo.wire.request import GradeRequest

GRADEBOOK = "gradebook.sqlite"
RETRY = "retry:"


@dataclass(frozen=True)
class Task:
    """One file to grade: a student's module for a topic."""

    student: str
    topic: str
    path: Path
    content_hash: str


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
    h.update(intake.read_file(path))
    for sibling in sibling_modules(path) if siblings else []:
        h.update(sibling.name.encode())
        h.update(intake.read_file(sibling))
    return h.hexdigest()


def select_keys(course: Course, requested: Iterable[str] | None, *, quizzes: bool = False) -> list[str]:
    """Gradebook keys to grade, in course order: ``<topic>`` for exercises, ``quiz:<topic>`` for quizzes.

    The selection, and so every student's maximum, comes from the course and
    the request only, never from the files handed in. ``requested`` names
    topics (``tensors``) or quizzes (``quiz:tensors``); none means every topic
    with exercises. A quiz is graded only when asked for: named as
    ``quiz:<topic>``, a quiz-only topic named by id, or ``quizzes=True`` (the
    quizzes of the requested topics, or of every topic when none is named).
    """
    known = {t.id: t for t in course.topics}
    wanted: set[str] = set()
    wanted_quizzes: set[str] = set()
    for name in dict.fromkeys(requested or []):
        quiz_only = name.startswith("quiz:")
        tid = name.split(":", 1)[1] if quiz_only else name
        if tid not in known:
            raise UserError("unknown topic '{topic}' (topics: {known})", topic=tid, known=", ".join(sorted(known)))
        if quiz_only:
            if not known[tid].quiz:
                raise UserError("topic '{topic}' has no quiz", topic=tid)
            wanted_quizzes.add(tid)
        else:
            wanted.add(tid)
    everything = not wanted and not wanted_quizzes
    keys = []
    for topic in course.topics:
        asked = everything or topic.id in wanted
        if topic.module and asked:
            keys.append(topic.id)
        if topic.quiz and (topic.id in wanted_quizzes or (quizzes and asked)
                           or (topic.id in wanted and not topic.module)):
            keys.append(quiz_key(topic.id))
    return keys


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_result(course: Course, key: str, reason: str, lang: str) -> TopicResult:
    """Every item of ``key`` as *error*, worth its full maximum, with a one-line reason."""
    from torchdojo.course import quiz

    tid = key.split(":", 1)[-1]
    why = _one_line(reason)
    text = tr(lang, "could not be graded: {why}", why=why)
    if key.startswith("quiz:"):
        bank = quiz.load_bank(tid)
        items = [ItemResult(f"{tid}/{q.id}", 0.0, float(q.points), ERROR, text) for q in bank.questions]
        return TopicResult.from_items(tid, items, kind="quiz")
    items = [ItemResult(e.id, 0.0, e.points, ERROR, text) for e in course.topic(tid).exercises]
    return TopicResult.from_items(tid, items)


def _quiz_result(topic: Topic, path: Path | None, lang: str) -> TopicResult:
    from torchdojo.course import quiz

    if path is None:
        result = quiz.grade_answers(topic.id, {}, lang)
        result.notes.append(tr(lang, "no quiz answer file handed in"))
        return result
    try:
        data = quiz.load_answer_file(path)
    except UserError as exc:
        bank = quiz.load_bank(topic.id)
        # The file's own name, not where it lies (a temp folder when the class came as a zip).
        why = _one_line(str(exc).replace(str(path), path.name))
        items = [ItemResult(f"{topic.id}/{q.id}", 0.0, float(q.points), ERROR, why)
                 for q in bank.questions]
        return TopicResult.from_items(topic.id, items, kind="quiz", source=path.name)
    result = quiz.grade_answers(topic.id, data.get("answers", {}), lang)
    result.source = path.name
    return result


def grading_devices(device: str) -> Any:
    """What the grading job is asked to use: an accelerator asked for by name is graded *beside* the CPU.

    ``auto`` already means the CPU and every accelerator present; ``cuda`` or
    ``mps`` alone would skip the CPU, so they become ``["cpu", device]``.
    """
    return ["cpu", device] if device in ACCELERATORS else device


def secret_digest(secret: str | None) -> str:
    """What the gradebook's hashes learn of the secret: that it changed, never what it is."""
    if not secret:
        return ""
    return hashlib.sha256(b"torchdojo-grading-secret\0" + secret.encode("utf-8")).hexdigest()


def grade_class(
    submissions: str | Path,
    *,
    out: str | Path = "grades",
    topics: Iterable[str] | None = None,
    quizzes: bool = False,
    jobs: int | None = None,
    lang: str = "es",
    device: str = "cpu",
    secret: str | None = None,
    executor: Any = None,
    on_result: Callable[[str, str, TopicResult, int, int], None] | None = None,
    write_outputs: bool = True,
    course: Course | None = None,
    copy_threshold: float | None = None,
    templates: str | Path | None = None,
    one_student: str | None = None,
    **job_options: Any,
) -> ClassResult:
    """Grade every student of ``submissions`` into ``out``.

    Results go to ``out/gradebook.sqlite`` as they come; files already graded
    with the same content (and the same ``secret``) are not graded again.
    ``topics``/``quizzes`` select what is graded (:func:`select_keys`); every
    student is graded on the same selection, and a missing hand-in scores 0 of
    its full maximum. ``secret`` (the instructor's grading secret) reaches
    every grading job as ``job_options["secret"]``. ``on_result(student,
    topic, result, done, total)`` is called after each graded file.

    No student can stop the class: whatever fails while reading, grading or
    reporting one student becomes that student's *error* result with a
    one-line reason, and every output is still written. Each entry of the
    class folder that is not a student is listed in ``skipped_entries``.
    ``one_student``: ``submissions`` is that one student's folder.
    """
    course = course or load_course()
    start = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError("'{path}' exists and is not a folder", path=str(out))
    if secret:
        job_options["secret"] = secret
    keys = select_keys(course, topics, quizzes=quizzes)
    env = None
    if write_outputs:
        from torchdojo.classroom.exports import check_templates

        env = check_templates(templates)
    # The device and the secret change what grading does: a change of either grades every file again.
    fingerprint = course_fingerprint(course) + secret_digest(secret) + f":{device}"
    with ClassLayout(submissions, course, one_student=one_student) as layout:
        students = layout.students()
        if not students:
            raise UserError("no student folders in '{path}'", path=str(submissions))
        # The judge imports torch (a second) while the class is planned and its copies compared.
        early = _early_judge(keys, jobs, len(students)) if executor is None else None
        book = Gradebook(out / GRADEBOOK)
        graded = False
        try:
            plan = _plan(students, keys, course, book, fingerprint, lang)
            total = len(plan.tasks) + len(plan.instant)
            done = 0

            chosen = {(s.student, tid): why for s in students for tid, why in s.choices.items()}

            def record(student: str, key: str, content: str, result: TopicResult) -> None:
                nonlocal done
                why = chosen.get((student, key))  # a .py and an .ipynb handed in: say which was graded
                if why:
                    result.notes.insert(0, tr(lang, why[0], **why[1]))
                book.put(student, key, content, result)
                done += 1
                if on_result:
                    on_result(student, key, result, done, total)

            # Copy detection needs only the files: it runs while the class is graded.
            copies = _CopyDetection(students, keys, course, copy_threshold) if write_outputs else None
            for student, key, h, make in plan.instant:
                try:
                    result = make()
                except (KeyboardInterrupt, SystemExit):
                    raise
                except Exception as exc:  # one student's answer file must not stop the class
                    result, h = error_result(course, key, f"{type(exc).__name__}: {exc}", lang), RETRY + h
                record(student, key, h, result)
            if early is not None and plan.tasks:
                from torchdojo.classroom.executor import LocalExecutor

                # Here, not in a grading thread: a judge that cannot start stops the class with its log.
                early.wait_ready()
                executor = LocalExecutor(early.concurrency, judges=[early])
            _grade_tasks(plan.tasks, course, lang, device, jobs, executor, job_options, record)
            stored = book.results()
            graded = True
        finally:
            book.close()
            if early is not None:
                # Done, it ends as any judge does; unused (still importing torch) or interrupted: ended now.
                if graded and early.ready:
                    early.close()
                else:
                    early.kill()
        names = [s.student for s in students]
        results = {n: {k: stored[n][k] for k in keys if k in stored.get(n, {})} for n in names}
        cr = ClassResult(students=names, topics=keys, results=results, graded=total, skipped=plan.skipped,
                         seconds=round(time.perf_counter() - start, 3), out=out, device=device,
                         secret=bool(secret), errors={s.student: s.error for s in students if s.error},
                         skipped_entries=list(layout.skipped))
        if copies is not None:
            # The files exist only while the layout is open (a zip is extracted to a temp folder).
            cr.similarity = copies.result()
    if write_outputs:
        from torchdojo.classroom.exports import write_all

        cr.outputs = write_all(cr, course, lang, templates=templates, env=env)
    return cr


def _early_judge(keys: list[str], jobs: int | None, students: int) -> Any:
    """A judge for the selected topics, spawned before the plan says which files need grading.

    Its slots: ``jobs``, else one per CPU but never more than the files there can be (each slot
    is pinned to its share of the CPUs: one student on many CPUs keeps them all).
    """
    from torchdojo.judge.service import Judge

    topics = [k for k in keys if k != quiz_key(k.split(":", 1)[-1])]
    if not topics:
        return None
    judge = Judge(topics=topics, concurrency=jobs or max(1, min(os.cpu_count() or 1, students * len(topics))))
    judge.spawn()
    return judge


class _CopyDetection:
    """:func:`torchdojo.classroom.similarity.class_similarity` in a thread, started now, read later.

    Bounded in time twice: copy detection stops itself after
    :data:`~torchdojo.classroom.steps.STEP_TIME_LIMIT_S` (keeping what it
    compared), and :meth:`result` waits for it at most as long again.
    """

    def __init__(self, students: list[StudentFiles], keys: list[str], course: Course, threshold: float | None):
        import threading

        from torchdojo.classroom import steps

        self.threshold = threshold
        self.value: Any = None
        self.limit = steps.STEP_TIME_LIMIT_S
        self.thread = threading.Thread(target=self._run, args=(students, keys, course), daemon=True,
                                       name="torchdojo-copies")
        self.thread.start()

    def _run(self, students: list[StudentFiles], keys: list[str], course: Course) -> None:
        from torchdojo.classroom import similarity

        try:
            self.value = similarity.class_similarity(students, keys, course, threshold=self.threshold,
                                                     time_limit_s=self.limit)
        except BaseException as exc:  # noqa: BLE001 - a report, never a reason to lose the grades (MemoryError too)
            self.value = similarity.ClassSimilarity(
                False, self.threshold or similarity.DEFAULT_THRESHOLD,
                note=similarity.N_FAILED.format(error=_one_line(f"{type(exc).__name__}: {exc}")))

    def result(self) -> Any:
        from torchdojo.classroom import similarity

        self.thread.join(self.limit)
        if self.thread.is_alive():  # a hang must not stop the run writing its outputs
            return similarity.ClassSimilarity(False, self.threshold or similarity.DEFAULT_THRESHOLD,
                                              note=similarity.N_UNFINISHED.format(seconds=f"{self.limit:g}"))
        return self.value


@dataclass
class _Plan:
    tasks: list[Task] = field(default_factory=list)
    instant: list[tuple[str, str, str, Callable[[], TopicResult]]] = field(default_factory=list)
    skipped: int = 0


def _plan(students: list[StudentFiles], keys: list[str], course: Course, book: Gradebook, fingerprint: str,
          lang: str) -> _Plan:
    """What to grade: sandboxed tasks, results made here (quizzes, missing files, errors), and what is unchanged."""
    plan = _Plan()
    missing = f"missing:{fingerprint}"
    for s in students:
        for key in keys:
            tid = key.split(":", 1)[-1]
            topic = course.topic(tid)
            path = s.quizzes.get(tid) if key.startswith("quiz:") else s.modules.get(tid)
            make: Callable[[], TopicResult]
            try:
                if s.error:
                    h = RETRY + missing
                    make = lambda k=key, why=s.error: error_result(course, k, why, lang)  # noqa: E731
                elif key.startswith("quiz:"):
                    h = content_hash(path, fingerprint, siblings=False) if path else missing
                    make = lambda t=topic, p=path: _quiz_result(t, p, lang)  # noqa: E731
                else:
                    h = content_hash(path, fingerprint) if path else missing
                    make = lambda t=topic, who=s.student: missing_module(t, list(t.exercises), Path(who), lang)  # noqa: E731
            except (OSError, intake.Refused) as exc:  # a file that vanished or cannot be read
                h = RETRY + missing
                make = lambda k=key, why=f"cannot read {path.name if path else tid}: {exc}": error_result(  # noqa: E731
                    course, k, why, lang)
            if book.hash_of(s.student, key) == h:
                plan.skipped += 1
            elif key.startswith("quiz:") or path is None or h.startswith(RETRY):
                plan.instant.append((s.student, key, h, make))
            else:
                plan.tasks.append(Task(s.student, tid, path, h))
    return plan


def _grade_tasks(tasks: list[Task], course: Course, lang: str, device: str, jobs: int | None, executor: Any,
                 job_options: dict[str, Any], record: Callable[[str, str, str, TopicResult], None]) -> None:
    """Grade the sandboxed tasks on ``executor`` (local warm workers by default), recording each result."""
    if not tasks:
        return
    from torchdojo.classroom.executor import LocalExecutor
    from torchdojo.classroom.request import grade_request, request_from_file
    from torchdojo.judge.aggregate import infrastructure_failure
    from torchdojo.judge.client import grade_file

    unreadable: list[tuple[Task, BaseException]] = []
    devices = grading_devices(device)

    def requests() -> Iterator[GradeRequest]:
        # A generator: each file is read when it is sent, not the whole class up front.
        for t in tasks:
            try:
                yield request_from_file(t.student, t.topic, t.path, t.content_hash, lang=lang, device=devices,
                                        job_options=dict(job_options))
            except (OSError, intake.Refused) as exc:
                unreadable.append((t, exc))

    def grade_copy(judge: Any, task: Task) -> TopicResult:
        # On this machine: the private copy the class layout made through the intake, graded where it is.
        topic = course.topic(task.topic)
        return grade_file(judge, topic, list(topic.exercises), task.path, device=devices, lang=lang,
                          reveal_hidden=False, threads=1, **job_options)

    # No more workers than files: each one is a warm judge and a student zygote to start.
    runner = executor or LocalExecutor(jobs or max(1, min(os.cpu_count() or 1, len(tasks))),
                                       topics=sorted({t.topic for t in tasks}))
    if getattr(runner, "shares_files", False):
        work = runner.run(grade_copy, tasks)
    else:  # another machine (a Dask worker) gets the files' bytes in a GradeRequest
        work = runner.run(grade_request, requests())
    with runner:
        for req, outcome in work:
            topic = course.topic(req.topic)
            if isinstance(outcome, BaseException):
                if isinstance(outcome, (KeyboardInterrupt, UserError)):
                    raise outcome
                # A worker lost or a bug of ours: never the submission's doing.
                result = infrastructure_failure(topic, list(topic.exercises), str(outcome), lang=lang)
            elif isinstance(outcome, TopicResult):
                result = outcome
            else:
                result = infrastructure_failure(topic, list(topic.exercises),
                                                f"malformed result: {type(outcome).__name__}", lang=lang)
            # A failure of ours (TopicResult.infra_error, and nothing else
            # decides it) is recorded under a hash that never matches, so
            # the next run grades the file again.
            content = RETRY + req.content_hash if result.infra_error else req.content_hash
            record(req.student, req.topic, content, result)
    for t, exc in unreadable:
        record(t.student, t.topic, RETRY + t.content_hash,
               error_result(course, t.topic, f"cannot read {t.path.name}: {exc}", lang))
