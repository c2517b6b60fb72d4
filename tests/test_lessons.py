"""Lessons: the format is validated with file:line errors, every example runs and
prints what the lesson shows, figures and the coverage table are in sync, the
notebooks put each part before the exercises it prepares, and `torchdojo learn`
renders a lesson in both languages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from torchdojo.course import paths
from torchdojo.course.lessons import LessonError, load_all_lessons, load_lesson, load_sections
from torchdojo.course.lessons import figures
from torchdojo.editions.notebooks.lesson_cells import place_parts
from torchdojo.course.lessons.examples import run_examples
from torchdojo.course.lessons.render import lesson_markdown, part_markdown
from torchdojo.course.manifest import course
from torchdojo.editions.notebooks import build
from torchdojo.text import nbjson

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]
SRC = str(ROOT / "src")
TOPICS = [t.id for t in course().topics]


# --- the course's lessons -------------------------------------------------------------------


def test_every_topic_has_a_lesson_that_teaches_its_sections_in_the_notes_order():
    lessons = load_all_lessons()
    assert list(lessons) == TOPICS
    sections = load_sections()
    order = [s.id for s in sections]
    for topic, lesson in lessons.items():
        taught = [p.section for p in lesson.parts if not p.further]
        assigned = [s.id for s in sections if topic in s.topics]
        assert set(taught) == set(assigned), topic
        assert taught == sorted(taught, key=order.index), topic
        kinds = [p.further for p in lesson.parts]
        assert kinds == sorted(kinds), f"{topic}: a notes part after a going-further part"


def test_every_exercise_is_prepared_by_some_part():
    lessons = load_all_lessons()
    for topic in course().exercise_topics:
        prepared = {name for p in lessons[topic.id].parts for name in p.prepares}
        assert prepared == {e.name for e in topic.exercises}, topic.id


def test_the_going_further_list_of_the_issue_is_taught():
    """Broadcasting and memory sharing, training loops and Adam, DataLoaders and seeds, conv arithmetic,
    BatchNorm statistics, saving state dicts, fine-tuning strategy: each is a going-further part."""
    further = {f"{t}/{p.id}" for t, lesson in load_all_lessons().items() for p in lesson.parts if p.further}
    assert {"tensors/broadcasting", "tensors/memory", "fc_nets/training_loop", "fc_nets/adam",
            "cnns/dataloaders", "cnns/conv_arithmetic", "transfer_learning/batchnorm", "fc_nets/saving",
            "transfer_learning/strategy"} <= further


@pytest.mark.parametrize("topic", TOPICS)
def test_examples_run_and_print_what_the_lesson_shows(topic):
    lesson = load_lesson(topic)
    assert lesson.examples, f"{topic}: a lesson without examples"
    start = time.process_time()  # CPU time: wall time on a shared machine says more about the neighbours
    runs = run_examples(lesson)
    elapsed = time.process_time() - start
    assert len(runs) == len(lesson.examples), runs[-1].error
    for run in runs:
        where = f"{lesson.source}:{run.example.line}"
        assert run.error is None, f"{where}\n{run.error}"
        if run.example.output is not None:
            assert run.stdout == run.example.output, f"{where}: printed\n{run.stdout}\nexpected\n{run.example.output}"
    # About a second of CPU per topic; the bound leaves room for slow machines.
    assert elapsed < 10, f"{topic}: examples took {elapsed:.1f} s of CPU"


def test_examples_leave_the_global_random_state_and_threads_alone():
    import torch

    before, threads = torch.random.get_rng_state(), torch.get_num_threads()
    run_examples(load_lesson("tensors"))
    assert torch.equal(before, torch.random.get_rng_state()) and torch.get_num_threads() == threads


def test_an_example_that_prints_something_else_is_reported(tmp_path):
    path = tmp_path / "tensors.md"
    path.write_text(_lesson(part="id=why_pytorch section=why_pytorch", example="print(1 + 1)", output="3",
                            extra=_tensor_part()), encoding="utf-8")
    lesson = load_lesson("tensors", path=path, the_course=course())
    (run,) = run_examples(lesson)
    assert run.error is None and run.stdout == "2\n" and not run.ok


def test_no_lesson_line_is_a_solution_line():
    """Lessons teach the tools; the exercise applies them (the release test checks the same, file by file)."""
    from torchdojo.course.stubs import solution_regions

    texts = [p.read_text(encoding="utf-8") for p in paths.lessons_dir().glob("*.md")]
    lesson_lines = {ln.strip() for text in texts for ln in text.splitlines()}
    flat = " ".join(" ".join(text.split()) for text in texts)
    for sol in paths.solutions_dir().glob("*.py"):
        lines = sol.read_text(encoding="utf-8").splitlines()
        for begin, end, _ in solution_regions("\n".join(lines)):
            body = " ".join(" ".join(lines[begin + 1:end]).split())
            assert body not in flat, f"{sol.name}:{begin + 1}: a whole solution region is in a lesson"
            for line in lines[begin + 1:end]:
                if len(line.strip()) >= 30:
                    assert line.strip() not in lesson_lines, f"{sol.name}: {line.strip()!r} is in a lesson"


# --- the format -----------------------------------------------------------------------------


def _lesson(*, header: str = "<!-- lesson format_version=1 topic=tensors -->", part: str = "id=what_is section=tensor",
            es: str = "## Qué es\n\nTexto.", en: str = "## What\n\nText.", example: str = "", output: str = "",
            en_example: str | None = None, extra: str = "") -> str:
    def block(code: str) -> str:
        if not code:
            return ""
        text = f"\n\n```python\n{code}\n```"
        return text + (f"\n\n```output\n{output}\n```" if output else "")

    en_code = example if en_example is None else en_example
    return (f"{header}\n\n<!-- part {part} -->\n<!-- es -->\n{es}{block(example)}\n<!-- en -->\n{en}"
            f"{block(en_code)}\n{extra}")


def _tensor_part() -> str:
    return "<!-- part id=what_is section=tensor -->\n<!-- es -->\n## Qué es\n\nTexto.\n<!-- en -->\n## What\n\nText.\n"


def _more_parts() -> str:
    return ("<!-- part id=why_pytorch section=why_pytorch -->\n<!-- es -->\n## Por qué\n\nTexto.\n"
            "<!-- en -->\n## Why\n\nText.\n")


CASES = {
    # name: (source, line, message fragment)
    "no header": ("<!-- part id=a section=tensor -->\n", 1, "a lesson starts with <!-- lesson"),
    "wrong version": (_lesson(header="<!-- lesson format_version=2 topic=tensors -->"), 1,
                      "format_version: must be 1"),
    "misspelt marker": (_lesson(extra="<!-- prat id=b further -->\n"), 12, "unknown marker 'prat'"),
    "stray comment": (_lesson(es="## Qué es\n\n<!-- TODO: fix -->"), 7, "the only HTML comments"),
    "comment shaped like a marker": (_lesson(es="## Qué es\n\n<!-- a note -->"), 7, "unknown marker 'a'"),
    "unknown attribute": (_lesson(part="id=what_is section=tensor prepare=tensor_info"), 3,
                          "unknown attribute 'prepare'"),
    "neither section nor further": (_lesson(part="id=what_is"), 3, "either section=<id>"),
    "both section and further": (_lesson(part="id=what_is section=tensor further"), 3, "either section=<id>"),
    "bad part id": (_lesson(part="id=What-is section=tensor"), 3, "must be a lower-case identifier"),
    "english first": ("<!-- lesson format_version=1 topic=tensors -->\n<!-- part id=a section=tensor -->\n"
                      "<!-- en -->\n## A\n<!-- es -->\n## B\n", 3, "unexpected <!-- en -->"),
    "no english": ("<!-- lesson format_version=1 topic=tensors -->\n<!-- part id=a section=tensor -->\n"
                   "<!-- es -->\n## A\n", 2, "<!-- es --> and then <!-- en -->"),
    "text before the language": ("<!-- lesson format_version=1 topic=tensors -->\n<!-- part id=a section=tensor -->\n"
                                 "stray\n", 3, "text outside a language section"),
    "no title": (_lesson(es="Texto sin título."), 5, "starts with its title"),
    "level-1 heading": (_lesson(es="## Qué es\n\n# Grande"), 7, "no level-1 heading"),
    "unclosed fence": (_lesson(es="## Qué es\n\n```python\nx = 1"), 7, "never closed"),
    "example does not parse": (_lesson(example="x = (1,\ny = 2"), 10, "example does not parse"),
    "output without example": (_lesson(es="## Qué es\n\n```output\n1\n```"), 7, "an 'output' block comes right after"),
    "output not adjacent": (_lesson(es="## Qué es\n\n```python\nprint(1)\n```\n\nTexto.\n\n```output\n1\n```",
                                    en="## What\n\n```python\nprint(1)\n```\n\n```output\n1\n```"), 13,
                            "an 'output' block comes right after"),
    "examples differ": (_lesson(example="print(1)", en_example="print(2)"), 17, "differs from the Spanish one"),
    "example missing in english": (_lesson(example="print(1)", en_example=""), 12, "1 python/output blocks in Spanish"),
    "outputs differ": (_lesson(es="## Q\n\n```python\nprint(1)\n```\n\n```output\n1\n```",
                               en="## W\n\n```python\nprint(1)\n```\n\n```output\n2\n```"), 21,
                       "differs from the Spanish"),
    "remote image": (_lesson(es="## Qué es\n\n![un gato](https://example.com/cat.png)"), 7,
                     "a lesson shows only its own figures"),
    "figure in the other language": (_lesson(es="## Qué es\n\n![forma](figures/tensor_ranks.en.svg)"), 7,
                                     "use 'figures/tensor_ranks.es.svg'"),
    "figure without description": (_lesson(es="## Qué es\n\n![](figures/tensor_ranks.es.svg)"), 7,
                                   "needs a description"),
    "missing figure": (_lesson(es="## Qué es\n\n![forma](figures/nothing_here.es.svg)"), 7, "no figure"),
    "figures differ": (_lesson(es="## Qué es\n\n![forma](figures/tensor_ranks.es.svg)"), 8, "figures differ"),
    "duplicate part": (_lesson(extra=_more_parts().replace("why_pytorch section=why_pytorch",
                                                           "what_is section=tensor")),
                       12, "duplicate part id 'what_is'"),
    "notes part after a further part": (_lesson(part="id=what_is further", extra=_more_parts()), 12,
                                        "come before the parts that go further"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_lessons_are_one_line_errors_with_file_and_line(name, tmp_path):
    source, line, fragment = CASES[name]
    path = tmp_path / "tensors.md"
    path.write_text(source, encoding="utf-8")
    if "figure" in name:  # figures resolve next to the lesson file
        shutil.copytree(paths.lessons_dir() / "figures", tmp_path / "figures")
    with pytest.raises(LessonError) as info:
        load_lesson("tensors", path=path, the_course=course())
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message, message


CHECK_CASES = {
    # name: (file name, source, line, message fragment)
    "unknown topic": ("nope.md", _lesson(header="<!-- lesson format_version=1 topic=nope -->"), 1, "not a topic"),
    "file named after another topic": ("fc_nets.md", _lesson(), 1, "lives in 'tensors.md'"),
    "unknown section": ("tensors.md", _lesson(part="id=what_is section=tensr"), 3, "not a section of the notes"),
    "section of another topic": ("tensors.md", _lesson(part="id=what_is section=paradigms"), 3,
                                 "taught by paradigms, transfer_learning"),
    "sections out of order": ("tensors.md", _lesson(extra=_more_parts()), 12, "follow the notes' order"),
    "section not taught": ("tensors.md", _lesson(), 1, "no part teaches the section(s) why_pytorch"),
    "unknown exercise": ("tensors.md", _lesson(part="id=what_is section=tensor prepares=tensor_inf"), 3,
                         "'tensor_inf' is not an exercise of tensors"),
}


@pytest.mark.parametrize("name", sorted(CHECK_CASES))
def test_lessons_are_checked_against_the_course_and_the_sections(name, tmp_path):
    file_name, source, line, fragment = CHECK_CASES[name]
    path = tmp_path / file_name
    path.write_text(source, encoding="utf-8")
    topic = "nope" if name == "unknown topic" else "tensors"
    with pytest.raises(LessonError) as info:
        load_lesson(topic, path=path, the_course=course())
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: ") and fragment in message, message


def test_comments_may_differ_between_languages_and_a_good_lesson_loads(tmp_path):
    path = tmp_path / "tensors.md"
    source = _lesson(part="id=why_pytorch section=why_pytorch", example="x = 1  # uno\nprint(x)", output="1",
                     en_example="x = 1  # one\nprint(x)",
                     extra=_tensor_part().replace("section=tensor", "section=tensor prepares=tensor_info"))
    path.write_text(source, encoding="utf-8")
    lesson = load_lesson("tensors", path=path, the_course=course())
    assert [p.id for p in lesson.parts] == ["why_pytorch", "what_is"]
    (example,) = lesson.examples
    assert example.output == "1\n" and "uno" in example.code and example.line == 9
    assert lesson.part("what_is").prepares == ("tensor_info",)


# --- rendering ------------------------------------------------------------------------------


def test_going_further_parts_are_labelled_in_both_languages():
    lesson = load_lesson("tensors")
    further, notes = lesson.part("broadcasting"), lesson.part("what_is")
    assert part_markdown(further, "es").startswith("## Para ir más allá · Broadcasting")
    assert part_markdown(further, "en").startswith("## Going further · Broadcasting")
    assert part_markdown(notes, "es").startswith("## ¿Qué es un tensor?")
    text = lesson_markdown(lesson, course().topic("tensors").title, "es")
    assert text.startswith("# ¿Qué es un tensor?\n") and "<!--" not in text and "```output" not in text
    assert "*Salida:*" in text and "](figures/tensor_ranks.es.svg)" in text


# --- figures --------------------------------------------------------------------------------


def test_figures_are_in_sync_valid_svg_and_all_used():
    assert figures.out_of_sync() == []
    shown = {f for lesson in load_all_lessons().values() for p in lesson.parts for f in p.figures}
    assert shown == set(figures.FIGURES), "a figure no lesson shows, or a lesson figure nobody draws"
    files = {p.name for p in (paths.lessons_dir() / "figures").iterdir()}
    assert files == {f"{name}.{lang}.svg" for name in figures.FIGURES for lang in ("es", "en")}
    for path in figures.expected_figures():
        root = ET.fromstring(path.read_text(encoding="utf-8"))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert figures.tensor_ranks("es") != figures.tensor_ranks("en")
    assert figures.tensor_ranks("es") == figures.tensor_ranks("es")


def test_a_changed_figure_is_reported_by_the_sync_check(tmp_path, monkeypatch):
    monkeypatch.setitem(figures.FIGURES, "tensor_ranks", lambda lang: "<svg/>")
    stale = figures.out_of_sync()
    assert {p.name for p in stale} == {"tensor_ranks.es.svg", "tensor_ranks.en.svg"}


def test_conv_figure_uses_the_lessons_arithmetic():
    import torch

    out = torch.nn.Conv2d(1, 1, 3, padding=1)(torch.zeros(1, 1, 5, 5)).shape[-1]
    assert figures.conv_out(5, 3, 1, 1) == out
    assert f"= {out}</text>" in figures.conv_sliding("en")


def test_every_lesson_has_a_figure():
    # Each topic has at least one picture a student would rather look at than read.
    for topic, lesson in load_all_lessons().items():
        assert any(part.figures for part in lesson.parts), f"lessons/{topic}.md shows no figure"


def test_activation_figure_draws_the_functions_torch_computes():
    import torch

    xs = torch.linspace(-4, 4, 33)
    for name, ours in figures.ACTIVATIONS.items():
        theirs = {"ReLU": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[name](xs.double())
        assert torch.allclose(torch.tensor([ours(float(x)) for x in xs.double()], dtype=torch.float64), theirs)
    svg = figures.activations("es")
    assert svg.count("<polyline") == 3
    for shown in ("[0, ∞)", "(0, 1)", "(-1, 1)"):
        assert shown in svg


def test_generalisation_figure_shows_overfitting_where_held_out_error_rises():
    caps = [i / 60 for i in range(61)]
    train, test = zip(*(figures.train_test_curves(c) for c in caps))
    assert all(a > b for a, b in zip(train, train[1:])), "training error keeps falling"
    best = min(range(len(caps)), key=test.__getitem__)
    assert 0 < best < len(caps) - 1, "held-out error falls, then rises"
    assert all(te > tr for tr, te in zip(train, test))
    assert "sobreajuste (overfitting)" in figures.generalisation("es")
    assert "overfitting" in figures.generalisation("en")


# --- notebooks ------------------------------------------------------------------------------


@pytest.mark.parametrize("topic_id", [t.id for t in build.solution_topics()])
def test_notebook_lesson_cells_come_before_the_exercises_they_prepare(topic_id):
    topic = course().topic(topic_id)
    lesson = load_lesson(topic_id)
    nb = json.loads(build.notebook_path(topic).read_text(encoding="utf-8"))
    ids = [c["id"] for c in nb["cells"]]
    for part in lesson.parts:
        es, en = ids.index(f"lesson-{part.id}-es"), ids.index(f"lesson-{part.id}-en")
        assert es + 1 == en
        for name in part.prepares:
            assert en < ids.index(name), f"{topic_id}: part {part.id} after exercise {name}"
    cells = {c["id"]: nbjson.cell_source(c) for c in nb["cells"]}
    for part in lesson.parts:
        assert part.heading("es") in cells[f"lesson-{part.id}-es"]
        assert part.heading("en") in cells[f"lesson-{part.id}-en"]
        for name in part.figures:
            assert "](data:image/svg+xml;base64," in cells[f"lesson-{part.id}-es"]
            assert f"figures/{name}" not in cells[f"lesson-{part.id}-es"]
    # Lessons are Markdown only: a hand-in's code cells must not run lesson code in the grader.
    assert all(c["cell_type"] == "markdown" for c in nb["cells"] if c["id"].startswith("lesson-"))


def test_parts_without_exercises_follow_the_part_before_them():
    lesson = load_lesson("tensors")
    order = [e.name for e in course().topic("tensors").exercises]
    slots = place_parts(lesson, order)
    assert slots[""] == ["why_pytorch"]
    assert slots["tensor_info"][:2] == ["what_is", "attributes"]
    assert slots["summarize"] == ["reductions", "broadcasting"]
    # Reordering the exercises moves the parts with them.
    moved = place_parts(lesson, list(reversed(order)))
    assert moved["move_to"] == ["devices"] and moved[""] == ["why_pytorch"]


# --- the terminal ---------------------------------------------------------------------------


def _copy_content(tmp_path: Path, *names: str) -> Path:
    """A copy of part of the course content, for TORCHDOJO_CONTENT."""
    content = tmp_path / "content"
    content.mkdir()
    for name in names:
        src = paths.content_root() / name
        (shutil.copytree if src.is_dir() else shutil.copyfile)(src, content / name)
    return content


def learn(*args: str, lang: str = "es"):
    env = {**os.environ, "PYTHONPATH": SRC, "TORCHDOJO_LANG": lang, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "torchdojo", "learn", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_learn_renders_a_lesson_in_spanish_and_in_english():
    es = learn("tensors")
    assert es.returncode == 0, es.stderr
    assert "¿Qué es un tensor?" in es.stdout and "Para ir más allá · Broadcasting" in es.stdout
    assert "Salida:" in es.stdout and "torch.Size([8, 1, 16, 16])" in es.stdout
    assert "Figura: Tensores de 0, 1, 2 y 3 dimensiones" in es.stdout and "tensor_ranks.es.svg" in es.stdout
    assert "<!--" not in es.stdout and "Going further" not in es.stdout
    en = learn("tensors", "--lang", "en", lang="es")
    assert en.returncode == 0, en.stderr
    assert "What is a tensor?" in en.stdout and "Going further · Broadcasting" in en.stdout
    assert "¿Qué es un tensor?" not in en.stdout


def test_learn_one_part_and_the_list_of_lessons():
    part = learn("cnns", "--part", "conv_arithmetic", lang="en")
    assert part.returncode == 0, part.stderr
    assert "Convolution arithmetic" in part.stdout and "Images: unstructured data" not in part.stdout
    listing = learn(lang="en")
    assert listing.returncode == 0, listing.stderr
    for topic in TOPICS:
        assert topic in listing.stdout
    assert "conv_arithmetic" in listing.stdout and "Read a lesson" in listing.stdout


@pytest.mark.parametrize("args", [("nope",), ("tensors", "--part", "nope"), ("--part", "what_is")])
def test_learn_bad_input_is_one_line_and_exit_2(args):
    proc = learn(*args, lang="en")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("torchdojo: ") and "Traceback" not in proc.stderr


def test_learn_reports_a_broken_lesson_in_one_line(tmp_path):
    content = _copy_content(tmp_path, "course.toml", "lessons", "quizzes", "exercises", "solutions", "graders")
    broken = content / "lessons" / "tensors.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("<!-- en -->", "<!-- eng -->", 1), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": SRC, "TORCHDOJO_CONTENT": str(content)}
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "learn", "tensors"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"torchdojo: {broken}:") and "unknown marker 'eng'" in proc.stderr


def test_learn_does_not_import_torch():
    code = ("import sys, contextlib, io; from torchdojo.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): rc = main(['learn', 'fc_nets'])\n"
            "print(rc, 'torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": SRC})
    assert proc.stdout.split() == ["0", "False"], proc.stderr


# --- coverage table -------------------------------------------------------------------------


def test_coverage_doc_is_in_sync():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "coverage_table.py"), "--check"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": SRC})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_coverage_counts_tagged_questions_and_lists_parts_and_exercises(tmp_path):
    content = _copy_content(tmp_path, "course.toml", "lessons", "quizzes")
    for other in (content / "quizzes").glob("*.yaml"):  # untag every bank, then tag two questions
        kept = [ln for ln in other.read_text(encoding="utf-8").splitlines() if not ln.startswith("  section:")]
        other.write_text("\n".join(kept) + "\n", encoding="utf-8")
    bank = content / "quizzes" / "tensors.yaml"
    lines = bank.read_text(encoding="utf-8").splitlines()
    first, second = [i for i, ln in enumerate(lines) if ln.startswith("- id: ")][:2]
    qid = lines[first][6:].strip()
    # The first question checks the section; the second is on it too, but tagged as beyond the notes.
    tags = next(i for i in range(second, len(lines)) if lines[i].startswith("  tags: ["))
    lines[tags] = lines[tags].replace("[", "[going_further, ", 1)
    lines.insert(second + 1, "  section: why_pytorch")
    lines.insert(first + 1, "  section: why_pytorch")
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = textwrap.dedent(f"""
        import runpy
        print(runpy.run_path({str(ROOT / 'scripts' / 'coverage_table.py')!r}, run_name='x')['coverage_markdown']())
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": SRC, "TORCHDOJO_CONTENT": str(content)})
    assert proc.returncode == 0, proc.stderr
    row = next(ln for ln in proc.stdout.splitlines() if ln.startswith("| `why_pytorch`"))
    assert f"| 1 (+1 `going_further`): **tensors**: `{qid}` |" in row and "**tensors**: `why_pytorch`" in row
    assert "| `tensors/tensor_info` | `what_is`, `attributes` |" in proc.stdout
    assert "| `fc_nets/train_classifier` | `adam` (más allá / further) |" in proc.stdout
    assert "Questions with `section:`: 2 de / of" in proc.stdout


def test_exercises_come_in_the_order_the_lesson_prepares_them():
    # A student works through the exercises in course order; each one should need
    # only the lesson parts read so far (issue 19: add_batch_dim came third but
    # needed the reshaping part, the ninth).
    from torchdojo.course.manifest import course

    lessons = load_all_lessons()
    for topic in course().topics:
        if not topic.exercises or topic.id not in lessons:
            continue
        parts = lessons[topic.id].parts
        first = {}
        for i, part in enumerate(parts):
            for name in part.prepares:
                first.setdefault(name, i)
        ranks = [first[e.name] for e in topic.exercises if e.name in first]
        assert ranks == sorted(ranks), (topic.id, [(e.name, first.get(e.name)) for e in topic.exercises])
