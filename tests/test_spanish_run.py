"""A Spanish run says everything in Spanish: the CLI, the report, the feedback.

``torchdojo --lang es grade`` runs over a real class with every status (passed,
failed, error, timeout, crashed, not attempted, a missing module, an unreadable
notebook, a quiz answered and one not, skipped entries) and writes its outputs.
What a reader sees (the CLI's lines, the report's text without its code and
scripts, each student's feedback without code spans) is searched for common
English words that are not glossary terms: none may appear.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import reference_source
from torchdojo.course import paths
from torchdojo.course.glossary import load_glossary

pytestmark = pytest.mark.process

SRC = str(Path(__file__).resolve().parents[1] / "src")
REFERENCE = reference_source("tensors")
#: Words of the engine's English sentences that Spanish text never needs (Spanish shares "no", "error", "a").
ENGLISH = {
    "the", "and", "of", "with", "could", "was", "were", "your", "this", "every", "only", "which", "graded",
    "passed", "failed", "file", "files", "students", "student", "answer", "answered", "question", "questions",
    "points", "submission", "submissions", "skipped", "because", "none", "from", "more", "than", "exercise",
    "exercises", "score", "hidden", "entry", "copy", "copies", "detection", "steps", "protections", "grades",
    "mean", "median", "slowest", "rate", "items", "review", "topic", "not", "did", "does", "is", "are", "be",
    "has", "have", "read", "wrong", "right", "correct", "expected", "got", "unchanged", "outputs", "folder",
    "process", "memory", "limit", "own", "private", "its", "per", "job", "took", "while", "for", "each",
}


def _redefine(name: str, body: str) -> str:
    """The reference with one function replaced (a later def wins)."""
    return REFERENCE + f"\n\ndef {name}(*args, **kwargs):\n" + "".join(f"    {line}\n" for line in body.splitlines())


def _class(root: Path) -> None:
    stub = (paths.exercises_dir() / "tensors.py").read_text(encoding="utf-8")
    files = {
        "ana": ("tensors.py", REFERENCE),                                    # passed
        "bruno": ("tensors.py", REFERENCE.replace("return x.unsqueeze(0)", "return x.unsqueeze(-1)")),  # failed
        "diego": ("tensors.py", stub),                                       # not attempted
        "elena": ("tensors.py", _redefine("add_batch_dim", "raise ValueError('x')")),  # error
        "fran": ("tensors.py", _redefine("add_batch_dim", "while True:\n    pass")),   # timeout
        "gil": ("tensors.py", _redefine("add_batch_dim", "import os\nos._exit(3)")),   # crashed
        "ines": ("tensors.ipynb", "{not json"),                              # unreadable notebook
    }
    for student, (name, content) in files.items():
        (root / student).mkdir(parents=True)
        (root / student / name).write_text(content, encoding="utf-8")
    (root / "hugo").mkdir()  # no module at all
    (root / "hugo" / "notas.txt").write_text("nada\n", encoding="utf-8")
    (root / ".oculto").mkdir()  # a hidden entry, skipped
    (root / "lista.txt").write_text("ana\n", encoding="utf-8")  # not a student folder, skipped
    (root / "ana" / "quiz_paradigms.json").write_text(json.dumps({"answers": {"game_agent": "c"}}),
                                                      encoding="utf-8")


def _visible_html(page: str) -> str:
    page = re.sub(r"<(script|style|code|svg)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _english(text: str, allowed: set[str]) -> list[str]:
    text = re.sub(r"`[^`]*`", " ", text)                 # code spans: identifiers
    text = re.sub(r"https?://\S+|[\w./-]+\.(?:py|ipynb|json|csv|html|md|txt)\b|(?:/[\w.-]+)+/?", " ", text)
    text = re.sub(r"\w+…", " ", text)                  # a word cut short by clip() is no word
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", text)
    return sorted({w for w in words if w.lower() in ENGLISH and w.lower() not in allowed})


def test_a_spanish_run_has_no_english_sentence(tmp_path):
    root, out = tmp_path / "clase", tmp_path / "notas"
    _class(root)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "COLUMNS": "200"}
    env.pop("TORCHDOJO_LANG", None)
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "--lang", "es", "grade", str(root), "--topic", "tensors",
                           "--topic", "quiz:paradigms", "--out", str(out), "-j", "2"],
                          env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    glossary = {w.lower() for t in load_glossary().terms for form in t.en for w in form.split()}
    seen: dict[str, str] = {"CLI": proc.stdout + proc.stderr, "report.html": _visible_html(
        (out / "report.html").read_text(encoding="utf-8"))}
    for md in sorted((out / "feedback").glob("*.md")):
        seen[f"feedback/{md.name}"] = md.read_text(encoding="utf-8")
    assert len(seen) >= 9 and "1 estudiante" not in seen["CLI"]
    # The run reached every status, so the check covers what each status says.
    feedback = "\n".join(t for name, t in seen.items() if name.startswith("feedback/"))
    for label in ("| correcto |", "| incorrecto |", "| error |", "| tiempo agotado |", "| proceso caído |",
                  "| sin hacer |"):
        assert label in feedback, label
    problems = {name: _english(text, glossary) for name, text in seen.items()}
    problems = {name: words for name, words in problems.items() if words}
    where = {name: [" ".join(seen[name][max(0, m.start() - 60):m.end() + 40].split())
                    for w in words for m in [re.search(rf"\b{w}\b", seen[name])] if m]
             for name, words in problems.items()}
    assert not problems, f"English words in a Spanish run: {where}"
