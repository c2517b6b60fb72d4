"""What ``run_autograder`` runs on Gradescope, once per submission.

``python -m torchdojo.editions.gradescope.autograder --root /autograder --config FILE``
grades ``ROOT/submission`` as one student of a class, with the same code as
``torchdojo grade`` (so the scores are the same), and writes Gradescope's
``ROOT/results/results.json``. Whatever happens, a results file is written:
a failure of the grader itself scores 0 with a plain explanation, rather than
Gradescope's bare "the autograder failed".
"""

from __future__ import annotations

import argparse
import json
import tempfile
import traceback
from pathlib import Path
from typing import Any

from torchdojo.text import atomic
from torchdojo.text.i18n import tr

STUDENT = "submission"


def _summary(topics: list[Any], lang: str) -> str:
    from torchdojo.classroom.result import Total

    total = Total.of(topics)
    score, max_score = total.score, total.max_score
    lines = [tr(lang, "torchdojo: {score} / {max_score} points.", score=f"{score:g}", max_score=f"{max_score:g}")]
    for topic in topics:
        lines += [f"{topic.topic}: {note}" for note in topic.notes]
    return "\n".join(lines)


def grade_submission(submission: Path, topics: list[str], lang: str) -> dict[str, Any]:
    """Grade one Gradescope submission folder; the results.json document."""
    from torchdojo.classroom.batch import grade_class
    from torchdojo.classroom.exports.gradescope import results_json

    with tempfile.TemporaryDirectory(prefix="torchdojo-gradescope-") as tmp:
        # The submission folder is read in place through the one intake (no
        # link followed, regular bounded files only), never copied first.
        if not submission.is_dir():
            Path(tmp, STUDENT).mkdir()
            submission = Path(tmp, STUDENT)
        result = grade_class(submission, out=Path(tmp) / "out", topics=topics, jobs=1, lang=lang,
                             write_outputs=False, one_student=STUDENT)
        graded = list(result.results.get(STUDENT, {}).values())
    doc = results_json(graded)
    doc["output"] = _summary(graded, lang)
    return doc


def failure_document(exc: BaseException, lang: str) -> dict[str, Any]:
    """A results.json for when grading itself failed: 0 points, and why."""
    reason = f"{type(exc).__name__}: {exc}"
    return {
        "score": 0.0,
        "output": tr(lang, "The grader could not grade this submission ({reason}). Please tell your instructor.",
                     reason=reason),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="torchdojo.editions.gradescope.autograder")
    parser.add_argument("--root", default="/autograder", help="Gradescope's folder (default /autograder)")
    parser.add_argument("--config", required=True, help="torchdojo_autograder.json from the bundle")
    args = parser.parse_args(argv)
    root = Path(args.root)
    lang = "es"
    try:
        config = json.loads(Path(args.config).read_text(encoding="utf-8"))
        lang = config.get("lang", lang)
        doc = grade_submission(root / "submission", list(config["topics"]), lang)
    except Exception as exc:  # a results file must exist whatever happens
        traceback.print_exc()  # the instructor sees stdout/stderr; students do not
        doc = failure_document(exc, lang)
    atomic.write_text(root / "results" / "results.json", json.dumps(doc, indent=2, ensure_ascii=False))
    max_score = sum(t.get("max_score", 0) for t in doc.get("tests", []))
    print(json.dumps({"score": doc.get("score"), "max_score": max_score}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
