"""The ``tensors`` grader (graders/test_tensors.py), judged from outside (see ``variant_suite.py``).

* The reference solution, and correct solutions written in other styles
  (``tests/variants/tensors/correct_*``: a ``.py`` file, or a folder holding
  ``tensors.py`` or ``tensors.ipynb`` with its sibling modules), get full marks.
  Variant files are copied byte for byte: some are Latin-1, or UTF-8 with a BOM
  and CRLF line endings, on purpose.
* Each mistake of ``tests/variants/tensors/mistakes.py`` is the reference
  solution with ONE realistic mistake; it loses points on exactly one exercise,
  every other exercise keeps full marks, and the feedback names the mistake.
  Mistakes that only a device other than the CPU can show get full marks on a CPU.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from variant_suite import VariantSuite

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "tests" / "variants" / "tensors"


class TestTensorsVariants(VariantSuite):
    TOPIC = "tensors"
    # mistake file -> (exercise that loses points, words its English feedback contains, accelerator only)
    MISTAKES = {
        "mistake_info_device_object.py": ("tensor_info", ["['device']", 'must be a str'], False),
        "mistake_info_shape_list.py": ("tensor_info", ["['shape']", 'tuple', 'list'], False),
        "mistake_info_len_as_numel.py": ("tensor_info", ["['numel']", 'expected 6, got 2'], False),
        "mistake_info_dtype_str.py": ("tensor_info", ["['dtype']", 'torch.dtype', 'not a str'], False),
        "mistake_range_ignores_dtype.py": ("make_range_matrix", ['expected dtype torch.float32, got torch.int64'], False),
        "mistake_range_column_major.py": ("make_range_matrix", ['columns', 'row-major'], False),
        "mistake_rand_global_seed.py": ("seeded_rand", ['global random state', 'torch.Generator'], False),
        "mistake_rand_ignores_seed.py": ("seeded_rand", ['different seeds', 'seed` ignored'], False),
        "mistake_rand_randn.py": ("seeded_rand", ['[0, 1)', 'torch.randn'], False),
        "mistake_matmul_runtime_error.py": ("safe_matmul", ['ValueError was expected', 'RuntimeError'], False),
        "mistake_matmul_message_without_shapes.py": ("safe_matmul", ['must name both shapes'], False),
        "mistake_matmul_wrong_dims.py": ("safe_matmul", ['can be multiplied', 'columns of a', 'rows of b'], False),
        "mistake_summarize_tensors.py": ("summarize", ['Python float', 'got Tensor'], False),
        "mistake_summarize_argmax_tensor.py": ("summarize", ['Python int', 'got Tensor'], False),
        "mistake_summarize_last_argmax.py": ("summarize", ['first maximum', 'flat index'], False),
        "mistake_summarize_int_mean.py": ("summarize", ['integer tensors', 'mean()'], False),
        "mistake_flatten_view.py": ("flatten_images", ['non-contiguous', 'view', 'reshape'], False),
        "mistake_flatten_all_dims.py": ("flatten_images", ['batch dimension', '1-D'], False),
        "mistake_channels_reshape.py": ("to_channels_last", ['reshape', 'permute'], False),
        "mistake_channels_memory_format.py": ("to_channels_last", ['memory format', 'keeps the shape'], False),
        "mistake_batch_dim_last.py": ("add_batch_dim", ['at the front', '(1, 3, 8, 8)'], False),
        "mistake_numpy_copy.py": ("from_numpy_shared", ['copied'], False),
        "mistake_numpy_returns_array.py": ("from_numpy_shared", ['must return a torch.Tensor', 'ndarray'], False),
        "mistake_best_device_str.py": ("best_device", ['torch.device', 'got str'], False),
        "mistake_move_to_float.py": ("move_to", ['expected dtype torch.int64, got torch.float32'], False),
        "mistake_range_ignores_device.py": ("make_range_matrix", ['expected device', 'got cpu'], True),
        "mistake_rand_ignores_device.py": ("seeded_rand", ['expected device', 'got cpu'], True),
        "mistake_move_to_ignores_device.py": ("move_to", ['expected device cpu'], True),
    }
    # The course's first language: the feedback comes in Spanish, names the problem,
    # and the engine's own words are Spanish too.
    SPANISH = [
        ("mistake_rand_global_seed.py", "seeded_rand",
         ["estado global", "torch.manual_seed", "torch.Generator", "comprobaciones correctas"]),
        ("mistake_summarize_int_mean.py", "summarize", ["tensores enteros", "convierte antes a float"]),
    ]


@pytest.mark.process
def test_the_property_an_exercise_is_about_carries_half_its_points(judge):
    # Partial credit weighs what the exercise teaches (issue 19): seeding the global
    # generator, the one thing seeded_rand is about not doing, keeps at most half;
    # right values with one wrong type lose only the type's share.
    results = TestTensorsVariants().graded(judge)
    seeded = results["mistake_rand_global_seed.py"].en["tensors/seeded_rand"]
    assert 0 < seeded.score <= seeded.max_score / 2, seeded.score
    for mistake in ("mistake_summarize_argmax_tensor.py", "mistake_summarize_tensors.py"):
        summary = results[mistake].en["tensors/summarize"]
        assert summary.max_score / 2 <= summary.score < summary.max_score, (mistake, summary.score)


def test_there_are_correct_variants_in_six_styles_or_more():
    assert len([p for p in VARIANTS.iterdir() if p.name.startswith("correct_")]) >= 6


def test_variants_really_use_other_encodings():
    latin1 = (VARIANTS / "correct_latin1.py").read_bytes()
    assert latin1.startswith(b"# -*- coding: latin-1 -*-\n")
    assert b"\xf1" in latin1  # a Latin-1 byte that is not valid UTF-8 there
    with pytest.raises(UnicodeDecodeError):
        latin1.decode("utf-8")
    bom = (VARIANTS / "correct_bom_crlf.py").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in bom and b"\n" not in bom.replace(b"\r\n", b"")


def test_there_are_a_dozen_mistakes_or_more():
    assert len(TestTensorsVariants.MISTAKES) >= 12
