"""What an instructor hands in is read as meant, and nothing a student places there is followed.

Real folders, links, pipes and zips on disk, read by the class reader; no
judge is started (the graded runs through the installed CLI are in
``test_intake_cli.py``).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from torchdojo.classroom.exports.summary import output_names, safe_name
from torchdojo.classroom.layout import ClassLayout
from torchdojo.text.console import printable
from torchdojo.course.manifest import course
from torchdojo.course.paths import solutions_dir

CODE = "import torch\n\ndef tensor_info(t):\n    return {}\n"


@pytest.fixture(scope="module")
def the_course():
    return course()


def read(root: Path, the_course) -> tuple[dict, list]:
    """``({student: (error, {topic: text of the copy})}, skipped)``."""
    with ClassLayout(root, the_course) as layout:
        students = {s.student: (s.error, {t: p.read_text(encoding="utf-8") for t, p in s.modules.items()})
                    for s in layout.students()}
        return students, layout.skipped


def test_links_pipes_devices_and_huge_files_are_that_students_error(tmp_path, the_course):
    root = tmp_path / "class"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "answer.py").write_text(CODE, encoding="utf-8")
    (tmp_path / "outside2").mkdir()
    (tmp_path / "outside2" / "tensors.py").write_text(CODE, encoding="utf-8")
    (root / "honest").mkdir(parents=True)
    (root / "honest" / "tensors.py").write_text(CODE, encoding="utf-8")
    (root / "honest" / "helper.py").write_text("X = 1\n", encoding="utf-8")
    cases = {
        "classmate": lambda d: (d / "tensors.py").symlink_to(root / "honest" / "tensors.py"),
        "solutions": lambda d: (d / "tensors.py").symlink_to(solutions_dir() / "tensors.py"),
        "proc_cwd": lambda d: (d / "tensors.py").symlink_to("/proc/self/cwd/solutions/tensors.py"),
        "environ": lambda d: ((d / "tensors.py").write_text(CODE), (d / "notes.py").symlink_to("/proc/self/environ")),
        "cmdline": lambda d: ((d / "tensors.py").write_text(CODE), (d / "x.py").symlink_to("/proc/self/cmdline")),
        "fifo": lambda d: os.mkfifo(d / "tensors.py"),
        "device": lambda d: (d / "tensors.py").symlink_to("/dev/zero"),
        "huge": lambda d: (d / "tensors.py").write_bytes(b"#" * (5 << 20)),
        "hardlink": lambda d: os.link(outside / "answer.py", d / "tensors.py"),
        "linked_dir": lambda d: (d / "ps1").symlink_to(tmp_path / "outside2", target_is_directory=True),
        "quiz_link": lambda d: (d / "quiz_tensors.json").symlink_to("/proc/self/environ"),
    }
    for name, make in cases.items():
        (root / name).mkdir()
        make(root / name)
    (root / "whole_folder_link").symlink_to(root / "honest", target_is_directory=True)
    students, skipped = read(root, the_course)
    assert students["honest"] == (None, {"tensors": CODE})
    for name in set(cases) - {"linked_dir"}:
        error, modules = students[name]
        assert error and "\n" not in error, name
        assert modules == {}, name
    assert "link" in students["classmate"][0] and "tensors.py" in students["classmate"][0]
    assert "named pipe" in students["fifo"][0]
    assert "larger than" in students["huge"][0]
    assert "hard link" in students["hardlink"][0]
    # A linked assignment folder is not followed: nothing of `outside` is read.
    assert students["linked_dir"] == (None, {})
    assert ("whole_folder_link", "a link, not a student folder") in skipped
    assert "whole_folder_link" not in students


def test_class_zip_with_stray_files_and_a_students_own_zip(tmp_path, the_course):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("class/README.txt", "instructions\n")
        zf.writestr("class/ana/tensors.py", CODE)
        zf.writestr("class/ben/tensors.py", CODE + "# ben\n")
        zf.writestr("__MACOSX/class/._ana", "junk")
    students, skipped = read(archive, the_course)
    assert set(students) == {"ana", "ben"}
    assert [e for e, _ in skipped] == ["README.txt"]

    root = tmp_path / "folder"
    (root / "ana").mkdir(parents=True)
    (root / "ana" / "tensors.py").write_text(CODE, encoding="utf-8")
    with zipfile.ZipFile(root / "fede.zip", "w") as zf:
        zf.writestr("fede/tensors.py", CODE + "# fede\n")
    with zipfile.ZipFile(root / "gil.zip", "w") as zf:
        zf.writestr("tensors.py", CODE + "# gil\n")
    (root / "broken.zip").write_bytes(b"not a zip")
    (root / ".DS_Store").write_bytes(b"\0")
    students, skipped = read(root, the_course)
    assert students["fede"] == (None, {"tensors": CODE + "# fede\n"})
    assert students["gil"] == (None, {"tensors": CODE + "# gil\n"})
    assert students["broken"][0] and "zip" in students["broken"][0]
    assert [e for e, _ in skipped] == [".DS_Store"]


def test_a_link_inside_a_students_zip_is_refused(tmp_path, the_course):
    root = tmp_path / "class"
    root.mkdir()
    with zipfile.ZipFile(root / "eve.zip", "w") as zf:
        info = zipfile.ZipInfo("tensors.py")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/proc/self/cwd/solutions/tensors.py")
    students, _ = read(root, the_course)
    assert students["eve"][1] == {} and "link" in students["eve"][0]


def test_nbgrader_canvas_moodle_and_github_classroom(tmp_path, the_course):
    nb = tmp_path / "nbgrader" / "submitted"
    (nb / "ana" / "ps1").mkdir(parents=True)
    (nb / "ana" / "ps1" / "tensors.py").write_text(CODE, encoding="utf-8")
    assert read(tmp_path / "nbgrader", the_course)[0] == {"ana": (None, {"tensors": CODE})}

    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "perezana_12345_678901_tensors.py").write_text(CODE + "# 0\n", encoding="utf-8")
    (canvas / "perezana_12345_678902_tensors-1.py").write_text(CODE + "# 1\n", encoding="utf-8")
    (canvas / "gomezluis_LATE_23456_678903_tensors.py").write_text(CODE + "# luis\n", encoding="utf-8")
    (canvas / "gomezluis_LATE_23456_678903_helper.py").write_text("X = 1\n", encoding="utf-8")
    (canvas / "notes.txt").write_text("x", encoding="utf-8")
    students, skipped = read(canvas, the_course)
    assert students == {"perezana": (None, {"tensors": CODE + "# 1\n"}),
                        "gomezluis": (None, {"tensors": CODE + "# luis\n"})}
    assert [e for e, _ in skipped] == ["notes.txt"]

    moodle = tmp_path / "moodle"
    (moodle / "Ana Pérez_12345_assignsubmission_file_").mkdir(parents=True)
    (moodle / "Ana Pérez_12345_assignsubmission_file_" / "tensors.py").write_text(CODE, encoding="utf-8")
    (moodle / "Ana Pérez_12345_assignsubmission_onlinetext_").mkdir()
    (moodle / "Ana Pérez_12345_assignsubmission_onlinetext_" / "onlinetext.html").write_text("hi", encoding="utf-8")
    (moodle / "Luis Gómez_23456_assignsubmission_file_tensors.py").write_text(CODE + "# l\n", encoding="utf-8")
    students, skipped = read(moodle, the_course)
    assert students == {"Ana Pérez": (None, {"tensors": CODE}), "Luis Gómez": (None, {"tensors": CODE + "# l\n"})}
    assert skipped == []

    gh = tmp_path / "gh"
    for user in ("octocat", "mona-lisa"):
        (gh / f"tensors-lab-{user}" / ".git").mkdir(parents=True)
        (gh / f"tensors-lab-{user}" / "tensors.py").write_text(CODE, encoding="utf-8")
    students, _ = read(gh, the_course)
    assert set(students) == {"octocat", "mona-lisa"}


def test_output_names_are_unique_per_exact_name():
    names = ["o'brien", "o_brien", "O_brien", "ana", "Ana", "ana pérez", "ana_p_rez",
             "\x1b[2Jevil", safe_name("o'brien"), "..", ".", "a/b", "a_b"]
    out = output_names(names)
    assert len({n.casefold() for n in out.values()}) == len(names)
    assert out["ana"] == "ana" and out["o_brien"] == "o_brien"
    assert all("/" not in n and n not in (".", "..") and n.isprintable() for n in out.values())


def test_printable_escapes_control_characters():
    assert printable("\x1b[2Jevil\u202e") == "\\x1b[2Jevil\\u202e"
    assert printable("Ana Pérez") == "Ana Pérez"


def test_check_stages_the_module_beside_a_folder_named_like_the_notebook(tmp_path, the_course):
    # A folder called tensors.ipynb is not a notebook: the module beside it is what is staged
    # (class grading's layout reads it the same way).
    from torchdojo.judge.client import stage_submission

    work = tmp_path / "work"
    work.mkdir()
    (work / "tensors.py").write_text("X = 1\n", encoding="utf-8")
    (work / "tensors.ipynb").mkdir()
    into = tmp_path / "into"
    into.mkdir()
    staged = stage_submission(work, the_course.topic("tensors"), into)
    assert staged == into / "tensors.py" and staged.read_text(encoding="utf-8") == "X = 1\n"
    assert not (into / "tensors.ipynb").exists()
