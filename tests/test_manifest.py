"""The course manifest: the packaged one is valid; malformed ones name file, line and field."""

from __future__ import annotations

import re

import pytest

from torchdojo.course.manifest import ManifestError, course, load_course

CURRICULUM_TOPICS = ["why_ml", "paradigms", "tensors", "fc_nets", "cnns", "transfer_learning"]
#: The curriculum's exercises of a topic (../shared/CURRICULUM.md), in the order of its table, which is
#: also the order in which the lesson prepares them (tests/test_lessons.py checks that for every topic).
CURRICULUM_EXERCISES = {
    "tensors": ["tensor_info", "make_range_matrix", "seeded_rand", "safe_matmul", "summarize", "flatten_images",
                "to_channels_last", "add_batch_dim", "from_numpy_shared", "best_device", "move_to"],
}

GOOD = '''format_version = 1

[[topics]]
id = "tensors"
title = { es = "Tensores", en = "Tensors" }
module = "tensors.py"

[[topics.exercises]]
name = "tensor_info"
points = 1
hints.es = ["uno", "dos"]
hints.en = ["one", "two"]
'''


def test_packaged_course_follows_the_curriculum():
    c = course()
    assert [t.id for t in c.topics] == CURRICULUM_TOPICS
    for topic, names in CURRICULUM_EXERCISES.items():
        assert [e.name for e in c.topic(topic).exercises][: len(names)] == names
    for topic in c.topics:
        assert topic.title.es and topic.title.en
        for ex in topic.exercises:
            assert len(ex.hints) >= 2
            assert any(h.es != h.en for h in ex.hints), ex.id  # a code-only level may read the same


def test_good_manifest_loads(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(GOOD, encoding="utf-8")
    c = load_course(path)
    assert c.exercise("tensors/tensor_info").points == 1.0
    assert c.exercise("tensors/tensor_info").timeout_s == 10.0


@pytest.mark.parametrize("edit,field,line", [
    (("points = 1", "points = 0"), "topics[tensors].exercises[tensor_info].points", 10),
    (("points = 1", "points = 1\npoint = 2"), "topics[tensors].exercises[tensor_info]: unknown field(s) point", 9),
    (('hints.en = ["one", "two"]', 'hints.en = ["one"]'), "topics[tensors].exercises[tensor_info].hints", 11),
    (("format_version = 1", "format_version = 2"), "format_version", 1),
    (('module = "tensors.py"', 'module = "tensors"'), "topics[tensors].module", 6),
    (('title = { es = "Tensores", en = "Tensors" }', 'title = { es = "Tensores" }'), "topics[tensors].title", 5),
])
def test_malformed_manifest_names_file_line_and_field(tmp_path, edit, field, line):
    path = tmp_path / "course.toml"
    path.write_text(GOOD.replace(*edit), encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_course(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert field in message
    assert re.match(rf"{re.escape(str(path))}:{line}:", message), message


def test_invalid_toml_and_missing_file(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text("format_version = = 1\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="invalid TOML"):
        load_course(path)
    with pytest.raises(ManifestError, match="cannot read"):
        load_course(tmp_path / "missing.toml")
