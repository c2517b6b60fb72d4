"""The ``fc_nets`` grader (graders/test_fc_nets.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/fc_nets/correct_*.py``) get full marks.
* One-mistake variants lose points on exactly one exercise, and its feedback
  names the mistake. Each is the reference solution with ONE small text
  substitution (the ``old`` -> ``new`` columns below show the mistake); a
  substitution that no longer matches the solution fails loudly.

Every submission is graded once, through the real engine
(:func:`torchdojo.check.check_workspace`), with one shared warm judge.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from torchdojo.check import check_workspace
from torchdojo.manifest import course
from torchdojo.report import PASSED
from torchdojo.judge.service import Judge

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "fc_nets.py"
VARIANTS = ROOT / "tests" / "variants" / "fc_nets"
EXERCISE_IDS = [e.id for e in course().topic("fc_nets").exercises]


def grade(judge: Judge, workspace: Path, source: str, *, device: str = "cpu", lang: str = "en") -> dict:
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "fc_nets.py").write_text(source, encoding="utf-8")
    # One torch thread per grading child: the exercises' tensors are tiny, and on a
    # busy 2-core machine two OpenMP threads per child make them many times slower.
    report = check_workspace(workspace, ["fc_nets"], device=device, lang=lang, record=False,
                             judge=judge, threads=1)
    (topic,) = report.topics
    return {item.id: item for item in topic.exercises}


def assert_full_marks(results: dict) -> None:
    assert sorted(results) == sorted(EXERCISE_IDS)
    wrong = {i: (r.status, r.feedback) for i, r in results.items() if r.status != PASSED or r.score != r.max_score}
    assert not wrong, wrong


# -- correct solutions ------------------------------------------------------

CORRECT = sorted(p.name for p in VARIANTS.glob("correct_*.py"))


def test_there_are_correct_variants_in_several_styles():
    assert len(CORRECT) >= 4, CORRECT


def test_reference_solution_gets_full_marks(judge, tmp_path):
    # "auto": on a machine with a GPU, device exercises are graded there too.
    assert_full_marks(grade(judge, tmp_path / "ws", SOLUTION.read_text(encoding="utf-8"), device="auto"))


def test_reference_solution_full_marks_in_spanish(judge, tmp_path):
    assert_full_marks(grade(judge, tmp_path / "ws", SOLUTION.read_text(encoding="utf-8"), lang="es"))


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(judge, tmp_path, name):
    assert_full_marks(grade(judge, tmp_path / "ws", (VARIANTS / name).read_text(encoding="utf-8"), device="auto"))


def test_stub_is_not_attempted(judge, tmp_path):
    results = grade(judge, tmp_path / "ws", (ROOT / "exercises" / "fc_nets.py").read_text(encoding="utf-8"))
    assert {i: r.status for i, r in results.items()} == {i: "not_attempted" for i in EXERCISE_IDS}


# -- one mistake each ---------------------------------------------------------

# (id, exercise that must lose points, old text of the solution, new text,
#  words that the English feedback must contain)
MISTAKES = [
    # FCNet
    ("softmax_on_logits", "FCNet",
     "        return self.layers(x)\n",
     "        return torch.softmax(self.layers(x), dim=-1)\n",
     ["softmax", "raw logits"]),
    ("relu_after_last_layer", "FCNet",
     "        layers.append(nn.Linear(size, out_features))\n",
     "        layers.append(nn.Linear(size, out_features))\n        layers.append(nn.ReLU())\n",
     ["ReLU after the last layer"]),
    ("no_relu_between_layers", "FCNet",
     "            layers.append(nn.ReLU())\n",
     "",
     ["ReLU between layers is missing"]),
    ("hidden_layers_without_bias", "FCNet",
     "nn.Linear(size, hidden)",
     "nn.Linear(size, hidden, bias=False)",
     ["parameters", "bias"]),
    # count_parameters
    ("counts_frozen_parameters", "count_parameters",
     "for p in model.parameters() if p.requires_grad or not trainable_only)",
     "for p in model.parameters())",
     ["requires_grad"]),
    ("counts_tensors_not_values", "count_parameters",
     "return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)",
     "return len([p for p in model.parameters() if p.requires_grad or not trainable_only])",
     ["numel"]),
    # train_step
    ("step_without_zero_grad", "train_step",
     "    model.train()\n    optimizer.zero_grad()\n",
     "    model.train()\n",
     ["zero_grad", "stale gradients"]),
    ("step_without_optimizer_step", "train_step",
     "    loss.backward()\n    optimizer.step()\n    return loss.item()\n",
     "    loss.backward()\n    return loss.item()\n",
     ["optimizer.step()"]),
    ("step_in_eval_mode", "train_step",
     "    model.train()\n    optimizer.zero_grad()\n",
     "    optimizer.zero_grad()\n",
     ["model.train()"]),
    ("step_returns_tensor", "train_step",
     "    optimizer.step()\n    return loss.item()\n",
     "    optimizer.step()\n    return loss\n",
     ["tensor", "item()"]),
    ("step_returns_loss_after_step", "train_step",
     "    optimizer.step()\n    return loss.item()\n",
     "    optimizer.step()\n    return loss_fn(model(X), y).item()\n",
     ["after the step"]),
    # accuracy
    ("accuracy_max_values_not_argmax", "accuracy",
     "predictions = logits.argmax(dim=-1)",
     "predictions = logits.max(dim=-1).values",
     ["argmax"]),
    ("accuracy_argmax_without_dim", "accuracy",
     "predictions = logits.argmax(dim=-1)",
     "predictions = logits.argmax()",
     ["argmax without dim"]),
    ("accuracy_percentage", "accuracy",
     "return (predictions == targets).float().mean().item()",
     "return 100 * (predictions == targets).float().mean().item()",
     ["percentage"]),
    # predict_proba
    ("predict_in_train_mode", "predict_proba",
     "    model.eval()\n    with torch.no_grad():\n        return torch.softmax",
     "    with torch.no_grad():\n        return torch.softmax",
     ["model.eval()"]),
    ("predict_after_a_train_mode_forward", "predict_proba",
     "    model.eval()\n    with torch.no_grad():\n        return torch.softmax",
     "    print(model(X).shape)  # a leftover debugging line, still in train mode\n"
     "    model.eval()\n    with torch.no_grad():\n        return torch.softmax",
     ["changed the model", "model.eval() before any forward pass"]),
    ("predict_tracks_gradients", "predict_proba",
     "    with torch.no_grad():\n        return torch.softmax(model(X), dim=-1)\n",
     "    return torch.softmax(model(X), dim=-1)\n",
     ["requires_grad", "no_grad"]),
    ("predict_returns_logits", "predict_proba",
     "        return torch.softmax(model(X), dim=-1)\n",
     "        return model(X)\n",
     ["softmax"]),
    ("predict_softmax_over_rows", "predict_proba",
     "        return torch.softmax(model(X), dim=-1)\n",
     "        return torch.softmax(model(X), dim=0)\n",
     ["wrong dimension"]),
    # fit_line
    ("fit_line_defaults_too_small", "fit_line",
     "def fit_line(x, y, *, epochs=300, lr=0.5, seed=0):",
     "def fit_line(x, y, *, epochs=100, lr=0.01, seed=0):",
     ["within 0.05", "epochs"]),
    ("fit_line_without_zero_grad", "fit_line",
     "        optimizer.zero_grad()\n        loss = loss_fn(model(x), y)\n",
     "        loss = loss_fn(model(x), y)\n",
     ["within 0.05"]),
    ("fit_line_returns_tensors", "fit_line",
     "return model.weight.item(), model.bias.item()",
     "return model.weight, model.bias",
     ["tensor", ".item()"]),
    # train_classifier
    ("losses_as_tensors", "train_classifier",
     "losses.append(loss.item())",
     "losses.append(loss)",
     ["tensor", "loss.item()"]),
    ("losses_after_the_step", "train_classifier",
     "        losses.append(loss.item())\n",
     "        with torch.no_grad():\n            losses.append(loss_fn(model(X), y).item())\n",
     ["after each step"]),
    ("classifier_with_sgd", "train_classifier",
     "optimizer = torch.optim.Adam(model.parameters(), lr=lr)",
     "optimizer = torch.optim.SGD(model.parameters(), lr=lr)",
     ["Adam"]),
    ("classifier_in_eval_mode", "train_classifier",
     "    model.train()\n    losses = []\n",
     "    losses = []\n",
     ["model.train()"]),
    ("classifier_without_zero_grad", "train_classifier",
     "        optimizer.zero_grad()\n        loss = loss_fn(model(X), y)\n",
     "        loss = loss_fn(model(X), y)\n",
     ["zero_grad"]),
    ("classifier_trains_a_copy", "train_classifier",
     "    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n",
     "    model = __import__('copy').deepcopy(model)\n    optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n",
     ["in place"]),
    # save_weights / load_weights
    ("saves_whole_model", "save_weights",
     "torch.save(model.state_dict(), path)",
     "torch.save(model, path)",
     ["weights_only=True", "state_dict()"]),
    ("load_returns_load_state_dict", "save_weights",
     "    model.load_state_dict(state)\n    return model\n",
     "    return model.load_state_dict(state)\n",
     ["return the model", "load_state_dict"]),
]


def mistaken_source(old: str, new: str) -> str:
    text = SOLUTION.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the substitution no longer matches the solution exactly once: {old!r}"
    return text.replace(old, new)


@pytest.mark.parametrize("mistake_id, exercise, old, new, words", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_one_mistake_costs_exactly_one_exercise(judge, tmp_path, mistake_id, exercise, old, new, words):
    results = grade(judge, tmp_path / "ws", mistaken_source(old, new))
    failing = f"fc_nets/{exercise}"
    lost = sorted(i for i, r in results.items() if r.score < r.max_score)
    assert lost == [failing], {i: (r.status, r.feedback) for i, r in results.items() if i in lost}
    item = results[failing]
    assert item.status == "failed", (item.status, item.feedback)
    for word in words:
        assert word in item.feedback, (word, item.feedback)
    for other in EXERCISE_IDS:
        if other != failing:
            assert results[other].status == PASSED and results[other].score == results[other].max_score


def test_feedback_is_in_spanish_too(judge, tmp_path):
    _, exercise, old, new, _ = next(m for m in MISTAKES if m[0] == "step_without_zero_grad")
    results = grade(judge, tmp_path / "ws", mistaken_source(old, new), lang="es")
    assert "gradientes viejos no se borraron" in results[f"fc_nets/{exercise}"].feedback
