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
