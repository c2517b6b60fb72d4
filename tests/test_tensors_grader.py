"""The ``tensors`` grader (graders/test_tensors.py), judged from outside.

* The reference solution, and correct solutions written in other styles
  (``tests/variants/tensors/correct_*``: a ``.py`` file, or a folder holding
  ``tensors.py`` or ``tensors.ipynb`` with its sibling modules), get full marks.
* Each mistake of ``tests/variants/tensors/mistakes.py`` is the reference
  solution with ONE realistic mistake (one function replaced; ``what`` says which). It loses points on
  exactly one exercise, every other exercise keeps full marks, and the feedback
  of that exercise names the mistake.

Every submission is graded once, through the real engine
(:func:`torchdojo.check.check_workspace`), with one shared warm judge.
Variant files are copied byte for byte: some are Latin-1, or UTF-8 with a BOM
and CRLF line endings, on purpose.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from variant_suite import build_mistake, load_mistakes

from torchdojo.check import check_workspace
from torchdojo.manifest import course
from torchdojo.report import NOT_ATTEMPTED, PASSED
from torchdojo.judge.service import Judge

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "tensors.py"
STUB = ROOT / "exercises" / "tensors.py"
VARIANTS = ROOT / "tests" / "variants" / "tensors"
EXERCISE_IDS = [e.id for e in course().topic("tensors").exercises]
HAS_ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()


def stage(variant: Path, workspace: Path) -> Path:
    """Copy a variant into ``workspace``: a file becomes ``tensors.py``; a folder is copied as it is;
    a mistake is built from the reference."""
    workspace.mkdir(parents=True, exist_ok=True)
    if variant.name.startswith("mistake_"):
        (workspace / "tensors.py").write_text(build_mistake("tensors", variant.name), encoding="utf-8")
    elif variant.is_dir():
        for f in variant.iterdir():
            if f.is_file():
                shutil.copyfile(f, workspace / f.name)
    else:
        shutil.copyfile(variant, workspace / "tensors.py")  # bytes, not text: encodings are part of the test
    return workspace


def grade(judge: Judge, variant: Path, workspace: Path, *, device: str = "cpu", lang: str = "en") -> dict:
    report = check_workspace(stage(variant, workspace), ["tensors"], device=device, lang=lang, record=False,
                             judge=judge)
    (topic,) = report.topics
    assert not topic.notes, topic.notes  # no notebook cell failed, no internal error
    assert [item.id for item in topic.exercises] == EXERCISE_IDS
    return {item.id: item for item in topic.exercises}


def full_marks(item) -> bool:
    return item.status == PASSED and item.score == item.max_score


def assert_full_marks(results: dict) -> None:
    wrong = {i: (r.status, r.score, r.feedback) for i, r in results.items() if not full_marks(r)}
    assert not wrong, wrong


# -- correct solutions ------------------------------------------------------

CORRECT = sorted(p.name for p in VARIANTS.iterdir() if p.name.startswith("correct_"))


def test_there_are_correct_variants_in_six_styles_or_more():
    assert len(CORRECT) >= 6, CORRECT


def test_variants_really_use_other_encodings():
    latin1 = (VARIANTS / "correct_latin1.py").read_bytes()
    assert latin1.startswith(b"# -*- coding: latin-1 -*-\n")
    assert b"\xf1" in latin1  # a Latin-1 byte that is not valid UTF-8 there
    with pytest.raises(UnicodeDecodeError):
        latin1.decode("utf-8")
    bom = (VARIANTS / "correct_bom_crlf.py").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in bom and b"\n" not in bom.replace(b"\r\n", b"")


def test_reference_solution_gets_full_marks(judge, tmp_path):
    # "auto": on a machine with a GPU, device exercises are graded there too.
    assert_full_marks(grade(judge, SOLUTION, tmp_path / "ws", device="auto"))


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(judge, tmp_path, name):
    assert_full_marks(grade(judge, VARIANTS / name, tmp_path / "ws", device="auto"))


def test_stub_is_not_attempted(judge, tmp_path):
    results = grade(judge, STUB, tmp_path / "ws")
    assert {i: r.status for i, r in results.items()} == {i: NOT_ATTEMPTED for i in EXERCISE_IDS}


# -- one mistake each ---------------------------------------------------------

# (variant mistake_<name>.py, the exercise that must lose points, words that its
#  English feedback must contain, case-insensitive)
MISTAKES = [
    ("info_device_object", "tensor_info", ["['device']", "must be a str"]),
    ("info_shape_list", "tensor_info", ["['shape']", "tuple", "list"]),
    ("info_len_as_numel", "tensor_info", ["['numel']", "expected 6, got 2"]),
    ("info_dtype_str", "tensor_info", ["['dtype']", "torch.dtype", "not a str"]),
    ("range_ignores_dtype", "make_range_matrix", ["expected dtype torch.float32, got torch.int64"]),
    ("range_column_major", "make_range_matrix", ["columns", "row-major"]),
    ("rand_global_seed", "seeded_rand", ["global random state", "torch.Generator"]),
    ("rand_ignores_seed", "seeded_rand", ["different seeds", "seed` ignored"]),
    ("rand_randn", "seeded_rand", ["[0, 1)", "torch.randn"]),
    ("matmul_runtime_error", "safe_matmul", ["ValueError was expected", "RuntimeError"]),
    ("matmul_message_without_shapes", "safe_matmul", ["must name both shapes"]),
    ("matmul_wrong_dims", "safe_matmul", ["can be multiplied", "columns of a", "rows of b"]),
    ("summarize_tensors", "summarize", ["Python float", "got Tensor"]),
    ("summarize_last_argmax", "summarize", ["first maximum", "expected 1, got 5"]),
    ("summarize_int_mean", "summarize", ["integer tensors", "mean()"]),
    ("flatten_view", "flatten_images", ["non-contiguous", "view", "reshape"]),
    ("flatten_all_dims", "flatten_images", ["batch dimension", "1-D"]),
    ("channels_reshape", "to_channels_last", ["reshape", "permute"]),
    ("channels_memory_format", "to_channels_last", ["memory format", "keeps the shape"]),
    ("batch_dim_last", "add_batch_dim", ["at the front", "(1, 3, 8, 8)"]),
    ("numpy_copy", "from_numpy_shared", ["copied"]),
    ("best_device_str", "best_device", ["torch.device", "got str"]),
    ("move_to_float", "move_to", ["expected dtype torch.int64, got torch.float32"]),
]

# Mistakes that only a grading device other than the CPU can see: graded with
# device="auto", skipped on a machine without one.
ACCELERATOR_MISTAKES = [
    ("range_ignores_device", "make_range_matrix", ["expected device", "got cpu"]),
    ("rand_ignores_device", "seeded_rand", ["expected device", "got cpu"]),
    ("move_to_ignores_device", "move_to", ["expected device cpu"]),
]


def test_every_mistake_is_listed():
    table = load_mistakes("tensors")
    listed = {f"mistake_{name}.py" for name, _, _ in MISTAKES + ACCELERATOR_MISTAKES}
    assert set(table) == listed
    assert len(MISTAKES) >= 12
    assert all(entry["what"] and len(entry["replace"]) == 1 for entry in table.values())


def assert_loses_exactly(results: dict, exercise: str, keywords: list[str]) -> None:
    target = f"tensors/{exercise}"
    lost = sorted(i for i, r in results.items() if not full_marks(r))
    assert lost == [target], {i: (results[i].status, results[i].feedback) for i in lost}
    item = results[target]
    assert item.status != PASSED and item.score < item.max_score, (item.status, item.score)
    missing = [k for k in keywords if k.lower() not in item.feedback.lower()]
    assert not missing, f"feedback lacks {missing}: {item.feedback}"


@pytest.mark.parametrize("name,exercise,keywords", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_loses_points_on_one_exercise(judge, tmp_path, name, exercise, keywords):
    results = grade(judge, VARIANTS / f"mistake_{name}.py", tmp_path / "ws")
    assert_loses_exactly(results, exercise, keywords)


@pytest.mark.skipif(not HAS_ACCELERATOR, reason="needs a GPU (cuda or mps) to grade a device other than the CPU")
@pytest.mark.parametrize("name,exercise,keywords", ACCELERATOR_MISTAKES, ids=[m[0] for m in ACCELERATOR_MISTAKES])
def test_device_mistake_loses_points_on_an_accelerator(judge, tmp_path, name, exercise, keywords):
    results = grade(judge, VARIANTS / f"mistake_{name}.py", tmp_path / "ws", device="auto")
    assert_loses_exactly(results, exercise, keywords)


@pytest.mark.parametrize("name,exercise", [m[:2] for m in ACCELERATOR_MISTAKES],
                         ids=[m[0] for m in ACCELERATOR_MISTAKES])
def test_device_mistake_is_otherwise_correct(judge, tmp_path, name, exercise):
    # Graded on the CPU alone, where the mistake may not show: every other exercise has full marks.
    results = grade(judge, VARIANTS / f"mistake_{name}.py", tmp_path / "ws")
    assert_full_marks({i: r for i, r in results.items() if i != f"tensors/{exercise}"})


# The same mistakes, graded in Spanish (the course's first language): the
# feedback comes in Spanish and still names the problem.
SPANISH = [
    ("rand_global_seed", "seeded_rand", ["estado global", "torch.manual_seed", "torch.Generator"]),
    ("summarize_int_mean", "summarize", ["tensores enteros", "convierte antes a float"]),
]


@pytest.mark.parametrize("name,exercise,keywords", SPANISH, ids=[m[0] for m in SPANISH])
def test_mistake_feedback_in_spanish(judge, tmp_path, name, exercise, keywords):
    results = grade(judge, VARIANTS / f"mistake_{name}.py", tmp_path / "ws", lang="es")
    assert_loses_exactly(results, exercise, keywords)
    feedback = results[f"tensors/{exercise}"].feedback
    assert "comprobaciones correctas" in feedback  # the engine's own words, in Spanish too
