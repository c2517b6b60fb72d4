"""The quiz banks as a teacher reads them: every question names the section of the
notes it checks, every section is asked about, questions go from easy to hard, and
no answer can be guessed from the look of the options."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchdojo.quiz import BankError, load_bank_file, parse_bank
from torchdojo.quiz.sections import section_ids

HEADER = "format_version: 1\ntopic: demo\nquestions:\n"


def _question(section_line: str) -> str:
    return HEADER + f"""\
- id: first
  kind: true_false
{section_line}
  difficulty: 1
  tags: [demo]
  text: {{es: Uno, en: One}}
  answer: true
  explanation: {{es: Porque sí, en: Because so}}
"""


def test_the_notes_sections_are_known():
    assert section_ids() == ("why_ml", "ml_vs_dl", "neural_network", "paradigms", "dl_uses", "why_pytorch", "tensor")


def test_a_question_may_name_its_section():
    bank = parse_bank(_question("  section: why_pytorch"), Path("demo.yaml"))
    assert bank.questions[0].section == "why_pytorch"


def test_the_section_is_optional():
    bank = parse_bank(_question("  points: 1"), Path("demo.yaml"))
    assert bank.questions[0].section is None


@pytest.mark.parametrize("value,fragment", [
    ("why_pytroch", "section: 'why_pytroch' is not a section of the notes (why_ml, ml_vs_dl,"),
    ("7", "section: must be an id"),
    ("Why PyTorch", "is not an id"),
])
def test_an_unknown_section_names_file_line_and_question(tmp_path, value, fragment):
    path = tmp_path / "demo.yaml"
    path.write_text(_question(f"  section: {value}"), encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank_file(path, "demo")
    assert str(info.value).startswith(f"{path}:6: question 'first': "), info.value
    assert fragment in str(info.value)
