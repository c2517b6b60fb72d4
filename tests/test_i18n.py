"""Program messages in both languages through one gettext catalog, and one way to pick the language."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from torchdojo.text import catalogs
from torchdojo.text.errors import UserError
from torchdojo.text.i18n import Message, resolve_lang, tr

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_the_catalog_is_complete_and_in_sync():
    # Like the stubs' check: every message of the source is in the .po, translated,
    # with the same {fields}; the .mo is what the .po compiles to.
    assert catalogs.problems() == []


def test_the_extractor_catches_what_would_stay_english(tmp_path):
    pkg = tmp_path / "torchdojo"
    pkg.mkdir()
    (pkg / "m.py").write_text(
        "def f(path, lang):\n"
        "    raise UserError(f'{path}: broken')\n"             # an f-string: never translated
        "def g(lang):\n"
        "    return tr(lang, 'hello {name}')\n"                # a field that is not passed
        "def h(lang, n):\n"
        "    return tr(lang, 'fine {n}', n=n)\n", encoding="utf-8")
    found, problems = catalogs.extract(pkg)
    assert list(found) == ["hello {name}", "fine {n}"]
    assert any("m.py:2" in p and "string literal" in p for p in problems)
    assert any("m.py:4" in p and "['name']" in p for p in problems)


def test_mo_compiles_what_gettext_reads(tmp_path):
    import gettext

    entries = [catalogs.Entry("", "Content-Type: text/plain; charset=UTF-8\n"),
               catalogs.Entry("tensor '{x}'", "tensor «{x}»"), catalogs.Entry("untranslated", "")]
    mo = tmp_path / "es" / "LC_MESSAGES" / "t.mo"
    mo.parent.mkdir(parents=True)
    mo.write_bytes(catalogs.compile_mo(entries))
    t = gettext.translation("t", str(tmp_path), languages=["es"])
    assert t.gettext("tensor '{x}'") == "tensor «{x}»" and t.gettext("untranslated") == "untranslated"
    text = catalogs.write_po(entries)
    assert [(e.msgid, e.msgstr) for e in catalogs.parse_po(text)] == [(e.msgid, e.msgstr) for e in entries]


def test_messages_and_errors_render_in_either_language():
    err = UserError("unknown topic '{topic}' (topics: {known})", topic="tensr", known="tensors")
    assert str(err) == "unknown topic 'tensr' (topics: tensors)"
    assert err.render("es") == "tema desconocido 'tensr' (temas: tensors)"
    # Errors cross process boundaries (Dask) with their fields.
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is UserError and again.render("es") == err.render("es")
    nested = tr("es", "warning: {detail}", detail=Message("not attempted"))
    assert nested == "aviso: sin hacer"


@pytest.mark.parametrize("explicit,env,expected", [
    ("en", {"TORCHDOJO_LANG": "es", "LANG": "es_MX.UTF-8"}, "en"),      # --lang first
    (None, {"TORCHDOJO_LANG": "en", "LANG": "es_MX.UTF-8"}, "en"),      # then TORCHDOJO_LANG
    (None, {"TORCHDOJO_LANG": "", "LANG": "en_US.UTF-8"}, "en"),        # then the locale
    (None, {"TORCHDOJO_LANG": "", "LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "es"),  # LC_ALL wins, not English
    (None, {"TORCHDOJO_LANG": "fr", "LANG": "fr_FR.UTF-8"}, "es"),      # Spanish otherwise
])
def test_one_way_to_pick_the_language(monkeypatch, explicit, env, expected):
    for var in ("TORCHDOJO_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert resolve_lang(explicit) == expected


# -- the CLI's error paths, in both languages ---------------------------------------------

def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("TORCHDOJO_WORKSPACE", "TORCHDOJO_LANG", "TORCHDOJO_CONTENT")}
    base.update({"PYTHONPATH": SRC, "LC_ALL": "C.UTF-8", "NO_COLOR": "1", "COLUMNS": "200", **env})
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], cwd=cwd, env=base, capture_output=True,
                          text=True, timeout=120)


#: (command line, fragment in Spanish, fragment in English); run from a folder that is no workspace.
ERRORS = [
    (["check", "nosuchtopic"], "tema desconocido 'nosuchtopic'", "unknown topic 'nosuchtopic'"),
    (["check", "tensors/nosuch"], "ejercicio desconocido 'tensors/nosuch'", "unknown exercise 'tensors/nosuch'"),
    (["check", "why_ml"], "solo tiene cuestionario", "has only a quiz"),
    (["check", "--device", "tpu"], "opción no válida: 'tpu'", "invalid choice: 'tpu'"),
    (["check", "--no-such-flag"], "argumentos no reconocidos: --no-such-flag",
     "unrecognized arguments: --no-such-flag"),
    (["check"], "no hay un espacio de trabajo", "no torchdojo workspace"),
    (["check", "-w", "missing"], "'missing' no es una carpeta", "'missing' is not a folder"),
    (["progress"], "no hay un espacio de trabajo", "no torchdojo workspace"),
    (["progress", "-w", "missing"], "'missing' no es una carpeta", "'missing' is not a folder"),
    (["list", "-w", "missing"], "'missing' no es una carpeta", "'missing' is not a folder"),
    (["watch", "-w", "missing"], "'missing' no es una carpeta", "'missing' is not a folder"),
    (["solution", "tensors/add_batch_dim"], "no hay un espacio de trabajo", "no torchdojo workspace"),
    (["solution", "tensors/nosuch"], "ejercicio desconocido", "unknown exercise"),
    (["hint", "tensors"], "no es un id de ejercicio", "is not an exercise id"),
    (["hint", "tensors/seeded_rand", "--level", "9"], "pistas de nivel 1 a", "hint levels 1 to"),
    (["hint", "tensors/seeded_rand", "--level", "x"], "valor int no válido: 'x'", "invalid int value: 'x'"),
    (["quiz", "nope"], "tema de cuestionario desconocido 'nope'", "unknown quiz topic 'nope'"),
    (["quiz", "why_ml"], "no hay un espacio de trabajo", "no torchdojo workspace"),
    (["quiz", "why_ml", "--answers", "nope.yaml"], "no existe ese archivo de respuestas", "no such answer file"),
    (["quiz", "--template"], "--template necesita un TEMA", "--template needs a TOPIC"),
    (["quiz", "why_ml", "--seed", "1", "--student", "ana"], "no se permite junto con", "not allowed with"),
    (["learn", "nope"], "no hay lección para el tema 'nope'", "no lesson for topic 'nope'"),
    (["learn", "tensors", "--part", "nope"], "no tiene la parte 'nope'", "has no part 'nope'"),
    (["grade", "full", "--copy-threshold", "2"], "debe estar entre 0 y 1", "must be between 0 and 1"),
    (["start", "afile"], "'afile' existe y no es una carpeta", "'afile' exists and is not a folder"),
    (["release", "full"], "'full' no está vacía", "'full' is not empty"),
    (["release", "x", "--format", "pdf"], "opción no válida: 'pdf'", "invalid choice: 'pdf'"),
    (["grade", "nothere"], "'nothere' no existe", "'nothere' does not exist"),
    (["grade", "full", "--scheduler", "tcp://x:1"], "--scheduler solo sirve con", "--scheduler only applies"),
    (["gradescope", "build", "nope"], "tema desconocido 'nope'", "unknown topic 'nope'"),
    (["nbgrader", "source", "nb", "--topic", "nope"], "tema desconocido 'nope'", "unknown topic 'nope'"),
    (["frobnicate"], "opción no válida: 'frobnicate'", "invalid choice: 'frobnicate'"),
]


@pytest.fixture(scope="module")
def nowhere(tmp_path_factory):
    """A folder that is no workspace, with a file and a non-empty folder for the cases that need them."""
    folder = tmp_path_factory.mktemp("nowhere")
    (folder / "afile").write_text("x", encoding="utf-8")
    (folder / "full").mkdir()
    (folder / "full" / "keep.txt").write_text("x", encoding="utf-8")
    return folder


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("args,es,en", ERRORS, ids=[" ".join(a) for a, _, _ in ERRORS])
def test_cli_errors_are_one_line_exit_2_in_the_chosen_language(nowhere, args, es, en, lang):
    before = sorted(p.name for p in nowhere.rglob("*"))
    proc = _cli(["--lang", lang, *args], nowhere)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("torchdojo: "), proc.stderr
    wanted, other = (es, en) if lang == "es" else (en, es)
    assert wanted in lines[0], lines[0]
    if wanted != other:
        assert other not in lines[0]
    # Failing leaves nothing behind (no .torchdojo/ where no workspace was).
    assert sorted(p.name for p in nowhere.rglob("*")) == before


def test_the_language_comes_from_the_environment_without_lang(nowhere):
    assert "unknown topic" in _cli(["check", "x"], nowhere, TORCHDOJO_LANG="en").stderr
    assert "tema desconocido" in _cli(["check", "x"], nowhere, TORCHDOJO_LANG="es").stderr
    assert "unknown topic" in _cli(["check", "x"], nowhere, LC_ALL="en_US.UTF-8").stderr
    assert "tema desconocido" in _cli(["check", "x"], nowhere).stderr  # C locale: Spanish
    # --lang after the verb counts too.
    assert "unknown topic" in _cli(["check", "x", "--lang", "en"], nowhere, TORCHDOJO_LANG="es").stderr


def test_help_is_in_the_chosen_language(nowhere):
    es = _cli(["--lang", "es", "--help"], nowhere)
    assert es.returncode == 0 and "uso: torchdojo" in es.stdout and "código de salida:" in es.stdout
    assert "califica tus ejercicios" in es.stdout
    en = _cli(["--lang", "en", "check", "--help"], nowhere)
    assert "usage: torchdojo check" in en.stdout and "Exit status 0" in en.stdout
