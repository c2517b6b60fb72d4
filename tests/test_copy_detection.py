"""Copy detection on a class built from independent correct styles plus disguised copies.

The class: every independent correct solution of ``tests/variants/<topic>/``
(different authors' styles), a disguised copy of one of them and a disguised
copy of the reference solution (local variables renamed, functions reordered,
docstrings and comments rewritten, formatting changed), a stub handed in
untouched twice, and a file that is not Python. The copies must be flagged and
nothing else.
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
from torchdojo.manifest import course
from torchdojo.stubs import strip_markers
from torchdojo import paths

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
    expected = {frozenset({original, "copy_of_" + original}), frozenset({REF_NAME, "copy_of_reference"})}
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
