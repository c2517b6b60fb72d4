"""The course's Spanish follows glossary.toml: one term per idea, the notes' English
terms glossed once per topic, no regional words; every finding names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchdojo.course import paths
from torchdojo.course.glossary import (
    GlossaryError, forbidden_uses, load_glossary, missing_glosses, parse_glossary,
)

ROOT = paths.content_root()
TEXT_SUFFIXES = {".md", ".toml", ".yaml", ".yml", ".py", ".txt"}


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def _course_texts() -> list[Path]:
    """Quiz banks, solutions and stubs (docstrings), course.toml (hints) and lessons."""
    files = sorted(paths.quizzes_dir().glob("*.yaml"))
    files += sorted(paths.solutions_dir().glob("*.py")) + sorted(paths.exercises_dir().glob("*.py"))
    files.append(paths.manifest_path())
    lessons = ROOT / "lessons"
    if lessons.is_dir():
        files += sorted(p for p in lessons.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
    return files


def test_the_glossary_makes_the_three_choices(glossary):
    preferred = {t.en[0]: t.es[0] for t in glossary.terms}
    assert preferred["accuracy"] == "exactitud"
    assert preferred["backbone"] == "backbone"
    assert preferred["feature"] == "característica"
    accuracy = next(t for t in glossary.terms if t.en[0] == "accuracy")
    assert "precisión" in accuracy.forbidden


def test_course_texts_use_the_glossary(glossary):
    files = _course_texts()
    assert len(files) >= 12
    problems = []
    for path in files:
        for finding in forbidden_uses(glossary, path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}:{finding}")
    assert not problems, "\n".join(problems)


def test_every_catalog_message_uses_the_glossary(glossary):
    # Program messages (errors, CLI output, --help) are Spanish text too: the same
    # words as the course, and the same neutral register.
    from torchdojo.text.catalogs import po_path, read_po

    entries = [e for e in read_po(po_path("es")) if e.msgid and e.msgstr]
    assert len(entries) >= 100
    problems = [f"{po_path('es').name}: msgid {e.msgid[:60]!r}: {finding}"
                for e in entries for finding in forbidden_uses(glossary, e.msgstr)]
    assert not problems, "\n".join(problems)


def test_spanish_literals_in_the_package_and_graders_use_the_glossary(glossary):
    # Some Spanish is written in place, not through the catalog: pick(lang, es, en)
    # pairs, quiz feedback, report templates, bilingual docstrings and errors.
    package = ROOT / "src" / "torchdojo" if (ROOT / "src" / "torchdojo").is_dir() else None
    if package is None:
        pytest.skip("not a source checkout")
    # The graders' feedback is Spanish written in place too.
    files = sorted(package.rglob("*.py")) + sorted(package.rglob("*.j2")) + sorted((ROOT / "graders").glob("*.py"))
    assert len(files) >= 50
    problems = [f"{path.relative_to(ROOT)}:{finding}"
                for path in files for finding in forbidden_uses(glossary, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_the_neutral_words_the_review_asked_for():
    # archivo, not fichero; presionar, not pulsar; auto, not coche (issue 19).
    g = load_glossary()
    text = "Guarda el fichero.\nPulsa Enter.\nEl coche frena.\nUn archivo; presiona Enter; el auto frena.\n"
    assert [(f.line, f.word.lower()) for f in forbidden_uses(g, text)] == [(1, "fichero"), (2, "pulsa"), (3, "coche")]


def test_every_quiz_glosses_the_notes_terms_it_uses(glossary):
    problems = []
    for path in sorted(paths.quizzes_dir().glob("*.yaml")):
        for term, line in missing_glosses(glossary, path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}:{line}: uses '{term.es[0]}' but never glosses it "
                            f"once as '{term.es[0]} ({term.en[0]})'")
    assert not problems, "\n".join(problems)


# --- the checks themselves ---------------------------------------------------

def test_a_forbidden_variant_is_found_with_its_line(glossary):
    text = "Primera línea.\nLa precisión del modelo es 0,9.\nEn media precisión (float16) ocupa menos.\n"
    found = forbidden_uses(glossary, text)
    assert [(f.line, f.word) for f in found] == [(2, "precisión")]
    assert "exactitud" in str(found[0]) and str(found[0]).startswith("2: ")


def test_regional_words_are_found_but_not_inside_other_words(glossary):
    found = forbidden_uses(glossary, "Un brazo aprende a coger piezas.\nHay que escoger y recoger bien.\n")
    assert [(f.line, f.word) for f in found] == [(1, "coger")]


def test_a_missing_gloss_is_found(glossary):
    unglossed = "Cada capa aprende.\nOtra capa más.\n"
    assert [(t.es[0], line) for t, line in missing_glosses(glossary, unglossed)] == [("capa", 1)]
    glossed = "Cada capa de entrada\n  (input layer) recibe números; otra capa aprende.\n"
    assert missing_glosses(glossary, glossed) == []


@pytest.mark.parametrize("text,line,fragment", [
    ("format_version = 2\n", 1, "format_version: must be 1"),
    ("format_version = 1\n\n[[terms]]\nes = []\nen = ['x']\n", 3, "terms[0].es: must be a list"),
    ("format_version = 1\n[[terms]]\nes = ['a']\nen = ['b']\n\n[[terms]]\nes = ['c']\nen = ['d']\nglos = true\n",
     6, "terms[1]: unknown field(s) glos"),
    ("format_version = 1\n[[terms]]\nes = ['exactitud']\nen = ['accuracy']\nforbidden = ['exactitud']\n",
     2, "forbids the preferred form 'exactitud'"),
    ("format_version = 1\n[[terms]]\nes = ['a']\nen = ['b']\nforbidden = ['c']\nallowed = ['d e']\n",
     2, "'d e' holds none of the forbidden words"),
    ("format_version = 1\n[[terms]]\nes = ['a']\nen = ['b']\n[[avoid]]\nwords = ['x']\n", 5, "avoid[0].use"),
])
def test_a_broken_glossary_names_file_and_line(tmp_path, text, line, fragment):
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as info:
        load_glossary(path)
    assert str(info.value).startswith(f"{path}:{line}: "), info.value
    assert fragment in str(info.value)


def test_invalid_toml_and_missing_file_are_glossary_errors(tmp_path):
    with pytest.raises(GlossaryError, match="invalid TOML"):
        parse_glossary("format_version = \n", tmp_path / "g.toml")
    with pytest.raises(GlossaryError, match="no such glossary"):
        load_glossary(tmp_path / "nope.toml")


def test_a_term_broken_across_lines_is_still_found(glossary):
    folded = "    es: >-\n      Es un problema de visión por\n      computador clásico.\n"
    assert [(f.line, f.word) for f in forbidden_uses(glossary, folded)] == [(2, "visión por computador")]
    allowed = "precisión\n  numérica de float32"
    assert forbidden_uses(glossary, allowed) == []
