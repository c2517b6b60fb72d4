"""The grade report: versioned, serialisable results of a check or a quiz.

Schema ``torchdojo.report/2`` (documented in ``docs/report-schema.md``)::

    {"schema": "torchdojo.report/2",
     "topics": [{"topic": "tensors", "score": 9.0, "max_score": 11.0,
                 "exercises": [{"id": "tensors/seeded_rand", "score": 0.0,
                                "max_score": 1.0, "status": "failed",
                                "feedback": "..."}]}]}

Exercises and quiz questions share one record type (:class:`ItemResult`), so a
quiz reports in the same shape as a module of exercises.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from torchdojo.wire import N_

SCHEMA = "torchdojo.report/2"

# Outcomes, after Kaggle learntools' vocabulary plus what a sandbox adds.
PASSED = "passed"
FAILED = "failed"
NOT_ATTEMPTED = "not_attempted"
ERROR = "error"
TIMEOUT = "timeout"
CRASHED = "crashed"
STATUSES = (PASSED, FAILED, NOT_ATTEMPTED, ERROR, TIMEOUT, CRASHED)


#: The feedback of a test that reached the stub's NotImplementedError (a catalog message).
NOT_ATTEMPTED_MSGID = N_("not attempted: the function still raises NotImplementedError")


@dataclass
class TestOutcome:
    """One pytest test (or one device of a device-marked test) of an exercise."""

    name: str
    status: str
    weight: float = 1.0
    feedback: str = ""
    hidden: bool = False
    duration_s: float = 0.0


@dataclass
class ItemResult:
    """The result of one exercise (``tensors/seeded_rand``) or quiz question."""

    id: str
    score: float
    max_score: float
    status: str
    feedback: str = ""
    tests: list[TestOutcome] = field(default_factory=list)
    duration_s: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")


@dataclass
class TopicResult:
    """All exercises (or quiz questions) of one topic."""

    topic: str
    score: float
    max_score: float
    exercises: list[ItemResult]
    kind: str = "exercises"  # or "quiz"
    source: str = ""  # the file that was graded
    protections: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    #: Topic-level remarks: notebook cells that failed, unknown quiz ids, ...
    notes: list[str] = field(default_factory=list)
    #: Set when our grading infrastructure (not the submission) failed to produce this result: it is graded again.
    infra_error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """One topic as JSON (the gradebook's ``result_json``; keys sorted, so equal results store alike)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TopicResult:
        """Read one topic back (fields this version does not know are ignored); bad shapes raise ValueError."""
        try:
            items = [ItemResult(**{**e, "tests": [TestOutcome(**x) for x in e.get("tests", [])]})
                     for e in d["exercises"]]
            known = set(cls.__dataclass_fields__)
            return cls(**{**{k: v for k, v in d.items() if k in known}, "exercises": items})
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"malformed topic result: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> TopicResult:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_items(cls, topic: str, items: list[ItemResult], **extra: Any) -> TopicResult:
        return cls(
            topic=topic,
            score=round(sum(i.score for i in items), 4),
            max_score=round(sum(i.max_score for i in items), 4),
            exercises=items,
            **extra,
        )


@dataclass
class Report:
    """A whole check: one or more topics."""

    topics: list[TopicResult]
    schema: str = SCHEMA
    lang: str = "es"
    device: str = "cpu"

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.topics), 4)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.topics), 4)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = self.score
        d["max_score"] = self.max_score
        # The schema field leads, for readers that sniff the first bytes.
        return {"schema": d.pop("schema"), **d}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        if d.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} document (schema={d.get('schema')!r})")
        topics = [TopicResult.from_dict(t) for t in d["topics"]]
        return cls(topics=topics, lang=d.get("lang", "es"), device=d.get("device", "cpu"))
