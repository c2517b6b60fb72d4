"""Comparisons for graders: expected values against what came back from the student process.

Everything compared here is plain data decoded in the judge (ints, floats,
tuples, plain tensors rebuilt from bytes): no student object, no student
``__eq__``. Results are compared on the CPU in the judge's own code.
"""

from __future__ import annotations

import numbers
from typing import Any

import torch

from torchdojo.judge.feedback import Feedback, short, type_name
from torchdojo.text.i18n import Rendered, tr_pair, tr_said
from torchdojo.wire.codec import REFUSALS, Unsendable

_cpu = torch.device("cpu")


def _what(what: tuple[str, str] | str) -> tuple[str, str]:
    return (what, what) if isinstance(what, str) else what


def _feedback(msgid: str, what: tuple[str, str] | str, /, **params: Any) -> Feedback:
    """A comparison's verdict: the catalog message in both languages, around the grader's own ``what`` pair."""
    return Feedback(*tr_pair(msgid, what=Rendered(*_what(what)), **params))


def is_tensor(x: Any) -> bool:
    return isinstance(x, torch.Tensor)


def to_cpu(t: torch.Tensor) -> torch.Tensor:
    """A detached CPU copy (the student's tensor is never compared in place)."""
    return t.detach().to(_cpu).clone()


def said_refusal(reason: str) -> Rendered:
    """Why the student process could not send a value (a codec message in English), in both languages."""
    return Rendered(tr_said("es", reason, REFUSALS), reason)


def refuse_unsendable(got: Any, what: tuple[str, str] | str) -> None:
    """Fail, saying why, when the student process could not send ``got`` as data."""
    if isinstance(got, Unsendable):
        raise _feedback("{what}: your code returned a value that cannot be read as data: {why}", what,
                        why=said_refusal(got.reason))


def require_tensor(got: Any, what: tuple[str, str] | str) -> torch.Tensor:
    refuse_unsendable(got, what)
    if not is_tensor(got):
        raise _feedback("{what}: expected a torch.Tensor, got {type} ({value})", what, type=type_name(got),
                        value=short(got))
    return got


def shape(got: torch.Tensor, expected: tuple[int, ...], what: tuple[str, str] | str) -> None:
    got_shape = tuple(int(s) for s in got.shape)
    expected = tuple(expected)
    if got_shape != expected:
        raise _feedback("{what}: expected shape {expected}, got {got}", what, expected=expected, got=got_shape)


def dtype(got: torch.Tensor, expected: torch.dtype, what: tuple[str, str] | str) -> None:
    if got.dtype != expected:
        raise _feedback("{what}: expected dtype {expected}, got {got}", what, expected=expected, got=got.dtype)


def same_device(got: torch.device | str, expected: torch.device | str) -> bool:
    """Device types must match; the index only where the expected one names it."""
    got, expected = torch.device(got), torch.device(expected)
    if got.type != expected.type:
        return False
    return expected.index is None or got.index == expected.index or (
        got.index is None and expected.index == 0)


def device(got: torch.Tensor, expected: torch.device | str, what: tuple[str, str] | str) -> None:
    if not same_device(got.device, expected):
        raise _feedback("{what}: expected device {expected}, got {got}", what, expected=expected, got=got.device)


def tensor_close(
    got: Any,
    expected: torch.Tensor,
    what: tuple[str, str] | str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_dtype: bool = True,
    check_device: bool = False,
) -> None:
    """Fail unless ``got`` is a tensor of ``expected``'s shape (and dtype) and values."""
    got = require_tensor(got, what)
    shape(got, tuple(expected.shape), what)
    if check_dtype:
        dtype(got, expected.dtype, what)
    if check_device:
        device(got, expected.device, what)
    g = to_cpu(got)
    e = to_cpu(expected)
    if g.dtype != e.dtype:
        g = g.to(torch.float64)
        e = e.to(torch.float64)
    if g.numel() == 0:
        return
    if g.is_floating_point() or g.is_complex():
        ok = torch.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    else:
        ok = g == e  # plain tensors of our own making
    if torch.all(ok).item():
        return
    bad = torch.nonzero(~ok)[0]
    idx = tuple(int(i) for i in bad)
    got_v = g[idx].item()
    exp_v = e[idx].item()
    n_bad = int((~ok).sum().item())
    raise _feedback("{what}: {n} of {total} values differ; at index {index} expected {expected}, got {got}", what,
                    n=n_bad, total=g.numel(), index=idx, expected=repr(exp_v), got=repr(got_v))


def number(got: Any, what: tuple[str, str] | str, *, integer: bool = False) -> float:
    """Fail unless ``got`` is a Python number (``int`` where ``integer``); return it."""
    refuse_unsendable(got, what)
    if integer:
        ok = isinstance(got, numbers.Integral) and not isinstance(got, bool)
    else:
        ok = isinstance(got, numbers.Real) and not isinstance(got, bool) and not is_tensor(got)
    if not ok and integer:
        raise _feedback("{what}: expected a Python int, got {type} ({value})", what, type=type_name(got),
                        value=short(got))
    if not ok:
        raise _feedback("{what}: expected a Python float, got {type} ({value})", what, type=type_name(got),
                        value=short(got))
    return int(got) if integer else float(got)


def close(got: Any, expected: float, what: tuple[str, str] | str, *, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Fail unless ``got`` is a Python number close to ``expected``."""
    value = number(got, what)
    if not (value == expected or abs(value - expected) <= atol + rtol * abs(expected)):
        raise _feedback("{what}: expected {expected}, got {got}", what, expected=repr(expected), got=repr(value))


def equal(got: Any, expected: Any, what: tuple[str, str] | str) -> None:
    """Fail unless ``got`` equals ``expected`` as plain Python data (ints, tuples, strings)."""
    refuse_unsendable(got, what)
    ok = _plain(got) and (type(got) is bool) == (type(expected) is bool) and got == expected
    if not ok:
        raise _feedback("{what}: expected {expected}, got {got}", what, expected=short(expected), got=short(got))


_PLAIN = (int, float, str, bool, type(None), torch.dtype, torch.device, torch.Size)


def _plain(value: Any) -> bool:
    """Plain data all the way down (what the wire decodes to), never a handle or a tensor."""
    if type(value) in _PLAIN:
        return True
    if type(value) in (tuple, list):
        return all(_plain(v) for v in value)
    if type(value) is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False
