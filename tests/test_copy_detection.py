"""Copy detection on a class built from independent correct styles plus disguised copies.

The class: every independent correct solution of ``tests/variants/<topic>/``
(different authors' styles), a disguised copy of one of them and a disguised
copy of the reference solution (local variables renamed, functions reordered,
docstrings and comments rewritten, formatting changed), a stub handed in
untouched twice, and a file that is not Python. The copies must be flagged and
nothing else, except on tensors where the reference's code is forced (independent
correct solutions write it too), so that a copy of it cannot be told from honest work.

``tests/copy_styles/<topic>/`` holds more honest styles, written without the
reference and not part of the packaged baseline corpus
(``solutions/baseline``), so that the corpus is never tested on itself.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from classbuilder import REFERENCE, disguise, independent_solutions, kinds
from torchdojo.classroom.layout import ClassLayout
from torchdojo.classroom.similarity import (DEFAULT_THRESHOLD, REFERENCE as REF_NAME, class_similarity, normalise,
                                            read_code)
from torchdojo.course.manifest import course
from torchdojo.course.stubs import strip_markers
from torchdojo.course import paths

pytest.importorskip("copydetect", reason="copydetect comes with the test extra: pip install -e .[test]")


def build(root: Path, topic: str, module: str) -> tuple[Path, set[frozenset[str]]]:
    styles = independent_solutions(topic)
    for name, path in styles.items():
        (root / name).mkdir(parents=True)
        shutil.copy(path, root / name / (module + path.suffix))
    original = next(n for n in styles if styles[n].suffix == ".py" and "latin" not in n and "bom" not in n)
    reference = strip_markers((paths.solutions_dir() / f"{module}.py").read_text(encoding="utf-8"))
    copies = {"copy_of_" + original: disguise(styles[original].read_text(encoding="utf-8-sig"), salt=3),
              "copy_of_reference": disguise(reference, salt=5)}
    for name, text in copies.items():
        (root / name).mkdir()
        (root / name / f"{module}.py").write_text(text, encoding="utf-8")
    stub = (paths.exercises_dir() / f"{module}.py").read_text(encoding="utf-8")
    for name in ("stub_1", "stub_2"):
        (root / name).mkdir()
        (root / name / f"{module}.py").write_text(stub, encoding="utf-8")
    (root / "binary").mkdir()
    (root / "binary" / f"{module}.py").write_bytes(b"\x00\xffELF")
    expected = {frozenset({original, "copy_of_" + original})}
    if topic != "tensors":  # on tensors the reference's code is what independent work writes (forced)
        expected.add(frozenset({REF_NAME, "copy_of_reference"}))
    return root, expected


@pytest.mark.parametrize("topic", ["tensors", "fc_nets", "cnns", "transfer_learning"])
def test_disguised_copies_are_flagged_and_independent_styles_are_not(tmp_path, topic):
    the_course = course()
    module = the_course.topic(topic).module_name
    root, expected = build(tmp_path / topic, topic, module)
    with ClassLayout(root, the_course) as layout:
        result = class_similarity(layout.students(), [topic], the_course)
    assert result.available and result.threshold == DEFAULT_THRESHOLD
    (ts,) = result.topics
    flagged = {frozenset({p.a, p.b}) for p in ts.pairs}
    assert flagged == expected, [(p.a, p.b, p.similarity) for p in ts.pairs]
    for pair in ts.pairs:
        assert pair.similarity >= 0.9, (pair.a, pair.b, pair.similarity)  # a copy stands out, not a near miss
        assert any(s.shared for s in pair.code_a) and any(s.shared for s in pair.code_b)
    # The stub's own text is not shared work: untouched stubs are not compared (nor flagged as twins).
    assert "stub_1" in ts.skipped and "stub_2" in ts.skipped
    assert "binary" in ts.skipped
    independent = [n for n in ts.to_reference if n.startswith("correct_")]
    assert independent and not any(p.a in independent and p.b in independent for p in ts.pairs)


def test_normalising_removes_what_does_not_matter():
    a = "import torch\n\ndef f(x):\n    '''doc'''\n    # comment\n    return x + 1\n\ndef g(y):\n    return y\n"
    b = "def g(y): return y\nimport torch\ndef f(x):\n    return (x+1)  # other\n"
    assert normalise(a) == normalise(b)
    assert normalise("def broken(:\n") == "def broken(:\n"  # unparseable code is kept as it is


def test_reading_code_of_every_kind(tmp_path):
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\ndef f():\n    return 'año'\n".encode("latin-1"))
    assert "año" in read_code(latin)
    nb = tmp_path / "tensors.ipynb"
    nb.write_text(kinds()["notebook"][1], encoding="utf-8")
    assert "def add_batch_dim" in read_code(nb) and "%matplotlib" not in read_code(nb)
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a valid notebook"):
        read_code(bad)


def test_threshold_is_the_instructors(tmp_path):
    the_course = course()
    root, expected = build(tmp_path / "c", "tensors", "tensors")
    with ClassLayout(root, the_course) as layout:
        strict = class_similarity(layout.students(), ["tensors"], the_course, threshold=1.01)
        default = class_similarity(layout.students(), ["tensors"], the_course)
    assert not strict.topics[0].pairs
    assert {frozenset({p.a, p.b}) for p in default.topics[0].pairs} == expected
    doc = json.loads(json.dumps(default.to_dict()))
    assert doc["threshold"] == DEFAULT_THRESHOLD and doc["topics"][0]["pairs"][0]["passages_a"]
    assert doc["topics"][0]["pairs"][0]["exercises"][0]["passages_b"]
    assert REFERENCE  # the reference solution the builder copies from is the packaged one


STYLES = Path(__file__).resolve().parent / "copy_styles"


def styles_class(root: Path, topic: str, module: str, copied: list[str], copy_reference: bool) -> set[frozenset[str]]:
    """Every independent style (``tests/variants`` and ``tests/copy_styles``, none of them in the packaged
    corpus) plus disguised copies of ``copied`` styles (and of the reference): the copy pairs expected."""
    honest = {**independent_solutions(topic), **{p.stem: p for p in sorted((STYLES / topic).glob("*.py"))}}
    for name, path in honest.items():
        (root / name).mkdir(parents=True)
        shutil.copy(path, root / name / (module + path.suffix))
    expected = set()
    for salt, name in enumerate(copied, start=11):
        (root / f"copy_of_{name}").mkdir()
        text = disguise(honest[name].read_text(encoding="utf-8-sig"), salt=salt)
        (root / f"copy_of_{name}" / f"{module}.py").write_text(text, encoding="utf-8")
        expected.add(frozenset({name, f"copy_of_{name}"}))
    if copy_reference:
        reference = strip_markers((paths.solutions_dir() / f"{module}.py").read_text(encoding="utf-8"))
        (root / "copy_of_reference").mkdir()
        (root / "copy_of_reference" / f"{module}.py").write_text(disguise(reference, salt=5), encoding="utf-8")
        expected.add(frozenset({REF_NAME, "copy_of_reference"}))
    return expected


@pytest.mark.parametrize("topic, copied, copy_reference", [
    # On tensors most correct code is forced: a copy of the reference cannot be told from honest work.
    ("tensors", ["loops", "correct_espanol"], False),
    ("cnns", ["honest_canonical", "correct_loops"], True),
])
def test_honest_styles_are_never_flagged_and_copies_of_distinctive_code_are(tmp_path, topic, copied, copy_reference):
    the_course = course()
    module = the_course.topic(topic).module_name
    expected = styles_class(tmp_path / topic, topic, module, copied, copy_reference)
    with ClassLayout(tmp_path / topic, the_course) as layout:
        (ts,) = class_similarity(layout.students(), [topic], the_course).topics
    assert {frozenset({p.a, p.b}) for p in ts.pairs} == expected, [(p.a, p.b, p.similarity) for p in ts.pairs]
    for pair in ts.pairs:
        assert pair.similarity >= 0.9 and len(pair.exercises) >= 2
        for match in pair.exercises:  # each matched exercise shows the shared code of both sides
            assert any(s.shared for s in match.code_a) and any(s.shared for s in match.code_b)


def test_an_honest_newcomer_close_to_the_reference_is_not_a_copier(tmp_path):
    # Issue 18.4: written without the reference, whole-file 0.99 like it; nearly every exercise is forced.
    the_course = course()
    reference = strip_markers((paths.solutions_dir() / "tensors.py").read_text(encoding="utf-8"))
    for name, text in (("ana", (STYLES / "tensors" / "newcomer.py").read_text(encoding="utf-8")),
                       ("copia", disguise(reference, salt=2)), ("bea", disguise(reference, salt=9))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tensors.py").write_text(text, encoding="utf-8")
    with ClassLayout(tmp_path, the_course) as layout:
        (ts,) = class_similarity(layout.students(), ["tensors"], the_course).topics
    assert not any("ana" in (p.a, p.b) for p in ts.pairs), [(p.a, p.b) for p in ts.pairs]
    forced = set(ts.forced)
    assert {"tensors/add_batch_dim", "tensors/tensor_info", "tensors/make_range_matrix"} <= forced
    assert all(e.reason for e in ts.exercises if e.forced)


def test_forced_exercises_and_shared_passages_are_in_the_report(tmp_path):
    from torchdojo.classroom.result import ClassResult
    from torchdojo.classroom.exports.html_report import render

    the_course = course()
    expected = styles_class(tmp_path / "c", "cnns", "cnns", ["honest_canonical"], True)
    with ClassLayout(tmp_path / "c", the_course) as layout:
        sim = class_similarity(layout.students(), ["cnns"], the_course)
    result = ClassResult(students=[], topics=["cnns"], results={}, similarity=sim)
    page = render(result, the_course, "es")
    copies = page[page.index('id="copies"'):page.index('id="devices"') if 'id="devices"' in page else None]
    assert 'class="note forced" data-topic="cnns"' in copies and "<code>cnns/conv_output_size</code>" in copies
    assert "no se distingue del trabajo honesto" in copies
    assert copies.count('class="copy-pair"') == len(expected)
    assert "<code>cnns/train_epoch</code>" in copies and copies.count('<div class="pair">') >= 2 * len(expected)
    assert "<mark>" in copies


def test_one_file_that_breaks_the_detector_is_that_students_note(tmp_path):
    # Issue 20.4: a copied notebook with one 200,000-character cell, and pathological files beside real copies.
    from classbuilder import notebook

    the_course = course()
    original = (STYLES / "tensors" / "loops.py").read_text(encoding="utf-8")
    for name, text in (("bea", original), ("carla", disguise(original, salt=4)),
                       ("dani", (STYLES / "tensors" / "newcomer.py").read_text(encoding="utf-8")),
                       ("nested", "def tensor_info(t):\n    return " + "(" * 5000 + "t" + ")" * 5000 + "\n"),
                       ("long_py", "import torch\n\ndef tensor_info(t):\n    return t\nX = '" + "a" * 300_000 + "'\n"),
                       ("huge", "x = 1\n" * 170_000)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tensors.py").write_text(text, encoding="utf-8")
    big = json.loads(notebook(disguise(original, salt=8)))
    big["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                         "source": "datos = [" + "1, " * 66_666 + "]"})
    assert len(big["cells"][-1]["source"]) >= 200_000
    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / "tensors.ipynb").write_text(json.dumps(big), encoding="utf-8")
    with ClassLayout(tmp_path, the_course) as layout:
        result = class_similarity(layout.students(), ["tensors"], the_course)
    assert result.available and not result.note
    (ts,) = result.topics
    pairs = {frozenset({p.a, p.b}) for p in ts.pairs}
    # The copier with the huge cell is still compared (without that cell) and still caught.
    assert pairs == {frozenset({"bea", "carla"}), frozenset({"ana", "bea"}), frozenset({"ana", "carla"})}, pairs
    assert "200" not in ts.notes["ana"] and "cell" in ts.notes["ana"]
    assert "long_py" in ts.notes or "long_py" in ts.skipped
    for name in ("nested", "huge"):
        assert name in ts.skipped, ts.skipped
    assert "dani" not in ts.skipped and "dani" in ts.to_reference


def test_copy_detection_that_runs_out_of_time_says_so(tmp_path):
    the_course = course()
    styles_class(tmp_path, "tensors", "tensors", ["loops"], False)
    with ClassLayout(tmp_path, the_course) as layout:
        result = class_similarity(layout.students(), ["tensors"], the_course, time_limit_s=0)
    assert result.available and "stopped after 0 s" in result.note
    (ts,) = result.topics
    assert ts.skipped and all("ran out of time" in why for why in ts.skipped.values())
    assert json.loads(json.dumps(result.to_dict()))["note"] == result.note
