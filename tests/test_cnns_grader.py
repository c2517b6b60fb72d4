"""The ``cnns`` grader (graders/test_cnns.py), judged from outside.

* The reference solution and correct solutions written in other styles
  (``tests/variants/cnns/correct_*.py``) get full marks.
* Each mistake of ``tests/variants/cnns/mistakes.py`` is the reference with ONE
  realistic mistake (a function replaced, a ``# MISTAKE`` comment on the line); it
  loses points on exactly the exercise below, whose feedback names the problem.
  Mistakes that only an accelerator can reveal (a batch or a model left on the
  CPU) lose points only where one is present; on a CPU-only machine they pass.

Every submission is graded once, through the real engine
(:func:`torchdojo.check.check_workspace`), with one shared warm judge.
"""

from __future__ import annotations

from variant_suite import VariantSuite


class TestCnnsVariants(VariantSuite):
    TOPIC = "cnns"
    # mistake file -> (exercise that loses points, words the English feedback contains, accelerator only)
    MISTAKES = {
        "mistake_conv_no_dilation.py": ("conv_output_size", ["forgot the dilation"], False),
        "mistake_conv_padding_once.py": ("conv_output_size", ["padding once"], False),
        "mistake_tinyvgg_hardcoded_flatten.py": ("TinyVGG", ["image_size", "hidden_units * (image_size // 4)**2"], False),
        "mistake_tinyvgg_missing_relu.py": ("TinyVGG", ["output differs", "ReLU"], False),
        "mistake_tinyvgg_softmax.py": ("TinyVGG", ["softmax", "return logits"], False),
        "mistake_tinyvgg_dropout.py": ("TinyVGG", ["train mode", "Dropout"], False),
        "mistake_tinyvgg_squeeze.py": ("TinyVGG", ["with input (1, 1, 16, 16)", "expected shape (1, 4)"], False),
        "mistake_loader_global_seed.py": ("make_loader", ["same seed", "torch.Generator"], False),
        "mistake_loader_drop_last.py": ("make_loader", ["last batch", "drop_last=False"], False),
        "mistake_loader_always_shuffles.py": ("make_loader", ["shuffle=False", "order"], False),
        "mistake_loader_shuffles_once.py": ("make_loader", ["same order", "each epoch"], False),
        "mistake_train_no_zero_grad.py": ("train_epoch", ["gradients pile up", "zero_grad"], False),
        "mistake_train_no_train_mode.py": ("train_epoch", ["eval mode", "model.train()"], False),
        "mistake_train_percentage.py": ("train_epoch", ["percentage"], False),
        "mistake_train_batches_not_moved.py": ("train_epoch", ["device"], True),
        "mistake_train_ignores_loss_fn.py": ("train_epoch", ["plain cross-entropy", "loss_fn(output, y)"], False),
        "mistake_evaluate_no_eval_mode.py": ("evaluate", ["train mode", "model.eval()"], False),
        "mistake_evaluate_tracks_gradients.py": ("evaluate", ["tracked gradients", "no_grad"], False),
        "mistake_evaluate_ignores_loss_fn.py": ("evaluate", ["plain cross-entropy", "loss_fn(output, y)"], False),
        "mistake_evaluate_leaves_grad_off.py": ("evaluate", ["gradient tracking switched off", "torch.no_grad()"], False),
        "mistake_fit_sgd.py": ("fit", ["Adam(model.parameters(), lr=lr)"], False),
        "mistake_fit_new_optimizer_each_epoch.py": ("fit", ["no new one per epoch"], False),
        "mistake_fit_model_not_moved.py": ("fit", ["device"], True),
    }
    # fit's accuracy bar runs the student's own train_epoch and evaluate (the contract lets only it follow their bugs).
    OWN_HELPER_TESTS = {"fit": ("test_fit_reaches_accuracy_bar",)}
    FOLLOWS: dict[str, str] = {}
    SPANISH = ("mistake_train_no_zero_grad.py", "train_epoch", ["se acumulan", "zero_grad"])


# -- nothing lent that solves ------------------------------------------------------

import hashlib  # noqa: E402
import re  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from conftest import by_name, reference_source  # noqa: E402


def _solution_lines(source: str, names: tuple[str, ...]) -> set[str]:
    """Fingerprints of the solution lines of ``names`` (whitespace dropped), 20 characters or more: a shorter
    line is one call (``optimizer.step()``) that any training code has."""
    import ast

    tree = ast.parse(source)
    lines = source.splitlines()
    out = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            body = lines[node.body[1].lineno - 1:node.end_lineno]  # after the docstring
            for line in body:
                flat = "".join(line.split())
                if len(flat) >= 20 and not flat.startswith("#"):
                    out.add(hashlib.sha1(flat.encode()).hexdigest()[:12])
    return out


#: A cnns.py whose train_epoch and evaluate are empty stubs, and which captures every source text that
#: shows up in its process (compile, audit events, what stands in for its helpers, functions the garbage
#: collector knows that were not read from a file), keeps it in /dev/shm and in its folder, and on its next
#: import re-uses any train_epoch/evaluate it finds there. Its fit reports how much it captured and which
#: of the fingerprints it was given it saw.
CAPTURE = r'''
import builtins, gc, hashlib, inspect, os, sys, types
_CAPTURED = []
_real_compile = builtins.compile
def _text(source):
    if isinstance(source, bytes):
        return source.decode("utf-8", "replace")
    return source if isinstance(source, str) else ""
def _compile(source, *args, **kwargs):
    _CAPTURED.append(_text(source))
    return _real_compile(source, *args, **kwargs)
builtins.compile = _compile
def _audit(event, args):
    if event in ("compile", "exec") and args:
        _CAPTURED.append(_text(args[0]))
sys.addaudithook(_audit)
_STORES = ["/dev/shm/@STORE@", os.path.join(os.path.dirname(os.path.abspath(__file__)), "@STORE@"),
           os.path.join(os.getcwd(), "@STORE@")]
_FINGERPRINTS = @FINGERPRINTS@
_reused = {}
for _store in _STORES:
    try:
        with open(_store, encoding="utf-8") as _f:
            _ns = {"torch": __import__("torch")}
            for _piece in _f.read().split("\n#---\n"):
                try:
                    exec(_real_compile(_piece, "<captured>", "exec"), _ns)
                except BaseException:
                    pass
            for _name in ("train_epoch", "evaluate"):
                if isinstance(_ns.get(_name), types.FunctionType):
                    _reused[_name] = _ns[_name]
    except OSError:
        pass

def _source_of(obj):
    for candidate in (obj, type(obj)):
        try:
            return inspect.getsource(candidate)
        except (OSError, TypeError):
            pass
    return ""

def _capture_now():
    g = globals()
    for name in ("train_epoch", "evaluate"):
        if g.get(name) is not _STUBS.get(name):
            _CAPTURED.append(_source_of(g.get(name)))
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.startswith("<"):
            _CAPTURED.append(_source_of(obj) + "\n" + " ".join(map(str, obj.__code__.co_consts)))
    text = "\n#---\n".join(t for t in _CAPTURED if t)
    for store in _STORES:
        try:
            with open(store, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            pass
    flat = {hashlib.sha1("".join(line.split()).encode()).hexdigest()[:12] for line in text.splitlines()}
    return len(text), sorted(flat & set(_FINGERPRINTS))
'''

ATTACK_HELPERS = r'''
def train_epoch(model, loader, loss_fn, optimizer, device):
    if "train_epoch" in _reused:
        return _reused["train_epoch"](model, loader, loss_fn, optimizer, device)
    raise NotImplementedError
'''
ATTACK_EVALUATE = r'''
def evaluate(model, loader, loss_fn, device):
    if "evaluate" in _reused:
        return _reused["evaluate"](model, loader, loss_fn, device)
    raise NotImplementedError
'''
ATTACK_FIT = r'''
def fit(model, train_loader, test_loader, *, epochs, lr, device):
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        try:
            train_epoch(model, train_loader, loss_fn, optimizer, device)
            evaluate(model, test_loader, loss_fn, device)
        except BaseException:
            pass
    size, hits = _capture_now()
    raise RuntimeError(f"captured={size} hits={hits}")

_STUBS = {"train_epoch": train_epoch, "evaluate": evaluate}
'''


def _replace_functions(source: str, replacements: dict[str, str]) -> str:
    import ast

    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in sorted((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in replacements),
                       key=lambda n: n.lineno, reverse=True):
        lines[node.lineno - 1:node.end_lineno] = [replacements[node.name]]
    return "".join(lines)


@pytest.mark.process
def test_nothing_lent_while_fit_is_graded_solves_train_epoch_or_evaluate(grade, tmp_path):
    """A submission with empty train_epoch/evaluate that captures every source text in its process during fit,
    and re-uses what it captured on a rerun, gains nothing, and sees no line of the solution's helpers."""
    reference = reference_source("cnns")
    prints = _solution_lines(reference, ("train_epoch", "evaluate"))
    assert len(prints) >= 8
    store = f"capture-{uuid.uuid4().hex[:8]}.txt"
    attack = CAPTURE.replace("@STORE@", store).replace("@FINGERPRINTS@", repr(sorted(prints)))
    source = _replace_functions(reference, {"train_epoch": ATTACK_HELPERS, "evaluate": ATTACK_EVALUATE,
                                            "fit": ATTACK_FIT}) + attack
    try:
        for run in range(2):  # the second run finds what the first one kept
            topic = grade(source, "cnns", cached=False)
            for name in ("train_epoch", "evaluate", "fit"):
                assert by_name(topic, name).score == 0, (run, name, by_name(topic, name).feedback)
            feedback = by_name(topic, "fit").feedback
            found = re.search(r"captured=(\d+) hits=\[(.*?)\]", feedback)
            assert found, feedback
            assert int(found.group(1)) > 0, feedback  # the capture worked: it saw what stood in for its helpers
            assert found.group(2) == "", feedback  # and none of it was a line of the solution
    finally:
        Path("/dev/shm", store).unlink(missing_ok=True)
