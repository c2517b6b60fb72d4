"""Answer files are untrusted: every bomb is a clear one-line error, fast, with
bounded memory, and never stops a class run; text from students is cut short."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from torchdojo.classroom.batch import grade_class
from torchdojo.text.errors import UserError
from torchdojo.course.quiz import grade, load_answer_file, load_bank
from torchdojo.course.quiz.feedback import ECHO_CHARS
from torchdojo.course.quiz.untrusted import MAX_BYTES, MAX_DEPTH, MAX_NUMBER_CHARS

# Every test here starts processes (judges, student processes, the CLI, Jupyter, ...).
pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[1]

# The "billion laughs": 9 ** 9 strings once expanded, from a few hundred bytes.
ALIAS_BOMB = "answers:\n  q: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  {n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))

BOMBS = {
    # name: (file name, text, what the one-line error says)
    "alias_bomb": ("a.yaml", ALIAS_BOMB, "YAML anchors (&a) are not allowed"),
    "alias_only": ("a.yaml", "answers:\n  q: *nothing\n", "YAML aliases (*nothing) are not allowed"),
    "long_number_yaml": ("a.yaml", "answers:\n  q: " + "9" * 5000 + "\n", "a number of 5000 characters"),
    "long_float_yaml": ("a.yaml", "answers:\n  q: 1." + "5" * 5000 + "\n", "a number of 5002 characters"),
    "long_number_json": ("a.json", '{"answers": {"q": ' + "9" * 5000 + "}}", "a number of 5000 characters"),
    "deep_yaml_flow": ("a.yaml", "answers: {q: " + "[" * 10_000 + "]" * 10_000 + "}\n",
                       f"nested deeper than {MAX_DEPTH} levels"),
    "deep_yaml_block": ("a.yaml", "answers:\n  q:\n" + "".join("  " * (i + 2) + "- x:\n" for i in range(300)),
                        f"nested deeper than {MAX_DEPTH} levels"),
    "deep_yaml_dashes": ("a.yaml", "answers:\n  q:\n    " + "- " * 10_000 + "x\n",
                         f"nested deeper than {MAX_DEPTH} levels"),
    "deep_json": ("a.json", '{"answers": {"q": ' + "[" * 10_000 + "]" * 10_000 + "}}",
                  f"nested deeper than {MAX_DEPTH} levels"),
    "deep_json_100k": ("a.json", "[" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
    "python_tag": ("a.yaml", "answers:\n  q: !!python/object/apply:os.system [echo pwned]\n", "YAML tags"),
    "custom_tag": ("a.yaml", "answers:\n  q: !mine 3\n", "YAML tags (!mine) are not allowed"),
    "binary_tag": ("a.yaml", "answers:\n  q: !!binary aGVsbG8=\n", "YAML tags"),
    "tag_directive": ("a.yaml", "%TAG ! tag:example.com,2000:\n---\nanswers: {}\n", "%TAG directives"),
    "two_documents": ("a.yaml", "answers: {}\n---\nanswers: {}\n", "more than one YAML document"),
    "duplicate_yaml": ("a.yaml", "answers:\n  q: a\n  q: b\n", "duplicate key 'q'"),
    "duplicate_json": ("a.json", '{"answers": {"q": "a", "q": "b"}}', "duplicate key 'q'"),
    "nan_json": ("a.json", '{"answers": {"q": NaN}}', "NaN is not a number an answer can have"),
    "too_big": ("a.yaml", "answers:\n" + "  # padding\n" * (MAX_BYTES // 10), "larger than 256 KiB"),
    "many_values": ("a.yaml", "answers:\n  q: [" + ", ".join(["a"] * 30_000) + "]\n", "more than 20000 values"),
    "complex_key": ("a.yaml", "answers:\n  ? [a, b]\n  : c\n", "a key must be plain text"),
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_alias_bomb_is_the_small_one():
    assert len(ALIAS_BOMB.encode()) <= 438


@pytest.mark.parametrize("key", BOMBS)
def test_each_bomb_is_a_fast_one_line_error_with_bounded_memory(tmp_path, key):
    name, text, says = BOMBS[key]
    path = _write(tmp_path, name, text)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(UserError) as info:
            load_answer_file(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert says in message, message
    assert message.startswith(str(path)) and "\n" not in message and len(message) < 400
    assert seconds < 2.0, seconds
    assert peak < 16 * 2**20, peak  # bytes: bounded, whatever the file claims to hold


def test_limits_leave_room_for_every_real_answer_file(tmp_path):
    from torchdojo.course.quiz import answer_template, load_all_banks

    for bank in load_all_banks().values():
        for lang in ("es", "en"):
            text = answer_template(bank, lang)
            assert len(text.encode()) * 10 < MAX_BYTES
            assert load_answer_file(_write(tmp_path, "t.yaml", text))["topic"] == bank.topic
    nested = {"answers": {"which_paradigm": {"loan_history": "supervised"}}, "student": "ana"}
    assert load_answer_file(_write(tmp_path, "n.json", json.dumps(nested)))["answers"] == nested["answers"]
    assert MAX_NUMBER_CHARS >= len("150 528 000,000001")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_depth_limit_is_exact(tmp_path, suffix):
    # The document and 'answers' are two levels; the answer fills the rest.
    def doc(levels: int) -> str:
        return '{"answers": {"q": ' + "[" * (levels - 2) + '"x"' + "]" * (levels - 2) + "}}"

    assert load_answer_file(_write(tmp_path, "ok" + suffix, doc(MAX_DEPTH)))["answers"]["q"]
    with pytest.raises(UserError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_answer_file(_write(tmp_path, "deep" + suffix, doc(MAX_DEPTH + 1)))


def test_yaml_values_are_plain_data(tmp_path):
    path = _write(tmp_path, "a.yaml", "answers:\n  d: 2024-01-31\n  n: 0x1F\n  b: no\n  z: ~\n  s: '2.560'\n"
                                      "  f: 2.560\n  i: 2_560\n  true: a\n")
    answers = load_answer_file(path)["answers"]
    # Dates and numbers stay as written (no datetime, no 31, no 2.56); booleans and null are read.
    assert answers == {"d": "2024-01-31", "n": "0x1F", "b": False, "z": None, "s": "2.560", "f": "2.560",
                       "i": "2_560", "true": "a"}


@pytest.mark.parametrize("key", ["alias_bomb", "long_number_json", "deep_yaml_flow", "python_tag"])
def test_the_cli_gives_exit_2_and_one_line(tmp_path, key):
    name, text, says = BOMBS[key]
    path = _write(tmp_path, name, text)
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "torchdojo", "quiz", "why_ml", "--answers", str(path),
                           "--workspace", str(tmp_path), "--lang", "en"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("torchdojo: ") and says in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_class_run_survives_every_bomb(tmp_path):
    subs = tmp_path / "subs"
    keys = list(BOMBS)
    for i, key in enumerate(keys):
        name, text, _ = BOMBS[key]
        folder = subs / f"s{i:02d}_{key}"
        folder.mkdir(parents=True)
        suffix = Path(name).suffix
        (folder / f"quiz_paradigms{suffix}").write_text(text, encoding="utf-8")
    good = subs / "zz_good"
    good.mkdir()
    (good / "quiz_paradigms.yaml").write_text("answers:\n  needs_labels: [a, c]\n", encoding="utf-8")
    result = grade_class(subs, out=tmp_path / "out", topics=["paradigms"], jobs=1)
    assert len(result.students) == len(keys) + 1
    assert result.results["zz_good"]["quiz:paradigms"].score == 1.0
    for i, key in enumerate(keys):
        items = result.results[f"s{i:02d}_{key}"]["quiz:paradigms"].exercises
        assert {e.status for e in items} == {"error"}, key
        assert all(BOMBS[key][2] in e.feedback and "\n" not in e.feedback for e in items), key


# --- text from students is cut before it reaches a report -----------------------

def _one(result, qid: str):
    return next(i for i in result.exercises if i.id.endswith("/" + qid))


def test_echoed_answers_and_ids_are_cut():
    bank = load_bank("paradigms")
    long = "x" * 10_000
    graded = grade(bank, {
        "game_agent": long,                                        # single choice
        "needs_labels": [f"opt{n}" for n in range(5000)],          # multiple select
        "which_paradigm": {f"k{n}": long for n in range(5000)},    # matching
        "labels_needed": {"deep": [[[[[[long]]]]]]},                # true/false
        "y" * 10_000: 1,                                           # unknown id
        **{f"unknown_{n}": 1 for n in range(5000)},
    }, "en")
    for qid in ("game_agent", "needs_labels", "which_paradigm", "labels_needed"):
        item = _one(graded.result, qid)
        assert item.status == "error"
        assert len(item.feedback) < 600 and ("…" in item.feedback or "..." in item.feedback), (qid, item.feedback)
    assert len(graded.warnings) == 1 and len(graded.warnings[0]) < 1000
    assert "and 4991 more" in graded.warnings[0]
    assert "y" * ECHO_CHARS not in graded.warnings[0]


def test_a_long_number_in_quotes_is_an_error_for_that_question(tmp_path):
    path = _write(tmp_path, "a.yaml", f"answers:\n  tinyvgg_flatten: '{'9' * 5000}'\n")
    item = _one(grade(load_bank("cnns"), load_answer_file(path)["answers"], "es").result, "tinyvgg_flatten")
    assert item.status == "error" and "más de 40 caracteres" in item.feedback and len(item.feedback) < 200


def test_student_and_topic_are_checked_and_cut(tmp_path):
    doc = load_answer_file(_write(tmp_path, "a.json", json.dumps({"student": "a" * 10_000, "answers": {}})))
    assert len(doc["student"]) == 100
    with pytest.raises(UserError, match="'topic' must be a topic id") as info:
        load_answer_file(_write(tmp_path, "b.json", json.dumps({"topic": "t" * 10_000, "answers": {}})))
    assert len(str(info.value)) < 300
    with pytest.raises(UserError, match="'student' must be a name or an id"):
        load_answer_file(_write(tmp_path, "c.yaml", "student: [a, b]\nanswers: {}\n"))


# --- anything else: an error or data, never an exception ------------------------

BITS = ["answers:", "\n", "  ", "- ", "[", "]", "{", "}", ": ", ", ", "&a ", "*a", "!!str ", "!x ", "'",
        '"', "---\n", "9" * 50, "true", "null", "2.560", "~", "# c", "|\n", ">\n", "\t", "%TAG ! x\n",
        "? ", "\\", "\u00e9", "\x00", "q", "needs_labels", "game_agent", "which_paradigm", "a", "<<: ",
        "1e999", "NaN", '"\\u0000"']


def _value(rng: random.Random, depth: int = 0):
    """A random JSON value, sometimes nested past the depth limit."""
    pick = rng.random()
    if pick < 0.3 and depth < 12:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if pick < 0.5 and depth < 12:
        return {rng.choice(BITS): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    return rng.choice([rng.choice(BITS), rng.randint(-10**6, 10**6), rng.random() * 1e6, True, None,
                       "".join(rng.choice(BITS) for _ in range(5))])


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_random_garbage_is_data_or_a_user_error(tmp_path, suffix):
    rng = random.Random(12)
    bank = load_bank("paradigms")
    qids = list(bank.ids)
    path = tmp_path / f"g{suffix}"
    outcomes = set()
    for _ in range(400):
        text = json.dumps({"answers": {rng.choice(qids): _value(rng) for _ in range(rng.randint(1, 4))}})
        if rng.random() < 0.5:  # then break it somewhere
            cut = rng.randint(0, len(text))
            text = text[:cut] + "".join(rng.choice(BITS) for _ in range(rng.randint(1, 20))) + text[cut:]
        path.write_text(text, encoding="utf-8")
        try:
            doc = load_answer_file(path)
        except UserError as exc:
            assert "\n" not in str(exc)
            outcomes.add("error")
            continue
        grade(bank, doc["answers"], "es")  # must not raise either
        outcomes.add("data")
    assert outcomes == {"error", "data"}
